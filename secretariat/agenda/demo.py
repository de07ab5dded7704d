"""Demo agenda for ``manage.py seed_demo`` (runs after the patients' demo): appointment types,
weekly periods, directives, and three months of appointments of the demo patients.

Appointments are laid on the open intervals the slot engine computes (``rules.periods``:
public holidays of the site's département, closures, daylight saving), one cursor per
interval, so no two live appointments of a practitioner (or of the échographe) overlap; they
go in with bulk inserts. The past month is seen, missed or cancelled; the next two months
fill less the further they are. Dates follow the day of the seeding; draws use a fixed seed.
"""

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone

from secretariat.agenda.models import (
    Absence,
    AgendaSettings,
    Appointment,
    AppointmentSeries,
    AppointmentType,
    ExternalAppointment,
    PractitionerDirectives,
    Resource,
    ResourceBooking,
    ScheduleException,
    TypeDirective,
    WaitingListEntry,
    WeeklyPeriod,
)
from secretariat.agenda.queries import department_of_postal_code, structure_time_zone
from secretariat.agenda.rules import holidays as holiday_rules
from secretariat.agenda.rules.periods import DatedPeriod, Schedule
from secretariat.agenda.rules.periods import WeeklyPeriod as PeriodRule
from secretariat.patients.models import Patient

SEED = 2026
HISTORY_DAYS = 31
HORIZON_DAYS = 61
VIDEO_BASE_URL = "https://visio.example.org/"
S = Appointment.Status
Mode = AppointmentType.Mode

# --- catalogue ------------------------------------------------------------------------------

TYPES = [  # code, label, minutes, colour, extra fields
    ("consultation", "Consultation", 20, "#4a78b5", {
        "bookable_online": True, "documents_to_bring": "Carte Vitale et ordonnances en cours."}),
    ("premiere-consultation", "Première consultation", 30, "#2e7d32", {
        "bookable_online": True,
        "documents_to_bring": "Carte Vitale, carnet de santé, derniers résultats d'examens et courriers médicaux."}),
    ("renouvellement", "Renouvellement d'ordonnance", 15, "#7c8b3a", {
        "bookable_online": True, "new_patients_allowed": False, "documents_to_bring": "Dernière ordonnance."}),
    ("teleconsultation", "Téléconsultation", 15, "#6a4fc1", {
        "mode": Mode.TELECONSULTATION, "bookable_online": True, "new_patients_allowed": False,
        "preparation_instructions": "Connectez-vous 5 minutes avant l'heure, au calme, avec un téléphone ou un "
                                    "ordinateur équipé d'une caméra et d'un micro. Gardez votre carte Vitale et "
                                    "vos ordonnances à portée de main."}),
    ("visite-domicile", "Visite à domicile", 45, "#b0285f", {
        "mode": Mode.HOME_VISIT, "new_patients_allowed": False,
        "preparation_instructions": "Préparez la carte Vitale, les ordonnances et le cahier de liaison s'il y en a un."}),
    ("ecg", "Électrocardiogramme (ECG)", 15, "#c62828", {
        "preparation_instructions": "Ne mettez pas de crème sur le torse le jour de l'examen."}),
    ("echographie", "Échographie", 30, "#00796b", {
        "buffer_after_minutes": 5,
        "preparation_instructions": "Échographie abdominale : à jeun depuis 6 heures (ni repas, ni café, ni tabac). "
                                    "Échographie pelvienne : buvez 1 litre d'eau une heure avant, sans uriner.",
        "documents_to_bring": "Ordonnance, échographies et comptes rendus précédents."}),
    ("radiographie", "Radiographie", 15, "#616161", {
        "bookable_online": True, "preparation_instructions": "Retirez bijoux et objets métalliques.",
        "documents_to_bring": "Ordonnance et anciens clichés."}),
    ("mammographie", "Mammographie de dépistage", 20, "#d81b60", {
        "bookable_online": True, "min_age": 40,
        "preparation_instructions": "Ni déodorant, ni crème, ni talc le jour de l'examen.",
        "documents_to_bring": "Courrier d'invitation au dépistage et anciens clichés."}),
    ("kinesitherapie", "Séance de kinésithérapie", 30, "#ef8f00", {
        "new_patients_allowed": False, "preparation_instructions": "Venez en tenue confortable.",
        "documents_to_bring": "Ordonnance de kinésithérapie et une serviette."}),
    ("bilan-kine", "Bilan de kinésithérapie", 45, "#e65100", {
        "bookable_online": True,
        "documents_to_bring": "Ordonnance, comptes rendus opératoires et imagerie."}),
]
NEEDS_ECHOGRAPH = {"echographie"}
FIRST_VISIT = {"premiere-consultation", "bilan-kine"}
FOLLOW_UP = {"premiere-consultation": "consultation", "bilan-kine": "kinesitherapie"}  # shorter

