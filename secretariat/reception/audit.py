"""Audit action codes of the welcome desk (labels translated when displayed). Imported by
``reception.apps`` at start-up."""

from django.utils.translation import gettext_lazy as _

from secretariat.core.audit import register

register("reception.checked_in", _("Patient checked in at the desk"))
register("reception.walk_in_registered", _("Walk-in registered at the desk"))
register("reception.visit_moved", _("Waiting-room state changed"))
register("reception.patient_called", _("Patient called to the consulting room"))
register("reception.check_in_undone", _("Check-in undone"))
register("reception.vitale_read", _("Carte Vitale read"))
register("reception.vitale_applied", _("Carte Vitale data copied into the file"))
register("reception.screen_created", _("Waiting-room screen created"))
register("reception.screen_revoked", _("Waiting-room screen revoked"))
register("reception.settings_changed", _("Desk settings changed"))
register("reception.call_logged", _("Phone call logged"))
register("reception.callback_done", _("Callback done"))
register("reception.transmission_sent", _("Message sent to a colleague"))
register("reception.transmission_read", _("Message to a colleague read"))
register("reception.triage_recorded", _("Urgency triage recorded"))
register("reception.protocol_changed", _("Triage protocol changed"))
register("reception.incident_reported", _("Incident reported"))
register("reception.incident_updated", _("Incident follow-up updated"))
register("reception.incident_closed", _("Incident closed"))

# team (transmissions, incidents, survey)
from secretariat.messaging.purposes import register_purpose  # noqa: E402

register("reception.survey_invited", _("Satisfaction survey link sent after the visit"))
register_purpose("reception.survey_invitation", _("Satisfaction survey after a visit"))
