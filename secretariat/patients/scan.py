"""The background duplicate scan: probable doublons across all patients of a structure.

The matcher (``rules.matching``) compares only records that share a blocking key, so the scan
grows with the number of look-alike pairs, not with the square of the population. Pairs are
stored once (smaller id first); a pair the referent has already reviewed is never reopened.
"""

from collections.abc import Iterator

from django.db import transaction
from django.utils import timezone, translation

from secretariat.patients.models import DuplicateSuspicion, Patient
from secretariat.patients.rules import matching

CHUNK = 20_000
TRAIT_FIELDS = ("pk", "birth_name", "birth_first_names", "birth_date", "sex", "used_name",
                "used_first_name", "birthplace_code")


def _identities(structure_id: int) -> Iterator[matching.Identity]:
    rows = Patient.objects.filter(structure_id=structure_id, merged_into__isnull=True).order_by("pk")
    last = 0
    while True:
        chunk = list(rows.filter(pk__gt=last).values_list(*TRAIT_FIELDS)[:CHUNK])
        if not chunk:
            return
        for pk, birth_name, first_names, birth_date, sex, used_name, used_first_name, place in chunk:
            yield matching.Identity(id=pk, birth_name=birth_name, first_names=first_names,
                                    birth_date=birth_date, sex=sex, used_name=used_name,
                                    used_first_name=used_first_name, birthplace_code=place)
        last = chunk[-1][0]


def _suspicions(structure_id: int, found_at) -> list[DuplicateSuspicion]:
    return [
        DuplicateSuspicion(
            structure_id=structure_id, first_id=min(a.id, b.id), second_id=max(a.id, b.id),
            score=round(match.score, 3), grade=str(match.grade), reasons=list(match.reasons),
            found_at=found_at,
        )
        for a, b, match in matching.find_duplicate_pairs(_identities(structure_id))
    ]


def scan_duplicates(structure_id: int) -> int:
    """Find probable duplicates in a structure and queue the new ones; returns how many."""
    found_at = timezone.now()
    # Reasons are kept as their English msgids and translated when the referent reads them.
    with translation.override(None):
        suspicions = _suspicions(structure_id, found_at)
    with transaction.atomic():
        known = set(DuplicateSuspicion.objects.filter(structure_id=structure_id)
                    .values_list("first_id", "second_id"))
        new = [suspicion for suspicion in suspicions if (suspicion.first_id, suspicion.second_id) not in known]
        DuplicateSuspicion.objects.bulk_create(new, batch_size=5_000)
    return len(new)
