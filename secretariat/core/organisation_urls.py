from django.urls import path

from secretariat.core.views import organisation

urlpatterns = [
    path("", organisation.overview, name="organisation"),
    path("structure/", organisation.structure_edit, name="structure_edit"),
    path("sites/nouveau/", organisation.site_edit, name="site_create"),
    path("sites/<int:pk>/", organisation.site_edit, name="site_edit"),
    path("sites/<int:pk>/horaires/", organisation.site_hours, name="site_hours"),
    path("services/nouveau/", organisation.service_edit, name="service_create"),
    path("services/<int:pk>/", organisation.service_edit, name="service_edit"),
    path("praticiens/nouveau/", organisation.practitioner_edit, name="practitioner_create"),
    path("praticiens/<int:pk>/", organisation.practitioner_edit, name="practitioner_edit"),
]
