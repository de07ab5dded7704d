from django.urls import path

from secretariat.patients import views

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
