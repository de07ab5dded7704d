"""Writes of online booking: send a code, then book when the right code comes back.

A code request stores the patient's choice and what they typed in an ``OnlineBookingRequest``
(the code hashed with an HMAC of the secret key, valid 15 minutes, 5 attempts) and queues the
code through ``messaging.services.queue_message``, in one transaction.

The right code books in one transaction: the request row is locked (two tabs sending the same
code take turns), the patient is found or created as a provisional identity
(``identities.py``), then ``book_in_transaction`` books with its own checks and the
practitioner's directives. Fifty patients confirming one slot at once: the database lets one
appointment in (exclusion constraint on PostgreSQL, IMMEDIATE transactions on SQLite); every
other transaction rolls back to its savepoint, so no identity is left without its appointment.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from secretariat.agenda.directives import live_conflicts, variant_of
from secretariat.agenda.models import Appointment, OnlineBookingRequest
from secretariat.agenda.online import identities, throttle
from secretariat.agenda.queries import FreeSlot, structure_time_zone
from secretariat.agenda.rules import directives as directive_rules
from secretariat.agenda.services import DirectiveViolation, book_in_transaction
from secretariat.core import audit
from secretariat.core.services.errors import ServiceError
from secretariat.messaging.models import OutboundMessage
from secretariat.messaging.services import queue_message

CODE_VALIDITY = timedelta(minutes=15)
MAX_ATTEMPTS = 5
REQUEST_LINK_AGE = timedelta(days=1)
CODE_PURPOSE = "agenda.online_code"
_CODE_SALT = "secretariat.agenda.online.code"
_REQUEST_LINK_SALT = "secretariat.agenda.online.request"
# Refusals that do not depend on who the patient is: shown as "slot just taken".
_SLOT_REFUSALS = frozenset({directive_rules.ONLINE_NOTICE, directive_rules.MIN_NOTICE,
                            directive_rules.QUOTA_DAY, directive_rules.QUOTA_HALF_DAY,
                            directive_rules.NOT_BOOKABLE_ONLINE, directive_rules.TYPE_NOT_ACCEPTED})


class Throttled(ServiceError):
    """Too many code requests: nothing was written."""


@dataclass(frozen=True)
class Applicant:
    """What the patient typed, already cleaned by the form (names under the RNIV rules)."""

    last_name: str
    first_names: str
    birth_date: object
    sex: str
    email: str
    phone: str
    consent: bool


class Outcome(StrEnum):
    BOOKED = "booked"
    ALREADY_CONFIRMED = "already_confirmed"
    WRONG_CODE = "wrong_code"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    EXPIRED = "expired"
    SLOT_TAKEN = "slot_taken"
    REFUSED = "refused"


@dataclass(frozen=True)
class Confirmation:
    outcome: Outcome
    booking_request: OnlineBookingRequest
    attempts_left: int = 0


# --- Codes and links --------------------------------------------------------------------------


def new_code() -> str:
    return f"{secrets.randbelow(10 ** 6):06d}"


def hash_code(code: str, *, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(8)
    return f"{salt}${salted_hmac(_CODE_SALT, f'{salt}:{code}').hexdigest()}"


def code_matches(code: str, code_hash: str) -> bool:
    salt, _separator, _digest = code_hash.partition("$")
    return bool(salt) and constant_time_compare(hash_code(code.strip(), salt=salt), code_hash)


def request_token(booking_request: OnlineBookingRequest, *, consent: bool) -> str:
    """The code page's address: the request and the patient's consent to messages, signed (the
    request row has no field for the consent, so it travels with the link until the code)."""
    return signing.dumps({"pk": booking_request.pk, "consent": consent}, salt=_REQUEST_LINK_SALT, compress=False)


def read_request_token(token: str) -> tuple[int, bool]:
    """(request id, consent); signing.BadSignature when forged or a day old. The code's own
    expiry is the request's: a page opened late says "expired" rather than "not found"."""
    payload = signing.loads(token, salt=_REQUEST_LINK_SALT, max_age=REQUEST_LINK_AGE)
    if not isinstance(payload, dict) or not isinstance(payload.get("pk"), int):
        raise signing.BadSignature("no request in the link")
    return payload["pk"], bool(payload.get("consent"))


