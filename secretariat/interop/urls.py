"""Interoperability: FHIR R4 (/fhir/) and imports from other software."""

from django.urls import include, path

urlpatterns = [
    path("fhir/", include("secretariat.interop.fhir.urls")),
    path("imports/", include("secretariat.interop.imports.urls")),
]
