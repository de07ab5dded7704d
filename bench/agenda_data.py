"""Data of the agenda benchmark (``bench/agenda.py``): practitioners with weekly periods on a
few sites, patients, and millions of appointments over past and future.

Appointments lie on a 20-minute grid of each practitioner's periods (every type lasts a
multiple of 20 minutes), one practitioner and one cell at a time, so live ones never overlap:
the exclusion constraint of migration 0002 stays on while they load. PostgreSQL loads them with
COPY (foreign keys are not re-checked row by row: ``session_replication_role = replica`` skips
the triggers, the ids come from the rows just created); SQLite with multi-row inserts. Rows go
in day by day, as bookings accumulate in real life, so the table is not ordered by practitioner.
"""

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from stdnum import luhn

from bench.patients import build_patients
from secretariat.agenda.models import (
    Appointment,
    AppointmentType,
    PractitionerDirectives,
    TypeDirective,
    WeeklyPeriod,
)
from secretariat.agenda.queries import department_of_postal_code
from secretariat.agenda.rules.holidays import holidays_between
from secretariat.core.models import CareTeam, Practitioner, Site, Structure, User
from secretariat.core.roles import Role
from secretariat.patients.models import Patient

STRUCTURE_NAME = "Centre de santé de banc d'essai (agenda)"
SITES = [("Site Part-Dieu", "69003", "Lyon"), ("Site Gratte-Ciel", "69100", "Villeurbanne"),
         ("Site Neudorf", "67100", "Strasbourg"), ("Site Bercy", "75012", "Paris")]
TYPES = [("consultation", "Consultation", 20, 70), ("premiere-consultation", "Première consultation", 40, 8),
         ("renouvellement", "Renouvellement d'ordonnance", 20, 15), ("teleconsultation", "Téléconsultation", 20, 7)]
CELL = 20  # minutes
HORIZON_DAYS = 183  # future booked up to six months ahead
TEAM_SIZE = 10
COLUMNS = ("structure_id", "practitioner_id", "site_id", "patient_id", "appointment_type_id", "start", "end",
           "status", "status_changed_at", "channel", "urgent", "is_first_visit", "video_room_url",
           "overridden_directives", "override_reason", "cancellation_reason", "cancelled_by_patient",
           "cancelled_at", "booked_by_id", "booked_at", "note")
QUOTED = ", ".join(f'"{column}"' for column in COLUMNS)


@dataclass
class Scale:
    structure: Structure
    coordinator: User
    secretary: User  # member of the first care team (TEAM_SIZE practitioners)
    practitioners: list[Practitioner]
    types: dict[str, AppointmentType]
    patient_ids: list[int]


def find(expected_practitioners: int) -> Scale | None:
    """The data of an earlier run with this many practitioners, to time again without reloading."""
    structure = Structure.objects.filter(name=STRUCTURE_NAME).first()
    if structure is None:
        return None
    practitioners = list(Practitioner.objects.filter(structure=structure).order_by("pk"))
    if len(practitioners) != expected_practitioners:
        return None
    return Scale(
        structure=structure, coordinator=User.objects.get(username=f"bench-coord-{structure.pk}"),
        secretary=User.objects.get(username=f"bench-secretary-{structure.pk}"), practitioners=practitioners,
        types={kind.code: kind for kind in AppointmentType.objects.filter(structure=structure)},
        patient_ids=list(Patient.objects.filter(structure=structure).order_by("pk").values_list("pk", flat=True)),
    )


def build(*, practitioners: int, appointments: int, patients: int, now: datetime, seed: int = 2026) -> Scale:
    rng = random.Random(seed)
    structure, coordinator, _sample = build_patients(patients)
    Structure.objects.filter(pk=structure.pk).update(name=STRUCTURE_NAME)
    User.objects.filter(pk=coordinator.pk).update(username=f"bench-coord-{structure.pk}")
    coordinator.refresh_from_db()
    with transaction.atomic():
        scale = _organisation(rng, structure, coordinator, practitioners)
    scale.patient_ids = list(Patient.objects.filter(structure=structure).order_by("pk").values_list("pk", flat=True))
    _follow_patients(rng, scale)
    started = time.perf_counter()
    count = load_appointments(rng, scale, target=appointments, now=now)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE agenda_appointment")  # what autovacuum leaves after a load
        else:
            cursor.execute("ANALYZE")
    print(f"  {count:,} appointments loaded in {time.perf_counter() - started:.0f} s")
    return scale


