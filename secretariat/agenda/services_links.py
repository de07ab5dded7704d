"""The signed link in messages to patients: one page per appointment where the patient confirms
or cancels, without an account.

The link carries the appointment's id signed for the purpose ``appointment`` (``links.py``). It
works until the day after the appointment; a forged, altered, other-purpose or outdated link
reads as no appointment at all, and nothing is written.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from secretariat.agenda.links import BadLink, make_token, read_token
from secretariat.agenda.models import Appointment
from secretariat.core import audit
from secretariat.core.services.errors import ServiceError

LINK_PURPOSE = "appointment"
# Appointments are booked at most about a year ahead; the real limit is the day after the start.
LONGEST_LINK_AGE = timedelta(days=400)
LINK_VALID_AFTER_START = timedelta(days=1)


def link_url(appointment: Appointment) -> str:
    """The absolute address of the appointment's page, as written in messages."""
    path = reverse("agenda_public:appointment_link", args=[make_token(LINK_PURPOSE, appointment.pk)])
    return settings.SECRETARIAT_PUBLIC_URL + path


def appointment_for_link(token: str) -> Appointment | None:
    """The appointment of a valid link, or None (forged, expired, wrong purpose, long past)."""
    try:
        pk = read_token(token, LINK_PURPOSE, max_age=LONGEST_LINK_AGE)
    except BadLink:
        return None
    appointment = (Appointment.objects.select_related("practitioner", "site", "structure", "appointment_type")
                   .filter(pk=pk).first())
    if appointment is None or timezone.now() > appointment.start + LINK_VALID_AFTER_START:
        return None
    return appointment


def can_still_act(appointment: Appointment) -> bool:
    """Whether the patient may still confirm or cancel: booked and not started yet."""
    return appointment.status == Appointment.Status.BOOKED and appointment.start > timezone.now()


def _refuse_unless_open(appointment: Appointment) -> None:
    if appointment.status == Appointment.Status.CANCELLED:
        raise ServiceError(_("This appointment is cancelled."))
    if not can_still_act(appointment):
        raise ServiceError(_("This appointment has already started or taken place."))


@transaction.atomic(durable=True)
def confirm_by_patient(appointment: Appointment) -> Appointment:
    """The patient says they will come (from the link); confirming twice keeps the first time."""
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    _refuse_unless_open(appointment)
    if appointment.confirmed_by_patient_at is None:
        appointment.confirmed_by_patient_at = timezone.now()
        appointment.save(update_fields=["confirmed_by_patient_at"])
        audit.record("agenda.appointment_confirmed_by_patient", target=appointment,
                     patient_id=appointment.patient_id, structure_id=appointment.structure_id,
                     acting_user=None, data={"through": "link"})
    return appointment


def cancel_by_patient(appointment: Appointment, *, reason: str = "") -> Appointment:
    """The patient cancels from the link; the agenda's cancellation does the rest (slot freed,
    cancellation message, waiting list)."""
    from secretariat.agenda.services import cancel_appointment

    _refuse_unless_open(appointment)
    reason = " ".join((reason or "").split())[:300]
    if not reason:
        reason = _("Cancelled by the patient from the link in a message")
    return cancel_appointment(appointment, reason=reason, by_patient=True, acting_user=None)