GP = ("consultation", "premiere-consultation", "renouvellement")
CARDIO = ("consultation", "ecg", "premiere-consultation")
IMAGING = ("echographie", "mammographie", "radiographie")
PHYSIO = ("bilan-kine", "kinesitherapie")
WEEKDAYS, NOT_WEDNESDAY = (0, 1, 2, 3, 4), (0, 1, 3, 4)
# Weekly periods: team key, site, weekdays, start, end, types, reserved for urgent requests
# (released two hours before). Wednesday afternoon is free for the doctors.
WEEK = [
    ("general", "centre", WEEKDAYS, time(8, 30), time(11, 30), GP, False),
    ("general", "centre", WEEKDAYS, time(11, 30), time(12, 30), ("consultation",), True),
    ("general", "centre", (1, 3), time(13), time(14, 30), ("visite-domicile",), False),
    ("general", "centre", NOT_WEDNESDAY, time(14, 30), time(18, 30), (*GP, "teleconsultation"), False),
    ("cardiology", "centre", WEEKDAYS, time(9), time(12), CARDIO, False),
    ("cardiology", "centre", WEEKDAYS, time(12), time(12, 30), ("consultation", "ecg"), True),
    ("cardiology", "centre", NOT_WEDNESDAY, time(14), time(18), CARDIO, False),
    ("cardiology", "centre", (3,), time(18), time(19), ("teleconsultation",), False),
    ("imaging", "coteaux", WEEKDAYS, time(8), time(12), IMAGING, False),
    ("imaging", "coteaux", WEEKDAYS, time(12), time(12, 30), ("radiographie",), True),
    ("imaging", "coteaux", NOT_WEDNESDAY, time(13, 30), time(17, 30), IMAGING, False),
    ("physio", "centre", (0, 1), time(8), time(12), PHYSIO, False),
    ("physio", "centre", (0, 1), time(14), time(19), PHYSIO, False),
    ("physio", "coteaux", (2, 3, 4), time(8), time(12), PHYSIO, False),
    ("physio", "coteaux", (3, 4), time(14), time(19), PHYSIO, False),
]
WEIGHTS = {
    "general": {"consultation": 6, "renouvellement": 3, "premiere-consultation": 1, "teleconsultation": 1.5,
                "visite-domicile": 1},
    "cardiology": {"consultation": 5, "ecg": 2, "premiere-consultation": 2, "teleconsultation": 1},
    "imaging": {"radiographie": 5, "echographie": 3, "mammographie": 2},
    "physio": {"kinesitherapie": 8, "bilan-kine": 1},
}
DIRECTIVES = {
    "general": {"online_min_notice_hours": 12, "instructions": (
        "Urgences du jour sur le créneau de 11 h 30 ; au-delà, me passer l'appel entre deux patients. "
        "Visites à domicile pour les patients âgés ou alités du secteur seulement.")},
    "cardiology": {"min_notice_minutes": 60, "online_min_notice_hours": 48, "instructions": (
        "Douleur thoracique au téléphone : orienter vers le 15, ne pas donner de rendez-vous. "
        "Première consultation : courrier du médecin traitant indispensable.")},
    "imaging": {"min_notice_minutes": 30, "online_max_missed": 1, "instructions": (
        "Vérifier l'ordonnance avant de confirmer. Dépistage : demander le courrier d'invitation.")},
    "physio": {"online_max_missed": 3, "instructions": (
        "Séries de 10 séances à la même heure chaque semaine quand c'est possible.")},
}
TYPE_DIRECTIVES = [  # team key, type, quotas and variants
    ("imaging", "echographie", {"max_per_half_day": 2, "extra_instructions": "Apportez le dernier bilan sanguin."}),
    ("general", "visite-domicile", {"max_per_day": 2}),
    ("general", "teleconsultation", {"max_per_day": 4, "extra_instructions": (
        "Si la vidéo ne fonctionne pas, le docteur vous rappelle au numéro de votre dossier.")}),
]
CANCELLATIONS = {
    True: ["Empêchement professionnel", "Enfant malade", "Hospitalisé entre-temps",
           "A trouvé un rendez-vous plus tôt ailleurs", "Annulé par SMS"],
    False: ["Retard du praticien (urgence)", "Rendez-vous pris en double", "Examen jugé non nécessaire"],
}
SERIES_NOTES = ["Rééducation du genou après ligamentoplastie", "Lombalgie chronique",
                "Rééducation de l'épaule (tendinopathie)", "Kinésithérapie respiratoire", "Entorse de cheville"]
