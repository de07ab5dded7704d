"""Import the official INSEE list of countries and territories as places of birth.

The committed data/countries.csv holds the codes checked by hand. A structure that wants the
complete list downloads INSEE's file from insee.fr (Code officiel géographique, "pays et
territoires étrangers": v_pays_territoire_20XX.csv, pays20XX.csv, or the older tab-separated
pays20XX.txt) and runs::

    manage.py load_countries pays2025.csv

The file becomes data/countries-insee.csv, whose codes replace those of countries.csv (see
``secretariat.patients.birthplaces``). Restart the web server and the workers afterwards.
"""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from secretariat.patients import birthplaces

REQUIRED_COLUMNS = ("COG", "LIBCOG")
# ACTUAL (INSEE documentation of the COG country file): 1 current country, 2 country that no
# longer exists, 3 territory without a code of its own (its people are born in the country it
# belongs to, under that country's code), 4 territory with a code of its own.
CURRENT, FORMER, TERRITORY_WITHOUT_CODE, TERRITORY = "1", "2", "3", "4"
ENCODINGS = ("utf-8-sig", "cp1252")  # INSEE's CSV files are UTF-8; the old .txt ones Windows-1252
MAX_ERRORS_SHOWN = 5


class Command(BaseCommand):
    help = "Import the official INSEE country and territory codes (places of birth abroad)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="INSEE file: v_pays_territoire_20XX.csv or pays20XX.csv")

    def handle(self, *args, file: Path, **options):
        rows = parse_insee_countries(file)
        target = birthplaces.DATA_DIR / birthplaces.OFFICIAL_COUNTRIES_FILE
        comments = [
            "Source: INSEE, Code officiel géographique, pays et territoires étrangers",
            f"Imported from {file.name} by manage.py load_countries on {timezone.localdate():%Y-%m-%d}.",
            "Codes listed here replace those of countries.csv. Do not edit by hand: import again.",
        ]
        _write_atomically(target, rows, comments)
        birthplaces.reload()
        codes = {code for code, _name, _former in rows}
        self.stdout.write(
            f"{len(codes)} codes pays importés ({len(rows)} libellés) dans {target}. "
            "Redémarrez le serveur web et les workers pour les prendre en compte."
        )


def parse_insee_countries(path: Path) -> list[tuple[str, str, bool]]:
    """(code, name, former) rows of an INSEE country file; CommandError (French) if malformed."""
    text = _read_text(path)
    lines = text.splitlines()
    if not lines:
        raise CommandError(f"Le fichier {path.name} est vide.")
    delimiter = _delimiter(lines[0])
    reader = csv.DictReader(lines, delimiter=delimiter)
    columns = {(name or "").strip().upper(): name for name in reader.fieldnames or []}
    missing = [column for column in REQUIRED_COLUMNS if column not in columns]
    if missing:
        raise CommandError(
            f"{path.name} n'est pas un fichier pays de l'INSEE : colonne(s) {', '.join(missing)} "
            f"absente(s). Colonnes lues : {', '.join(columns) or 'aucune'}. "
            "Attendu : le fichier « pays et territoires étrangers » du Code officiel géographique "
            "(colonnes COG, ACTUAL, LIBCOG, LIBENR…)."
        )

    def cell(row: dict, column: str) -> str:
        return (row.get(columns[column]) or "").strip() if column in columns else ""

    rows: list[tuple[str, str, bool]] = []
    errors: list[str] = []
    for number, row in enumerate(reader, start=2):
        actual = cell(row, "ACTUAL")
        if actual == TERRITORY_WITHOUT_CODE:
            continue
        code, name, official_name = cell(row, "COG").upper(), cell(row, "LIBCOG"), cell(row, "LIBENR")
        if not birthplaces.COUNTRY_CODE_RE.match(code):
            errors.append(f"ligne {number} : code COG « {code} » invalide (attendu 99 suivi de 3 chiffres)")
            continue
        if not name:
            errors.append(f"ligne {number} : libellé LIBCOG vide pour le code {code}")
            continue
        if actual and actual not in {CURRENT, FORMER, TERRITORY}:
            errors.append(f"ligne {number} : valeur ACTUAL « {actual} » inconnue (attendu 1, 2, 3 ou 4)")
            continue
        if code == birthplaces.FRANCE_COUNTRY_CODE:
            continue  # never a place of birth: born in France means a commune code
        if actual == TERRITORY and official_name and official_name != name:
            # "Territoires portugais de l'océan Atlantique (Açores, Madère)": findable by "madère".
            name = f"{name} ({official_name})"
        # The history file closes a name with DATE_FIN; the yearly file says ACTUAL = 2.
        former = actual == FORMER or bool(cell(row, "DATE_FIN"))
        rows.append((code, name, former))
    if errors:
        shown = "\n".join(f"  - {error}" for error in errors[:MAX_ERRORS_SHOWN])
        more = f"\n  … et {len(errors) - MAX_ERRORS_SHOWN} autre(s)" if len(errors) > MAX_ERRORS_SHOWN else ""
        raise CommandError(f"{path.name} est refusé, rien n'a été importé :\n{shown}{more}")
    if not rows:
        raise CommandError(f"{path.name} ne contient aucun code pays : rien n'a été importé.")
    # One row per (code, name); a code's current name before its former ones.
    unique = {(code, name): former for code, name, former in rows}
    rows = [(code, name, former) for (code, name), former in unique.items()]
    return sorted(rows, key=lambda row: (row[0], row[2]))


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CommandError(f"Impossible de lire {path} : {error.strerror or error}.") from None
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CommandError(f"{path.name} n'est ni en UTF-8 ni en Windows-1252 : fichier refusé.")


def _delimiter(header: str) -> str:
    # INSEE's files use commas since 2019 and tabs before; a spreadsheet may save semicolons.
    return max(",;\t", key=header.count)


def _write_atomically(target: Path, rows: list[tuple[str, str, bool]], comments: list[str]) -> None:
    """Replace the file in one rename: a failed import leaves the previous list in place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".countries-", suffix=".tmp")
    os.close(handle)
    try:
        birthplaces.write_countries(Path(temporary), rows, comments=comments)
        birthplaces.read_countries(Path(temporary))  # what was written must read back
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
