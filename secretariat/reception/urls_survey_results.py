"""Results of the satisfaction survey and its poster (``reception`` namespace, under ``accueil/``)."""

from django.urls import path

from secretariat.reception import views_survey

urlpatterns = [
    path("avis-patients/", views_survey.survey_results, name="survey_results"),
    path("avis-patients/affiche/", views_survey.survey_poster, name="survey_poster"),
]