EXTERNAL = [  # kind, title, place, preparation, days from today, requesting team
    ("exam", "Bilan sanguin à jeun", "Laboratoire des Tilleuls (fictif), Villeurbanne",
     "À jeun depuis 12 heures.", -5, "general"),
    ("exam", "IRM du genou", "Centre d'imagerie de la Part-Dieu (fictif), Lyon",
     "Retirer tout objet métallique ; apporter les radiographies.", -12, "general"),
    ("specialist", "Consultation d'ophtalmologie", "Cabinet d'ophtalmologie (fictif), Lyon 3e",
     "Apporter les lunettes actuelles.", 9, "general"),
    ("exam", "Holter ECG des 24 heures", "Hôpital cardiologique (fictif), Bron",
     "Douche avant la pose : pas de douche pendant l'enregistrement.", 4, "cardiology"),
    ("hospital", "Coronarographie en hôpital de jour", "Hôpital cardiologique (fictif), Bron",
     "À jeun depuis minuit, venir accompagné, apporter les derniers ECG.", 18, "cardiology"),
    ("exam", "Épreuve d'effort", "Hôpital cardiologique (fictif), Bron", "Tenue de sport.", -20, "cardiology"),
    ("exam", "Scanner thoracique", "Centre d'imagerie de Bron (fictif)",
     "Signaler une allergie à l'iode ; créatininémie de moins de 3 mois.", 25, "imaging"),
    ("specialist", "Consultation de chirurgie orthopédique", "Clinique du Parc (fictive), Lyon 6e",
     "Apporter l'IRM et le bilan de kinésithérapie.", 30, "physio"),
]


# --- seeding --------------------------------------------------------------------------------

@dataclass
class Opening:
    start: datetime  # UTC
    end: datetime
    urgent: bool  # a period reserved for urgent requests
    site: object
    codes: tuple[str, ...]


