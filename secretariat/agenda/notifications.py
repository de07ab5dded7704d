"""Messages to patients about their appointments: confirmation, change, cancellation, reminder.

Only to the channels the patient agreed to (administrative file: ``email_consent`` with
``Patient.email``, ``sms_consent`` with ``mobile_phone``); no file or no answer means nothing is
sent. Texts are in French, rendered from ``agenda/messages/<kind>_{subject,email,sms}.txt``.
Each message is an ``AppointmentMessage`` with a unique key per appointment, so the same
reminder is never queued twice (``reminders.py`` relies on it).
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.exceptions import ObjectDoesNotExist
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from secretariat.agenda.models import (
    Appointment,
    AppointmentMessage,
    AppointmentType,
    TypeDirective,
)
from secretariat.agenda.queries import structure_time_zone
from secretariat.agenda.services_links import link_url
from secretariat.messaging.models import OutboundMessage
from secretariat.messaging.services import build_message, queue_messages

Kind = AppointmentMessage.Kind
Channel = OutboundMessage.Channel
PATIENT_LANGUAGE = "fr"  # the patient's preferred language is not used yet: messages are French

# Loaded with every appointment whose messages are rendered (one query for a whole batch).
RELATED = ("patient__administrative_file", "practitioner", "site", "structure", "appointment_type")


@dataclass(frozen=True)
class Contact:
    channel: str
    address: str


def patient_contacts(patient) -> list[Contact]:
    """Where the patient agreed to receive messages: e-mail first, then SMS."""
    try:
        file = patient.administrative_file
    except ObjectDoesNotExist:
        return []
    contacts = []
    if file.email_consent is True and patient.email:
        contacts.append(Contact(Channel.EMAIL, patient.email))
    if file.sms_consent is True and file.mobile_phone:
        contacts.append(Contact(Channel.SMS, file.mobile_phone))
    return contacts


def purpose_of(kind: str) -> str:
    return f"agenda.{kind}"


def start_key(start: datetime) -> str:
    """The start in UTC, compact: keys stay short and equal whatever the time zone."""
    return start.astimezone(UTC).strftime("%Y%m%dT%H%MZ")


def message_key(appointment: Appointment, kind: str, channel: str, *, hours: int | None = None) -> str:
    when = start_key(appointment.start)
    if kind == Kind.REMINDER:
        return f"reminder:{hours or 0}:{when}:{channel}"
    if kind == Kind.CHANGE:
        # Each move is news, even back to an earlier time: the moment of the move makes it unique.
        return f"change:{when}:{timezone.now().strftime('%Y%m%dT%H%M%S.%f')}:{channel}"
    return f"{kind}:{when}:{channel}"


def extra_instructions_for(appointments) -> dict[tuple[int, int], str]:
    """The practitioners' own preparation instructions per (practitioner, type), in one query."""
    pairs = {(a.practitioner_id, a.appointment_type_id) for a in appointments}
    if not pairs:
        return {}
    rows = (TypeDirective.objects
            .filter(practitioner_id__in={p for p, _t in pairs}, appointment_type_id__in={t for _p, t in pairs})
            .exclude(extra_instructions="")
            .values_list("practitioner_id", "appointment_type_id", "extra_instructions"))
    return {(p, t): text for p, t, text in rows if (p, t) in pairs}


def long_date_time(moment: datetime) -> str:
    """"mardi 1er décembre 2026 à 09:00", in the structure's time zone and the active language."""
    local = moment.astimezone(structure_time_zone())
    day = _("1st") if local.day == 1 else str(local.day)
    weekday = formats.date_format(local, "l")
    if translation.get_language().startswith("fr"):
        # Django's catalogue capitalises day names (standalone labels); in a sentence French
        # writes them in lower case: "le mardi 1er décembre".
        weekday = weekday.lower()
    date_text = _("%(weekday)s %(day)s %(month)s %(year)s") % {
        "weekday": weekday, "day": day,
        "month": formats.date_format(local, "F"), "year": local.year,
    }
    return _("%(date)s at %(time)s") % {"date": date_text, "time": local.strftime("%H:%M")}


def short_place(appointment: Appointment) -> str:
    """Where, in a few words (SMS): the address, the video link, or the patient's home."""
    mode = appointment.appointment_type.mode
    if mode == AppointmentType.Mode.TELECONSULTATION:
        if appointment.video_room_url:
            return _("by video: %(url)s") % {"url": appointment.video_room_url}
        return _("by video")
    if mode == AppointmentType.Mode.HOME_VISIT:
        return _("at your home")
    site = appointment.site
    return f"{site.address}, {site.postal_code} {site.city}"


