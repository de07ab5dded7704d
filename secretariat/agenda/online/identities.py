"""Who books online: an existing record when exactly one strongly matches, else a new
provisional identity (RNIV: an identity typed by the person, no document seen, stays
"provisoire" until the desk checks a document).

Runs inside ``services.confirm_booking``'s transaction, after the right code only, and the same
way for every identity, so the pages cannot tell whether someone already is a patient.
"""

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from secretariat.core.models import CareTeam
from secretariat.patients.models import Patient
from secretariat.patients.queries import anteriority_candidates
from secretariat.patients.rules import matching
from secretariat.patients.rules.names import first_of
from secretariat.patients.services import Identity, record_new_patient
from secretariat.patients.services_administrative import record_contact_preferences

STRONG_GRADES = (matching.Grade.CERTAIN, matching.Grade.PROBABLE)


def identity_of(booking_request) -> Identity:
    """The traits typed online. The birthplace is not asked (patients do not know its INSEE code):
    left empty, the matcher does not compare it, and the desk completes it from the document."""
    return Identity(birth_name=booking_request.last_name, birth_first_names=booking_request.first_names,
                    first_birth_first_name=first_of(booking_request.first_names),
                    birth_date=booking_request.birth_date, sex=booking_request.sex, birthplace_code="")


def find_or_create_patient(booking_request, *, consent: bool) -> tuple[Patient, bool]:
    """(patient, created). The existing record used is the only strong match (certain or
    probable) born the same day; its contacts are never changed from a public page."""
    identity = identity_of(booking_request)
    candidates = [candidate for candidate in anteriority_candidates(booking_request.structure, identity)
                  if candidate.patient.merged_into_id is None]
    strong = [candidate.patient for candidate in candidates if candidate.match.grade in STRONG_GRADES
              and candidate.patient.birth_date == booking_request.birth_date]
    if len(strong) == 1:
        return strong[0], False
    teams = CareTeam.objects.filter(structure_id=booking_request.structure_id,
                                    practitioners=booking_request.practitioner_id)
    patient, change = record_new_patient(
        structure=booking_request.structure, identity=identity, care_teams=teams, acting_user=None,
        phone=booking_request.phone, email=booking_request.email,
        reason=_("Typed by the patient when booking online: to check at the desk with an identity document."),
    )
    if candidates:
        # As create_patient does: the referent sees which records were judged to be other people.
        change.changes["possible_duplicates"] = [candidate.patient.pk for candidate in candidates]
        change.save(update_fields=["changes"])
    _record_contacts(patient, booking_request, consent=consent)
    return patient, True


def _record_contacts(patient: Patient, booking_request, *, consent: bool) -> None:
    """The mobile phone and e-mail typed, with the patient's answer about messages on each."""
    values = {
        "mobile_phone": booking_request.phone, "landline": "",
        "sms_consent": consent if booking_request.phone else None,
        "email_consent": consent if booking_request.email else None,
        "preferred_language": (get_language() or settings.LANGUAGE_CODE)[:2], "needs_interpreter": False,
    }
    # Inside the booking's transaction (checks, history and audit as at the desk).
    record_contact_preferences(patient, values=values, email=booking_request.email, acting_user=None)