def masked_contact(booking_request: OnlineBookingRequest) -> str:
    """Where the code went, masked enough to be shown on a shared screen: m•••@example.org."""
    if booking_request.email:
        local, _at, domain = booking_request.email.partition("@")
        return f"{local[:1]}•••@{domain}"
    return f"•• •• •• {booking_request.phone[-4:-2]} {booking_request.phone[-2:]}"


# --- Step 1: the code -------------------------------------------------------------------------


def _code_message(booking_request: OnlineBookingRequest, code: str, structure_name: str) -> str:
    local = booking_request.start.astimezone(structure_time_zone())
    return _("%(code)s is your code to confirm the appointment of %(date)s at %(time)s (%(structure)s). "
             "It is valid for 15 minutes. If you did not ask for it, ignore this message.") % {
        "code": code, "date": date_format(local, "d/m/Y"), "time": date_format(local, "H:i"),
        "structure": structure_name}


@transaction.atomic(durable=True)
def request_code(*, structure, appointment_type, slot: FreeSlot, applicant: Applicant,
                 client_address: str | None, now: datetime | None = None) -> tuple[OnlineBookingRequest, str]:
    """Store the choice and send a 6-digit code to the patient's e-mail (else mobile phone).

    Raises ``Throttled`` (nothing written) past the limits per address and per contact."""
    now = now or timezone.now()
    refusal = throttle.refusal(client_address=client_address, email=applicant.email, phone=applicant.phone,
                               now=now)
    if refusal:
        raise Throttled(refusal)
    code = new_code()
    booking_request = OnlineBookingRequest.objects.create(
        structure=structure, appointment_type=appointment_type, practitioner=slot.practitioner, site=slot.site,
        start=slot.start, last_name=applicant.last_name, first_names=applicant.first_names,
        birth_date=applicant.birth_date, sex=applicant.sex, email=applicant.email, phone=applicant.phone,
        code_hash=hash_code(code), client_address=client_address, expires_at=now + CODE_VALIDITY,
    )
    channel = OutboundMessage.Channel.EMAIL if applicant.email else OutboundMessage.Channel.SMS
    queue_message(structure_id=structure.pk, channel=channel, recipient=applicant.email or applicant.phone,
                  subject=_("Your confirmation code"), purpose=CODE_PURPOSE,
                  body=_code_message(booking_request, code, structure.name))
    audit.record("agenda.online_code_sent", target=booking_request, structure_id=structure.pk,
                 data={"channel": channel, "practitioner_id": slot.practitioner.pk,
                       "appointment_type": appointment_type.code})
    return booking_request, code


# --- Step 2: the right code books -------------------------------------------------------------


