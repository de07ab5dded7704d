"""Audit action codes of the interop app (labels translated when displayed)."""

from django.utils.translation import gettext_lazy as _

from secretariat.core.audit import register

register("patients.imported", _("Patients imported"))
