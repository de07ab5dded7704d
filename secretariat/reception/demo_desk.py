"""Demo data for "Today at the desk": the day's visits behind the agenda demo's appointments.

Runs at any hour. Today's appointments come from the agenda demo (seen ones in the past, the
one under way marked arrived, the rest booked). For each site: the patients already seen or in
consultation get their visit (ticket in order of arrival), one appointment that started a
quarter of an hour ago is left not arrived (late), three patients expected soon are checked in
through the service (one whose identity is not validated, without a document), and one walk-in
waits. Before opening, at night or on a day without appointments there is nothing to add.
"""

from datetime import datetime, timedelta

from django.utils import timezone

from secretariat.agenda.models import Appointment
from secretariat.patients.models import Patient
from secretariat.reception import services_desk
from secretariat.reception.models import Priority, Visit
from secretariat.reception.queries_desk import day_bounds

Status = Appointment.Status
WAITING_CHECK_INS = 3
EARLY_ARRIVAL = timedelta(minutes=45)


def seed_desk(structure, *, users: dict, now: datetime | None = None) -> None:
    now = now or timezone.now()
    desk_user = users.get("accueil") or next(iter(users.values()))
    day = timezone.localdate(now)
    start, end = day_bounds(day)
    todays = (Appointment.objects.filter(structure=structure, start__gte=start, start__lt=end)
              .exclude(status=Status.CANCELLED).select_related("patient", "site").order_by("start", "pk"))
    by_site: dict[int, list[Appointment]] = {}
    for appointment in todays:
        by_site.setdefault(appointment.site_id, []).append(appointment)
    for appointments in by_site.values():
        _seed_site(appointments, desk_user=desk_user, now=now, day=day)
    if by_site:
        busiest = max(by_site.values(), key=len)
        _seed_walk_in(busiest[0].site, structure, desk_user=desk_user, now=now, day=day, start=start, end=end)


def _seed_site(appointments: list[Appointment], *, desk_user, now: datetime, day) -> None:
    came = [appointment for appointment in appointments
            if appointment.status in (Status.SEEN, Status.ARRIVED) and appointment.start <= now]
    late = next((appointment for appointment in reversed(came) if appointment.status == Status.ARRIVED
                 and timedelta(minutes=12) <= now - appointment.start <= timedelta(minutes=25)), None)
    if late is not None:  # not arrived yet: the desk shows it as late
        came.remove(late)
        Appointment.objects.filter(pk=late.pk).update(status=Status.BOOKED, status_changed_at=None)
    def arrival(appointment):
        return appointment.start - timedelta(minutes=6 + appointment.pk % 9)

    for appointment in sorted(came, key=arrival):  # tickets in order of arrival
        arrived = arrival(appointment)
        seen = appointment.status == Status.SEEN
        Visit.objects.create(
            structure_id=appointment.structure_id, site_id=appointment.site_id, day=day,
            ticket=services_desk.next_ticket(appointment.site, day), patient=appointment.patient,
            appointment=appointment, practitioner_id=appointment.practitioner_id, arrived_at=arrived,
            checked_in_by=desk_user, state=Visit.State.DONE if seen else Visit.State.IN_CONSULTATION,
            called_at=appointment.start, called_by=desk_user, call_count=1,
            consultation_started_at=appointment.start + timedelta(minutes=2),
            finished_at=appointment.end if seen else None,
        )
    soon = [appointment for appointment in appointments if appointment.status == Status.BOOKED
            and now < appointment.start <= now + EARLY_ARRIVAL]
    unvalidated = next((appointment for appointment in soon
                        if services_desk.identity_needs_document(appointment.patient)), None)
    chosen = [appointment for appointment in soon if appointment is not unvalidated]
    chosen = chosen[: WAITING_CHECK_INS - (unvalidated is not None)] + ([unvalidated] if unvalidated else [])
    for index, appointment in enumerate(sorted(chosen, key=lambda item: item.start)):
        arrived = now - timedelta(minutes=2 + 4 * (len(chosen) - index))
        if timezone.localdate(arrived) != day:
            continue  # just after midnight: nobody arrived "yesterday" for today
        needs_document = services_desk.identity_needs_document(appointment.patient)
        services_desk.check_in_in_transaction(
            appointment, acting_user=desk_user, now=arrived,
            identity_document_presented=(appointment is not unvalidated) if needs_document else None)


def _seed_walk_in(site, structure, *, desk_user, now: datetime, day, start, end) -> None:
    if now.astimezone(timezone.get_current_timezone()).hour < 8:
        return  # nobody walks in before the doors open
    busy = Appointment.objects.filter(structure=structure, start__gte=start, start__lt=end).values("patient_id")
    patient = (Patient.objects.filter(structure=structure, merged_into__isnull=True,
                                      identity_status__in=["VALI", "QUAL"])
               .exclude(pk__in=busy).exclude(visits__day=day).order_by("pk").first())
    if patient is None:
        return
    services_desk.register_walk_in_in_transaction(
        site=site, acting_user=desk_user, now=now - timedelta(minutes=7), patient=patient,
        reason="Fièvre et toux depuis deux jours", priority=Priority.SAME_DAY)