@transaction.atomic(durable=True)
def confirm_booking(booking_request_id: int, *, code: str, consent: bool,
                    now: datetime | None = None) -> Confirmation:
    """Check the code; when right, find or create the patient and book, in this one transaction.

    A wrong code counts an attempt (the fifth closes the request). A refused booking undoes the
    identity created for it (savepoint) and closes the request; whatever the reason that
    depends on the patient, they read one neutral message.
    """
    now = now or timezone.now()
    Status = OnlineBookingRequest.Status
    booking_request = (OnlineBookingRequest.objects.select_for_update()
                       .select_related("structure", "practitioner", "appointment_type", "site")
                       .get(pk=booking_request_id))
    if booking_request.status != Status.PENDING:
        return Confirmation(closed_outcome(booking_request), booking_request)
    if now >= booking_request.expires_at:
        booking_request.status = Status.EXPIRED
        booking_request.save(update_fields=["status"])
        return Confirmation(Outcome.EXPIRED, booking_request)
    if not code_matches(code, booking_request.code_hash):
        booking_request.attempts += 1
        if booking_request.attempts >= MAX_ATTEMPTS:
            booking_request.status = Status.FAILED
        booking_request.save(update_fields=["attempts", "status"])
        left = MAX_ATTEMPTS - booking_request.attempts
        return Confirmation(Outcome.WRONG_CODE if left else Outcome.TOO_MANY_ATTEMPTS, booking_request,
                            attempts_left=left)
    try:
        with transaction.atomic():  # savepoint: a refused booking leaves no identity behind
            appointment, created = _book(booking_request, consent=consent)
    except DirectiveViolation as refusal:
        codes = {violation.code for violation in refusal.violations}
        return _close(booking_request, Outcome.SLOT_TAKEN if codes <= _SLOT_REFUSALS else Outcome.REFUSED)
    except ServiceError:  # taken meanwhile (at a desk, online), or no longer in the practitioner's periods
        return _close(booking_request, Outcome.SLOT_TAKEN)
    booking_request.status = Status.CONFIRMED
    booking_request.appointment = appointment
    booking_request.save(update_fields=["status", "appointment"])
    audit.record("agenda.online_code_confirmed", target=booking_request, patient_id=appointment.patient_id,
                 structure_id=booking_request.structure_id, data={"new_patient": created})
    return Confirmation(Outcome.BOOKED, booking_request)


def _close(booking_request: OnlineBookingRequest, outcome: Outcome) -> Confirmation:
    booking_request.status = OnlineBookingRequest.Status.FAILED
    booking_request.save(update_fields=["status"])
    return Confirmation(outcome, booking_request)


def _book(booking_request: OnlineBookingRequest, *, consent: bool) -> tuple[Appointment, bool]:
    """(appointment, whether the identity was created); ServiceError when the slot is gone."""
    practitioner, appointment_type = booking_request.practitioner, booking_request.appointment_type
    # Early answer for the patients who lost the race, before any identity is written.
    end = booking_request.start + variant_of(appointment_type, practitioner.pk).duration
    if live_conflicts(practitioner.pk, booking_request.start, end).exists():
        raise ServiceError(_("This slot has just been taken."))
    patient, created = identities.find_or_create_patient(booking_request, consent=consent)
    appointment = book_in_transaction(
        practitioner=practitioner, patient=patient, appointment_type=appointment_type,
        start=booking_request.start, site=booking_request.site, acting_user=None,
        channel=Appointment.Channel.ONLINE,
    )
    return appointment, created


def closed_outcome(booking_request: OnlineBookingRequest) -> Outcome:
    """Why a request that is no longer pending cannot take a code."""
    if booking_request.status == OnlineBookingRequest.Status.CONFIRMED:
        return Outcome.ALREADY_CONFIRMED
    if booking_request.status == OnlineBookingRequest.Status.EXPIRED:
        return Outcome.EXPIRED
    return Outcome.TOO_MANY_ATTEMPTS if booking_request.attempts >= MAX_ATTEMPTS else Outcome.SLOT_TAKEN


def expire_if_due(booking_request: OnlineBookingRequest, *, now: datetime | None = None) -> bool:
    """Whether the code can no longer be used (marks a pending request expired)."""
    now = now or timezone.now()
    if booking_request.status == OnlineBookingRequest.Status.PENDING and now >= booking_request.expires_at:
        OnlineBookingRequest.objects.filter(pk=booking_request.pk, status=OnlineBookingRequest.Status.PENDING) \
            .update(status=OnlineBookingRequest.Status.EXPIRED)
        booking_request.status = OnlineBookingRequest.Status.EXPIRED
    return booking_request.status != OnlineBookingRequest.Status.PENDING



# A request older than this is deleted by the nightly task: the rate limits count one hour back.
REQUEST_RETENTION = timedelta(days=30)


@transaction.atomic(durable=True)
def purge_old_online_requests(*, now: datetime | None = None) -> int:
    """Delete the booking requests (names, birth dates, contacts typed online) older than a month."""
    cutoff = (now or timezone.now()) - REQUEST_RETENTION
    deleted, _details = OnlineBookingRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted
