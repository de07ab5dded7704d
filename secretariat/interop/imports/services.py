"""Confirming an import: the rows found fit to create are created, all or none.

One transaction for the whole file: if any row fails, nothing is written. The rows are
compared with the patients again inside that transaction, and the outcome must be the one
the user confirmed (same file, same choices, same outcome for every row); otherwise nothing
is created and the new check is shown. Possible duplicates and refused rows are never
created: the import does not ask for a reason row by row, the identity screen does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from secretariat.core import audit
from secretariat.core.services.errors import ServiceError

# Registers "patients.imported" (also imported by the app's ready()).
from secretariat.interop import audit as _interop_audit  # noqa: F401
from secretariat.interop.imports import parsing, queries, storage
from secretariat.patients import services as patient_services
from secretariat.patients.models import Patient

REASON_MAX_LENGTH = 300


class ImportChanged(ServiceError):
    """The file, the choices or the patients changed since the check: nothing was created."""

    def __init__(self) -> None:
        super().__init__(_(
            "The patients or the file changed since the check: nothing was created. Check the "
            "new report below, then confirm again."))


class ImportUnavailable(ServiceError):
    """The upload is being imported by another request, or was already."""

    def __init__(self) -> None:
        super().__init__(_("This file is already being imported, or was already imported: "
                           "nothing more was created."))


@dataclass(frozen=True)
class ImportResult:
    created: list[tuple[int, int]]
    """(row number, patient number) of each patient created."""
    counts: dict[str, int]


def import_patients(upload: storage.Upload, *, mapping: Sequence[str], care_team, fingerprint: str,
                    acting_user, today: date | None = None) -> ImportResult:
    """Create the patients of the rows found fit, in one transaction, after a last check.

    The file is read outside the transaction (it does not change); the comparison with the
    patients and the writes happen inside it.
    """
    try:
        storage.claim(upload)
    except storage.AlreadyClaimed:
        raise ImportUnavailable from None
    try:
        result = _import_claimed(upload, mapping=mapping, care_team=care_team, fingerprint=fingerprint,
                                 acting_user=acting_user, today=today or timezone.localdate())
    except BaseException:
        storage.release(upload)
        raise
    storage.finish(upload, {
        "user_id": acting_user.pk,
        "name": upload.name,
        "created": result.created,
        "counts": result.counts,
        "care_team": care_team.name,
    })
    return result


def _import_claimed(upload, *, mapping, care_team, fingerprint, acting_user, today) -> ImportResult:
    data = storage.read_claimed(upload)
    report = queries.read_file(parsing.load(data), mapping, today=today)
    structure = acting_user.structure
    reason = _("Imported from %(file)s") % {"file": upload.name}
    reason = reason[:REASON_MAX_LENGTH]
    with transaction.atomic(durable=True):
        queries.compare_rows(report.rows, structure_id=structure.pk)
        if report.fingerprint(data=data, mapping=mapping, care_team_id=care_team.pk) != fingerprint:
            raise ImportChanged
        created = [
            (row.number, create_imported_patient(row.row, structure=structure, care_team=care_team,
                                                 acting_user=acting_user, reason=reason).pk)
            for row in report.to_create()
        ]
        counts = report.counts()
        audit.record("patients.imported", target=care_team, acting_user=acting_user, data={
            "rows": counts["total"],
            "created": len(created),
            "refused": counts[queries.REFUSED],
            "possible_duplicates": counts[queries.DUPLICATE],
        })
    return ImportResult(created=created, counts=counts)


def create_imported_patient(row: parsing.ParsedRow, *, structure, care_team, acting_user,
                            reason: str) -> Patient:
    """One new record inside the import's transaction (the anteriority search was done for
    the whole file just before)."""
    patient, _change = patient_services.record_new_patient(
        structure=structure, identity=row.identity, care_teams=[care_team], phone=row.cleaned["phone"],
        email=row.cleaned["email"], reason=reason, acting_user=acting_user,
    )
    return patient
