"""Writes on patient identities: one transaction each, identity history and audit inside.

Every change of a trait is kept in ``IdentityChange`` (shown on the patient file) and in
the audit trail (for coordinators); nothing about an identity changes silently.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from secretariat.core import audit
from secretariat.core.services.errors import ServiceError
from secretariat.patients.insi import InsiResponse
from secretariat.patients.models import IdentityChange, NameKey, Patient
from secretariat.patients.models.identity import COMPLEMENTARY_TRAITS, STRICT_TRAITS
from secretariat.patients.queries import DuplicateCandidate, anteriority_candidates
from secretariat.patients.rules import status as identity_status

CONTACT_FIELDS = ("phone", "email")


class PossibleDuplicates(ServiceError):
    """The anteriority search found likely existing records; creating needs a reason."""

    def __init__(self, candidates: list[DuplicateCandidate]):
        super().__init__(_(
            "This person may already have a file: check the patients below. To create a new "
            "file anyway, give the reason."
        ))
        self.candidates = candidates


@dataclass(frozen=True)
class Identity:
    """Traits typed by the secretary, already written under the rules (forms clean them)."""

    birth_name: str
    birth_first_names: str
    first_birth_first_name: str
    birth_date: object
    sex: str
    birthplace_code: str
    used_name: str = ""
    used_first_name: str = ""

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in (*STRICT_TRAITS, *COMPLEMENTARY_TRAITS)}


def remember_names(patients: Iterable[Patient]) -> None:
    """Add the patients' folded names to their structure's vocabulary (idempotent)."""
    keys = {(patient.structure_id, key) for patient in patients
            for key in (patient.birth_name_key, patient.used_name_key) if key}
    NameKey.objects.bulk_create([NameKey(structure_id=structure_id, key=key) for structure_id, key in keys],
                                ignore_conflicts=True, batch_size=5_000)


def _snapshot(patient: Patient) -> dict:
    fields = (*STRICT_TRAITS, *COMPLEMENTARY_TRAITS, "identity_status", "is_doubtful",
              "is_fictitious", "is_homonym", "document_type", "ins_matricule", *CONTACT_FIELDS)
    return {name: getattr(patient, name) for name in fields}


def _trace(patient: Patient, *, kind: str, before: dict, acting_user, reason: str = "",
           action: str) -> IdentityChange:
    """Write the identity history row and the audit row of one change (after every identity
    write), and keep the structure's name vocabulary up to date for typo-tolerant search."""
    remember_names([patient])
    changed = audit.changes(before, _snapshot(patient))
    change = IdentityChange.objects.create(
        patient=patient, kind=kind, changed_by=acting_user, reason=reason, changes=changed,
        status_before=before.get("identity_status", ""), status_after=patient.identity_status,
    )
    audit.record(action, target=patient, patient_id=patient.pk, acting_user=acting_user,
                 data={"changes": changed, "reason": reason} if reason else {"changes": changed})
    return change


def _locked(patient: Patient) -> Patient:
    # Two desks editing one identity: the second waits, then works on the fresh row.
    return Patient.objects.select_for_update().get(pk=patient.pk)


def _locked_for_identification(patient: Patient) -> Patient:
    """Lock the row, refusing doubtful and fictitious identities (they stay provisional)."""
    patient = _locked(patient)
    refusal = identity_status.validation_refusal(is_doubtful=patient.is_doubtful,
                                                 is_fictitious=patient.is_fictitious)
    if refusal:
        raise ServiceError(refusal)
    return patient


def _forget_document_check(patient: Patient) -> None:
    patient.document_type, patient.document_checked_by, patient.document_checked_at = "", None, None


def _forget_ins(patient: Patient) -> None:
    patient.ins_matricule, patient.ins_oid, patient.ins_retrieved_at = "", "", None


def _apply_status(patient: Patient) -> None:
    patient.identity_status = identity_status.status_for(
        ins_retrieved=patient.ins_retrieved_at is not None,
        document_checked=patient.document_checked_at is not None,
    )


def record_new_patient(*, structure, identity: Identity, care_teams, acting_user, phone: str = "",
                       email: str = "", reason: str = "") -> tuple[Patient, IdentityChange]:
    """The writes of a new record (patient, care teams, history, audit), inside the caller's
    transaction: ``create_patient`` for one, the CSV import for a whole file."""
    patient = Patient(structure=structure, phone=phone, email=email, **identity.as_dict())
    patient.save()
    patient.care_teams.set(care_teams)
    change = _trace(patient, kind=IdentityChange.Kind.CREATED, before={}, acting_user=acting_user,
                    reason=reason, action="patients.created")
    return patient, change


@transaction.atomic(durable=True)
def create_patient(*, structure, identity: Identity, care_teams, acting_user, phone: str = "",
                   email: str = "", duplicate_reason: str = "") -> Patient:
    """Create a provisional identity after the anteriority search (RNIV recherche d'antériorité).

    Likely existing records stop the creation unless the secretary gives a reason, which is
    kept in the identity history.
    """
    candidates = anteriority_candidates(structure, identity)
    if candidates and not duplicate_reason.strip():
        raise PossibleDuplicates(candidates)
    patient, change = record_new_patient(structure=structure, identity=identity, care_teams=care_teams,
                                         phone=phone, email=email, reason=duplicate_reason.strip(),
                                         acting_user=acting_user)
    if candidates:
        # Kept beside the reason: the referent sees which files were judged to be other people.
        change.changes["possible_duplicates"] = [candidate.patient.pk for candidate in candidates]
        change.save(update_fields=["changes"])
    return patient


