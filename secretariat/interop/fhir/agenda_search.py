"""Searches of the agenda resources: parameters parsed strictly (400 for anything else, as
for Patient), then the agenda's own queries, always scoped to the caller.

Dates (``Slot?start=``, ``Appointment?date=``): ``YYYY-MM-DD`` (a whole day in the
structure's time zone) or a full time with its offset (``2026-03-02T09:00:00+01:00``, or
``Z``) with the prefixes eq (default), ge, gt, lt, le, following
http://hl7.org/fhir/R4/search.html#date. A time without an offset is refused rather than
guessed. Several values are combined (``start=ge…&start=lt…``).

Scope: practitioners from ``core.access.practitioners_for``; appointments of those
practitioners whose patient the caller may open (``patients.permissions.patients_for``), so an
appointment never shows a patient the caller could not read on the screens.
"""

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from secretariat.agenda.models import (
    AppointmentType,
    ScheduleException,
    TypeDirective,
    WeeklyPeriod,
)
from secretariat.agenda.permissions import appointments_for as agenda_appointments_for
from secretariat.agenda.queries import free_slots_for, structure_time_zone
from secretariat.core.access import practitioners_for
from secretariat.core.models import Practitioner, Site
from secretariat.interop.fhir import agenda_mapping as mapping
from secretariat.interop.fhir.errors import invalid
from secretariat.patients.permissions import patients_for

DEFAULT_COUNT, MAX_COUNT = 20, 100
MAX_SLOT_WINDOW = timedelta(days=31)
# Per type and schedule: more than a month of 5-minute slots in one day-long period.
SLOT_LIMIT = 5000
PAGING = ("_count", "_offset", "_format")
_DATE = re.compile(r"(?P<prefix>[a-z]{2})?(?P<value>\d{4}-\d{2}-\d{2}(?:T.+)?)")
_OFFSET = re.compile(r".*(?:Z|[+-]\d{2}:\d{2})")


# --- common parameters -----------------------------------------------------------------------


def check_parameters(params, known: tuple[str, ...], *, lenient: bool, single: tuple[str, ...] = ()) -> None:
    unknown = sorted(set(params) - set(known) - set(PAGING))
    if unknown and not lenient:
        raise invalid(_("Unknown search parameters: %(unknown)s. Supported: %(known)s.") % {
            "unknown": ", ".join(unknown), "known": ", ".join(sorted((*known, *PAGING)))})
    for name in single:
        if any("," in value for value in params.getlist(name)):
            raise invalid(_("Alternatives separated by commas are not supported (parameter "
                            "%(name)s): send one search per value.") % {"name": name})


@dataclass(frozen=True)
class Page:
    count: int
    offset: int


def page_of(params) -> Page:
    return Page(_whole(params, "_count", DEFAULT_COUNT, maximum=MAX_COUNT), _whole(params, "_offset", 0))


def _whole(params, name: str, default: int, *, maximum: int | None = None) -> int:
    values = params.getlist(name)
    if not values:
        return default
    value = values[-1]
    if not value.isdigit() or len(value) > 9:
        raise invalid(_("%(name)s must be a whole number, 0 or more.") % {"name": name})
    return min(int(value), maximum) if maximum is not None else int(value)


def interval(values: list[str], *, name: str) -> tuple[datetime | None, datetime | None]:
    """[lowest, highest) for a date parameter given one or more times; None where open."""
    low = high = None
    for value in values:
        prefix, first, after = _date_value(value, name=name)
        if prefix == "eq":
            bounds = (first, after)
        elif prefix == "ge":
            bounds = (first, None)
        elif prefix == "gt":
            bounds = (after, None)
        elif prefix == "lt":
            bounds = (None, first)
        elif prefix == "le":
            bounds = (None, after)
        else:
            raise invalid(_("Prefixes understood for %(name)s: eq, ge, gt, lt, le.") % {"name": name})
        if bounds[0] is not None:
            low = bounds[0] if low is None else max(low, bounds[0])
        if bounds[1] is not None:
            high = bounds[1] if high is None else min(high, bounds[1])
    return low, high


