"""Build the compact commune file used by ``secretariat.patients.birthplaces``.

Run by ``bin/setup`` after ``npm ci``::

    .venv/bin/python -m secretariat.patients.birthplaces_build \\
        node_modules/@etalab/decoupage-administratif secretariat/patients/data/communes.json.gz

The npm package ``@etalab/decoupage-administratif`` republishes the INSEE Code officiel
géographique (communes, communes déléguées and associées, arrondissements municipaux, with
their former codes). Its ``data/communes.json`` is 8.6 MB of JSON with fields we do not need;
this keeps one row per entry with only what the birthplace search uses, gzipped (about 0.6 MB),
so that each web process loads it quickly. Plain Python, no Django: it runs before the
database or the settings are ready.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import tempfile
from pathlib import Path

FORMAT = 1
COLUMNS = ["code", "name", "department", "type", "population", "postal_codes", "parent", "former_codes"]
TYPES = {"commune-actuelle", "commune-deleguee", "commune-associee", "arrondissement-municipal"}


def compact_rows(communes: list[dict]) -> list[list]:
    rows = []
    for entry in communes:
        if entry.get("type") not in TYPES:
            raise ValueError(f"unknown commune type {entry.get('type')!r} for {entry.get('code')!r}")
        rows.append(
            [
                entry["code"],
                entry["nom"],
                entry["departement"],
                entry["type"],
                int(entry.get("population") or 0),
                list(entry.get("codesPostaux") or []),
                # communes déléguées/associées name their commune in chefLieu, arrondissements
                # municipaux in commune: the current commune a former code now belongs to.
                entry.get("chefLieu") or entry.get("commune") or "",
                list(entry.get("anciensCodes") or []),
            ]
        )
    rows.sort(key=lambda row: (row[0], row[3]))
    return rows


def build(package_dir: Path, output: Path) -> int:
    package = json.loads((package_dir / "package.json").read_text(encoding="utf-8"))
    communes = json.loads((package_dir / "data" / "communes.json").read_text(encoding="utf-8"))
    rows = compact_rows(communes)
    document = {
        "format": FORMAT,
        "source": f"{package['name']} {package['version']} (INSEE, Code officiel géographique)",
        "columns": COLUMNS,
        "rows": rows,
    }
    payload = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    output.parent.mkdir(parents=True, exist_ok=True)
    # Write beside the target then rename, so a running server never reads half a file;
    # mtime=0 keeps the output identical for identical input.
    handle, temporary = tempfile.mkstemp(dir=output.parent, prefix=".communes-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as raw, gzip.GzipFile(
            filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9
        ) as compressed:
            compressed.write(payload)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; the web server must read it
        os.replace(temporary, output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return len(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package_dir", type=Path, help="node_modules/@etalab/decoupage-administratif")
    parser.add_argument("output", type=Path, help="the .json.gz file to write")
    arguments = parser.parse_args(argv)
    count = build(arguments.package_dir, arguments.output)
    sys.stdout.write(f"{count} communes written to {arguments.output}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
