"""Benchmark of the duplicate (doublon) matcher on a synthetic population.

Generates N identities with labelled duplicates and look-alikes (bench/identities.py), scans them
with secretariat.patients.rules.matching.find_duplicate_pairs, and prints recall per kind of
entry error, precision, false positives per kind of look-alike, and wall time.

Product requirement: recall ≥ 0.98 with precision ≥ 0.95 on 100,000 identities; a scan of
1,000,000 identities in ≤ 10 minutes on the 2-core reference machine.

Usage: .venv/bin/python bench/duplicates.py [--size 100000] [--seed 2026] [--show 5]
                                            [--blocking-stats]
"""

import argparse
import os
import platform
import resource
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "secretariat.settings")

import django  # noqa: E402

django.setup()

import rapidfuzz  # noqa: E402
from django.utils import translation  # noqa: E402

from bench.identities import DUPLICATE_KINDS, LOOKALIKE_KINDS, Population, generate  # noqa: E402
from secretariat.patients.rules.matching import (  # noqa: E402
    Grade,
    Identity,
    Match,
    blocking_keys,
    compare,
    find_duplicate_pairs,
)

GRADES = (Grade.CERTAIN, Grade.PROBABLE, Grade.POSSIBLE)


def _machine() -> str:
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        model = next(line.split(":", 1)[1].strip() for line in cpuinfo.splitlines()
                     if line.startswith("model name"))
    except (OSError, StopIteration):
        model = platform.processor() or platform.machine()
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}"


def _describe(identity: Identity) -> str:
    used = f" ({identity.used_name})" if identity.used_name else ""
    return (f"{identity.birth_name}{used} / {identity.first_names} / {identity.birth_date} / "
            f"{identity.sex} / {identity.birthplace_code or '-'} / {identity.nir or '-'}")


def _blocking_stats(population: Population, pairs: dict[tuple[int, int], str]) -> None:
    started = time.perf_counter()
    keys = {identity.id: blocking_keys(identity) for identity in population.identities}
    sizes: Counter[str] = Counter()
    for identity_keys in keys.values():
        sizes.update(identity_keys)
    comparisons = sum(n * (n - 1) // 2 for n in sizes.values())
    missed = [pair for pair in pairs if not keys[pair[0]] & keys[pair[1]]]
    print(f"blocking: {len(sizes):,} keys, {sum(sizes.values()) / len(keys):.1f} keys per identity, "
          f"largest block {max(sizes.values()):,}, {comparisons:,} pairs within blocks "
          f"(with repeats); true pairs sharing no key: {len(missed)} "
          f"(recall of blocking {1 - len(missed) / len(pairs):.4f}); {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--show", type=int, default=5, help="examples of misses and false positives")
    parser.add_argument("--blocking-stats", action="store_true", help="block sizes (slower)")
    args = parser.parse_args()
    translation.activate("en")

    started = time.perf_counter()
    population = generate(args.size, seed=args.seed)
    generated = time.perf_counter() - started
    by_id = {identity.id: identity for identity in population.identities}
    truth = population.duplicate_pairs()
    if args.blocking_stats:
        _blocking_stats(population, truth)

    started = time.perf_counter()
    reported: dict[tuple[int, int], Match] = {}
    for left, right, match in find_duplicate_pairs(population.identities):
        reported[min(left.id, right.id), max(left.id, right.id)] = match
    scanned = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    # Recall per kind of entry error.
    rows: dict[str, Counter[str]] = defaultdict(Counter)
    misses: list[tuple[str, tuple[int, int]]] = []
    for pair, kind in truth.items():
        group = kind if "+" not in kind else "two errors"
        grade = reported[pair].grade if pair in reported else Grade.CERTAINLY_NOT
        for name in (group, "all duplicates") if "+" not in kind else (group, kind, "all duplicates"):
            rows[name]["n"] += 1
            rows[name][grade] += 1
        if pair not in reported:
            misses.append((kind, pair))

    # Precision, and what the false positives are.
    false_positives: Counter[str] = Counter()
    fp_examples: list[tuple[str, tuple[int, int]]] = []
    for pair in reported:
        if pair in truth:
            continue
        persons = sorted((population.person_of[pair[0]], population.person_of[pair[1]]))
        kind = population.lookalikes.get((persons[0], persons[1])) or population.lookalikes.get(
            (persons[1], persons[0]), "other")
        false_positives[kind] += 1
        fp_examples.append((kind, pair))
    true_positives = len(reported) - sum(false_positives.values())

    print(f"\nDuplicate matcher — {args.size:,} identities (seed {args.seed}), {len(truth):,} true "
          f"duplicate pairs; {_machine()}, rapidfuzz {rapidfuzz.__version__}")
    print(f"\n{'error kind':<52} {'n':>6} {'certain':>8} {'probable':>9} {'possible':>9} {'recall':>7}")
    order = [*DUPLICATE_KINDS, "two errors",
             *sorted(k for k in rows if "+" in k), "all duplicates"]
    for name in order:
        row = rows.get(name)
        if not row:
            continue
        found = sum(row[grade] for grade in GRADES)
        if "+" in name and found == row["n"]:
            continue  # two-error combinations are listed only when something is missed
        label = f"  {name}" if "+" in name else name
        print(f"{label:<52} {row['n']:>6} {row[Grade.CERTAIN]:>8} {row[Grade.PROBABLE]:>9} "
              f"{row[Grade.POSSIBLE]:>9} {found / row['n']:>7.4f}")
    precision = true_positives / len(reported) if reported else 1.0
    print(f"\nreported pairs {len(reported):,}: true {true_positives:,}, false "
          f"{sum(false_positives.values()):,} → precision {precision:.4f}")

    # Look-alikes graded directly, blocking aside: none may be probable or certain.
    print(f"\n{'look-alike kind':<16} {'pairs':>6} {'certain':>8} {'probable':>9} {'possible':>9} "
          f"{'reported':>9}")
    persons: dict[int, list[int]] = defaultdict(list)
    for identity_id, person in population.person_of.items():
        persons[person].append(identity_id)
    graded: dict[str, Counter[Grade]] = defaultdict(Counter)
    for (first, second), kind in population.lookalikes.items():
        for left in persons[first]:
            for right in persons[second]:
                graded[kind][compare(by_id[left], by_id[right]).grade] += 1
    for kind in LOOKALIKE_KINDS:
        counts = graded[kind]
        print(f"{kind:<16} {sum(counts.values()):>6} {counts[Grade.CERTAIN]:>8} "
              f"{counts[Grade.PROBABLE]:>9} {counts[Grade.POSSIBLE]:>9} {false_positives[kind]:>9}")
    print(f"{'other pairs':<16} {'':>6} {'':>8} {'':>9} {'':>9} {false_positives['other']:>9}")

    print(f"\ngeneration {generated:.1f} s; scan {scanned:.1f} s "
          f"({args.size / scanned:,.0f} identities/s); peak memory {peak_mb:,.0f} MB")
    for title, examples in (("missed", misses), ("false positives", fp_examples)):
        if examples and args.show:
            print(f"\nexamples of {title}:")
            for kind, (left, right) in examples[: args.show]:
                match = compare(by_id[left], by_id[right])
                print(f"  [{kind}] {match.grade} {match.score:.3f} {'; '.join(match.reasons)}\n"
                      f"    {_describe(by_id[left])}\n    {_describe(by_id[right])}")


if __name__ == "__main__":
    main()