def seed(structure, *, teams: dict, users: dict, now: datetime | None = None) -> dict[str, int]:
    if AppointmentType.objects.filter(structure=structure).exists():
        return {}  # already there: seeding twice changes nothing
    now = now or timezone.now()
    tz = structure_time_zone()
    today = now.astimezone(tz).date()
    staff = {key: team.practitioners.get() for key, team in teams.items()}
    sites = {"centre": staff["general"].sites.get(), "coteaux": staff["imaging"].sites.get()}
    types, echograph = _catalogue(structure, staff, sites)
    exceptions, absence = _exceptions(staff, sites, today, tz, users)
    quotas = _rules(structure, staff, types, users)
    maker = _Maker(random.Random(SEED), now, tz, types, teams)
    first, last = today - timedelta(days=HISTORY_DAYS), today + timedelta(days=HORIZON_DAYS)
    for key, practitioner in staff.items():
        pool = list(Patient.objects.filter(structure=structure, care_teams=teams[key]).order_by("pk"))
        openings = _openings(practitioner, first, last, exceptions[key], tz)
        if key == "physio":
            _series(maker, key, practitioner, openings, pool, today)
        _fill(maker, key, practitioner, openings, pool, absence if key == "cardiology" else None,
              {code: quota for (team, code), quota in quotas.items() if team == key})
    created = Appointment.objects.bulk_create(maker.appointments, batch_size=500)
    for appointment in created:  # auto_now_add stamped the seeding time: a booking comes earlier
        appointment.booked_at = maker.booked_at[id(appointment)]
    Appointment.objects.bulk_update(created, ["booked_at"], batch_size=500)
    ResourceBooking.objects.bulk_create(
        [ResourceBooking(appointment=a, resource=echograph, start=a.start, end=a.end, is_live=a.is_live)
         for a in created if a.appointment_type.code in NEEDS_ECHOGRAPH], batch_size=500)
    waiting = _waiting_list(maker, structure, created, users, today)
    external = _external(maker.rng, structure, teams, staff, users, now, tz)
    return {"appointments": len(created), "waiting_list": waiting, "external_appointments": external}


def _catalogue(structure, staff, sites):
    """Resources, appointment types, and the weekly periods that take them."""
    echograph = Resource.objects.create(structure=structure, site=sites["coteaux"], name="Échographe",
                                        kind=Resource.Kind.EQUIPMENT)
    Resource.objects.create(structure=structure, site=sites["centre"], name="Salle de soins")
    types = {}
    for code, label, minutes, colour, extra in TYPES:
        types[code] = AppointmentType.objects.create(structure=structure, code=code, label=label,
                                                     duration_minutes=minutes, colour=colour, **extra)
    types["echographie"].resources.set([echograph])
    for key, site, weekdays, start, end, codes, urgent in WEEK:
        for weekday in weekdays:
            period = WeeklyPeriod.objects.create(
                practitioner=staff[key], site=sites[site], weekday=weekday, start=start, end=end,
                reserved_for_urgent=urgent, release_before=timedelta(hours=2) if urgent else None)
            period.appointment_types.set([types[code] for code in codes])
    return types, echograph


def _rules(structure, staff, types, users) -> dict:
    """Directives, quotas per type (returned by (team, type)), and the structure's settings."""
    for key, values in DIRECTIVES.items():
        PractitionerDirectives.objects.create(practitioner=staff[key], updated_by=users["coordination"], **values)
    quotas = {}
    for key, code, values in TYPE_DIRECTIVES:
        quotas[(key, code)] = TypeDirective.objects.create(practitioner=staff[key], appointment_type=types[code],
                                                           **values)
    AgendaSettings.objects.update_or_create(structure=structure, defaults={
        "reminder_hours": [48, 2], "online_booking_enabled": True, "online_booking_days": 60,
        "video_base_url": VIDEO_BASE_URL, "offer_validity_minutes": 120})
    return quotas


