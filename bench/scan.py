"""Time the background duplicate scan over a structure already loaded by ``bench/run.py``.

Usage: BENCH_DATABASE_URL=postgres://… .venv/bin/python bench/scan.py
(run after ``bench/run.py --patients N`` on the same database, which it does not empty).
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "secretariat.settings")
    os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    import django

    django.setup()
    from django.db.models import Count

    from secretariat.core.models import Structure
    from secretariat.patients.models import DuplicateSuspicion
    from secretariat.patients.scan import scan_duplicates

    structure = Structure.objects.annotate(size=Count("patients")).order_by("-size").first()
    DuplicateSuspicion.objects.filter(structure=structure).delete()
    started = time.perf_counter()
    found = scan_duplicates(structure.pk)
    print(f"scan of {structure.size:,} patients: {found:,} pairs queued in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
