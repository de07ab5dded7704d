"""Audit action codes of the calendar feeds and of the agenda's FHIR API (labels translated
when displayed)."""

from django.utils.translation import gettext_lazy as _

from secretariat.core.audit import register

register("agenda.calendar_feed_created", _("Calendar feed created"))
register("agenda.calendar_feed_revoked", _("Calendar feed revoked"))
# Each fetch of a feed reads the names of the practitioner's patients: one row per fetch.
register("agenda.calendar_feed_fetched", _("Calendar feed read"))
register("agenda.appointment_read_through_api", _("Appointment read through the API"))