def _next(day: date, weekday: int, *, after: int) -> date:
    day += timedelta(days=after)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _exceptions(staff, sites, today, tz, users):
    """A meeting, a training day, a morning in a nursing home, an extra Saturday morning, and
    a week of leave of the cardiologist in five weeks."""
    rows = [
        ScheduleException(practitioner=staff["general"], day=_next(today, 3, after=3), start=time(14, 30),
                          end=time(16), note="Réunion de concertation pluriprofessionnelle"),
        ScheduleException(practitioner=staff["imaging"], day=_next(today, 1, after=-20), start=time(8),
                          end=time(19), note="Formation continue (DPC)"),
        ScheduleException(practitioner=staff["physio"], day=_next(today, 4, after=12), start=time(14),
                          end=time(19), note="Séances à l'EHPAD"),
        ScheduleException(practitioner=staff["cardiology"], site=sites["centre"], day=_next(today, 5, after=15),
                          start=time(9), end=time(12), is_open=True, note="Matinée supplémentaire"),
    ]
    ScheduleException.objects.bulk_create(rows)
    by_key = {key: [row for row in rows if row.practitioner_id == practitioner.pk]
              for key, practitioner in staff.items()}
    monday = _next(today, 0, after=35)
    absence = Absence.objects.create(
        practitioner=staff["cardiology"], reason="Congés", created_by=users["secretaire2"],
        start=datetime.combine(monday, time(0), tzinfo=tz),
        end=datetime.combine(monday + timedelta(days=7), time(0), tzinfo=tz))
    return by_key, absence


def _openings(practitioner, first: date, last: date, exceptions, tz) -> list[Opening]:
    """Open intervals of each period (and extra opening) from the slot engine, sorted.

    The engine is asked as if long before: periods reserved for urgent requests come out
    reserved, whatever their release time.
    """
    long_before = datetime.combine(first, time(0), tzinfo=UTC) - timedelta(days=1)
    closures = [DatedPeriod(day=e.day, start=e.start, end=e.end, open=False) for e in exceptions if not e.is_open]
    holidays = {}
    sources = []

    def days_off(site):
        department = department_of_postal_code(site.postal_code)
        if department not in holidays:
            holidays[department] = frozenset(holiday_rules.holidays_between(first, last, department=department))
        return holidays[department]

    for period in practitioner.weekly_periods.select_related("site").prefetch_related("appointment_types"):
        codes = tuple(sorted(kind.code for kind in period.appointment_types.all()))
        rule = PeriodRule(weekday=period.weekday, start=period.start, end=period.end, type_codes=codes,
                          reserved_for_urgent=period.reserved_for_urgent, release_before=period.release_before)
        sources.append((Schedule([rule], closures, days_off(period.site), tz=tz, type_code=codes[0]), period.site,
                        codes))
    for extra in (e for e in exceptions if e.is_open):
        opening = DatedPeriod(day=extra.day, start=extra.start, end=extra.end, open=True)
        sources.append((Schedule([], [opening, *closures], days_off(extra.site), tz=tz, type_code=CARDIO[0]),
                        extra.site, CARDIO))
    found = []
    day = first
    while day <= last:
        for schedule, site, codes in sources:
            for start, end, urgent, _anchor in schedule.day_openings(day, urgent=True, now=long_before):
                found.append(Opening(start, end, urgent, site, codes))
        day += timedelta(days=1)
    return sorted(found, key=lambda opening: opening.start)


def _series(maker, key, practitioner, openings, pool, today: date) -> None:
    """Ten weekly physiotherapy sessions at the same hour for a few patients, begun in the
    past month; a week that falls on a holiday or a closure is skipped."""
    session = maker.types["kinesitherapie"]
    for index, note in enumerate(SERIES_NOTES):
        target = today - timedelta(days=26 - 4 * index)
        day = next((o.start.astimezone(maker.tz).date() for o in openings
                    if o.start.astimezone(maker.tz).date() >= target), None)
        candidates = [o for o in openings if o.start.astimezone(maker.tz).date() == day]
        if not candidates:
            continue
        opening = candidates[index % len(candidates)]
        start = opening.start + session.duration * (index % 3)
        patient = maker.patient(pool, key, practitioner, session, start)
        if patient is None:
            continue
        series = AppointmentSeries.objects.create(
            structure_id=practitioner.structure_id, patient=patient, practitioner=practitioner,
            appointment_type=session, note=note, created_by=maker.desk[key][0])
        booked_at = min(start - timedelta(days=2), maker.now - timedelta(hours=1))
        for week in range(10):
            moment = start + timedelta(days=7 * week)
            inside = next((o for o in openings if o.start <= moment and moment + session.duration <= o.end), None)
            if inside and maker.free(practitioner, moment, moment + session.duration) \
                    and maker.patient_free(patient, moment, moment + session.duration):
                maker.add(key, practitioner, inside.site, patient, session, moment, series=series,
                          booked_at=booked_at)