def _date_value(value: str, *, name: str) -> tuple[str, datetime, datetime]:
    """(prefix, first instant, instant just after) of one date or time."""
    example = _("Give %(name)s as YYYY-MM-DD or a full time with its offset, e.g. "
                "ge2026-03-02 or lt2026-03-02T18:00:00+01:00.") % {"name": name}
    # An offset's "+" sent unencoded arrives as a space: a date never holds one, so take it back.
    match = _DATE.fullmatch(value.strip().replace(" ", "+"))
    if match is None:
        raise invalid(example)
    prefix, text = match["prefix"] or "eq", match["value"]
    if "T" not in text:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise invalid(_("%(value)s is not an existing date.") % {"value": text}) from None
        tz = structure_time_zone()
        first = datetime.combine(day, datetime.min.time(), tzinfo=tz)
        return prefix, first, datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    if not _OFFSET.fullmatch(text):
        raise invalid(_("%(value)s has no time zone offset: add Z or +01:00 (the server does not guess "
                        "it).") % {"value": text})
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise invalid(_("%(value)s is not an existing time.") % {"value": text}) from None
    # A time stands for its second (http://hl7.org/fhir/R4/search.html#date: precision).
    step = timedelta(seconds=1)
    return prefix, moment, moment + step


def reference_values(params, name: str, resource_type: str, *, base_url: str) -> list[int]:
    """Record numbers in ``name=Type/123`` or ``name=123`` values; -1 for what cannot exist."""
    found = []
    for value in params.getlist(name):
        pk = mapping.reference_id(value, resource_type, base_url=base_url) if "/" in value else value
        found.append(int(pk) if pk and pk.isdigit() and len(pk) < 19 else -1)
    return found


# --- practitioners ---------------------------------------------------------------------------

PRACTITIONER_PARAMETERS = ("identifier", "name", "family", "given", "active", "_id")


def search_practitioners(user, params, *, lenient: bool = False):
    check_parameters(params, PRACTITIONER_PARAMETERS, lenient=lenient, single=PRACTITIONER_PARAMETERS)
    found = practitioners_for(user)
    for value in params.getlist("_id"):
        found = found.filter(pk=int(value)) if value.isdigit() and len(value) < 19 else found.none()
    for value in params.getlist("identifier"):
        system, bar, code = value.rpartition("|")
        if bar and system != mapping.RPPS_SYSTEM:
            found = found.none()  # a system we do not issue (FR Core's idNatPs is not sent either)
        elif code:
            found = found.filter(rpps=code.strip())
    fields = {"name": ("last_name", "first_name"), "family": ("last_name",), "given": ("first_name",)}
    for name, searched in fields.items():
        for word in " ".join(params.getlist(name)).split():
            condition = Q()
            for field in searched:
                condition |= Q(**{f"{field}__icontains": word})
            found = found.filter(condition)
    for value in params.getlist("active"):
        if value not in ("true", "false"):
            raise invalid(_("active is true or false."))
        found = found.filter(is_active=value == "true")
    return found.order_by("last_name", "first_name", "pk")


# --- schedules -------------------------------------------------------------------------------

SCHEDULE_PARAMETERS = ("actor", "_id", "active")


@dataclass
class ScheduleInfo:
    practitioner: Practitioner
    site: Site
    types: list[AppointmentType]

    @property
    def key(self) -> mapping.ScheduleKey:
        return mapping.ScheduleKey(self.practitioner.pk, self.site.pk)


