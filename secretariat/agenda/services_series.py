"""Recurring appointments (ten weekly physiotherapy sessions…): preview, book all at once,
move the whole series, cancel what is left of it.

Booking and moving are all or nothing: one transaction in which every appointment goes
through the same checks as a single booking (``services.book_in_transaction``); the first
refusal undoes everything and says which date failed. The patient receives one message
listing the dates rather than one per appointment.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from secretariat.agenda.directives import variant_of
from secretariat.agenda.models import Appointment, AppointmentSeries
from secretariat.agenda.notifications import patient_contacts
from secretariat.agenda.queries import structure_time_zone
from secretariat.agenda.queries_waiting import (
    SeriesDate,
    nearest_free_slot,
    open_and_free,
    patient_busy,
)
from secretariat.agenda.services import (
    book_in_transaction,
    cancel_in_transaction,
    move_in_transaction,
)
from secretariat.core import audit
from secretariat.core.services.errors import ServiceError
from secretariat.messaging.services import queue_message

MIN_COUNT, MAX_COUNT = 2, 52
MAX_INTERVAL_DAYS = 90
SERIES_PURPOSE = "agenda.series"


def _check_shape(count: int, interval_days: int) -> None:
    if not MIN_COUNT <= count <= MAX_COUNT:
        raise ServiceError(_("A series has from %(min)s to %(max)s appointments.") % {"min": MIN_COUNT,
                                                                                       "max": MAX_COUNT})
    if not 1 <= interval_days <= MAX_INTERVAL_DAYS:
        raise ServiceError(_("The interval is from 1 to %(max)s days.") % {"max": MAX_INTERVAL_DAYS})


def series_starts(first_start: datetime, *, count: int, interval_days: int) -> list[datetime]:
    """The same wall-clock time every ``interval_days`` days (also across a DST change)."""
    tz = structure_time_zone()
    local = first_start.astimezone(tz)
    return [datetime.combine(local.date() + timedelta(days=interval_days * number), local.time(), tzinfo=tz)
            for number in range(count)]


PROBLEMS = {
    "closed": lambda: _("Outside the practitioner's periods for this type"),
    "taken": lambda: _("Already taken"),
    "patient": lambda: _("The patient has another appointment then"),
    "past": lambda: _("In the past"),
}


def preview_series(*, practitioner, patient, appointment_type, first_start: datetime, count: int,
                   interval_days: int, now: datetime | None = None) -> list[SeriesDate]:
    """Each date of the series, free or in conflict with the nearest free alternative the same
    day (else the same week). Nothing is written."""
    _check_shape(count, interval_days)
    now = now or timezone.now()
    duration = variant_of(appointment_type, practitioner.pk).duration
    starts = series_starts(first_start, count=count, interval_days=interval_days)
    verdicts = open_and_free(practitioner, appointment_type, starts, duration, now=now)
    # The patient's other appointments (a week either side, for the alternatives too).
    busy_patient = patient_busy(patient, [starts[0] - timedelta(days=7), starts[-1] + timedelta(days=7)], duration)
    dates = []
    for number, start in enumerate(starts, 1):
        end = start + duration
        problem = "past" if start <= now else verdicts[start] or (
            "patient" if any(b_start < end and start < b_end for b_start, b_end in busy_patient) else "")
        dates.append(SeriesDate(number, start, end, problem=str(PROBLEMS[problem]()) if problem else ""))
    kept = [(item.start, item.end) for item in dates if item.is_free]
    for item in dates:
        if item.is_free or item.start <= now:
            continue
        item.alternative = nearest_free_slot(practitioner, appointment_type, item.start, now=now,
                                             avoid=kept + busy_patient)
        if item.alternative is not None:
            kept.append((item.alternative, item.alternative + duration))
    return dates


def _describe(appointments) -> str:
    tz = structure_time_zone()
    return "\n".join(
        f"- {formats.date_format(item.start.astimezone(tz), 'l d/m/Y')} {item.start.astimezone(tz):%H:%M}"
        for item in appointments
    )


def _tell_patient(patient, *, structure_id: int, subject: str, text: str) -> None:
    for contact in patient_contacts(patient):
        queue_message(structure_id=structure_id, channel=contact.channel, recipient=contact.address,
                      body=text, subject=subject, purpose=SERIES_PURPOSE, patient=patient)


def _refusal(number: int, start: datetime, refusal: ServiceError) -> ServiceError:
    local = start.astimezone(structure_time_zone())
    return ServiceError(_("Appointment %(number)s (%(day)s at %(time)s): %(reason)s Nothing was booked.") % {
        "number": number, "day": f"{local:%d/%m/%Y}", "time": f"{local:%H:%M}", "reason": refusal})


@transaction.atomic(durable=True)
def book_series(*, practitioner, patient, appointment_type, starts: list[datetime], acting_user,
                interval_days: int = 7, note: str = "", override_reason: str = "") -> AppointmentSeries:
    """Book every date of ``starts`` (the preview's dates or their alternatives) as one series:
    all of them or none."""
    starts = sorted(starts)
    _check_shape(len(starts), interval_days)
    if len(set(starts)) != len(starts):
        raise ServiceError(_("Two appointments of the series are at the same time."))
    series = AppointmentSeries.objects.create(
        structure_id=practitioner.structure_id, patient=patient, practitioner=practitioner,
        appointment_type=appointment_type, interval_days=interval_days, note=note.strip()[:300],
        created_by=acting_user,
    )
    booked = []
    for number, start in enumerate(starts, 1):
        try:
            booked.append(book_in_transaction(
                practitioner=practitioner, patient=patient, appointment_type=appointment_type, start=start,
                acting_user=acting_user, note=note, override_reason=override_reason, series=series, notify=False,
            ))
        except ServiceError as refusal:
            raise _refusal(number, start, refusal) from refusal
    audit.record("agenda.series_booked", target=series, patient_id=patient.pk, structure_id=series.structure_id,
                 acting_user=acting_user, data={"count": len(booked), "interval_days": interval_days,
                                                "appointment_ids": [item.pk for item in booked]})
    with translation.override(settings.LANGUAGE_CODE):
        _tell_patient(patient, structure_id=series.structure_id, subject=_("Your appointments"),
                      text=_("Your %(count)s appointments %(type)s with %(practitioner)s are booked:\n%(dates)s") % {
                          "count": len(booked), "type": appointment_type.label,
                          "practitioner": practitioner.display_name, "dates": _describe(booked)})
    return series


def coming_appointments(series, *, now: datetime | None = None):
    """The series' booked appointments still to come, earliest first."""
    now = now or timezone.now()
    return (series.appointments.filter(status=Appointment.Status.BOOKED, start__gt=now)
            .select_related("patient", "appointment_type", "practitioner").order_by("start", "pk"))


@transaction.atomic(durable=True)
def move_series(series, *, offset: timedelta, acting_user) -> list[Appointment]:
    """Move every coming appointment of the series by ``offset``: all of them or none."""
    if not offset:
        raise ServiceError(_("Choose by how much to move the series."))
    appointments = list(coming_appointments(series).select_for_update(of=("self",)))
    if not appointments:
        raise ServiceError(_("No appointment of this series is still to come."))
    # Moving later, start with the last one, so that no appointment lands on its own next one.
    order = sorted(appointments, key=lambda item: item.start, reverse=offset > timedelta(0))
    moved = []
    for appointment in order:
        new_start = appointment.start + offset
        try:
            moved.append(move_in_transaction(appointment, start=new_start, acting_user=acting_user, notify=False))
        except ServiceError as refusal:
            raise ServiceError(_("%(day)s: %(reason)s Nothing was moved.") % {
                "day": f"{new_start.astimezone(structure_time_zone()):%d/%m/%Y %H:%M}", "reason": refusal},
            ) from refusal
    moved.sort(key=lambda item: item.start)
    audit.record("agenda.series_moved", target=series, patient_id=series.patient_id,
                 structure_id=series.structure_id, acting_user=acting_user,
                 data={"offset_minutes": int(offset.total_seconds() // 60), "count": len(moved)})
    with translation.override(settings.LANGUAGE_CODE):
        _tell_patient(series.patient, structure_id=series.structure_id, subject=_("Your appointments have changed"),
                      text=_("Your appointments %(type)s have been moved. The new dates are:\n%(dates)s") % {
                          "type": series.appointment_type.label, "dates": _describe(moved)})
    return moved


@transaction.atomic(durable=True)
def cancel_rest_of_series(series, *, reason: str, by_patient: bool, acting_user) -> list[Appointment]:
    """Cancel every coming appointment of the series (those already past stay as they are)."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Give the reason for the cancellation."))
    appointments = list(coming_appointments(series).select_for_update(of=("self",)))
    if not appointments:
        raise ServiceError(_("No appointment of this series is still to come."))
    cancelled = [cancel_in_transaction(item, reason=reason, by_patient=by_patient, acting_user=acting_user,
                                       notify=False) for item in appointments]
    audit.record("agenda.series_rest_cancelled", target=series, patient_id=series.patient_id,
                 structure_id=series.structure_id, acting_user=acting_user,
                 data={"count": len(cancelled), "by_patient": by_patient})
    with translation.override(settings.LANGUAGE_CODE):
        _tell_patient(series.patient, structure_id=series.structure_id, subject=_("Your appointments are cancelled"),
                      text=_("Your following appointments %(type)s are cancelled:\n%(dates)s") % {
                          "type": series.appointment_type.label, "dates": _describe(appointments)})
    return cancelled