def _fill_rate(now: datetime, opening: Opening) -> float:
    days_ahead = (opening.start - now).total_seconds() / 86400
    if opening.urgent:  # used in the past; beyond the next two days they wait for urgent calls
        return 0.65 if days_ahead < 0 else (0.3 if days_ahead < 2 else 0.0)
    if days_ahead < 0:
        return 0.9
    return max(0.5, 0.92 - 0.35 * days_ahead / HORIZON_DAYS)  # about 70 % booked over two months


def _fill(maker, key, practitioner, openings, pool, absence, quotas) -> None:
    kept_in_absence = 0
    for opening in openings:
        rate = _fill_rate(maker.now, opening)
        cursor = opening.start
        while cursor < opening.end:
            kind = maker.pick_type(key, practitioner, opening.codes, cursor, quotas)
            end = cursor + kind.duration
            if end > opening.end:
                break
            following = end + kind.buffer_after
            clash = maker.clash(practitioner, cursor, following)
            if clash is not None:  # a session of a series
                cursor = clash
                continue
            in_absence = absence is not None and absence.start < end and cursor < absence.end
            # In the leave, a few were booked before it was known: they wait to be moved.
            wanted = kept_in_absence < 3 and maker.rng.random() < 0.3 if in_absence else maker.rng.random() < rate
            patient = maker.patient(pool, key, practitioner, kind, cursor) if wanted else None
            if patient is None and wanted and kind.code in FOLLOW_UP:  # everyone has been seen once
                kind = maker.types[FOLLOW_UP[kind.code]]
                patient = maker.patient(pool, key, practitioner, kind, cursor)
                following = cursor + kind.duration + kind.buffer_after
            if patient is not None:
                urgent = opening.urgent and maker.rng.random() < 0.8
                maker.add(key, practitioner, opening.site, patient, kind, cursor, pool=() if in_absence else pool,
                          urgent=urgent)
                kept_in_absence += in_absence
            cursor = following


