"""Benchmarks of Secretariat (``make bench``).

Builds a scratch database at a realistic scale, times each scenario through the
Django test client (the full request path: middleware, access checks, templates),
and prints median and p95 in milliseconds. SQLite in a temporary directory by
default; ``BENCH_DATABASE_URL=postgres://…`` runs on PostgreSQL (the database is
emptied first, so never point it at real data).

Usage: .venv/bin/python bench/run.py [--audit-events N] [--repeat N]
"""

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def configure(database_url: str | None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "secretariat.settings")
    os.environ["SECRETARIAT_VAR_DIR"] = tempfile.mkdtemp(prefix="secretariat-bench-")
    os.environ["SECRETARIAT_REQUIRE_2FA"] = "false"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    if database_url:
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)


def timed(label: str, func, repeat: int) -> dict:
    func()  # warm-up: first query plans, template compilation
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[max(0, int(round(0.95 * len(samples))) - 1)]
    return {"label": label, "median": statistics.median(samples), "p95": p95, "n": repeat}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--audit-events", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--patients", type=int, default=200_000)
    parser.add_argument("--imports", action=argparse.BooleanOptionalAction, default=True)
    args = parser.parse_args()
    database_url = os.environ.get("BENCH_DATABASE_URL")
    configure(database_url)

    from bench.scenarios import core_scenarios

    results = []
    started = time.perf_counter()
    for label, func in core_scenarios(audit_events=args.audit_events):
        results.append(timed(label, func, args.repeat))
    if args.patients:
        from bench.patients import patient_scenarios

        for label, func in patient_scenarios(args.patients):
            results.append(timed(f"{label} [{args.patients:,} patients]", func, args.repeat))
    if args.imports:
        from bench.imports import import_scenarios

        for label, func, repeat in import_scenarios(Path(os.environ["SECRETARIAT_VAR_DIR"]) / "media"):
            results.append(timed(label, func, repeat))
    from django.db import connection

    print(f"\nSecretariat benchmarks — {connection.vendor}, {args.audit_events:,} audit events, "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{'scenario':<58} {'median ms':>10} {'p95 ms':>8} {'n':>5}")
    for row in results:
        print(f"{row['label']:<58} {row['median']:>10.1f} {row['p95']:>8.1f} {row['n']:>5}")
    print(f"(total {time.perf_counter() - started:.0f} s including data generation)")


if __name__ == "__main__":
    main()
