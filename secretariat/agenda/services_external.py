"""Appointments made for a patient elsewhere (imaging, laboratory, a specialist, a hospital):
record, change, cancel. One transaction each, audit inside."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from secretariat.agenda.models import ExternalAppointment
from secretariat.core import audit
from secretariat.core.services.errors import ServiceError

FIELDS = ("kind", "title", "start", "place", "address", "contact", "preparation", "requested_by", "note")


def _check(patient, values: dict) -> None:
    start = values.get("start")
    if start is None or timezone.is_naive(start):
        raise ServiceError(_("Give the date and time of the appointment."))
    if not (values.get("title") or "").strip() or not (values.get("place") or "").strip():
        raise ServiceError(_("Say what the appointment is and where it takes place."))
    requested_by = values.get("requested_by")
    if requested_by is not None and requested_by.structure_id != patient.structure_id:
        raise ServiceError(_("The requesting practitioner must belong to the structure."))



@transaction.atomic(durable=True)
def record_external(*, patient, values: dict, acting_user) -> ExternalAppointment:
    """Record an appointment made for ``patient`` elsewhere."""
    _check(patient, values)
    external = ExternalAppointment(structure_id=patient.structure_id, patient=patient, created_by=acting_user)
    for name in FIELDS:
        if name in values:
            setattr(external, name, values[name].strip() if isinstance(values[name], str) else values[name])
    external.save()
    audit.record("agenda.external_recorded", target=external, patient_id=patient.pk,
                 structure_id=patient.structure_id, acting_user=acting_user,
                 data={"kind": external.kind, "start": external.start.isoformat()})
    return external


@transaction.atomic(durable=True)
def change_external(external, *, values: dict, acting_user) -> ExternalAppointment:
    """Correct or update an external appointment (a cancelled one stays cancelled)."""
    external = ExternalAppointment.objects.select_for_update(of=("self",)).select_related("patient").get(pk=external.pk)
    if external.status == ExternalAppointment.Status.CANCELLED:
        raise ServiceError(_("This external appointment is cancelled: record a new one instead."))
    _check(external.patient, values)
    changed = {}
    for name in FIELDS:
        if name not in values:
            continue
        value = values[name].strip() if isinstance(values[name], str) else values[name]
        if getattr(external, name) != value:
            changed[name] = value
            setattr(external, name, value)
    status = values.get("status")
    if status in (ExternalAppointment.Status.PLANNED, ExternalAppointment.Status.DONE) and status != external.status:
        changed["status"] = external.status = status
    if not changed:
        return external
    external.save()
    audit.record("agenda.external_changed", target=external, patient_id=external.patient_id,
                 structure_id=external.structure_id, acting_user=acting_user, data={"fields": sorted(changed)})
    return external


@transaction.atomic(durable=True)
def cancel_external(external, *, acting_user) -> ExternalAppointment:
    """Mark an external appointment cancelled (kept in the pathway, struck through)."""
    external = ExternalAppointment.objects.select_for_update().get(pk=external.pk)
    if external.status == ExternalAppointment.Status.CANCELLED:
        raise ServiceError(_("This external appointment is already cancelled."))
    external.status = ExternalAppointment.Status.CANCELLED
    external.save(update_fields=["status"])
    audit.record("agenda.external_cancelled", target=external, patient_id=external.patient_id,
                 structure_id=external.structure_id, acting_user=acting_user)
    return external
