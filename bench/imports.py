"""The CSV import at its limit: dry run of 50,000 rows, and the confirm of 5,000 (``make bench``).

Rows are synthetic (names built from syllables, a fifth of them common names, accents and
hyphens included), written in Windows-1252 as old software exports them.
"""

import datetime
import random
import time

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.test.utils import setup_test_environment
from django.urls import reverse

from secretariat.core.models import CareTeam, Structure, User
from secretariat.core.roles import Role
from secretariat.interop.imports import parsing, queries

SURNAMES = ["MARTIN", "BERNARD", "THOMAS", "PETIT", "DURAND", "DUBOIS", "MOREAU", "LEFÈVRE", "ANDRÉ",
            "GUÉRIN", "FRANÇOIS", "CLÉMENT", "N'DIAYE", "LE GALL", "DUPONT", "FONTAINE", "ROUSSEAU"]
FIRST = ["Marie", "Jean", "Pierre", "Nathalie", "Françoise", "Jean-Pierre", "Éloïse", "Chloé", "Léa",
         "Hugo", "Lucas", "Raphaël", "Zoé", "Anaïs", "Théo", "Noémie", "Awa"]
PLACES = ["69123", "75056", "13055", "Lyon", "Marseille", "99350", "33063", "59350", "2A004"]
SYLLABLES = ["MAR", "TIN", "BER", "NARD", "DU", "BOIS", "LE", "ROY", "FON", "TAINE", "GAR", "NIER",
             "CHE", "VA", "LIER", "ROUS", "SEAU", "PE", "RRIN", "MO", "REAU", "GI", "RAUD", "LAM"]


def _surname(rng: random.Random) -> str:
    if rng.random() < 0.2:
        return rng.choice(SURNAMES)
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3))))


def csv_rows(count: int, rng: random.Random) -> bytes:
    lines = ["NOM;PRENOMS;DDN;SEXE;LIEU_NAISSANCE;NOM_USAGE;PORTABLE;EMAIL"]
    for index in range(count):
        born = datetime.date(1930, 1, 1) + datetime.timedelta(days=rng.randrange(33000))
        name = _surname(rng) + ("" if index % 5 else "-" + _surname(rng))
        lines.append(";".join([
            name, f"{rng.choice(FIRST)} {rng.choice(FIRST)}", f"{born:%d/%m/%Y}", rng.choice("FM"),
            rng.choice(PLACES), _surname(rng) if index % 4 == 0 else "", f"06 {rng.randrange(10**8):08d}",
            f"p{index}@example.org",
        ]))
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def import_scenarios(media_root):
    # The confirm form is read from the check page's context, which the test client records
    # only once the test environment is set up.
    setup_test_environment()
    structure = Structure.objects.create(name="Cabinet de banc d'essai (import)")
    secretary = User.objects.create(username=f"import-{structure.pk}", structure=structure, role=Role.SECRETARY)
    team = CareTeam.objects.create(structure=structure, name="Import")
    team.members.add(secretary)
    big = csv_rows(parsing.MAX_ROWS, random.Random(42))

    def dry_run() -> None:
        table = parsing.load(big)
        report = queries.read_file(table, parsing.guess_mapping(table.headers), today=datetime.date(2026, 1, 1))
        queries.compare_rows(report.rows, structure_id=structure.pk)
        queries.explain_for(report.rows, user=secretary)

    client = Client()
    client.force_login(secretary)

    def confirm_5000() -> None:
        small = csv_rows(5_000, random.Random(time.perf_counter_ns()))
        with override_settings(MEDIA_ROOT=media_root):
            token = client.post(reverse("imports:upload"),
                                {"file": SimpleUploadedFile("small.csv", small)}).url.split("/")[2]
            headers = parsing.load(small).headers
            params = {f"column_{n}": name for n, name in enumerate(parsing.guess_mapping(headers))}
            checked = client.get(reverse("imports:check", args=[token]), params | {"care_team": team.pk})
            form = checked.context["confirm_form"]
            done = client.post(reverse("imports:confirm", args=[token]),
                               {name: form.initial.get(name, "") for name in form.fields})
        if done.status_code != 302:
            raise RuntimeError("the confirm did not go through")

    yield "import: dry run of 50,000 rows (read, rules, duplicates)", dry_run, 5
    yield "import: upload, check and confirm 5,000 rows", confirm_5000, 3