def schedules_for(user, *, practitioner_ids=None, key: mapping.ScheduleKey | None = None) -> list[ScheduleInfo]:
    """One schedule per practitioner and site where they consult from today on (weekly periods
    still valid, or extra openings to come), with the appointment types they take there."""
    practitioners = practitioners_for(user)
    if practitioner_ids is not None:
        practitioners = practitioners.filter(pk__in=practitioner_ids)
    if key is not None:
        practitioners = practitioners.filter(pk=key.practitioner_id)
    by_pk = {practitioner.pk: practitioner for practitioner in practitioners}
    if not by_pk:
        return []
    today = timezone.localdate()
    periods = (WeeklyPeriod.objects.filter(practitioner_id__in=by_pk)
               .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
               .select_related("site").prefetch_related("appointment_types"))
    openings = (ScheduleException.objects.filter(practitioner_id__in=by_pk, is_open=True, day__gte=today)
                .select_related("site"))
    if key is not None:
        periods, openings = periods.filter(site_id=key.site_id), openings.filter(site_id=key.site_id)
    all_types: dict[tuple[int, int], bool] = defaultdict(bool)  # a period taking any type
    some_types: dict[tuple[int, int], set[int]] = defaultdict(set)
    sites = {}
    for period in periods:
        pair = (period.practitioner_id, period.site_id)
        sites[pair] = period.site
        chosen = list(period.appointment_types.all())
        if chosen:
            some_types[pair].update(item.pk for item in chosen)
        else:
            all_types[pair] = True
    for opening in openings:
        pair = (opening.practitioner_id, opening.site_id)
        sites[pair] = opening.site
        all_types[pair] = True  # an extra opening takes any type
    structures = {practitioner.structure_id for practitioner in by_pk.values()}
    active_types = list(AppointmentType.objects.filter(structure_id__in=structures, is_active=True)
                        .order_by("label", "pk"))
    refused = set(TypeDirective.objects.filter(practitioner_id__in=by_pk, accepted=False)
                  .values_list("practitioner_id", "appointment_type_id"))
    found = []
    for pair in sorted(sites):
        practitioner = by_pk[pair[0]]
        types = [item for item in active_types
                 if item.structure_id == practitioner.structure_id
                 and (all_types[pair] or item.pk in some_types[pair])
                 and (practitioner.pk, item.pk) not in refused]
        found.append(ScheduleInfo(practitioner, sites[pair], types))
    return found


def search_schedules(user, params, *, base_url: str, lenient: bool = False) -> list[ScheduleInfo]:
    check_parameters(params, SCHEDULE_PARAMETERS, lenient=lenient, single=SCHEDULE_PARAMETERS)
    practitioner_ids = None
    if "actor" in params:
        practitioner_ids = reference_values(params, "actor", "Practitioner", base_url=base_url)
    found = schedules_for(user, practitioner_ids=practitioner_ids)
    for value in params.getlist("_id"):
        found = [entry for entry in found if entry.key.id == value]
    for value in params.getlist("active"):
        if value not in ("true", "false"):
            raise invalid(_("active is true or false."))
        if value == "false":
            found = []  # a schedule is served only while it has periods to come
    return found


# --- slots -----------------------------------------------------------------------------------

SLOT_PARAMETERS = ("schedule", "start", "status", "service-type")
SLOT_STATUSES = ("free", "busy", "busy-unavailable", "busy-tentative", "entered-in-error")


@dataclass(frozen=True)
class FoundSlot:
    key: mapping.SlotKey
    appointment_type: AppointmentType
    end: datetime


def search_slots(user, params, *, base_url: str, lenient: bool = False) -> list[FoundSlot]:
    """Free slots of one schedule, earliest first, within at most MAX_SLOT_WINDOW."""
    check_parameters(params, SLOT_PARAMETERS, lenient=lenient, single=("schedule", "start", "service-type"))
    schedules = params.getlist("schedule")
    if len(schedules) != 1:
        raise invalid(_("Give one schedule: Slot?schedule=Schedule/<id> (ids in Schedule?actor=…)."),
                      expression="schedule")
    now = timezone.now()
    low, high = interval(params.getlist("start"), name="start")
    low = max(low or now, now)
    high = high or low + MAX_SLOT_WINDOW
    if high - low > MAX_SLOT_WINDOW:
        raise invalid(_("Ask for at most %(days)d days of slots at once (start=ge…&start=lt…).")
                      % {"days": MAX_SLOT_WINDOW.days}, expression="start")
    statuses = [code for value in params.getlist("status") for code in value.split(",")]
    if any(code not in SLOT_STATUSES for code in statuses):
        raise invalid(_("status is one of %(codes)s.") % {"codes": ", ".join(SLOT_STATUSES)})
    value = schedules[0]
    schedule_id = mapping.reference_id(value, "Schedule", base_url=base_url) if "/" in value else value
    key = mapping.parse_schedule_id(schedule_id or "")
    found = schedules_for(user, key=key) if key else []
    if not found or (statuses and "free" not in statuses):
        return []  # unknown or foreign schedule (nothing, as for any search); only free slots exist
    schedule = found[0]
    types = schedule.types
    for value in params.getlist("service-type"):
        system, bar, code = value.rpartition("|")
        types = [item for item in types if item.code == code and (not bar or system == mapping.type_system(base_url))]
    return free_slots_of(schedule, types, between=(low, high), now=now)


