"""Reads the facts the directives need (``rules/directives.py`` decides).

Also the per-practitioner variant of a type (duration, buffer) that booking, moving and the
slot search must all use the same way.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from secretariat.agenda.models import (
    MAX_APPOINTMENT_LENGTH,
    Appointment,
    AppointmentType,
    PractitionerDirectives,
    TypeDirective,
)
from secretariat.agenda.rules import directives as rules
from secretariat.core.roles import Capability

NOON_HOUR = 12
# Buffers longer than this are not looked for before a new appointment (a day is plenty).
LONGEST_BUFFER = timedelta(hours=24)
# Statuses that show the practitioner has already taken the patient on.
_KNOWN_PATIENT_STATUSES = (Appointment.Status.BOOKED, Appointment.Status.ARRIVED, Appointment.Status.SEEN,
                           Appointment.Status.EXCUSED_LATE)


@dataclass(frozen=True)
class TypeVariant:
    """An appointment type as one practitioner gives it."""

    duration: timedelta
    buffer_after: timedelta
    rule: TypeDirective | None


def variant_of(appointment_type: AppointmentType, practitioner_id: int,
               rule: TypeDirective | None = None, *, rule_loaded: bool = False) -> TypeVariant:
    if not rule_loaded:
        rule = TypeDirective.objects.filter(practitioner_id=practitioner_id,
                                            appointment_type=appointment_type).first()
    duration = appointment_type.duration
    buffer_after = appointment_type.buffer_after
    if rule is not None and rule.duration_minutes:
        duration = timedelta(minutes=rule.duration_minutes)
    if rule is not None and rule.buffer_after_minutes is not None:
        buffer_after = timedelta(minutes=rule.buffer_after_minutes)
    return TypeVariant(duration, buffer_after, rule)


def buffers_after(practitioner_id: int, appointment_types) -> dict[int, timedelta]:
    """Buffer after each type (by id) with this practitioner, in one query."""
    types = {appointment_type.pk: appointment_type for appointment_type in appointment_types}
    rules = {rule.appointment_type_id: rule for rule in TypeDirective.objects.filter(
        practitioner_id=practitioner_id, appointment_type_id__in=types)} if types else {}
    return {pk: variant_of(appointment_type, practitioner_id, rules.get(pk), rule_loaded=True).buffer_after
            for pk, appointment_type in types.items()}


def directives_of(practitioner_id: int) -> PractitionerDirectives:
    """The practitioner's directives, or the defaults (unsaved) when none were written."""
    found = PractitionerDirectives.objects.filter(practitioner_id=practitioner_id).first()
    return found or PractitionerDirectives(practitioner_id=practitioner_id)


def is_first_visit(patient_id: int, practitioner_id: int, *, excluding: int | None = None) -> bool:
    earlier = Appointment.objects.filter(patient_id=patient_id, practitioner_id=practitioner_id,
                                         status__in=_KNOWN_PATIENT_STATUSES)
    if excluding:
        earlier = earlier.exclude(pk=excluding)
    return not earlier.exists()