def _organisation(rng, structure, coordinator, count: int) -> Scale:
    sites = [Site.objects.create(structure=structure, name=name, address="1 rue du Banc", postal_code=code,
                                 city=city) for name, code, city in SITES]
    people = Practitioner.objects.bulk_create([
        Practitioner(structure=structure, title="Dr", first_name=f"Praticien {index}",
                     last_name=f"BANC-{index:04d}", rpps=_rpps(index), specialty="Médecine générale")
        for index in range(count)])
    links = Practitioner.sites.through
    links.objects.bulk_create([links(practitioner_id=p.pk, site_id=sites[i % len(sites)].pk)
                               for i, p in enumerate(people)]
                              + [links(practitioner_id=p.pk, site_id=sites[(i + 1) % len(sites)].pk)
                                 for i, p in enumerate(people) if i % 10 == 3])
    teams = []
    for first in range(0, count, TEAM_SIZE):
        team = CareTeam.objects.create(structure=structure, name=f"Équipe {first // TEAM_SIZE + 1}")
        team.practitioners.set(people[first:first + TEAM_SIZE])
        teams.append(team)
    secretary = User.objects.create(username=f"bench-secretary-{structure.pk}", structure=structure,
                                    role=Role.SECRETARY)
    teams[0].members.add(secretary)
    types = {code: AppointmentType.objects.create(
        structure=structure, code=code, label=label, duration_minutes=minutes, bookable_online=True,
        mode=AppointmentType.Mode.TELECONSULTATION if code == "teleconsultation" else AppointmentType.Mode.PRACTICE)
        for code, label, minutes, _weight in TYPES}
    _periods(people, sites)
    PractitionerDirectives.objects.bulk_create([PractitionerDirectives(practitioner=p) for p in people])
    TypeDirective.objects.bulk_create([TypeDirective(practitioner=p, appointment_type=types["teleconsultation"],
                                                     max_per_day=4) for p in people[::5]])
    return Scale(structure, coordinator, secretary, people, types, [])


def _rpps(index: int) -> str:
    body = f"10{index:08d}"
    return body + luhn.calc_check_digit(body)


def _periods(people, sites) -> None:
    """Mornings and afternoons on weekdays, one afternoon off (Wednesday for most), an urgent
    period at noon released two hours before for half of them, Saturday morning for a quarter;
    practitioners on two sites spend Thursday and Friday at the second one."""
    rows = []
    for index, practitioner in enumerate(people):
        first_site, second_site = sites[index % len(sites)], sites[(index + 1) % len(sites)]
        morning = clock(8, 20 * (index % 4)) if index % 4 < 3 else clock(9)
        off = 2 if index % 3 else index % 5
        for weekday in range(5):
            site = second_site if index % 10 == 3 and weekday >= 3 else first_site
            rows.append(WeeklyPeriod(practitioner=practitioner, site=site, weekday=weekday, start=morning,
                                     end=clock(12)))
            if index % 2 == 0:
                rows.append(WeeklyPeriod(practitioner=practitioner, site=site, weekday=weekday, start=clock(12),
                                         end=clock(12, 40), reserved_for_urgent=True,
                                         release_before=timedelta(hours=2)))
            if weekday != off:
                rows.append(WeeklyPeriod(practitioner=practitioner, site=site, weekday=weekday, start=clock(14),
                                         end=clock(18, 20 if index % 2 else 0)))
        if index % 4 == 1:
            rows.append(WeeklyPeriod(practitioner=practitioner, site=first_site, weekday=5, start=clock(9),
                                     end=clock(12)))
    WeeklyPeriod.objects.bulk_create(rows, batch_size=2000)


