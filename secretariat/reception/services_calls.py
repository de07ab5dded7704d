"""Writes of the phone log: a call taken or made, and a callback done. One transaction each,
with its audit row (``patient_id`` set when the call is about a patient)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from secretariat.core import audit
from secretariat.core.services.errors import ServiceError
from secretariat.reception.models import PhoneCall

Outcome = PhoneCall.Outcome


@transaction.atomic(durable=True)
def log_call(*, structure, acting_user, reason: str, outcome: str, **details) -> PhoneCall:
    """Record one call: ``details`` are the optional keywords of ``log_call_in_transaction``
    (direction, caller_name, caller_phone, patient, practitioner, note, triage, appointment, site,
    callback_due_at, callback_assigned_to, taken_at)."""
    return log_call_in_transaction(structure=structure, acting_user=acting_user, reason=reason, outcome=outcome,
                                   **details)


def log_call_in_transaction(*, structure, acting_user, reason: str, outcome: str,
             direction: str = PhoneCall.Direction.INCOMING, caller_name: str = "", caller_phone: str = "",
             patient=None, practitioner=None, note: str = "", triage=None, appointment=None, site=None,
             callback_due_at: datetime | None = None, callback_assigned_to=None,
             taken_at: datetime | None = None) -> PhoneCall:
    """Record one call. "To call back" needs a due time; "emergency" needs the triage or a note."""
    reason = " ".join(reason.split())
    if not reason:
        raise ServiceError(_("Say in a few words why the person called."))
    if outcome not in Outcome.values:
        raise ServiceError(_("Choose the outcome of the call."))
    for thing in (patient, practitioner, triage, appointment, site):
        if thing is not None and thing.structure_id != structure.pk:
            raise ServiceError(_("This call mixes data of another structure."))
    if callback_assigned_to is not None and callback_assigned_to.structure_id != structure.pk:
        raise ServiceError(_("This call mixes data of another structure."))
    if outcome == Outcome.CALLBACK:
        if callback_due_at is None:
            raise ServiceError(_("Say when to call back."))
    else:
        callback_due_at, callback_assigned_to = None, None
    if outcome == Outcome.EMERGENCY and triage is None and not note.strip():
        raise ServiceError(_("A call redirected to emergency services needs the triage or a note saying what "
                             "happened."))
    if triage is not None and PhoneCall.objects.filter(triage=triage).exists():
        raise ServiceError(_("This triage is already attached to another call."))
    call = PhoneCall.objects.create(
        structure=structure, site=site, taken_by=acting_user, taken_at=taken_at or timezone.now(),
        direction=direction, caller_name=caller_name.strip(), caller_phone=caller_phone.strip(), patient=patient,
        practitioner=practitioner, reason=reason, outcome=outcome, note=note.strip(), appointment=appointment,
        triage=triage, callback_due_at=callback_due_at, callback_assigned_to=callback_assigned_to)
    audit.record("reception.call_logged", target=call, acting_user=acting_user,
                 patient_id=patient.pk if patient else None,
                 data={"outcome": outcome, "direction": direction, "triage": triage.pk if triage else None,
                       "callback_due_at": callback_due_at.isoformat() if callback_due_at else None})
    return call


@transaction.atomic(durable=True)
def mark_callback_done(call: PhoneCall, *, result: str, acting_user, done_at: datetime | None = None) -> PhoneCall:
    call = PhoneCall.objects.select_for_update().get(pk=call.pk)
    if call.callback_due_at is None:
        raise ServiceError(_("This call has no callback to do."))
    if call.callback_done_at is not None:
        raise ServiceError(_("This callback was already done by %(user)s.")
                           % {"user": call.callback_done_by.get_full_name() or call.callback_done_by.get_username()})
    result = " ".join(result.split())
    if not result:
        raise ServiceError(_("Say in a few words how the callback went."))
    call.callback_done_at = done_at or timezone.now()
    call.callback_done_by = acting_user
    call.callback_result = result[:300]
    call.save(update_fields=["callback_done_at", "callback_done_by", "callback_result"])
    audit.record("reception.callback_done", target=call, acting_user=acting_user, patient_id=call.patient_id,
                 data={"due_at": call.callback_due_at.isoformat(), "late": call.callback_done_at > call.callback_due_at})
    return call
