"""Writes of the waiting list: add and withdraw entries, book a freed slot for a waiting
patient, offer it to several by SMS or e-mail, and the patient's answer to an offer.

First to accept wins: accepting locks every offer of the slot (ordered by id, so two
acceptances queue instead of deadlocking) before booking; the booking itself is refused by
the database if the slot was taken meanwhile (desk booking), and the offer is then marked
taken. One transaction per action, audit inside.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from secretariat.agenda import links
from secretariat.agenda.directives import variant_of
from secretariat.agenda.models import AgendaSettings, Appointment, SlotOffer, WaitingListEntry
from secretariat.agenda.notifications import patient_contacts
from secretariat.agenda.queries import structure_time_zone
from secretariat.agenda.queries_waiting import slot_is_still_free
from secretariat.agenda.services import book_in_transaction, cancel_in_transaction
from secretariat.core import audit
from secretariat.core.services.errors import ServiceError
from secretariat.messaging.services import queue_message

Entry = WaitingListEntry
Offer = SlotOffer
OFFER_PURPOSE = "agenda.slot_offer"
# The signed link outlives no offer: the offer's own expiry is checked on every answer.
OFFER_LINK_MAX_AGE = timedelta(days=14)


def _lock_slot(practitioner_id: int, start: datetime, end: datetime) -> list[SlotOffer]:
    """Lock every offer of a slot, by id. Whoever writes about a slot (an acceptance, a booking
    from the list) takes these locks first, then the entry's: two writers queue, never deadlock."""
    return list(Offer.objects.select_for_update().filter(practitioner_id=practitioner_id, start__lt=end,
                                                         end__gt=start).order_by("pk"))


def _same_structure(structure_id: int, *objects) -> bool:
    return all(item is None or item.structure_id == structure_id for item in objects)


@transaction.atomic(durable=True)
def add_to_waiting_list(*, patient, appointment_type, latest: date, acting_user, practitioner=None,
                        not_before: date | None = None, mornings_only: bool = False, afternoons_only: bool = False,
                        weekdays=(), note: str = "", current_appointment=None) -> WaitingListEntry:
    """Put a patient on the waiting list for ``appointment_type`` (with ``practitioner`` or any)."""
    structure_id = patient.structure_id
    if not _same_structure(structure_id, appointment_type, practitioner):
        raise ServiceError(_("The patient, the practitioner and the appointment type must belong to the "
                             "same structure."))
    today = timezone.localdate()
    if latest < today:
        raise ServiceError(_("The latest date is already past: choose a later one."))
    if not_before is not None and not_before > latest:
        raise ServiceError(_("“Not before” must come before the latest date."))
    if mornings_only and afternoons_only:
        raise ServiceError(_("Choose mornings only or afternoons only, not both."))
    weekdays = sorted({int(day) for day in weekdays})
    if any(not 0 <= day <= 6 for day in weekdays):
        raise ServiceError(_("Unknown day of the week."))
    if current_appointment is not None and (
        current_appointment.patient_id != patient.pk or current_appointment.status != Appointment.Status.BOOKED
        or current_appointment.start <= timezone.now()
    ):
        raise ServiceError(_("The appointment to bring forward must be a coming appointment of this patient."))
    duplicate = Entry.objects.filter(patient=patient, appointment_type=appointment_type, practitioner=practitioner,
                                     status=Entry.Status.WAITING).exists()
    if duplicate:
        raise ServiceError(_("This patient is already waiting for this appointment type."))
    entry = Entry.objects.create(
        structure_id=structure_id, patient=patient, practitioner=practitioner, appointment_type=appointment_type,
        current_appointment=current_appointment, not_before=not_before, latest=latest,
        mornings_only=mornings_only, afternoons_only=afternoons_only, weekdays=weekdays, note=note.strip(),
        created_by=acting_user,
    )
    audit.record("agenda.waiting_entry_added", target=entry, patient_id=patient.pk, structure_id=structure_id,
                 acting_user=acting_user,
                 data={"appointment_type": appointment_type.code,
                       "practitioner_id": practitioner.pk if practitioner else None, "latest": latest.isoformat()})
    return entry


@transaction.atomic(durable=True)
def withdraw_entry(entry, *, acting_user) -> WaitingListEntry:
    """Take a patient off the waiting list; their open offers can no longer be accepted."""
    list(Offer.objects.select_for_update().filter(entry_id=entry.pk, status=Offer.Status.OFFERED).order_by("pk"))
    entry = Entry.objects.select_for_update().get(pk=entry.pk)
    if entry.status != Entry.Status.WAITING:
        raise ServiceError(_("This patient is no longer waiting."))
    entry.status = Entry.Status.WITHDRAWN
    entry.save(update_fields=["status"])
    entry.offers.filter(status=Offer.Status.OFFERED).update(status=Offer.Status.EXPIRED)
    audit.record("agenda.waiting_entry_withdrawn", target=entry, patient_id=entry.patient_id,
                 structure_id=entry.structure_id, acting_user=acting_user)
    return entry


