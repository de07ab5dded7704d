"""Incident reports (``reception`` namespace, under ``accueil/``)."""

from django.urls import path

from secretariat.reception import views_incidents as views

urlpatterns = [
    path("incidents/", views.incident_list, name="incidents"),
    path("incidents/signaler/", views.incident_new, name="incident_new"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident"),
    path("incidents/<int:pk>/suivi/", views.incident_update, name="incident_update"),
    path("incidents/<int:pk>/cloturer/", views.incident_close, name="incident_close"),
]
