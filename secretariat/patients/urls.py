from django.urls import path

from secretariat.patients import views, views_identitovigilance

app_name = "patients"

urlpatterns = [
    path("", views.patient_list, name="list"),
    path("nouveau/", views.patient_create, name="create"),
    path("lieux-de-naissance/", views.birthplace_options, name="birthplace_options"),
    path("<int:pk>/", views.patient_detail, name="detail"),
    path("<int:pk>/identite/", views.patient_edit, name="edit"),
    path("<int:pk>/identite/valider/", views.patient_validate, name="validate"),
    path("<int:pk>/identite/insi/", views.patient_insi, name="insi"),
    path("<int:pk>/identite/attributs/", views.patient_attributes, name="attributes"),
]

urlpatterns += [
    path("doublons/", views_identitovigilance.duplicate_list, name="duplicates"),
    path("doublons/<int:pk>/differents/", views_identitovigilance.duplicate_dismiss, name="duplicate_dismiss"),
    path("fusion/<int:first>-<int:second>/", views_identitovigilance.merge_form, name="merge"),
    path("fusions/<int:pk>/", views_identitovigilance.merge_detail, name="merge_detail"),
    path("<int:pk>/separer/", views_identitovigilance.split_form, name="split"),
]

from secretariat.patients import urls_administrative  # noqa: E402 (the administrative file)

urlpatterns += urls_administrative.urlpatterns
