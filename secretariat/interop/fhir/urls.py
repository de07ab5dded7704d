"""FHIR R4 endpoints under /fhir/ (JSON). A trailing slash is accepted and never required."""

from django.urls import re_path

from secretariat.interop.fhir import views

app_name = "fhir"

urlpatterns = [
    re_path(r"^metadata/?$", views.metadata, name="metadata"),
    re_path(r"^Patient/?$", views.patient_type, name="patient_type"),
    re_path(r"^Patient/\$match/?$", views.patient_match, name="patient_match"),
    re_path(r"^Patient/(?P<pk>[^/$]+)/?$", views.patient_instance, name="patient"),
    # Anything else under /fhir/ answers an OperationOutcome, not the HTML error page.
    re_path(r"^(?P<path>.*)$", views.unknown, name="unknown"),
]
