"""Reads of the online booking pages: what a patient may book, and the free slots offered.

Only types marked bookable online and active, of a structure whose online booking is open;
only practitioners with a weekly period for the type who have not refused it; only slots
after the practitioner's online notice (``PractitionerDirectives.online_min_notice_hours``),
within the structure's horizon (``AgendaSettings.online_booking_days``), never urgent ones.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from secretariat.agenda.models import AgendaSettings, AppointmentType, TypeDirective, WeeklyPeriod
from secretariat.agenda.queries import FreeSlot, free_slots_for, structure_time_zone
from secretariat.core.models import Practitioner, Site, Structure


@dataclass(frozen=True)
class Booking:
    """The structure and its settings, when its online booking is open."""

    structure: Structure
    settings: AgendaSettings

    def horizon_end(self, now: datetime) -> datetime:
        """The first instant past the horizon: midnight after the last day offered."""
        tz = structure_time_zone()
        last_day = now.astimezone(tz).date() + timedelta(days=self.settings.online_booking_days)
        return datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=tz)

    def contact_phone(self, site: Site | None = None) -> str:
        return contact_phone(self.structure, site)


def contact_phone(structure, site: Site | None = None) -> str:
    """The number patients are told to call: the slot's site, else any site of the structure."""
    if site is not None and site.phone:
        return site.phone
    return (Site.objects.filter(structure=structure).exclude(phone="").order_by("pk")
            .values_list("phone", flat=True).first() or "")


def booking_of(structure_id: int) -> tuple[Structure, Booking | None]:
    """The structure (404 when unknown) and its online booking, None when it is not open."""
    structure = get_object_or_404(Structure, pk=structure_id)
    settings = AgendaSettings.for_structure(structure.pk)
    return structure, (Booking(structure, settings) if settings.online_booking_enabled else None)


def online_types(structure) -> list[AppointmentType]:
    return list(AppointmentType.objects.filter(structure=structure, bookable_online=True, is_active=True)
                .order_by("label", "pk"))


def online_type(structure, type_id: int) -> AppointmentType:
    """A type a patient may book online in ``structure``; 404 for any other."""
    found = AppointmentType.objects.filter(structure=structure, pk=type_id, bookable_online=True,
                                           is_active=True).first()
    if found is None:
        raise Http404
    return found


def practitioners_for(appointment_type, *, today: date) -> list[Practitioner]:
    """Active practitioners of the type's structure with a current weekly period open to the type
    (a period listing no type is open to all) who have not refused the type. Three queries."""
    periods = (WeeklyPeriod.objects.filter(practitioner__structure_id=appointment_type.structure_id,
                                           practitioner__is_active=True, reserved_for_urgent=False)
               .exclude(valid_until__lt=today)
               .filter(Q(appointment_types=appointment_type) | Q(appointment_types__isnull=True)))
    ids = set(periods.values_list("practitioner_id", flat=True))
    ids -= set(TypeDirective.objects.filter(appointment_type=appointment_type, accepted=False)
               .values_list("practitioner_id", flat=True))
    return list(Practitioner.objects.filter(pk__in=ids).order_by("last_name", "first_name", "pk"))


def offered_slots(practitioners, appointment_type, *, between: tuple[datetime, datetime], now: datetime,
                  limit: int) -> list[FreeSlot]:
    """The ``limit`` earliest slots patients may book online, earliest first: the slot search
    with ``online=True`` starts each practitioner at now + their online notice."""
    return free_slots_for(list(practitioners), appointment_type=appointment_type, between=between, now=now,
                          urgent=False, online=True, limit=limit)


def offered_slot(practitioner, appointment_type, *, site_id: int, start: datetime, now: datetime,
                 horizon_end: datetime) -> FreeSlot | None:
    """The slot at ``start`` if patients may still book it online, else None."""
    if start >= horizon_end:
        return None
    slots = offered_slots([practitioner], appointment_type, between=(start, start + timedelta(minutes=1)),
                          now=now, limit=3)
    return next((slot for slot in slots if slot.start == start and slot.site.pk == site_id), None)


def slots_by_day(slots: list[FreeSlot]) -> list[tuple[date, list[FreeSlot]]]:
    """Slots grouped by their local day, in order."""
    tz = structure_time_zone()
    days: dict[date, list[FreeSlot]] = {}
    for slot in slots:
        days.setdefault(slot.start.astimezone(tz).date(), []).append(slot)
    return list(days.items())
