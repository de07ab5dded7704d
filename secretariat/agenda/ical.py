"""A practitioner's agenda as an iCalendar feed (RFC 5545), for their own calendar application.

What a client receives: the appointments from 30 days ago to 180 days ahead, with the patient's
name and the type in SUMMARY (the feed is the practitioner's private calendar), the site in
LOCATION, CLASS:PRIVATE, times in UTC (``…Z``: every client reads them without a VTIMEZONE).
Cancelled appointments are sent for a week after their cancellation with STATUS:CANCELLED, so
clients that kept them learn it, then they leave the feed. UIDs are stable per appointment,
so a moved appointment moves in the client instead of appearing twice.

Lines are folded at 75 octets by the icalendar library, as RFC 5545 §3.1 asks.
"""

from datetime import UTC, datetime, timedelta

from django.db.models import Q
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from secretariat.agenda.models import Appointment, AppointmentType

PAST = timedelta(days=30)
AHEAD = timedelta(days=180)
CANCELLED_KEPT = timedelta(days=7)
REFRESH = timedelta(hours=1)
PRODID = "-//Secretariat//Agenda//FR"


def feed_appointments(practitioner, *, now: datetime) -> list[Appointment]:
    """The appointments a feed shows (one query)."""
    cancelled = Appointment.Status.CANCELLED
    return list(
        Appointment.objects.filter(practitioner=practitioner, start__gte=now - PAST, start__lt=now + AHEAD)
        .filter(~Q(status=cancelled) | Q(status=cancelled, cancelled_at__gte=now - CANCELLED_KEPT))
        .select_related("patient", "site", "appointment_type").order_by("start", "pk")
    )


def appointment_uid(appointment: Appointment, *, domain: str) -> str:
    return f"appointment-{appointment.pk}@{domain}"


def build_calendar(practitioner, appointments: list[Appointment], *, domain: str, now: datetime) -> bytes:
    """The VCALENDAR of ``appointments``; ``domain`` (the server's host) makes the UIDs unique."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("Appointments of %(practitioner)s") % {"practitioner": practitioner.display_name})
    # How often a client should fetch again (RFC 7986, and the older Microsoft name).
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", REFRESH)
    stamp = now.astimezone(UTC)
    for appointment in appointments:
        calendar.add_component(_event(appointment, domain=domain, stamp=stamp))
    return calendar.to_ical()


def _event(appointment: Appointment, *, domain: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", appointment_uid(appointment, domain=domain))
    event.add("dtstamp", stamp)
    event.add("dtstart", appointment.start.astimezone(UTC))
    event.add("dtend", appointment.end.astimezone(UTC))
    summary = _("%(type)s — %(patient)s") % {"type": appointment.appointment_type.label,
                                              "patient": appointment.patient.display_name}
    cancelled = appointment.status == Appointment.Status.CANCELLED
    if cancelled:
        # Some clients ignore STATUS: the word in the title says it anyway.
        summary = _("Cancelled: %(summary)s") % {"summary": summary}
    event.add("summary", summary)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("class", "PRIVATE")
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    mode = appointment.appointment_type.mode
    if mode == AppointmentType.Mode.TELECONSULTATION:
        event.add("location", _("Teleconsultation"))
        if appointment.video_room_url:
            event.add("url", appointment.video_room_url)
    elif mode == AppointmentType.Mode.HOME_VISIT:
        # The patient's address stays in the file: the feed carries no more than the agenda's line.
        event.add("location", _("Home visit"))
    else:
        site = appointment.site
        event.add("location", ", ".join(part for part in (site.name, site.address,
                                                          f"{site.postal_code} {site.city}".strip()) if part))
    changed = appointment.cancelled_at or appointment.status_changed_at or appointment.booked_at
    if changed is not None:
        event.add("last-modified", changed.astimezone(UTC))
    return event
