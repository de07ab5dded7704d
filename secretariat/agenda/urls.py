"""Agenda URLs: staff screens under /agenda/, patient-facing pages under /rdv/ (``public_urls``).

Each screen family has its own module; they share the ``agenda`` namespace."""

from django.urls import include, path

app_name = "agenda"

urlpatterns = [
    path("", include("secretariat.agenda.urls_calendar")),
    path("", include("secretariat.agenda.urls_booking")),
    path("", include("secretariat.agenda.urls_settings")),
    path("", include("secretariat.agenda.urls_waiting")),
    path("", include("secretariat.agenda.urls_feeds")),
]