def _follow_patients(rng, scale: Scale) -> None:
    """Each patient followed by one care team (so a secretary sees a tenth of them)."""
    teams = list(CareTeam.objects.filter(structure=scale.structure).values_list("pk", flat=True))
    through = Patient.care_teams.through
    batch = []
    for patient_id in scale.patient_ids:
        batch.append(through(patient_id=patient_id, careteam_id=rng.choice(teams)))
        if len(batch) == 20_000:
            through.objects.bulk_create(batch)
            batch = []
    through.objects.bulk_create(batch)


# --- appointments ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    minute: int  # since local midnight
    urgent: bool


def _week_grid(practitioner_ids) -> dict[int, list[list[tuple[int, list[Cell]]]]]:
    """practitioner → weekday → [(site, cells)] on the 20-minute grid."""
    grid = {pk: [[] for _ in range(7)] for pk in practitioner_ids}
    for period in WeeklyPeriod.objects.filter(practitioner_id__in=practitioner_ids).order_by("start"):
        first = period.start.hour * 60 + period.start.minute
        last = period.end.hour * 60 + period.end.minute
        cells = [Cell(minute, period.reserved_for_urgent) for minute in range(first, last - CELL + 1, CELL)]
        grid[period.practitioner_id][period.weekday].append((period.site_id, cells))
    return grid


def _fill(days_ahead: float, urgent: bool) -> float:
    if urgent:
        return 0.6 if days_ahead < 0 else (0.3 if days_ahead < 2 else 0.0)
    if days_ahead < 0:
        return 0.93
    return max(0.35, 0.97 - 0.6 * days_ahead / HORIZON_DAYS)


def _first_day(grid, holidays, today: date, target: int) -> date:
    """The day to start from so that about ``target`` rows lie between it and the horizon."""
    expected, day = 0.0, today + timedelta(days=HORIZON_DAYS)
    while expected < target:
        for weekdays in grid.values():
            for site, cells in weekdays[day.weekday()]:
                if day not in holidays[site]:
                    # 6 % more rows (cancelled ones), 8 % fewer (a first visit takes two cells)
                    expected += sum(_fill((day - today).days, cell.urgent) for cell in cells) * 0.98
        day -= timedelta(days=1)
    return day


def _rows(rng, scale: Scale, *, target: int, now: datetime, formats) -> Iterator[tuple]:
    """The rows, lazily; every database read happens here, before the first row (the
    connection is then busy with the COPY)."""
    tz = ZoneInfo(settings.TIME_ZONE)
    today = now.astimezone(tz).date()
    grid = _week_grid([p.pk for p in scale.practitioners])
    sites = {site.pk: site for site in Site.objects.filter(structure=scale.structure)}
    holidays = {pk: frozenset(holidays_between(today - timedelta(days=3650), today + timedelta(days=HORIZON_DAYS),
                                               department=department_of_postal_code(site.postal_code)))
                for pk, site in sites.items()}
    first = _first_day(grid, holidays, today, target)
    return _generate(rng, scale, grid, holidays, first, now=now, formats=formats)


