"""The desk's pages under ``accueil/``; each concern keeps its routes in its own module."""

from secretariat.reception import (
    urls_calls,
    urls_desk,
    urls_incidents,
    urls_queue,
    urls_settings,
    urls_survey_results,
    urls_transmissions,
    urls_triage,
    urls_vitale,
)

app_name = "reception"
urlpatterns = [
    *urls_desk.urlpatterns,
    *urls_queue.urlpatterns,
    *urls_vitale.urlpatterns,
    *urls_calls.urlpatterns,
    *urls_triage.urlpatterns,
    *urls_transmissions.urlpatterns,
    *urls_incidents.urlpatterns,
    *urls_survey_results.urlpatterns,
    *urls_settings.urlpatterns,
]
