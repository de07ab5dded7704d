"""Timing of the dry run on a file at the limit (50,000 rows); run with IMPORT_BENCH=1."""

import datetime
import os
import random
import time

import pytest

from secretariat.interop.imports import parsing, queries
from secretariat.patients.models import Patient

pytestmark = pytest.mark.skipif(not os.environ.get("IMPORT_BENCH"), reason="benchmark: IMPORT_BENCH=1")

SURNAMES = ["MARTIN", "BERNARD", "THOMAS", "PETIT", "ROBERT", "RICHARD", "DURAND", "DUBOIS", "MOREAU",
            "LAURENT", "SIMON", "MICHEL", "LEFEBVRE", "LEROY", "ROUX", "DAVID", "BERTRAND", "MOREL",
            "FOURNIER", "GIRARD", "BONNET", "DUPONT", "LAMBERT", "FONTAINE", "ROUSSEAU", "VINCENT",
            "MULLER", "LEFÈVRE", "FAURE", "ANDRÉ", "MERCIER", "BLANC", "GUÉRIN", "BOYER", "GARNIER",
            "CHEVALIER", "FRANÇOIS", "LEGRAND", "GAUTHIER", "GARCIA", "PERRIN", "ROBIN", "CLÉMENT",
            "MORIN", "NICOLAS", "HENRY", "ROUSSEL", "MATHIEU", "GAUTIER", "MASSON", "N'DIAYE", "LE GALL"]
FIRST = ["Marie", "Jean", "Pierre", "Michel", "André", "Philippe", "Nathalie", "Isabelle", "Sylvie",
         "Catherine", "Françoise", "Jean-Pierre", "Éloïse", "Chloé", "Léa", "Manon", "Hugo", "Lucas",
         "Louis", "Emma", "Jade", "Gabriel", "Raphaël", "Zoé", "Anaïs", "Théo", "Noémie", "Awa"]
PLACES = ["69123", "75056", "13055", "Lyon", "Marseille", "99350", "33063", "59350", "1053", "2A004"]


SYLLABLES = ["MAR", "TIN", "BER", "NARD", "DU", "BOIS", "LE", "ROY", "FON", "TAINE", "GAR", "NIER",
             "CHE", "VA", "LIER", "ROUS", "SEAU", "PE", "RRIN", "MO", "REAU", "GI", "RAUD", "LAM",
             "BERT", "RI", "CHARD", "BON", "NET", "FAU", "RE", "BLAN", "CHET", "MA", "THIEU", "CLE",
             "MENT", "NI", "COLAS", "HEN"]


def _surname(rng):
    if rng.random() < 0.2:
        return rng.choice(SURNAMES)
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3))))


def _rows(count, rng):
    lines = ["NOM;PRENOMS;DDN;SEXE;LIEU_NAISSANCE;NOM_USAGE;PORTABLE;EMAIL"]
    for index in range(count):
        born = datetime.date(1930, 1, 1) + datetime.timedelta(days=rng.randrange(33000))
        name = _surname(rng) + ("" if index % 5 else "-" + _surname(rng))
        first = f"{rng.choice(FIRST)} {rng.choice(FIRST)}"
        lines.append(";".join([
            name, first, f"{born:%d/%m/%Y}", rng.choice("FM"), rng.choice(PLACES),
            _surname(rng) if index % 4 == 0 else "",
            f"06 {rng.randrange(10**8):08d}", f"p{index}@example.org",
        ]))
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


@pytest.mark.parametrize("existing", [0, 20_000])
def test_dry_run_of_50000_rows(personas, existing):
    rng = random.Random(42)
    if existing:
        patients = []
        for index in range(existing):
            born = datetime.date(1930, 1, 1) + datetime.timedelta(days=rng.randrange(33000))
            first = rng.choice(FIRST).upper().replace("É", "E").replace("Ï", "I").replace("Ë", "E")
            first = first.replace("Ç", "C")
            patient = Patient(structure=personas.structure, birth_name=_surname(rng),
                              birth_first_names=f"{first} ANNE", first_birth_first_name=first,
                              birth_date=born, sex=rng.choice("FM"), birthplace_code="69123",
                              phone=f"06{index:08d}")
            patient.refresh_search_keys()
            patients.append(patient)
        Patient.objects.bulk_create(patients, batch_size=2000)
    data = _rows(parsing.MAX_ROWS, rng)
    start = time.perf_counter()
    table = parsing.load(data)
    loaded = time.perf_counter()
    mapping = parsing.guess_mapping(table.headers)
    report = queries.read_file(table, mapping, today=datetime.date(2026, 1, 1))
    read = time.perf_counter()
    queries.compare_rows(report.rows, structure_id=personas.structure.pk)
    compared = time.perf_counter()
    queries.explain_for(report.rows, user=personas.secretary)
    done = time.perf_counter()
    print(  # noqa: T201
        f"\n{existing} existing: {len(data) / 1e6:.1f} MB, load {loaded - start:.2f}s, "
        f"read {read - loaded:.2f}s, compare {compared - read:.2f}s, "
        f"explain {done - compared:.2f}s, total {done - start:.2f}s, counts {report.counts()}")


@pytest.mark.parametrize("rows", [5_000])
def test_check_screen_and_confirm(client, personas, settings, tmp_path, rows):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    settings.MEDIA_ROOT = tmp_path
    client.force_login(personas.secretary)
    data = _rows(parsing.MAX_ROWS, random.Random(7))
    start = time.perf_counter()
    response = client.post(reverse("imports:upload"), {"file": SimpleUploadedFile("big.csv", data)})
    token = response.url.split("/")[2]
    uploaded = time.perf_counter()
    mapping = parsing.guess_mapping(parsing.load(data).headers)
    params = {f"column_{n}": name for n, name in enumerate(mapping)} | {"care_team": personas.team_a.pk}
    checked = client.get(reverse("imports:check", args=[token]), params)
    shown = time.perf_counter()
    print(  # noqa: T201
        f"\nupload of 50,000 rows {uploaded - start:.2f}s, check screen {shown - uploaded:.2f}s, "
        f"{checked.context['counts']}")
    small = _rows(rows, random.Random(8))
    response = client.post(reverse("imports:upload"), {"file": SimpleUploadedFile("small.csv", small)})
    token = response.url.split("/")[2]
    checked = client.get(reverse("imports:check", args=[token]), params)
    form = checked.context["confirm_form"]
    start = time.perf_counter()
    done = client.post(reverse("imports:confirm", args=[token]),
                       {name: form.initial.get(name, "") for name in form.fields})
    elapsed = time.perf_counter() - start
    assert done.status_code == 302
    print(  # noqa: T201
        f"confirm of {rows} rows: {elapsed:.2f}s, {elapsed / rows * 1000:.2f} ms per patient, "
        f"{Patient.objects.count()} patients")