def free_slots_of(schedule: ScheduleInfo, types, *, between, now) -> list[FoundSlot]:
    if between[0] >= between[1]:
        return []
    found = []
    for appointment_type in types:
        for slot in free_slots_for([schedule.practitioner], appointment_type=appointment_type, between=between,
                                   now=now, limit=SLOT_LIMIT):
            if slot.site.pk == schedule.site.pk and not slot.reserved:
                key = mapping.SlotKey(schedule.practitioner.pk, schedule.site.pk, appointment_type.pk,
                                      slot.start.astimezone(UTC))
                found.append(FoundSlot(key, appointment_type, slot.end))
    found.sort(key=lambda slot: (slot.key.start, slot.appointment_type.label, slot.appointment_type.pk))
    return found


def find_slot(user, key: mapping.SlotKey) -> FoundSlot | None:
    """The slot ``key`` if it is free now for the caller, else None."""
    schedules = schedules_for(user, key=key.schedule)
    if not schedules:
        return None
    schedule = schedules[0]
    types = [item for item in schedule.types if item.pk == key.type_id]
    found = free_slots_of(schedule, types, between=(key.start, key.start + timedelta(seconds=1)),
                          now=timezone.now())
    return next((slot for slot in found if slot.key == key), None)


# --- appointments ----------------------------------------------------------------------------

APPOINTMENT_PARAMETERS = ("patient", "practitioner", "date", "status", "_id", "service-type")


def appointments_for(user):
    """The agenda's scope (the user's practitioners), narrowed to patients the user may see."""
    return (agenda_appointments_for(user).filter(patient__in=patients_for(user).values("pk"))
            .select_related("patient", "practitioner", "site", "appointment_type"))


def search_appointments(user, params, *, base_url: str, lenient: bool = False):
    check_parameters(params, APPOINTMENT_PARAMETERS, lenient=lenient,
                     single=("patient", "practitioner", "date", "_id", "service-type"))
    found = appointments_for(user)
    for pk in reference_values(params, "patient", "Patient", base_url=base_url):
        found = found.filter(patient_id=pk)
    for pk in reference_values(params, "practitioner", "Practitioner", base_url=base_url):
        found = found.filter(practitioner_id=pk)
    for value in params.getlist("_id"):
        found = found.filter(pk=int(value)) if value.isdigit() and len(value) < 19 else found.none()
    low, high = interval(params.getlist("date"), name="date")
    if low is not None:
        found = found.filter(start__gte=low)
    if high is not None:
        found = found.filter(start__lt=high)
    codes = [code for value in params.getlist("status") for code in value.split(",")]
    if codes:
        if any(code not in mapping.ALL_FHIR_STATUSES for code in codes):
            raise invalid(_("status is one of %(codes)s.") % {"codes": ", ".join(mapping.ALL_FHIR_STATUSES)})
        found = found.filter(status__in=[ours for code in codes for ours in mapping.OUR_STATUSES[code]])
    for value in params.getlist("service-type"):
        system, bar, code = value.rpartition("|")
        if bar and system != mapping.type_system(base_url):
            found = found.none()
        else:
            found = found.filter(appointment_type__code=code)
    return found.order_by("start", "pk")

