"""Audit action codes of the patients app (labels translated when displayed)."""

from django.utils.translation import gettext_lazy as _

from secretariat.core.audit import register

register("patients.file_viewed", _("Patient file viewed"))