def _bring_forward(entry, appointment, *, acting_user) -> None:
    """Close the entry on ``appointment``; cancel the later appointment it replaces; the
    slot's other offers are taken."""
    entry.status = Entry.Status.BOOKED
    entry.booked_appointment = appointment
    entry.save(update_fields=["status", "booked_appointment"])
    (Offer.objects.filter(practitioner_id=appointment.practitioner_id, status=Offer.Status.OFFERED,
                          start__lt=appointment.end, end__gt=appointment.start)
     .update(status=Offer.Status.TAKEN))
    later = entry.current_appointment
    if later is not None and later.pk != appointment.pk and later.status == Appointment.Status.BOOKED:
        cancel_in_transaction(later, reason=_("Brought forward"), by_patient=True, acting_user=acting_user)
    audit.record("agenda.waiting_entry_booked", target=entry, patient_id=entry.patient_id,
                 structure_id=entry.structure_id, acting_user=acting_user,
                 data={"appointment_id": appointment.pk, "replaced_appointment_id": later.pk if later else None})


def _check_practitioner(entry, practitioner) -> None:
    if entry.practitioner_id not in (None, practitioner.pk) or practitioner.structure_id != entry.structure_id:
        raise ServiceError(_("This patient waits for another practitioner."))


@transaction.atomic(durable=True)
def book_for_entry(entry, *, practitioner, start: datetime, acting_user, site=None,
                   override_reason: str = "") -> Appointment:
    """Book the freed slot at ``start`` for a waiting patient; their later appointment, if any,
    is cancelled (brought forward)."""
    kind = Entry.objects.select_related("appointment_type").get(pk=entry.pk).appointment_type
    _lock_slot(practitioner.pk, start, start + variant_of(kind, practitioner.pk).duration)
    entry = (Entry.objects.select_for_update(of=("self",))
             .select_related("patient", "appointment_type", "current_appointment").get(pk=entry.pk))
    if entry.status != Entry.Status.WAITING:
        raise ServiceError(_("This patient is no longer waiting."))
    _check_practitioner(entry, practitioner)
    appointment = book_in_transaction(
        practitioner=practitioner, patient=entry.patient, appointment_type=entry.appointment_type, start=start,
        acting_user=acting_user, site=site, override_reason=override_reason, note=entry.note,
    )
    _bring_forward(entry, appointment, acting_user=acting_user)
    return appointment


# --- Offers by SMS or e-mail ------------------------------------------------------------------


@dataclass
class OfferRound:
    """What ``offer_slot`` did: the offers made, and the entries nobody could reach."""

    offers: list
    unreachable: list


def _offer_text(offer, *, link: str) -> str:
    tz = structure_time_zone()
    start, expires = offer.start.astimezone(tz), offer.expires_at.astimezone(tz)
    return _(
        "An earlier appointment is free: %(type)s with %(practitioner)s on %(day)s at %(time)s (%(site)s). "
        "The first patient to accept gets it; answer before %(expires_day)s at %(expires_time)s: %(link)s"
    ) % {
        "type": offer.entry.appointment_type.label, "practitioner": offer.practitioner.display_name,
        "day": formats.date_format(start, "l j F"), "time": start.strftime("%H:%M"), "site": offer.site.name,
        "expires_day": formats.date_format(expires, "l j F"), "expires_time": expires.strftime("%H:%M"),
        "link": link,
    }


@transaction.atomic(durable=True)
def offer_slot(*, entries, practitioner, site, start: datetime, end: datetime, acting_user) -> OfferRound:
    """Offer the freed slot [start, end) to several waiting patients at once, by every channel
    each consented to; the offers expire after the structure's validity (or at the slot)."""
    now = timezone.now()
    if start <= now:
        raise ServiceError(_("This slot is in the past: choose a later one."))
    if not slot_is_still_free(practitioner, start, end):
        raise ServiceError(_("This slot has been booked in the meantime."))
    validity = timedelta(minutes=AgendaSettings.for_structure(practitioner.structure_id).offer_validity_minutes)
    expires_at = min(now + validity, start)
    locked = (Entry.objects.select_for_update(of=("self",)).select_related("patient", "appointment_type")
              .filter(pk__in=[entry.pk for entry in entries]).order_by("pk"))
    offers, unreachable = [], []
    for entry in locked:
        if entry.status != Entry.Status.WAITING:
            raise ServiceError(_("%(patient)s is no longer waiting.") % {"patient": entry.patient.display_name})
        _check_practitioner(entry, practitioner)
        duration = variant_of(entry.appointment_type, practitioner.pk).duration
        if start + duration > end:
            raise ServiceError(_("The appointment of %(patient)s does not fit in the freed slot.")
                               % {"patient": entry.patient.display_name})
        contacts = list(patient_contacts(entry.patient))
        if not contacts:
            unreachable.append(entry)
            continue
        offer = Offer.objects.create(entry=entry, practitioner=practitioner, site=site, start=start,
                                     end=start + duration, expires_at=expires_at, created_by=acting_user)
        link = settings.SECRETARIAT_PUBLIC_URL + reverse("agenda_public:offer", args=[links.make_token("offer", offer.pk)])
        with translation.override(settings.LANGUAGE_CODE):  # patients read the practice's language
            body, subject = _offer_text(offer, link=link), _("An earlier appointment is free")
        for contact in contacts:
            queue_message(structure_id=entry.structure_id, channel=contact.channel, recipient=contact.address,
                          body=body, subject=subject, purpose=OFFER_PURPOSE, patient=entry.patient)
        audit.record("agenda.slot_offered", target=offer, patient_id=entry.patient_id,
                     structure_id=entry.structure_id, acting_user=acting_user,
                     data={"start": start.isoformat(), "practitioner_id": practitioner.pk,
                           "channels": sorted({str(contact.channel) for contact in contacts})})
        offers.append(offer)
    if not offers:
        raise ServiceError(_("None of these patients accepts SMS or e-mail: call them instead."))
    return OfferRound(offers, unreachable)


