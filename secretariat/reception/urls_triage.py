"""Routes of the desk: urgency triage (included by ``urls.py``)."""

from django.urls import path

from secretariat.reception import views_triage

urlpatterns = [
    path("tri/", views_triage.triage, name="triage"),
    path("tri/<int:pk>/", views_triage.triage_record, name="triage_record"),
    path("protocoles/", views_triage.protocols, name="protocols"),
    path("protocoles/nouveau/", views_triage.protocol_new, name="protocol_new"),
    path("protocoles/<int:pk>/", views_triage.protocol_edit, name="protocol_edit"),
    path("protocoles/<int:pk>/usage/", views_triage.protocol_active, name="protocol_active"),
]
