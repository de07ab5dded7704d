"""FHIR R4 endpoints under /fhir/ (JSON). A trailing slash is accepted and never required."""

from django.urls import re_path

from secretariat.interop.fhir import agenda_views, views

app_name = "fhir"

urlpatterns = [
    re_path(r"^metadata/?$", views.metadata, name="metadata"),
    re_path(r"^Patient/?$", views.patient_type, name="patient_type"),
    re_path(r"^Patient/\$match/?$", views.patient_match, name="patient_match"),
    re_path(r"^Patient/(?P<pk>[^/$]+)/?$", views.patient_instance, name="patient"),
    re_path(r"^Practitioner/?$", agenda_views.practitioner_type, name="practitioner_type"),
    re_path(r"^Practitioner/(?P<pk>[^/$]+)/?$", agenda_views.practitioner_instance, name="practitioner"),
    re_path(r"^Schedule/?$", agenda_views.schedule_type, name="schedule_type"),
    re_path(r"^Schedule/(?P<pk>[^/$]+)/?$", agenda_views.schedule_instance, name="schedule"),
    re_path(r"^Slot/?$", agenda_views.slot_type, name="slot_type"),
    re_path(r"^Slot/(?P<pk>[^/$]+)/?$", agenda_views.slot_instance, name="slot"),
    re_path(r"^Appointment/?$", agenda_views.appointment_type, name="appointment_type"),
    re_path(r"^Appointment/(?P<pk>[^/$]+)/?$", agenda_views.appointment_instance, name="appointment"),
    # Anything else under /fhir/ answers an OperationOutcome, not the HTML error page.
    re_path(r"^(?P<path>.*)$", views.unknown, name="unknown"),
]