class Answer:
    """Outcomes of a patient's answer to an offer (shown on the public page)."""

    ACCEPTED = "accepted"
    TAKEN = "taken"
    DECLINED = "declined"
    EXPIRED = "expired"
    CLOSED = "closed"  # the patient is no longer waiting (booked otherwise, withdrawn)


def offer_state(offer, *, now: datetime | None = None) -> str:
    """What the public page shows before any answer: "offered" or the outcome already known."""
    now = now or timezone.now()
    if offer.status == Offer.Status.OFFERED:
        if offer.expires_at <= now:
            return Answer.EXPIRED
        if offer.entry.status != Entry.Status.WAITING:
            return Answer.CLOSED
        return "offered"
    return {Offer.Status.ACCEPTED: Answer.ACCEPTED, Offer.Status.TAKEN: Answer.TAKEN,
            Offer.Status.DECLINED: Answer.DECLINED}.get(offer.status, Answer.EXPIRED)


@transaction.atomic(durable=True)
def accept_offer(offer_pk: int) -> tuple[str, SlotOffer]:
    """The patient accepts the offer: first to accept books the slot (Answer, offer)."""
    now = timezone.now()
    offer = Offer.objects.get(pk=offer_pk)
    offer = next(item for item in _lock_slot(offer.practitioner_id, offer.start, offer.end) if item.pk == offer_pk)
    state = offer_state(offer, now=now)
    if state != "offered":
        return state, offer
    entry = (Entry.objects.select_for_update(of=("self",))
             .select_related("patient", "appointment_type", "current_appointment").get(pk=offer.entry_id))
    try:
        appointment = book_in_transaction(
            practitioner=offer.practitioner, patient=entry.patient, appointment_type=entry.appointment_type,
            start=offer.start, site=offer.site, acting_user=offer.created_by, note=entry.note,
        )
    except ServiceError:
        # Taken at a desk meanwhile, or no longer bookable: the patient keeps waiting, and
        # nobody else can take this slot through an offer either.
        slot = Offer.objects.filter(practitioner_id=offer.practitioner_id, status=Offer.Status.OFFERED,
                                    start__lt=offer.end, end__gt=offer.start)
        slot.update(status=Offer.Status.TAKEN)
        Offer.objects.filter(pk=offer.pk).update(answered_at=now)
        offer.refresh_from_db()
        return Answer.TAKEN, offer
    offer.status, offer.answered_at, offer.appointment = Offer.Status.ACCEPTED, now, appointment
    offer.save(update_fields=["status", "answered_at", "appointment"])
    audit.record("agenda.slot_offer_accepted", target=offer, patient_id=entry.patient_id,
                 structure_id=entry.structure_id, acting_user=None, data={"appointment_id": appointment.pk})
    _bring_forward(entry, appointment, acting_user=None)
    return Answer.ACCEPTED, offer


@transaction.atomic(durable=True)
def decline_offer(offer_pk: int) -> tuple[str, SlotOffer]:
    """The patient declines the offer; they stay on the waiting list."""
    offer = Offer.objects.select_for_update(of=("self",)).select_related("entry").get(pk=offer_pk)
    state = offer_state(offer)
    if state != "offered":
        return state, offer
    offer.status, offer.answered_at = Offer.Status.DECLINED, timezone.now()
    offer.save(update_fields=["status", "answered_at"])
    audit.record("agenda.slot_offer_declined", target=offer, patient_id=offer.entry.patient_id,
                 structure_id=offer.entry.structure_id, acting_user=None)
    return Answer.DECLINED, offer


def read_offer_link(token: str) -> SlotOffer | None:
    """The offer a patient's link points to, or None when forged, altered or too old."""
    try:
        pk = links.read_token(token, "offer", max_age=OFFER_LINK_MAX_AGE)
    except links.BadLink:
        return None
    return (Offer.objects.select_related("entry__appointment_type", "entry__structure", "practitioner", "site")
            .filter(pk=pk).first())
