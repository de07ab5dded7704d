"""Audit action codes of the agenda app (labels translated when displayed)."""

from django.utils.translation import gettext_lazy as _

from secretariat.core.audit import register

register("agenda.appointment_booked", _("Appointment booked"))
register("agenda.appointment_cancelled", _("Appointment cancelled"))
register("agenda.appointment_moved", _("Appointment moved"))
register("agenda.appointment_status", _("Appointment status changed"))
register("agenda.directives_overridden", _("Practitioner's directives overridden"))
register("agenda.directives_changed", _("Practitioner's directives changed"))
register("agenda.schedule_changed", _("Weekly schedule changed"))
register("agenda.schedule_exception_added", _("Schedule exception added"))
register("agenda.schedule_exception_deleted", _("Schedule exception removed"))
register("agenda.type_created", _("Appointment type created"))
register("agenda.type_changed", _("Appointment type changed"))
register("agenda.resource_created", _("Room or equipment created"))
register("agenda.resource_changed", _("Room or equipment changed"))
register("agenda.settings_changed", _("Agenda settings changed"))
