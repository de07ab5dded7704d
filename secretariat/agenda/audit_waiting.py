"""Audit action codes of the waiting list, absences, series and external appointments
(labels translated when displayed). Imported by ``agenda.apps`` at start-up."""

from django.utils.translation import gettext_lazy as _

from secretariat.core.audit import register
from secretariat.messaging.purposes import register_purpose

register("agenda.waiting_entry_added", _("Added to the waiting list"))
register("agenda.waiting_entry_withdrawn", _("Withdrawn from the waiting list"))
register("agenda.waiting_entry_booked", _("Waiting-list entry booked"))
register("agenda.slot_offered", _("Freed slot offered to a waiting patient"))
register("agenda.slot_offer_accepted", _("Slot offer accepted by the patient"))
register("agenda.slot_offer_declined", _("Slot offer declined by the patient"))
register("agenda.absence_declared", _("Practitioner's absence declared"))
register("agenda.absence_rebooked", _("Appointments of an absence moved or cancelled"))
register("agenda.series_booked", _("Series of appointments booked"))
register("agenda.series_moved", _("Series of appointments moved"))
register("agenda.series_rest_cancelled", _("Rest of a series cancelled"))
register("agenda.external_recorded", _("External appointment recorded"))
register("agenda.external_changed", _("External appointment changed"))
register("agenda.external_cancelled", _("External appointment cancelled"))

register_purpose("agenda.slot_offer", _("Freed slot offered from the waiting list"))
register_purpose("agenda.series", _("Series of appointments"))
