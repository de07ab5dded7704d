"""Audit codes and message purposes of the agenda's messages to patients (labels translated
when displayed)."""

from django.utils.translation import gettext_lazy as _

from secretariat.core.audit import register
from secretariat.messaging.purposes import register_purpose

register("agenda.appointment_confirmed_by_patient", _("Appointment confirmed by the patient"))

register_purpose("agenda.confirmation", _("Appointment confirmation"))
register_purpose("agenda.change", _("Appointment moved"))
register_purpose("agenda.cancellation", _("Appointment cancellation"))
register_purpose("agenda.reminder", _("Appointment reminder"))
