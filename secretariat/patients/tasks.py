"""Background work of the patients app: the duplicate scan (nightly, or asked by the referent)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from secretariat.core.models import Structure
from secretariat.patients.models import Patient
from secretariat.patients.scan import scan_duplicates
from secretariat.patients.services import remember_names


@db_task()
def scan_duplicates_of(structure_id: int) -> int:
    # One scan per structure at a time: a second request waits for the next run.
    with lock_task(f"duplicate-scan-{structure_id}"):
        return scan_duplicates(structure_id)


@db_periodic_task(crontab(hour="2", minute="23"))
def scan_duplicates_nightly() -> None:
    for structure_id in Structure.objects.values_list("pk", flat=True):
        scan_duplicates_of(structure_id)


@db_periodic_task(crontab(hour="2", minute="7"))
def rebuild_name_vocabulary() -> None:
    """Catch names written by bulk loads or restores that bypassed the services."""
    patients = Patient.objects.only("structure_id", "birth_name_key", "used_name_key")
    remember_names(patients.iterator(chunk_size=5_000))
