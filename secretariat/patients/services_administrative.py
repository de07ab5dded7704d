"""Writes on the administrative file: one transaction each, history and audit inside.

Each block (contact preferences, needs and situation, médecin traitant, sharing and consents,
addresses, people around the patient, AMO, AMC) is saved by its own service. The patient row is
locked first, so two desks editing one file take turns; the values are then checked with the
model's rules (the same the form showed, so a caller that skips the form is refused too), saved,
and traced: ``AdministrativeChange`` (old → new, shown on the file) and an audit row. A save
that changes nothing writes nothing. Refusals raise ``InvalidAdministrativeData`` (a
``ServiceError`` carrying the field errors) before anything is written.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from secretariat.core import audit
from secretariat.core.services.errors import ServiceError
from secretariat.patients.models import (
    Address,
    AdministrativeChange,
    AdministrativeFile,
    AmcCoverage,
    AmoCoverage,
    ContactPerson,
    Patient,
)
from secretariat.patients.models.administrative import ACCESSIBILITY_FIELDS

Block = AdministrativeChange.Block
Action = AdministrativeChange.Action

CONTACT_FIELDS = ("mobile_phone", "landline", "sms_consent", "email_consent", "preferred_language",
                  "needs_interpreter")
NEEDS_FIELDS = (*ACCESSIBILITY_FIELDS, "accessibility_note", "legal_protection",
                "is_socially_vulnerable", "is_homeless")
MEDECIN_TRAITANT_FIELDS = ("medecin_traitant", "outside_medecin_traitant_name",
                           "outside_medecin_traitant_rpps")
SHARING_FIELDS = ("opposes_team_sharing", "dmp_consent")

# Answers kept with when and by whom they were recorded (french-rules.md §4.2, §4.4).
RECORDED_ANSWERS = {
    "sms_consent": ("sms_consent_recorded_at", "sms_consent_recorded_by"),
    "email_consent": ("email_consent_recorded_at", "email_consent_recorded_by"),
    "opposes_team_sharing": ("team_sharing_recorded_at", "team_sharing_recorded_by"),
    "dmp_consent": ("dmp_consent_recorded_at", "dmp_consent_recorded_by"),
}
# Free text stays in the file's history, never in the audit trail (which lists the field names).
FREE_TEXT = frozenset({"accessibility_note", "ald_label", "relationship", "recipient_line",
                       "building_line", "street_line", "locality_line"})


class InvalidAdministrativeData(ServiceError):
    """Values the rules refuse; ``errors`` maps a field name (or None) to its messages."""

    def __init__(self, errors: dict[str | None, list[str]]):
        self.errors = errors
        super().__init__(" ".join(message for messages in errors.values() for message in messages))

    @classmethod
    def from_validation_error(cls, error: ValidationError) -> "InvalidAdministrativeData":
        if hasattr(error, "error_dict"):
            return cls({None if name == "__all__" else name: messages
                        for name, messages in error.message_dict.items()})
        return cls({None: error.messages})


def item_fields(model) -> tuple[str, ...]:
    """The fields a secretary edits on a row of ``model`` (what the history compares)."""
    return tuple(field.name for field in model._meta.concrete_fields
                 if field.editable and not field.primary_key and field.name != "patient")


# --- The one-to-one blocks -------------------------------------------------------------------


@transaction.atomic(durable=True)
def set_contact_preferences(patient: Patient, *, values: dict, email: str, acting_user) -> AdministrativeFile:
    """Phones, e-mail, SMS and e-mail consents, language and interpreter.

    The e-mail is the patient's one address (``Patient.email``, also shown with the identity).
    """
    return record_contact_preferences(patient, values=values, email=email, acting_user=acting_user)


def record_contact_preferences(patient: Patient, *, values: dict, email: str, acting_user) -> AdministrativeFile:
    """``set_contact_preferences`` inside the caller's transaction (an online booking records the
    contacts of the patient it creates together with the appointment)."""
    patient = _locked(patient)
    email = email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError as error:
            raise InvalidAdministrativeData({"email": error.messages}) from None
    file, before = _file_and_snapshot(patient, CONTACT_FIELDS)
    before["email"] = patient.email
    _apply(file, CONTACT_FIELDS, values)
    if file.email_consent and not email:
        raise InvalidAdministrativeData({"email_consent": [_("Add the e-mail address the messages will go to.")]})
    _record_answers(file, before, acting_user)
    _validate(file)
    after = {**_snapshot(file, CONTACT_FIELDS), "email": email}
    if after == before:
        return file
    file.save()
    if email != patient.email:
        patient.email = email
        patient.save(update_fields=["email", "updated_at"])
    _trace(patient, block=Block.CONTACT, action=Action.CHANGED, item_id=file.pk,
           changes=audit.changes(before, after), acting_user=acting_user,
           audit_action="patients.contact_preferences_changed")
    return file


@transaction.atomic(durable=True)
def set_needs(patient: Patient, *, values: dict, acting_user) -> AdministrativeFile:
    """Accessibility needs, legal protection, social vulnerability, homelessness."""
    return _save_file_block(patient, block=Block.NEEDS, fields=NEEDS_FIELDS, values=values,
                            acting_user=acting_user, audit_action="patients.needs_changed")


@transaction.atomic(durable=True)
def set_medecin_traitant(patient: Patient, *, values: dict, acting_user) -> AdministrativeFile:
    """The declared médecin traitant: a practitioner of the structure, or a doctor outside it."""
    practitioner = values.get("medecin_traitant")
    if practitioner is not None and practitioner.structure_id != patient.structure_id:
        raise InvalidAdministrativeData({"medecin_traitant": [
            _("This practitioner does not work in the patient's structure.")]})
    return _save_file_block(patient, block=Block.MEDECIN_TRAITANT, fields=MEDECIN_TRAITANT_FIELDS,
                            values=values, acting_user=acting_user,
                            audit_action="patients.medecin_traitant_changed")


@transaction.atomic(durable=True)
def set_sharing_choices(patient: Patient, *, values: dict, acting_user) -> AdministrativeFile:
    """Opposition to sharing within the care team, consent to DMP access: with date and author."""
    return _save_file_block(patient, block=Block.SHARING, fields=SHARING_FIELDS, values=values,
                            acting_user=acting_user, audit_action="patients.sharing_choices_changed")


def _save_file_block(patient, *, block, fields, values, acting_user, audit_action) -> AdministrativeFile:
    patient = _locked(patient)
    file, before = _file_and_snapshot(patient, fields)
    _apply(file, fields, values)
    _record_answers(file, before, acting_user)
    _validate(file)
    after = _snapshot(file, fields)
    if after == before:
        return file
    file.save()
    _trace(patient, block=block, action=Action.CHANGED, item_id=file.pk,
           changes=audit.changes(before, after), acting_user=acting_user, audit_action=audit_action)
    return file


def _file_and_snapshot(patient, fields) -> tuple[AdministrativeFile, dict]:
    # The patient row is locked: no other desk can create the file meanwhile.
    file = AdministrativeFile.objects.filter(patient=patient).first() or AdministrativeFile(patient=patient)
    return file, _snapshot(file, fields)


def _record_answers(file: AdministrativeFile, before: dict, acting_user) -> None:
    """Stamp each answer that changed; an answer once given is changed, never erased."""
    for name, (at_field, by_field) in RECORDED_ANSWERS.items():
        if name not in before:
            continue
        old, new = before[name], getattr(file, name)
        if old is not None and new is None:
            raise InvalidAdministrativeData({name: [_(
                "An answer once recorded is not erased: record the patient's new answer (yes or no).")]})
        if old != new:
            setattr(file, at_field, timezone.now())
            setattr(file, by_field, acting_user)


# --- Rows: addresses, people, AMO, AMC --------------------------------------------------------


@transaction.atomic(durable=True)
def save_address(patient: Patient, *, values: dict, acting_user, address: Address | None = None) -> Address:
    """Add an address, or change ``address``; one home address per patient."""
    return _save_row(patient, model=Address, row=address, values=values, block=Block.ADDRESS,
                     acting_user=acting_user, audit_name="address", check=_one_home_address)


@transaction.atomic(durable=True)
def remove_address(patient: Patient, *, address: Address, acting_user) -> None:
    _remove_row(patient, model=Address, row=address, block=Block.ADDRESS, acting_user=acting_user,
                audit_name="address")


@transaction.atomic(durable=True)
def save_contact_person(patient: Patient, *, values: dict, acting_user,
                        person: ContactPerson | None = None) -> ContactPerson:
    """Add or change a person around the patient; one personne de confiance at a time."""
    return _save_row(patient, model=ContactPerson, row=person, values=values,
                     block=Block.CONTACT_PERSON, acting_user=acting_user, audit_name="contact_person",
                     check=_one_trusted_person)


@transaction.atomic(durable=True)
def remove_contact_person(patient: Patient, *, person: ContactPerson, acting_user) -> None:
    _remove_row(patient, model=ContactPerson, row=person, block=Block.CONTACT_PERSON,
                acting_user=acting_user, audit_name="contact_person")


@transaction.atomic(durable=True)
def save_amo_coverage(patient: Patient, *, values: dict, acting_user,
                      coverage: AmoCoverage | None = None) -> AmoCoverage:
    """Add or change an AMO coverage; the insured person's NIR is checked (key included)."""
    return record_amo_coverage(patient, values=values, acting_user=acting_user, coverage=coverage)