@transaction.atomic(durable=True)
def change_identity(patient: Patient, *, identity: Identity, reason: str, acting_user,
                    phone: str | None = None, email: str | None = None, read_at=None) -> Patient:
    """Correct traits. A changed trait strict drops the status back to provisional (RNIV).

    ``read_at`` is the record's ``updated_at`` when the form was shown: if another desk saved
    the identity since, the correction is refused rather than silently undoing theirs.
    """
    patient = _locked(patient)
    if read_at is not None and patient.updated_at != read_at:
        raise ServiceError(_("This identity was changed at another desk in the meantime: reload the "
                             "page to see that change before correcting."))
    before = _snapshot(patient)
    new_traits = identity.as_dict()
    strict_changed = any(getattr(patient, name) != new_traits[name] for name in STRICT_TRAITS)
    if strict_changed and not reason.strip():
        raise ServiceError(_("Say why a strict trait changes (for example: typo corrected "
                             "after reading the identity card)."))
    for name, value in new_traits.items():
        setattr(patient, name, value)
    if phone is not None:
        patient.phone = phone
    if email is not None:
        patient.email = email
    if strict_changed:
        # The document and the INS were checked against the old traits.
        _forget_document_check(patient)
        _forget_ins(patient)
        _apply_status(patient)
    if _snapshot(patient) == before:
        return patient
    patient.save()
    _trace(patient, kind=IdentityChange.Kind.TRAITS_CHANGED, before=before, acting_user=acting_user,
           reason=reason.strip(), action="patients.identity_changed")
    return patient


@transaction.atomic(durable=True)
def validate_identity(patient: Patient, *, document_type: str, identity: Identity, acting_user) -> Patient:
    """Record the high-trust document seen at the desk; traits are those of the document.

    Traits corrected in the same action are part of the validation (they come from the
    document). If they differ from an INS already retrieved, the INS no longer applies.
    """
    patient = _locked_for_identification(patient)
    before = _snapshot(patient)
    new_traits = identity.as_dict()
    if any(getattr(patient, name) != new_traits[name] for name in STRICT_TRAITS):
        _forget_ins(patient)
    for name, value in new_traits.items():
        setattr(patient, name, value)
    patient.document_type = document_type
    patient.document_checked_by = acting_user
    patient.document_checked_at = timezone.now()
    _apply_status(patient)
    patient.save()
    _trace(patient, kind=IdentityChange.Kind.VALIDATED, before=before, acting_user=acting_user,
           action="patients.identity_validated")
    return patient


@transaction.atomic(durable=True)
def take_over_ins(patient: Patient, *, response: InsiResponse, acting_user) -> Patient:
    """Take over the INS and INS traits of a teleservice answer (one identity found).

    The INSi call itself happens before, outside any transaction. Traits identical to a
    document-checked identity make it qualified; different ones mean the document was read
    against other traits, so the check no longer applies (french-rules.md §1.5).
    """
    found = response.identity
    if found is None:
        raise ServiceError(_("The teleservice returned no single identity: nothing to take over."))
    patient = _locked_for_identification(patient)
    before = _snapshot(patient)
    first_names = found.traits.first_names
    ins_traits = {
        "birth_name": found.traits.birth_name,
        "birth_first_names": first_names,
        "first_birth_first_name": first_names.split()[0],
        "birth_date": found.traits.birth_date,
        "sex": found.traits.sex,
        "birthplace_code": found.traits.birthplace_code or patient.birthplace_code,
    }
    if any(getattr(patient, name) != value for name, value in ins_traits.items()):
        _forget_document_check(patient)
    for name, value in ins_traits.items():
        setattr(patient, name, value)
    patient.ins_matricule, patient.ins_oid = found.matricule, found.oid
    patient.ins_retrieved_at = timezone.now()
    _apply_status(patient)
    patient.save()
    _trace(patient, kind=IdentityChange.Kind.INS_RETRIEVED, before=before, acting_user=acting_user,
           action="patients.ins_retrieved")
    return patient


@transaction.atomic(durable=True)
def set_identity_attributes(patient: Patient, *, is_doubtful: bool, is_fictitious: bool,
                            is_homonym: bool, reason: str, acting_user) -> Patient:
    """Mark or clear doubtful / fictitious / homonym. Doubt and fiction reset the status."""
    if not reason.strip():
        raise ServiceError(_("Say why the identity attributes change."))
    patient = _locked(patient)
    before = _snapshot(patient)
    patient.is_doubtful, patient.is_fictitious, patient.is_homonym = is_doubtful, is_fictitious, is_homonym
    if is_doubtful or is_fictitious:
        _forget_document_check(patient)
        _forget_ins(patient)
        _apply_status(patient)
    if _snapshot(patient) == before:
        return patient
    patient.save()
    _trace(patient, kind=IdentityChange.Kind.ATTRIBUTES_CHANGED, before=before,
           acting_user=acting_user, reason=reason.strip(), action="patients.attributes_changed")
    return patient