class _Maker:
    """Unsaved appointments with statuses consistent with ``now``; knows who is busy when."""

    def __init__(self, rng, now, tz, types, teams):
        self.rng, self.now, self.tz, self.types = rng, now, tz, types
        self.desk = {key: sorted(team.members.all(), key=lambda user: user.pk) for key, team in teams.items()}
        self.appointments: list[Appointment] = []
        self.booked_at: dict[int, datetime] = {}
        self.busy = defaultdict(list)  # (practitioner, local date) → live (start, end + buffer)
        self.by_patient = defaultdict(list)  # patient → live (start, end)
        self.counts = defaultdict(int)  # (practitioner, type, local date[, half-day]) → live count
        self.seen_by = set()  # (patient, practitioner)

    def _day(self, moment):
        local = moment.astimezone(self.tz)
        return local.date(), "am" if local.hour < 12 else "pm"

    def clash(self, practitioner, start, end):
        """End of a live appointment overlapping [start, end), or None."""
        day, _half = self._day(start)
        return next((e for s, e in self.busy[(practitioner.pk, day)] if s < end and start < e), None)

    def free(self, practitioner, start, end) -> bool:
        return self.clash(practitioner, start, end) is None

    def patient_free(self, patient, start, end) -> bool:
        return all(end <= s or e <= start for s, e in self.by_patient[patient.pk])

    def pick_type(self, key, practitioner, codes, moment, quotas):
        day, half = self._day(moment)
        weights = WEIGHTS[key]

        def allowed(code):
            quota = quotas.get(code)
            return quota is None or (
                (quota.max_per_day is None or self.counts[(practitioner.pk, code, day)] < quota.max_per_day)
                and (quota.max_per_half_day is None
                     or self.counts[(practitioner.pk, code, day, half)] < quota.max_per_half_day))

        choices = [code for code in codes if allowed(code)] or [min(codes, key=lambda c: self.types[c].duration)]
        return self.types[self.rng.choices(choices, [weights.get(code, 1) for code in choices])[0]]

    def patient(self, pool, key, practitioner, kind, start):
        """A patient of the team free around ``start``: never seen for a first visit, already
        seen for a type closed to new patients (when there is one)."""
        day, _half = self._day(start)
        end = start + kind.duration
        for attempt in range(15):
            patient = self.rng.choice(pool)
            seen = (patient.pk, practitioner.pk) in self.seen_by
            if (kind.code in FIRST_VISIT and seen) or (not kind.new_patients_allowed and not seen and attempt < 10):
                continue
            if kind.min_age is not None and patient.age_on(day) < kind.min_age:
                continue
            if self.patient_free(patient, start - timedelta(hours=1), end + timedelta(hours=1)):
                return patient
        return None

    def add(self, key, practitioner, site, patient, kind, start, *, pool=(), series=None, urgent=False,
            booked_at=None):
        rng = self.rng
        end = start + kind.duration
        if booked_at is None:
            ahead = timedelta(hours=rng.uniform(0.3, 6)) if urgent else timedelta(hours=rng.uniform(3, 24 * 40))
            booked_at = min(start - ahead, self.now - timedelta(minutes=rng.uniform(5, 600)))
        online = kind.bookable_online and not urgent and series is None and rng.random() < 0.3
        values = {
            "structure_id": practitioner.structure_id, "practitioner": practitioner, "site": site, "patient": patient,
            "appointment_type": kind, "series": series, "start": start, "end": end, "urgent": urgent,
            "is_first_visit": kind.code in FIRST_VISIT, "channel": Appointment.Channel.ONLINE if online
            else Appointment.Channel.DESK, "booked_by": None if online else rng.choice(self.desk[key]),
            "video_room_url": f"{VIDEO_BASE_URL}tilleuls-{rng.getrandbits(64):016x}"
            if kind.mode == Mode.TELECONSULTATION else "",
        }
        if pool and rng.random() < (0.07 if start < self.now else 0.04):
            # Someone else held this slot and cancelled; in the future the slot may still be free.
            other = rng.choice(pool)
            cancelled = self._cancelled(key, start, booked_at)
            self._append(Appointment(**{**values, "patient": other}, **cancelled), booked_at)
            if start > self.now and rng.random() < 0.5:
                return  # free again: the waiting list has something to propose
            booked_at = cancelled["cancelled_at"] + (min(start, self.now) - cancelled["cancelled_at"]) * rng.uniform(
                0.1, 0.9)
        self.seen_by.add((patient.pk, practitioner.pk))
        self._append(Appointment(**values, **self._status(start, end, booked_at)), booked_at)
        day, half = self._day(start)
        self.busy[(practitioner.pk, day)].append((start, end + kind.buffer_after))
        self.counts[(practitioner.pk, kind.code, day)] += 1
        self.counts[(practitioner.pk, kind.code, day, half)] += 1
        self.by_patient[patient.pk].append((start, end))

    def _append(self, appointment, booked_at) -> None:
        self.appointments.append(appointment)
        self.booked_at[id(appointment)] = booked_at

    def _cancelled(self, key, start, booked_at) -> dict:
        rng = self.rng
        cancelled_at = booked_at + (min(start, self.now) - booked_at) * rng.uniform(0.2, 0.95)
        by_patient = rng.random() < 0.8
        return {"status": S.CANCELLED, "status_changed_at": cancelled_at, "cancelled_at": cancelled_at,
                "cancelled_by_patient": by_patient, "cancellation_reason": rng.choice(CANCELLATIONS[by_patient]),
                "cancelled_by": None if by_patient and rng.random() < 0.3 else rng.choice(self.desk[key])}

    def _status(self, start, end, booked_at) -> dict:
        rng = self.rng
        if end <= self.now:
            draw = rng.random()
            if draw < 0.05:
                return {"status": S.MISSED, "status_changed_at": min(start + timedelta(minutes=20), self.now)}
            if draw < 0.07:
                return {"status": S.EXCUSED_LATE, "status_changed_at": min(start + timedelta(minutes=10), self.now)}
            confirmed = start - timedelta(hours=rng.uniform(3, 40)) if rng.random() < 0.4 else None
            return {"status": S.SEEN, "status_changed_at": end,
                    "confirmed_by_patient_at": confirmed if confirmed and confirmed > booked_at else None}
        if start <= self.now:
            return {"status": S.ARRIVED, "status_changed_at": max(booked_at, start - timedelta(minutes=8))}
        soon = start - self.now < timedelta(hours=48)
        confirmed = self.now - timedelta(hours=rng.uniform(0.5, 20)) if soon and rng.random() < 0.5 else None
        return {"status": S.BOOKED, "confirmed_by_patient_at": confirmed if confirmed and confirmed > booked_at
                else None}