def record_amo_coverage(patient: Patient, *, values: dict, acting_user,
                        coverage: AmoCoverage | None = None) -> AmoCoverage:
    """The core of ``save_amo_coverage``, inside the caller's transaction (a carte Vitale copy)."""
    return _save_row(patient, model=AmoCoverage, row=coverage, values=values, block=Block.AMO,
                     acting_user=acting_user, audit_name="amo_coverage")


@transaction.atomic(durable=True)
def remove_amo_coverage(patient: Patient, *, coverage: AmoCoverage, acting_user) -> None:
    _remove_row(patient, model=AmoCoverage, row=coverage, block=Block.AMO, acting_user=acting_user,
                audit_name="amo_coverage")


@transaction.atomic(durable=True)
def save_amc_coverage(patient: Patient, *, values: dict, acting_user,
                      coverage: AmcCoverage | None = None) -> AmcCoverage:
    return record_amc_coverage(patient, values=values, acting_user=acting_user, coverage=coverage)


def record_amc_coverage(patient: Patient, *, values: dict, acting_user,
                        coverage: AmcCoverage | None = None) -> AmcCoverage:
    """The core of ``save_amc_coverage``, inside the caller's transaction."""
    return _save_row(patient, model=AmcCoverage, row=coverage, values=values, block=Block.AMC,
                     acting_user=acting_user, audit_name="amc_coverage")


