"""Merging duplicates (doublons), undoing a merge, and splitting a collision.

RNIV practice (french-rules.md §1.7): never merge automatically; an authorised role chooses the
surviving identity; the merged record stays and keeps resolving to its survivor; both merge and
split are traced as identity incidents. Each service is one transaction.

Rows of other apps that belong to a patient (addresses, coverage, appointments…) are moved by
the registry below: an app registers ``(model, field)`` once, at start-up, and every merge,
undo and split moves them without knowing what they are.
"""

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from secretariat.core.services.errors import ServiceError
from secretariat.patients.models import DuplicateSuspicion, IdentityChange, Patient, PatientMerge
from secretariat.patients.models.identity import COMPLEMENTARY_TRAITS, STRICT_TRAITS
from secretariat.patients.rules import status as identity_status
from secretariat.patients.services import Identity, _snapshot, _trace

# Traits the referent chooses one by one; the status facts follow the strict traits.
CHOSEN_FIELDS = (*STRICT_TRAITS, *COMPLEMENTARY_TRAITS, "phone", "email")
DOCUMENT_FACTS = ("document_type", "document_checked_by_id", "document_checked_at")
INS_FACTS = ("ins_matricule", "ins_oid", "ins_retrieved_at")
RESTORED_FIELDS = (*CHOSEN_FIELDS, *DOCUMENT_FACTS, *INS_FACTS, "identity_status", "is_homonym")

_ATTACHED: list[tuple[type, str]] = []


def register_attached(model, field: str = "patient") -> None:
    """Declare rows that follow their patient through merges and splits (``model.field``)."""
    if (model, field) not in _ATTACHED:
        _ATTACHED.append((model, field))


def attached_rows(patient: Patient) -> dict[str, list[int]]:
    """Every registered row of a patient, as {"app.Model:field": [pk, …]}."""
    rows = {}
    for model, field in _ATTACHED:
        pks = list(model.objects.filter(**{field: patient}).values_list("pk", flat=True))
        if pks:
            rows[f"{model._meta.label}:{field}"] = pks
    return rows


def describe_attached(rows: dict[str, list[int]]) -> list[tuple[str, str, str]]:
    """(form token "key#pk", kind of data, the row itself) for the split screen."""
    by_key = {f"{model._meta.label}:{field}": model for model, field in _ATTACHED}
    items = []
    for key, pks in rows.items():
        model = by_key[key]
        for row in model.objects.filter(pk__in=pks).order_by("pk"):
            items.append((f"{key}#{row.pk}", str(model._meta.verbose_name).capitalize(), str(row)))
    return items


def _move(rows: dict[str, list[int]], to: Patient) -> dict[str, list[int]]:
    """Give the rows to ``to``; returns those actually moved.

    A one-to-one row (the administrative file) moves only if ``to`` has none: the survivor's
    own is kept, and the other stays with the merged record, where an undo finds it.
    """
    by_key = {f"{model._meta.label}:{field}": (model, field) for model, field in _ATTACHED}
    moved = {}
    for key, pks in rows.items():
        model, field = by_key[key]
        if model._meta.get_field(field).one_to_one and model.objects.filter(**{field: to}).exists():
            continue
        model.objects.filter(pk__in=pks).update(**{field: to})
        moved[key] = pks
    return moved


def _locked_pair(first: Patient, second: Patient) -> tuple[Patient, Patient]:
    # Lock in primary-key order so two referents merging crossed pairs cannot deadlock.
    locked = {patient.pk: patient for patient in
              Patient.objects.select_for_update().filter(pk__in=[first.pk, second.pk]).order_by("pk")}
    return locked[first.pk], locked[second.pk]


def _facts(patient: Patient, names: tuple[str, ...]) -> dict:
    return {name: getattr(patient, name) for name in names}


def _restorable(patient: Patient) -> dict:
    """The survivor's fields as JSON values (dates in ISO), to put back on undo."""
    values = {}
    for name in RESTORED_FIELDS:
        value = getattr(patient, name)
        values[name] = value.isoformat() if isinstance(value, date | datetime) else value
    return values