def _waiting_list(maker, structure, created, users, today) -> int:
    """Patients hoping for an earlier slot than the one they hold (one has given up)."""
    later = [a for a in created if a.status == S.BOOKED and a.series_id is None and not a.urgent
             and a.start.astimezone(maker.tz).date() > today + timedelta(days=20)
             and a.appointment_type.code in ("consultation", "echographie", "kinesitherapie")]
    maker.rng.shuffle(later)
    notes = ["Souhaite être appelée dès qu'une place se libère", "Disponible avec deux heures de préavis", "",
             "Travaille le mercredi", "Préfère être prévenu par SMS", "A trouvé un rendez-vous ailleurs"]
    entries, patients = [], set()
    for appointment in later:
        if appointment.patient_id in patients:
            continue
        patients.add(appointment.patient_id)
        index = len(entries)
        entries.append(WaitingListEntry(
            structure=structure, patient=appointment.patient, appointment_type=appointment.appointment_type,
            practitioner=None if index == 2 else appointment.practitioner, current_appointment=appointment,
            not_before=today, latest=appointment.start.astimezone(maker.tz).date() - timedelta(days=1),
            mornings_only=index == 1, afternoons_only=index == 4, weekdays=[0, 1, 3, 4] if index == 3 else [],
            note=notes[index], created_by=users["secretaire"],
            status=WaitingListEntry.Status.WITHDRAWN if index == 5 else WaitingListEntry.Status.WAITING))
        if len(entries) == len(notes):
            break
    WaitingListEntry.objects.bulk_create(entries)
    return len(entries)


def _external(rng, structure, teams, staff, users, now, tz) -> int:
    rows = []
    for index, (kind, title, place, preparation, days, key) in enumerate(EXTERNAL):
        day = now.astimezone(tz).date() + timedelta(days=days)
        start = datetime.combine(day, time(8 + index, 15), tzinfo=tz)
        patient = rng.choice(list(Patient.objects.filter(care_teams=teams[key]).order_by("pk")[:60]))
        rows.append(ExternalAppointment(
            structure=structure, patient=patient, kind=kind, title=title, start=start, place=place,
            preparation=preparation, requested_by=staff[key], contact="Secrétariat du service",
            status=ExternalAppointment.Status.DONE if start < now else ExternalAppointment.Status.PLANNED,
            created_by=users["secretaire"]))
    ExternalAppointment.objects.bulk_create(rows)
    return len(rows)
