"""The public satisfaction survey under ``avis/`` (no login): the QR-code address of a
structure and the single-use link sent after a visit."""

from django.urls import path

from secretariat.reception import views_survey

app_name = "survey"
urlpatterns = [
    path("i/<str:secret>/", views_survey.survey_invitation, name="invitation"),
    path("<str:key>/", views_survey.survey_form, name="form"),
    path("<str:key>/merci/", views_survey.survey_thanks, name="thanks"),
]
