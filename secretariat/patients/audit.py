"""Audit action codes of the patients app (labels translated when displayed)."""

from django.utils.translation import gettext_lazy as _

from secretariat.core.audit import register

register("patients.file_viewed", _("Patient file viewed"))
register("patients.created", _("Patient created"))
register("patients.identity_changed", _("Patient identity changed"))
register("patients.identity_validated", _("Patient identity validated with a document"))
register("patients.ins_retrieved", _("INS retrieved from the teleservice"))
register("patients.attributes_changed", _("Identity attributes changed"))
register("patients.insi_called", _("INS teleservice called"))
register("patients.merged", _("Duplicate records merged"))
register("patients.merge_undone", _("Merge of records undone"))
register("patients.split", _("Collision: record split"))
register("patients.duplicates_reviewed", _("Duplicate suspicion reviewed"))

from secretariat.patients import audit_administrative  # noqa: E402, F401 (codes of the administrative file)
