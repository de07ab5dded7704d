"""The anonymous satisfaction survey: its public addresses, the answers, and the invitation sent
after a visit.

Anonymous by construction: a response keeps its month, channel, optional site and answers, and
nothing else (no time, no address, no link to the invitation or the visit). An invitation forgets
its visit when it is used, so nothing joins a response to a person. No audit row is written for
an answer (it would carry the time and the client address).

Addresses: ``avis/<public key>/`` for the QR code in the waiting room, where the key is an HMAC of
the structure's id with the project's secret (unguessable, no model change, stable until
SECRET_KEY changes); ``avis/i/<secret>/`` for the single-use link sent after a visit (only the
secret's hash is stored; 14 days).
"""

import hashlib
import secrets
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from secretariat.agenda.notifications import patient_contacts
from secretariat.agenda.queries import structure_time_zone
from secretariat.core import audit
from secretariat.core.models import Structure
from secretariat.core.services.errors import ServiceError
from secretariat.messaging.services import queue_message
from secretariat.reception.models import ReceptionSettings, SurveyInvitation, SurveyResponse, Visit

PURPOSE = "reception.survey_invitation"
INVITATION_LIFETIME = timedelta(days=14)
KEY_SALT = "secretariat.reception.survey"
SCORES = ("welcome", "waiting", "information", "overall")
COMMENT_MAX = 1000
PATIENT_LANGUAGE = "fr"  # messages to patients are French (as agenda.notifications)


# Addresses ---------------------------------------------------------------------------------

def public_key(structure_id: int) -> str:
    mac = salted_hmac(KEY_SALT, str(structure_id), algorithm="sha256").hexdigest()[:12]
    return f"{structure_id}-{mac}"


def structure_for_key(key: str) -> Structure | None:
    number, _dash, _mac = key.partition("-")
    if not number.isdigit() or not constant_time_compare(key, public_key(int(number))):
        return None
    return Structure.objects.filter(pk=int(number)).first()


def survey_path(structure_id: int) -> str:
    return reverse("survey:form", args=[public_key(structure_id)])


def survey_url(structure_id: int) -> str:
    return settings.SECRETARIAT_PUBLIC_URL + survey_path(structure_id)


def invitation_url(secret: str) -> str:
    return settings.SECRETARIAT_PUBLIC_URL + reverse("survey:invitation", args=[secret])


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def invitation_for_secret(secret: str) -> SurveyInvitation | None:
    if not secret or len(secret) > 100:
        return None
    return SurveyInvitation.objects.filter(secret_hash=hash_secret(secret)).select_related("structure").first()


def invitation_problem(invitation: SurveyInvitation | None) -> str | None:
    """Why the invitation cannot be answered ("unknown", "used", "expired"), or None."""
    if invitation is None:
        return "unknown"
    if invitation.is_used:
        return "used"
    if invitation.expires_at <= timezone.now():
        return "expired"
    return None


def current_month() -> date:
    return timezone.localtime(timezone.now(), structure_time_zone()).date().replace(day=1)


# Answers -----------------------------------------------------------------------------------

def _clean_answers(answers: dict) -> dict:
    cleaned = {}
    for name in SCORES:
        value = answers.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            raise ServiceError(_("Each question takes a score from 1 to 5."))
        cleaned[name] = value
    recommend = answers.get("would_recommend")
    if recommend not in (True, False, None):
        raise ServiceError(_("Answer yes or no, or leave it empty."))
    comment = (answers.get("comment") or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ServiceError(_("The comment is too long (1000 characters at most)."))
    return {**cleaned, "would_recommend": recommend, "comment": comment}


@transaction.atomic(durable=True)
def submit_response(*, structure_id: int, answers: dict, site_id: int | None = None,
                    invitation: SurveyInvitation | None = None) -> SurveyResponse:
    """Store one anonymous answer, through the QR code or a (single-use) invitation."""
    cleaned = _clean_answers(answers)
    if not ReceptionSettings.for_structure(structure_id).survey_enabled:
        raise ServiceError(_("The survey is closed."))
    channel = SurveyResponse.Channel.QR_CODE
    if invitation is not None:
        invitation = SurveyInvitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.structure_id != structure_id or invitation_problem(invitation):
            raise ServiceError(_("This link has already been used or has expired."))
        channel = SurveyResponse.Channel.LINK
        if site_id is None and invitation.visit_id is not None:
            site_id = Visit.objects.filter(pk=invitation.visit_id).values_list("site_id", flat=True).first()
        # Used, and nothing else: the invitation no longer says whose visit it was.
        invitation.is_used = True
        invitation.visit = None
        invitation.save(update_fields=["is_used", "visit"])
    return SurveyResponse.objects.create(structure_id=structure_id, site_id=site_id, month=current_month(),
                                         channel=channel, **cleaned)


# Invitation after a visit -------------------------------------------------------------------

def _invitation_text(structure, url: str, expires_at) -> str:
    day = formats.date_format(timezone.localtime(expires_at, structure_time_zone()), "j F")
    return _("Thank you for your visit to %(structure)s. Would you tell us how it went? Four questions, "
             "anonymous, one minute: %(url)s (link valid until %(day)s). Please do not reply to this "
             "message.") % {"structure": structure.name, "url": url, "day": day}


@transaction.atomic
def invite_after_visit(visit, acting_user) -> SurveyInvitation | None:
    """At the end of a visit, when the structure sends the survey link: create the single-use
    invitation and queue it on a channel the patient agreed to (e-mail first, else SMS).

    Not durable: call it inside the service that ends the visit. Returns None (and writes
    nothing) when the survey or the sending is off, the visit has no patient, the patient
    agreed to no channel, or the visit already has an invitation.
    """
    desk = ReceptionSettings.for_structure(visit.structure_id)
    if not (desk.survey_enabled and desk.survey_link_after_visit) or visit.patient_id is None:
        return None
    if SurveyInvitation.objects.filter(visit=visit).exists():
        return None
    contacts = patient_contacts(visit.patient)
    if not contacts:
        return None
    contact = contacts[0]
    secret = secrets.token_urlsafe(24)
    invitation = SurveyInvitation.objects.create(structure_id=visit.structure_id, secret_hash=hash_secret(secret),
                                                 visit=visit, expires_at=timezone.now() + INVITATION_LIFETIME)
    with translation.override(PATIENT_LANGUAGE):
        body = _invitation_text(visit.structure, invitation_url(secret), invitation.expires_at)
        subject = _("Your opinion on your visit")
    queue_message(structure_id=visit.structure_id, channel=contact.channel, recipient=contact.address, body=body,
                  subject=subject, purpose=PURPOSE, patient=visit.patient)
    audit.record("reception.survey_invited", target=invitation, patient_id=visit.patient_id,
                 structure_id=visit.structure_id, acting_user=acting_user, data={"channel": contact.channel})
    return invitation