def _generate(rng, scale: Scale, grid, holidays, first: date, *, now: datetime, formats):
    tz = ZoneInfo(settings.TIME_ZONE)
    stamp, yes, no = formats
    today = now.astimezone(tz).date()
    codes = [code for code, *_ in TYPES]
    weights = [weight for *_, weight in TYPES]
    type_ids = {code: scale.types[code].pk for code in codes}
    desks = [scale.coordinator.pk, scale.secretary.pk]
    patients, structure_id = scale.patient_ids, scale.structure.pk
    day = first
    while day <= today + timedelta(days=HORIZON_DAYS):  # about ``target`` rows (see _first_day)
        midnight = datetime.combine(day, clock(12), tzinfo=tz).utcoffset()
        base = datetime.combine(day, clock(0), tzinfo=UTC) - midnight  # no period crosses a DST change
        days_ahead = (day - today).days
        for practitioner_id, weekdays in grid.items():
            for site_id, cells in weekdays[day.weekday()]:
                if day in holidays[site_id]:
                    continue
                skip_until = -1
                for index, cell in enumerate(cells):
                    if cell.minute < skip_until or rng.random() >= _fill(days_ahead, cell.urgent):
                        continue
                    code = rng.choices(codes, weights)[0]
                    length = 40 if code == "premiere-consultation" else CELL
                    if length > CELL and (index + 1 >= len(cells) or cells[index + 1].minute != cell.minute + CELL):
                        code, length = "consultation", CELL
                    start = base + timedelta(minutes=cell.minute)
                    end = start + timedelta(minutes=length)
                    skip_until = cell.minute + length
                    booked_at = min(start - timedelta(hours=rng.uniform(1, 24 * 30)), now)
                    common = (structure_id, practitioner_id, site_id, rng.choice(patients), type_ids[code],
                              stamp(start), stamp(end))
                    if rng.random() < 0.06:  # someone else had it and cancelled
                        cancelled = booked_at + (min(start, now) - booked_at) / 2
                        yield (structure_id, practitioner_id, site_id, rng.choice(patients), type_ids[code],
                               stamp(start), stamp(end), "cancelled", stamp(cancelled), "desk", no, no, "", "[]", "",
                               "Empêchement", yes, stamp(cancelled), rng.choice(desks), stamp(booked_at), "")
                    if end <= now:
                        draw = rng.random()
                        status = "missed" if draw < 0.04 else "excused_late" if draw < 0.05 else "seen"
                        changed = stamp(end)
                    elif start <= now:
                        status, changed = "arrived", stamp(start)
                    else:
                        status, changed = "booked", None
                    online = rng.random() < 0.2
                    yield (*common, status, changed, "online" if online else "desk", yes if cell.urgent else no,
                           yes if code == "premiere-consultation" else no, "", "[]", "", "", None, None,
                           None if online else rng.choice(desks), stamp(booked_at), "")
        day += timedelta(days=1)


def load_appointments(rng, scale: Scale, *, target: int, now: datetime) -> int:
    if connection.vendor == "postgresql":
        return _copy(_rows(rng, scale, target=target, now=now,
                           formats=(lambda moment: f"{moment:%Y-%m-%d %H:%M:%S}+00", "t", "f")))
    return _insert(_rows(rng, scale, target=target, now=now,
                         formats=(lambda moment: f"{moment:%Y-%m-%d %H:%M:%S}", 1, 0)))


def _copy(rows, batch: int = 250_000) -> int:
    statement = f"COPY agenda_appointment ({QUOTED}) FROM STDIN"
    count, done = 0, False
    raw = connection.cursor().connection  # the psycopg connection under Django's
    while not done:
        with transaction.atomic(), raw.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute("SET LOCAL synchronous_commit = off")
            with cursor.copy(statement) as copy:
                done = True
                for row in rows:
                    copy.write("\t".join("\\N" if value is None else str(value) for value in row) + "\n")
                    count += 1
                    if count % batch == 0:
                        done = False
                        break
        if count % 1_000_000 == 0:
            print(f"    {count:,} appointments", flush=True)
    return count


def _insert(rows, batch: int = 500) -> int:
    placeholders = "(" + ", ".join(["%s"] * len(COLUMNS)) + ")"
    prefix = f"INSERT INTO agenda_appointment ({QUOTED}) VALUES "  # noqa: S608 (constant names)
    count, chunk = 0, []
    with transaction.atomic(), connection.cursor() as cursor:
        for row in rows:
            chunk.append(row)
            if len(chunk) == batch:
                cursor.execute(prefix + ", ".join([placeholders] * len(chunk)), [v for r in chunk for v in r])
                count += len(chunk)
                chunk = []
        if chunk:
            cursor.execute(prefix + ", ".join([placeholders] * len(chunk)), [v for r in chunk for v in r])
            count += len(chunk)
    return count


def appointment_count(scale: Scale) -> int:
    return Appointment.objects.filter(structure=scale.structure).count()
