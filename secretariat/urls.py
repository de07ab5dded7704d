from django.contrib import admin
from django.urls import include, path

from secretariat.core import api

urlpatterns = [
    path("", include("secretariat.core.urls")),
    path("patients/", include("secretariat.patients.urls")),
    path("agenda/", include("secretariat.agenda.urls")),
    path("rdv/", include("secretariat.agenda.public_urls")),
    path("messages/", include("secretariat.messaging.urls")),
    path("accueil/", include("secretariat.reception.urls")),
    path("salle-attente/", include("secretariat.reception.public_urls")),
    path("avis/", include("secretariat.reception.survey_urls")),
    path("", include("secretariat.interop.urls")),
    path("api/v1/", include(api.urlpatterns)),
    path("django-admin/", admin.site.urls),
]

handler403 = "secretariat.core.views.shell.permission_denied"
handler404 = "secretariat.core.views.shell.page_not_found"
handler500 = "secretariat.core.views.shell.server_error"
