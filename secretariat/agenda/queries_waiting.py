"""Reads of the waiting list, absences, series and external appointments.

Lists are scoped to the user (their practitioners, their patients); the matching of a freed
slot takes a practitioner the caller already scoped.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from secretariat.agenda.models import (
    Absence,
    Appointment,
    ExternalAppointment,
    SlotOffer,
    TypeDirective,
    WaitingListEntry,
)
from secretariat.agenda.queries import (
    busy_intervals,
    free_slots_for,
    site_schedules,
    structure_time_zone,
)
from secretariat.agenda.rules.periods import open_intervals
from secretariat.core.access import practitioners_for
from secretariat.patients.permissions import patients_for

NOON = time(12)
Status = Appointment.Status


# --- Waiting list -----------------------------------------------------------------------------


def waiting_entries_for(user, *, status: str = WaitingListEntry.Status.WAITING) -> QuerySet[WaitingListEntry]:
    """Entries the user works on: for their practitioners, or for any practitioner when the
    patient is one of theirs."""
    if not user.is_authenticated or user.structure_id is None:
        return WaitingListEntry.objects.none()
    return (
        WaitingListEntry.objects.filter(structure_id=user.structure_id, status=status)
        .filter(Q(practitioner__in=practitioners_for(user))
                | Q(practitioner__isnull=True, patient__in=patients_for(user)))
        .select_related("patient", "practitioner", "appointment_type", "current_appointment")
        .order_by("created_at", "pk")
    )


def _durations(practitioner, appointment_types) -> dict[int, timedelta]:
    """How long each type lasts with this practitioner (their own variant when they set one)."""
    durations = {kind.pk: kind.duration for kind in appointment_types}
    variants = TypeDirective.objects.filter(practitioner=practitioner, appointment_type_id__in=list(durations),
                                            duration_minutes__isnull=False)
    for type_id, minutes in variants.values_list("appointment_type_id", "duration_minutes"):
        durations[type_id] = timedelta(minutes=minutes)
    return durations


def candidates_for_slot(practitioner, site, start: datetime, end: datetime,
                        appointment_type=None) -> list[WaitingListEntry]:
    """Waiting entries that could take the freed slot [start, end) of ``practitioner``, oldest
    first. Each entry found carries ``fitting_end``: when its appointment would end.

    An entry fits when it waits for this practitioner or any, its type (with this
    practitioner's duration) fits in the freed time, the date is within its not-before and
    latest dates, the half-day and weekday suit the patient, the patient has no other
    appointment then, and the appointment it would bring forward is later than the slot.
    ``site`` is where the slot is; entries carry no site preference yet. Three queries.
    """
    tz = structure_time_zone()
    local = start.astimezone(tz)
    day = local.date()
    morning = local.time() < NOON
    entries = (
        WaitingListEntry.objects.filter(structure_id=practitioner.structure_id,
                                        status=WaitingListEntry.Status.WAITING, latest__gte=day,
                                        appointment_type__is_active=True)
        .filter(Q(practitioner=practitioner) | Q(practitioner__isnull=True))
        .filter(Q(not_before__isnull=True) | Q(not_before__lte=day))
        .select_related("patient", "practitioner", "appointment_type", "current_appointment")
        .order_by("created_at", "pk")
    )
    if appointment_type is not None:
        entries = entries.filter(appointment_type=appointment_type)
    entries = list(entries)
    durations = _durations(practitioner, {entry.appointment_type for entry in entries})
    fitting = []
    for entry in entries:
        duration = durations[entry.appointment_type_id]
        if duration > end - start:
            continue
        if (entry.mornings_only and not morning) or (entry.afternoons_only and morning):
            continue
        if entry.weekdays and day.weekday() not in entry.weekdays:
            continue
        current = entry.current_appointment
        if current is not None and current.is_live and current.start <= start:
            continue  # nothing to bring forward: their appointment is already earlier
        entry.fitting_end = start + duration
        fitting.append(entry)
    if not fitting:
        return []
    busy = (
        Appointment.objects.filter(patient_id__in={entry.patient_id for entry in fitting},
                                   start__lt=max(entry.fitting_end for entry in fitting), end__gt=start)
        .exclude(status=Status.CANCELLED).values_list("patient_id", "start", "end")
    )
    taken = [(patient_id, busy_start, busy_end) for patient_id, busy_start, busy_end in busy]
    return [
        entry for entry in fitting
        if not any(patient_id == entry.patient_id and busy_start < entry.fitting_end and busy_end > start
                   for patient_id, busy_start, busy_end in taken)
    ]


def slot_is_still_free(practitioner, start: datetime, end: datetime) -> bool:
    """No live appointment of the practitioner overlaps [start, end)."""
    return not (Appointment.objects.filter(practitioner=practitioner, start__lt=end, end__gt=start)
                .exclude(status=Status.CANCELLED).exists())


def offers_of_slot(practitioner, start: datetime, end: datetime) -> QuerySet[SlotOffer]:
    """Offers made for a slot overlapping [start, end) of the practitioner, newest first."""
    return (SlotOffer.objects.filter(practitioner=practitioner, start__lt=end, end__gt=start)
            .select_related("entry__patient").order_by("-created_at", "-pk"))


# --- Absences ---------------------------------------------------------------------------------


def absences_for(user, *, now: datetime | None = None) -> QuerySet[Absence]:
    """Absences of the user's practitioners not over yet, soonest first."""
    now = now or timezone.now()
    return (Absence.objects.filter(practitioner__in=practitioners_for(user), end__gt=now)
            .select_related("practitioner").order_by("start", "pk"))


def appointments_in_absence(absence) -> QuerySet[Appointment]:
    """Booked appointments of the absent practitioner overlapping the absence, earliest first."""
    return (
        Appointment.objects.filter(practitioner_id=absence.practitioner_id, start__lt=absence.end,
                                   end__gt=absence.start, status=Status.BOOKED)
        .select_related("patient", "appointment_type", "site", "practitioner").order_by("start", "pk")
    )


@dataclass(frozen=True)
class Proposal:
    practitioner: object
    start: datetime
    end: datetime

    @property
    def key(self) -> str:
        """The value of the proposal in a form: ``practitioner id:UTC timestamp``."""
        return f"{self.practitioner.pk}:{int(self.start.timestamp())}"


def _overlaps(proposal: Proposal, used: list[Proposal]) -> bool:
    return any(other.practitioner.pk == proposal.practitioner.pk and other.start < proposal.end
               and proposal.start < other.end for other in used)


def replacement_proposals(absence, appointments, *, colleagues=(), per_appointment: int = 3,
                          horizon_days: int = 90, now: datetime | None = None) -> dict[int, list[Proposal]]:
    """For each appointment (by pk), the next free slots with the same practitioner after the
    absence; with ``colleagues`` (other practitioners already scoped), also their first free
    slots from the appointment's own day. The first proposal of each appointment is never the
    first proposal of another, so ticking every first choice books no slot twice."""
    now = now or timezone.now()
    tz = structure_time_zone()
    appointments = list(appointments)
    after = max(absence.end, now)
    pools: dict[int, list[Proposal]] = {}
    for kind in {appointment.appointment_type for appointment in appointments}:
        wanted = sum(1 for appointment in appointments if appointment.appointment_type_id == kind.pk)
        found = free_slots_for([absence.practitioner], appointment_type=kind, now=now,
                               between=(after, after + timedelta(days=horizon_days)),
                               limit=wanted * (per_appointment + 1) + len(appointments))
        pools[kind.pk] = [Proposal(slot.practitioner, slot.start, slot.end) for slot in found]
    chosen: list[Proposal] = []
    proposals: dict[int, list[Proposal]] = {}
    for appointment in appointments:
        mine = [proposal for proposal in pools[appointment.appointment_type_id] if not _overlaps(proposal, chosen)]
        mine = mine[:per_appointment]
        if colleagues:
            day_start = datetime.combine(appointment.start.astimezone(tz).date(), time(0), tzinfo=tz)
            lowest = max(day_start, now)
            mine += [
                Proposal(slot.practitioner, slot.start, slot.end)
                for slot in free_slots_for(colleagues, appointment_type=appointment.appointment_type, now=now,
                                           between=(lowest, lowest + timedelta(days=30)), limit=per_appointment + 2)
                if not _overlaps(Proposal(slot.practitioner, slot.start, slot.end), chosen)
            ][:2]
        if mine:
            chosen.append(mine[0])
        proposals[appointment.pk] = mine
    return proposals


# --- Series -----------------------------------------------------------------------------------


@dataclass
class SeriesDate:
    """One date of a series being prepared: free, or in conflict with a nearby alternative."""

    number: int
    start: datetime
    end: datetime
    problem: str = ""
    alternative: datetime | None = None

    @property
    def is_free(self) -> bool:
        return not self.problem


def open_and_free(practitioner, appointment_type, starts: list[datetime], duration: timedelta, *,
                  now: datetime) -> dict[datetime, str]:
    """For each start: "" when inside an open period of the type and free, else the reason
    code ("closed", "taken"). Four queries whatever the number of dates."""
    if not starts:
        return {}
    tz = structure_time_zone()
    first_day = min(starts).astimezone(tz).date()
    last_day = (max(starts) + duration).astimezone(tz).date()
    intervals = []
    for entry in site_schedules([practitioner.pk], first_day=first_day, last_day=last_day):
        intervals += open_intervals(entry.periods, entry.exceptions, set(entry.holidays), start=first_day,
                                    end=last_day, tz=tz, type_code=appointment_type.code, urgent=False, now=now)
    busy = busy_intervals([practitioner.pk], between=(min(starts), max(starts) + duration)).get(practitioner.pk, [])
    verdicts = {}
    for start in starts:
        end = start + duration
        if not any(opens <= start and end <= closes for opens, closes, _reserved in intervals):
            verdicts[start] = "closed"
        elif any(interval.start < end and start < interval.end for interval in busy):
            verdicts[start] = "taken"
        else:
            verdicts[start] = ""
    return verdicts


def patient_busy(patient, starts: list[datetime], duration: timedelta) -> list[tuple[datetime, datetime]]:
    """The patient's live appointments around ``starts``, as (start, end) pairs (one query)."""
    if not starts:
        return []
    return list(Appointment.objects.filter(patient=patient, start__lt=max(starts) + duration,
                                           end__gt=min(starts) - timedelta(days=7))
                .exclude(status=Status.CANCELLED).values_list("start", "end"))


def nearest_free_slot(practitioner, appointment_type, wanted: datetime, *, now: datetime,
                      avoid: list[tuple[datetime, datetime]] = ()) -> datetime | None:
    """The free slot closest to ``wanted`` on the same day, else in the same week (Monday to
    Sunday), not overlapping ``avoid``."""
    tz = structure_time_zone()
    day = wanted.astimezone(tz).date()
    monday = day - timedelta(days=day.weekday())
    week = (datetime.combine(monday, time(0), tzinfo=tz),
            datetime.combine(monday + timedelta(days=7), time(0), tzinfo=tz))
    slots = [slot for slot in free_slots_for([practitioner], appointment_type=appointment_type, between=week,
                                             now=now, limit=200)
             if not any(start < slot.end and slot.start < end for start, end in avoid)]
    if not slots:
        return None
    best = min(slots, key=lambda slot: (slot.start.astimezone(tz).date() != day, abs(slot.start - wanted)))
    return best.start


# --- External appointments --------------------------------------------------------------------


def external_for_patient(patient, *, include_cancelled: bool = False) -> QuerySet[ExternalAppointment]:
    """The patient's appointments elsewhere, in date order (for the pathway and the list)."""
    found = ExternalAppointment.objects.filter(patient=patient).select_related("requested_by")
    if not include_cancelled:
        found = found.exclude(status=ExternalAppointment.Status.CANCELLED)
    return found.order_by("start", "pk")


def upcoming_external_for(user, *, now: datetime | None = None, limit: int = 100) -> list[ExternalAppointment]:
    """Planned external appointments of the user's patients, soonest first."""
    now = now or timezone.now()
    return list(
        ExternalAppointment.objects.filter(patient__in=patients_for(user), status=ExternalAppointment.Status.PLANNED,
                                           start__gte=now - timedelta(hours=12))
        .select_related("patient", "requested_by").order_by("start", "pk")[:limit]
    )