def booking_violations(*, practitioner, patient, appointment_type, start: datetime, now: datetime, tz,
                       online: bool, acting_user, variant: TypeVariant,
                       excluding: int | None = None) -> tuple[list[rules.Violation], bool]:
    """(violations, first visit) of booking ``appointment_type`` at ``start``; ``excluding`` is
    the appointment being moved, which must not count against its own quota."""
    directives = directives_of(practitioner.pk)
    local = start.astimezone(tz)
    day_start = datetime.combine(local.date(), datetime.min.time(), tzinfo=tz)
    noon = day_start.replace(hour=NOON_HOUR)
    same_type = (Appointment.objects.filter(practitioner=practitioner, appointment_type=appointment_type,
                                            start__gte=day_start, start__lt=day_start + timedelta(days=1))
                 .exclude(status=Appointment.Status.CANCELLED))
    if excluding:
        same_type = same_type.exclude(pk=excluding)
    morning = local < noon
    counts = list(same_type.values_list("start", flat=True))
    that_half_day = sum(1 for other in counts if (other < noon) == morning)
    missed = 0
    if online and directives.online_max_missed is not None:
        missed = Appointment.objects.filter(
            patient=patient, status=Appointment.Status.MISSED,
            start__gte=now - timedelta(days=directives.missed_window_days),
        ).count()
    first_visit = is_first_visit(patient.pk, practitioner.pk, excluding=excluding)
    rule = variant.rule
    facts = rules.BookingFacts(
        start=start, now=now, local_day=local.date(), morning=morning, online=online,
        by_privileged_role=bool(acting_user and acting_user.has_capability(Capability.OVERRIDE_DIRECTIVES)),
        patient_age=rules.age_on(patient.birth_date, local.date()), first_visit=first_visit,
        missed_recently=missed, type_label=appointment_type.label,
        type_bookable_online=appointment_type.bookable_online,
        type_bookable_by_staff=appointment_type.bookable_by_staff,
        type_new_patients_allowed=appointment_type.new_patients_allowed,
        min_age=appointment_type.min_age, max_age=appointment_type.max_age,
        min_notice=timedelta(minutes=directives.min_notice_minutes),
        online_min_notice=timedelta(hours=directives.online_min_notice_hours),
        online_max_missed=directives.online_max_missed, accepts_new_patients=directives.accepts_new_patients,
        type_accepted=rule.accepted if rule else True,
        max_per_day=rule.max_per_day if rule else None,
        max_per_half_day=rule.max_per_half_day if rule else None,
        same_type_that_day=len(counts), same_type_that_half_day=that_half_day,
    )
    return rules.violations(facts), first_visit


def search_rules(practitioner_ids, appointment_type, *, online: bool):
    """Per practitioner: (variant, minimum notice, accepted) for the slot search. Two queries."""
    type_rules = {rule.practitioner_id: rule for rule in TypeDirective.objects.filter(
        practitioner_id__in=practitioner_ids, appointment_type=appointment_type)}
    notices = {}
    for directives in PractitionerDirectives.objects.filter(practitioner_id__in=practitioner_ids):
        notice = timedelta(minutes=directives.min_notice_minutes)
        if online:
            notice = max(notice, timedelta(hours=directives.online_min_notice_hours))
        notices[directives.practitioner_id] = notice
    default_notice = timedelta(hours=PractitionerDirectives._meta.get_field("online_min_notice_hours").default) \
        if online else timedelta(0)
    result = {}
    for practitioner_id in practitioner_ids:
        rule = type_rules.get(practitioner_id)
        result[practitioner_id] = (
            variant_of(appointment_type, practitioner_id, rule, rule_loaded=True),
            notices.get(practitioner_id, default_notice),
            rule.accepted if rule else True,
        )
    return result, type_rules


def quota_counts(type_rules, appointment_type, *, between):
    """Live appointments of the type per practitioner with a quota, in ``between`` (one query)."""
    limited = [pid for pid, rule in type_rules.items() if rule.max_per_day or rule.max_per_half_day]
    if not limited:
        return {}
    rows = (Appointment.objects.filter(practitioner_id__in=limited, appointment_type=appointment_type,
                                       start__gte=between[0], start__lt=between[1])
            .exclude(status=Appointment.Status.CANCELLED).values_list("practitioner_id", "start"))
    starts: dict[int, list[datetime]] = {}
    for practitioner_id, start in rows:
        starts.setdefault(practitioner_id, []).append(start)
    return starts


def live_conflicts(practitioner_id: int, start: datetime, end: datetime, *, excluding: int | None = None):
    """Live appointments of the practitioner overlapping [start, end)."""
    query = Appointment.objects.filter(practitioner_id=practitioner_id, start__lt=end, end__gt=start,
                                       start__gt=start - MAX_APPOINTMENT_LENGTH)
    query = query.exclude(status=Appointment.Status.CANCELLED)
    if excluding:
        query = query.exclude(pk=excluding)
    return query