def _restore(patient: Patient, values: dict) -> None:
    for name, raw in values.items():
        field = Patient._meta.get_field(name.removesuffix("_id"))
        setattr(patient, field.attname, None if raw is None else field.to_python(raw))


@transaction.atomic(durable=True)
def merge_patients(survivor: Patient, *, duplicate: Patient, chosen: dict[str, str], reason: str,
                   acting_user) -> PatientMerge:
    """Merge ``duplicate`` into ``survivor``, keeping for each trait the record the referent chose.

    ``chosen`` maps a trait to "survivor" or "merged" (missing traits stay the survivor's). The
    document check and the INS follow the strict traits: kept from the record whose strict
    traits survive whole, dropped when they are mixed (they were checked against other traits).
    """
    if not reason.strip():
        raise ServiceError(_("Say why these two records are the same person."))
    if survivor.pk == duplicate.pk:
        raise ServiceError(_("Choose two different records."))
    survivor, duplicate = _locked_pair(survivor, duplicate)
    if survivor.structure_id != duplicate.structure_id:
        raise ServiceError(_("Records of two structures cannot be merged."))
    if survivor.merged_into_id or duplicate.merged_into_id:
        raise ServiceError(_("One of these records has already been merged: reload the page."))

    before = _snapshot(survivor)
    survivor_before = _restorable(survivor)
    before_strict = survivor.strict_traits()
    for name in CHOSEN_FIELDS:
        if chosen.get(name) == "merged":
            setattr(survivor, name, getattr(duplicate, name))
    strict = survivor.strict_traits()
    if strict == duplicate.strict_traits() and strict != before_strict:
        # The duplicate's strict traits survive whole: so do its checks.
        _set_facts(survivor, _facts(duplicate, DOCUMENT_FACTS) | _facts(duplicate, INS_FACTS))
    elif strict != before_strict:
        # Traits taken from both records: neither check applies any more.
        _set_facts(survivor, dict.fromkeys((*DOCUMENT_FACTS, *INS_FACTS)))
    _fill_missing_facts(survivor, duplicate)
    survivor.is_homonym = survivor.is_homonym or duplicate.is_homonym
    survivor.identity_status = identity_status.status_for(
        ins_retrieved=survivor.ins_retrieved_at is not None,
        document_checked=survivor.document_checked_at is not None,
    )
    survivor.save()

    added_teams = list(duplicate.care_teams.exclude(pk__in=survivor.care_teams.all()).values_list("pk", flat=True))
    survivor.care_teams.add(*added_teams)
    moved = _move(attached_rows(duplicate), survivor)
    moved["care_teams_added"] = added_teams

    duplicate.merged_into = survivor
    duplicate.save(update_fields=["merged_into", "updated_at"])
    merge = PatientMerge.objects.create(
        survivor=survivor, merged=duplicate, reason=reason.strip(), performed_by=acting_user,
        survivor_before=survivor_before, chosen=chosen, moved=moved,
    )
    DuplicateSuspicion.objects.filter(
        first_id=min(survivor.pk, duplicate.pk), second_id=max(survivor.pk, duplicate.pk),
    ).update(review=DuplicateSuspicion.Review.MERGED, reviewed_by=acting_user, reviewed_at=timezone.now())
    merged_reason = _("Record n° %(merged)s merged: %(reason)s") % {"merged": duplicate.pk, "reason": reason.strip()}
    _trace(survivor, kind=IdentityChange.Kind.MERGED, before=before, acting_user=acting_user,
           reason=merged_reason, action="patients.merged")
    IdentityChange.objects.create(
        patient=duplicate, kind=IdentityChange.Kind.MERGED_INTO, changed_by=acting_user,
        reason=_("Merged into record n° %(survivor)s: %(reason)s") % {"survivor": survivor.pk, "reason": reason.strip()},
        status_before=duplicate.identity_status, status_after=duplicate.identity_status,
    )
    return merge