def message_context(appointment: Appointment, *, extra_instructions: str = "") -> dict:
    kind_of_place = appointment.appointment_type.mode
    return {
        "place": short_place(appointment),
        "appointment": appointment,
        "structure": appointment.structure,
        "when": long_date_time(appointment.start),
        "practitioner": appointment.practitioner.display_name,
        "specialty": appointment.practitioner.specialty,
        "type_label": appointment.appointment_type.label,
        "site": appointment.site,
        "at_practice": kind_of_place == AppointmentType.Mode.PRACTICE,
        "teleconsultation": kind_of_place == AppointmentType.Mode.TELECONSULTATION,
        "home_visit": kind_of_place == AppointmentType.Mode.HOME_VISIT,
        "video_url": appointment.video_room_url,
        "preparation": appointment.appointment_type.preparation_instructions.strip(),
        "extra_instructions": extra_instructions.strip(),
        "documents": appointment.appointment_type.documents_to_bring.strip(),
        "link": link_url(appointment),
    }


_BLANK_LINES = re.compile(r"\n\s*\n(\s*\n)+")


def _tidy_email(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)) + "\n"


def render_message(kind: str, channel: str, context: dict) -> tuple[str, str]:
    """(subject, body) of one message; call it under ``translation.override``."""
    folder = "agenda/messages"
    if channel == Channel.SMS:
        return "", " ".join(render_to_string(f"{folder}/{kind}_sms.txt", context).split())
    subject = " ".join(render_to_string(f"{folder}/{kind}_subject.txt", context).split())
    return subject, _tidy_email(render_to_string(f"{folder}/{kind}_email.txt", context))


@dataclass
class PendingMessage:
    appointment: Appointment
    kind: str
    key: str
    message: OutboundMessage


def build_appointment_messages(appointment: Appointment, kind: str, *, hours: int | None = None,
                               extra_instructions: str = "") -> list[PendingMessage]:
    """Unsaved messages of one kind for one appointment, one per channel the patient agreed to."""
    contacts = patient_contacts(appointment.patient)
    if not contacts:
        return []
    with translation.override(PATIENT_LANGUAGE):
        context = message_context(appointment, extra_instructions=extra_instructions)
        pending = []
        for contact in contacts:
            subject, body = render_message(kind, contact.channel, context)
            message = build_message(
                structure_id=appointment.structure_id, channel=contact.channel, recipient=contact.address,
                body=body, subject=subject, purpose=purpose_of(kind), patient=appointment.patient,
            )
            pending.append(PendingMessage(appointment, kind, message_key(appointment, kind, contact.channel,
                                                                         hours=hours), message))
    return pending


def save_pending(pending: list[PendingMessage]) -> list[AppointmentMessage]:
    """Store the messages whose key is new and queue them for delivery after the commit.

    Call inside a transaction. Keys already used are skipped (the same reminder twice)."""
    if not pending:
        return []
    appointment_ids = {item.appointment.pk for item in pending}
    used = set(AppointmentMessage.objects.filter(appointment_id__in=appointment_ids,
                                                 key__in=[item.key for item in pending])
               .values_list("appointment_id", "key"))
    fresh, seen = [], set()
    for item in pending:
        identity = (item.appointment.pk, item.key)
        if identity not in used and identity not in seen:
            seen.add(identity)
            fresh.append(item)
    queue_messages([item.message for item in fresh])
    return AppointmentMessage.objects.bulk_create([
        AppointmentMessage(appointment=item.appointment, kind=item.kind, key=item.key, message=item.message)
        for item in fresh
    ])


def queue_appointment_messages(appointment: Appointment, kind: str, *, hours: int | None = None
                               ) -> list[AppointmentMessage]:
    """Queue the ``kind`` message about ``appointment`` to each channel the patient agreed to.

    Call it inside the service's transaction: the messages leave after the commit. Nothing is
    sent about an appointment already started, nor, except its cancellation, a cancelled one.
    """
    if kind not in Kind.values:
        raise ValueError(f"unknown kind of appointment message {kind!r}")
    if appointment.start <= timezone.now():
        return []
    if kind != Kind.CANCELLATION and appointment.status == Appointment.Status.CANCELLED:
        return []
    extra = extra_instructions_for([appointment]).get(
        (appointment.practitioner_id, appointment.appointment_type_id), "")
    return save_pending(build_appointment_messages(appointment, kind, hours=hours, extra_instructions=extra))