@transaction.atomic(durable=True)
def remove_amc_coverage(patient: Patient, *, coverage: AmcCoverage, acting_user) -> None:
    _remove_row(patient, model=AmcCoverage, row=coverage, block=Block.AMC, acting_user=acting_user,
                audit_name="amc_coverage")


def _save_row(patient, *, model, row, values, block, acting_user, audit_name, check=None):
    patient = _locked(patient)
    fields = item_fields(model)
    unknown = set(values) - set(fields)
    if unknown:
        raise ValueError(f"not fields of {model.__name__}: {sorted(unknown)}")
    if row is None:
        row, action, before = model(patient=patient), Action.ADDED, {}
    else:
        row, action = _own_row(model, patient, row.pk), Action.CHANGED
        before = _snapshot(row, fields)
    _apply(row, tuple(values), values)
    _validate(row)
    if check is not None:
        check(patient, row)
    after = _snapshot(row, fields)
    if action == Action.CHANGED and after == before:
        return row
    row.save()
    changes = audit.changes(before, after)
    if action == Action.ADDED:
        changes = {name: pair for name, pair in changes.items() if pair[1] not in ("", None, False)}
    _trace(patient, block=block, action=action, item_id=row.pk, changes=changes,
           acting_user=acting_user, audit_action=f"patients.{audit_name}_{action}")
    return row


def _remove_row(patient, *, model, row, block, acting_user, audit_name) -> None:
    patient = _locked(patient)
    row = _own_row(model, patient, row.pk)
    before = _snapshot(row, item_fields(model))
    row_id = row.pk
    row.delete()
    changes = {name: [old, None] for name, old in before.items() if old not in ("", None, False)}
    _trace(patient, block=block, action=Action.REMOVED, item_id=row_id, changes=changes,
           acting_user=acting_user, audit_action=f"patients.{audit_name}_removed")


def _own_row(model, patient, pk):
    """The row, re-read under the patient's lock, if it still belongs to this patient."""
    try:
        return model.objects.get(patient=patient, pk=pk)
    except model.DoesNotExist:
        raise ServiceError(_("This line was removed or moved meanwhile: reload the page.")) from None


def _one_home_address(patient, address: Address) -> None:
    if address.kind != Address.Kind.HOME:
        return
    if Address.objects.filter(patient=patient, kind=Address.Kind.HOME).exclude(pk=address.pk).exists():
        raise InvalidAdministrativeData({"kind": [_(
            "The patient already has a home address: change it, or record this one as another "
            "address.")]})


def _one_trusted_person(patient, person: ContactPerson) -> None:
    if person.role != ContactPerson.Role.TRUSTED_PERSON:
        return
    other = (ContactPerson.objects.filter(patient=patient, role=ContactPerson.Role.TRUSTED_PERSON)
             .exclude(pk=person.pk).first())
    if other is not None:
        raise InvalidAdministrativeData({"role": [_(
            "The patient already has a personne de confiance (%(name)s), and there is one at a "
            "time: change or remove that one first.") % {"name": other.full_name}]})


# --- Shared helpers ---------------------------------------------------------------------------


def _locked(patient: Patient) -> Patient:
    # Two desks editing one file: the second waits, then works on the fresh rows.
    return Patient.objects.select_for_update().get(pk=patient.pk)


def _apply(row, fields, values: dict) -> None:
    """Set every field of ``fields`` from ``values`` (a missing one is a programming error)."""
    for name in fields:
        setattr(row, name, values[name])


def _validate(row) -> None:
    """The model's rules (field validators, ``clean``, check constraints); clean may normalise."""
    try:
        row.full_clean(exclude=["patient"], validate_unique=False)
    except ValidationError as error:
        raise InvalidAdministrativeData.from_validation_error(error) from None


def _snapshot(row, fields) -> dict:
    return {name: _plain(getattr(row, name)) for name in fields}


def _plain(value):
    """JSON-friendly, and readable later: a practitioner by name, dates as ISO text."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _trace(patient, *, block, action, item_id, changes, acting_user, audit_action) -> AdministrativeChange:
    change = AdministrativeChange.objects.create(
        patient=patient, block=block, action=action, item_id=item_id, changed_by=acting_user,
        changes=changes,
    )
    audit.record(audit_action, target=patient, patient_id=patient.pk, acting_user=acting_user, data={
        "item": item_id,
        "fields": sorted(changes),
        "changes": {name: pair for name, pair in changes.items() if name not in FREE_TEXT},
    })
    return change