def _set_facts(patient: Patient, facts: dict) -> None:
    empty = {"document_type": "", "ins_matricule": "", "ins_oid": ""}
    for name, value in facts.items():
        setattr(patient, name, empty.get(name) if value is None and name in empty else value)


def _fill_missing_facts(survivor: Patient, duplicate: Patient) -> None:
    """A check done on the duplicate with the same strict traits also holds for the survivor."""
    if survivor.strict_traits() != duplicate.strict_traits():
        return
    if survivor.document_checked_at is None and duplicate.document_checked_at is not None:
        _set_facts(survivor, _facts(duplicate, DOCUMENT_FACTS))
    if survivor.ins_retrieved_at is None and duplicate.ins_retrieved_at is not None:
        _set_facts(survivor, _facts(duplicate, INS_FACTS))


@transaction.atomic(durable=True)
def undo_merge(merge: PatientMerge, *, reason: str, acting_user) -> PatientMerge:
    """Give the merged record back its life: identity of the survivor restored, rows moved back."""
    if not reason.strip():
        raise ServiceError(_("Say why the merge is undone."))
    merge = PatientMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise ServiceError(_("This merge has already been undone."))
    survivor, merged = _locked_pair(merge.survivor, merge.merged)
    if survivor.merged_into_id is not None:
        raise ServiceError(_("The surviving record was merged again since: undo that merge first."))
    if PatientMerge.objects.filter(survivor=survivor, performed_at__gt=merge.performed_at,
                                   undone_at__isnull=True).exists():
        raise ServiceError(_("Later merges into this record must be undone first."))

    before = _snapshot(survivor)
    _restore(survivor, merge.survivor_before)
    survivor.save()
    survivor.care_teams.remove(*merge.moved.get("care_teams_added", []))
    _move({key: pks for key, pks in merge.moved.items() if key != "care_teams_added"}, merged)
    merged.merged_into = None
    merged.save(update_fields=["merged_into", "updated_at"])

    merge.undone_by, merge.undone_at, merge.undo_reason = acting_user, timezone.now(), reason.strip()
    merge.save(update_fields=["undone_by", "undone_at", "undo_reason"])
    _trace(survivor, kind=IdentityChange.Kind.MERGE_UNDONE, before=before, acting_user=acting_user,
           reason=reason.strip(), action="patients.merge_undone")
    IdentityChange.objects.create(
        patient=merged, kind=IdentityChange.Kind.MERGE_UNDONE, changed_by=acting_user,
        reason=reason.strip(), status_before=merged.identity_status, status_after=merged.identity_status,
    )
    return merge


@transaction.atomic(durable=True)
def split_patient(patient: Patient, *, identity: Identity, rows: dict[str, list[int]], care_teams,
                  reason: str, acting_user) -> Patient:
    """Collision: data of two people in one record. Create the other person's record
    (provisional) and move to it the rows the referent picked; the record keeps its identity."""
    if not reason.strip():
        raise ServiceError(_("Say how the collision was found."))
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    belonging = attached_rows(patient)
    for key, pks in rows.items():
        if not set(pks) <= set(belonging.get(key, [])):
            raise ServiceError(_("Some of the chosen data no longer belong to this record: reload the page."))
    other = Patient(structure_id=patient.structure_id, **identity.as_dict())
    other.save()
    other.care_teams.set(care_teams)
    _move(rows, other)
    _trace(other, kind=IdentityChange.Kind.SPLIT, before={}, acting_user=acting_user,
           reason=_("Split from record n° %(record)s: %(reason)s") % {"record": patient.pk, "reason": reason.strip()},
           action="patients.split")
    IdentityChange.objects.create(
        patient=patient, kind=IdentityChange.Kind.SPLIT, changed_by=acting_user,
        reason=_("Data moved to the new record n° %(record)s: %(reason)s") % {"record": other.pk, "reason": reason.strip()},
        changes={"moved": [[key, len(pks)] for key, pks in rows.items()]},
        status_before=patient.identity_status, status_after=patient.identity_status,
    )
    return other
