"""Audit action codes of the agenda app (labels translated when displayed)."""

from django.utils.translation import gettext_lazy as _

from secretariat.core.audit import register

register("agenda.appointment_booked", _("Appointment booked"))
register("agenda.appointment_cancelled", _("Appointment cancelled"))
