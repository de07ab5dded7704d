"""Import screens: upload → columns → check → confirm → result, for the right people only."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from secretariat.core.models.audit import AuditEvent
from secretariat.interop.imports import parsing, storage
from secretariat.patients.models import IdentityChange, Patient
from secretariat.patients.tests.factories import PatientFactory

HEADER = "NOM;PRENOMS;DDN;SEXE;LIEU_NAISSANCE;PORTABLE"
MAPPING = ["birth_name", "birth_first_names", "birth_date", "sex", "birthplace_code", "phone"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def csv(*rows, header=HEADER, encoding="utf-8", bom=False):
    text = "\r\n".join([header, *rows]) + "\r\n"
    return ("\ufeff" if bom else "").encode(encoding) + text.encode(encoding)


def send(client, data, name="export.csv"):
    return client.post(reverse("imports:upload"), {"file": SimpleUploadedFile(name, data, "text/csv")})


def uploaded(client, data, name="export.csv"):
    response = send(client, data, name)
    assert response.status_code == 302, response.content.decode()[:2000]
    return re.fullmatch(r"/imports/([\w-]+)/", response.url)[1]


def check(client, token, team, mapping=MAPPING, **extra):
    params = {f"column_{column}": name for column, name in enumerate(mapping)}
    return client.get(reverse("imports:check", args=[token]), {**params, "care_team": team.pk, **extra})


def confirm(client, token, checked):
    form = checked.context["confirm_form"]
    return client.post(reverse("imports:confirm", args=[token]),
                       {name: form.initial.get(name, "") for name in form.fields})


def import_dir_files():
    return sorted(path.name for path in storage.directory().iterdir())


@pytest.fixture
def team_a_patient(personas):
    return PatientFactory(structure=personas.structure, birth_name="MARTIN", birth_first_names="CLAIRE ANNE",
                          first_birth_first_name="CLAIRE", birth_date=datetime.date(1980, 3, 1),
                          birthplace_code="75056", care_teams=[personas.team_a])


@pytest.fixture
def team_b_patient(personas):
    return PatientFactory(structure=personas.structure, birth_name="ROBERT", birth_first_names="PAUL",
                          first_birth_first_name="PAUL", birth_date=datetime.date(1955, 5, 20), sex="M",
                          birthplace_code="13055", care_teams=[personas.team_b])


ROWS = (
    "Lefèvre;Éloïse Marie;14/07/1962;F;69123;06 12 34 56 78",       # 2: created
    "N'Diaye;Awa;01/02/1990;Femme;Maroc;",                          # 3: created
    "Dupont2;Jean;01/02/1980;M;75056;",                             # 4: refused (digit)
    "LEFEVRE;Eloise Marie;14/07/1962;F;69123;",                     # 5: same as row 2
    "Martin;Claire Anne;01/03/1980;F;75056;",                       # 6: team A's patient
    "Robert;Paul;20/05/1955;M;Marseille;",                          # 7: team B's patient
    "Petit;Hugo;03/04/2001;1;13055;+33 6 98 76 54 32",              # 8: created
)


def test_secretary_imports_a_file_end_to_end(client, personas, english, team_a_patient, team_b_patient):
    client.force_login(personas.secretary)
    token = uploaded(client, csv(*ROWS, bom=True), name="patients-ancien-logiciel.csv")

    mapping_page = client.get(reverse("imports:mapping", args=[token]))
    assert mapping_page.status_code == 200
    form = mapping_page.context["form"]
    assert [form[f"column_{column}"].initial for column in range(6)] == MAPPING
    assert form["care_team"].initial == personas.team_a.pk
    assert "UTF-8 (BOM)" in mapping_page.content.decode()

    checked = check(client, token, personas.team_a)
    assert checked.status_code == 200
    assert checked.context["counts"] == {"to_create": 3, "duplicate": 3, "refused": 1, "total": 7}
    page = checked.content.decode()
    assert f"Possible duplicate of file n° {team_a_patient.pk}" in page
    assert reverse("patients:detail", args=[team_a_patient.pk]) in page
    assert "Possible duplicate of a file of another team" in page
    assert f"n° {team_b_patient.pk}" not in page
    assert "Possibly the same person as row 2 of this file" in page
    assert "Birth name: “2” cannot be part of a name" in page
    assert Patient.objects.count() == 2

    done = confirm(client, token, checked)
    assert done.status_code == 302
    assert done.url == reverse("imports:result", args=[token])
    created = Patient.objects.exclude(pk__in=[team_a_patient.pk, team_b_patient.pk]).order_by("pk")
    assert [(p.birth_name, p.birth_first_names, p.first_birth_first_name, p.birth_date, p.sex,
             p.birthplace_code, p.phone) for p in created] == [
        ("LEFEVRE", "ELOISE MARIE", "ELOISE", datetime.date(1962, 7, 14), "F", "69123", "0612345678"),
        ("N'DIAYE", "AWA", "AWA", datetime.date(1990, 2, 1), "F", "99350", ""),
        ("PETIT", "HUGO", "HUGO", datetime.date(2001, 4, 3), "M", "13055", "0698765432"),
    ]
    for patient in created:
        assert list(patient.care_teams.all()) == [personas.team_a]
        assert patient.identity_status == Patient.IdentityStatus.PROVISIONAL
        change = patient.identity_changes.get()
        assert (change.kind, change.reason, change.changed_by) == (
            IdentityChange.Kind.CREATED, "Imported from patients-ancien-logiciel.csv", personas.secretary)
    assert AuditEvent.objects.filter(action="patients.created").count() == 3
    summary = AuditEvent.objects.get(action="patients.imported")
    assert summary.data == {"rows": 7, "created": 3, "refused": 1, "possible_duplicates": 3}
    assert (summary.acting_user, summary.structure_id) == (personas.secretary, personas.structure.pk)
    # The identities of the file are gone; only the outcome (numbers) stays for the result page.
    assert import_dir_files() == [f"{token}.done.json", f"{token}.json"]

    result = client.get(done.url)
    assert result.status_code == 200
    page = result.content.decode()
    assert "3 patient files created" in page
    assert "3 possible duplicates" in page
    assert "1 refused row" in page
    for patient in created:
        assert reverse("patients:detail", args=[patient.pk]) in page


def test_windows_1252_file_with_comma_delimiter(client, personas, english):
    client.force_login(personas.secretary)
    data = csv("Cœur,Noël,25/12/1970,M,Lyon,", "D’Arc,Jeanne Hélène,06/01/1912,F,88160,",
               header=HEADER.replace(";", ","), encoding="cp1252")
    token = uploaded(client, data)
    assert "Windows-1252" in client.get(reverse("imports:mapping", args=[token])).content.decode()
    checked = check(client, token, personas.team_a)
    assert checked.context["counts"]["to_create"] == 2
    confirm(client, token, checked)
    assert sorted(Patient.objects.values_list("birth_name", "birth_first_names")) == [
        ("COEUR", "NOEL"), ("D'ARC", "JEANNE HELENE")]


def test_required_mapping_missing_shows_the_columns_again(client, personas, english):
    client.force_login(personas.secretary)
    token = uploaded(client, csv(ROWS[0]))
    response = check(client, token, personas.team_a, mapping=["birth_name", "", "birth_date", "sex", "", ""])
    assert response.status_code == 200
    assert "counts" not in response.context
    page = response.content.decode()
    assert "Choose the column holding: Birth first names (required)." in page
    assert "Choose the column holding: Birthplace (required)." in page


def test_care_team_of_another_team_is_refused(client, personas, english):
    client.force_login(personas.secretary)
    token = uploaded(client, csv(ROWS[0]))
    response = check(client, token, personas.team_b)
    assert "counts" not in response.context
    assert response.context["form"].errors["care_team"]


def test_oversized_file_is_refused_and_nothing_is_written(client, personas, english):
    client.force_login(personas.secretary)
    line = ROWS[0].encode() + b"\r\n"
    data = csv() + line * (parsing.MAX_BYTES // len(line) + 1)
    assert len(data) > parsing.MAX_BYTES
    response = send(client, data)
    assert response.status_code == 200
    assert "The file is larger than 5 MB" in response.content.decode()
    assert import_dir_files() == []
    assert Patient.objects.count() == 0


def test_too_many_rows_are_refused_and_nothing_is_written(client, personas, english):
    client.force_login(personas.secretary)
    response = send(client, b"A;B\n" + b"x;y\n" * (parsing.MAX_ROWS + 1))
    assert response.status_code == 200
    assert "more than 50,000 rows of patients" in response.content.decode()
    assert import_dir_files() == []


def test_not_a_csv_file_is_refused(client, personas, english):
    client.force_login(personas.secretary)
    response = send(client, b"PK\x03\x04\x00\x00binary", name="export.xlsx")
    assert "save it as CSV" in response.content.decode()
    assert import_dir_files() == []


def test_hostile_values_are_refused_and_markup_is_escaped(client, personas, english):
    client.force_login(personas.secretary)
    token = uploaded(client, csv("=cmd|' /C calc'!A0;Jean;01/02/1980;M;75056;",
                                 "<script>alert(1)</script>;Jean;01/02/1980;M;75056;",
                                 "Dupont;Jean;01/02/1980;M;<img src=x onerror=alert(1)>;=HYPERLINK(\"x\")"))
    checked = check(client, token, personas.team_a)
    assert checked.context["counts"] == {"to_create": 0, "duplicate": 0, "refused": 3, "total": 3}
    page = checked.content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page
    assert "“=”, “|”, “/”, “!”, “0” cannot be part of a name" in page
    assert "No row can be created" in page
    response = client.post(reverse("imports:confirm", args=[token]), {"fingerprint": "0" * 64})
    assert response.status_code == 302
    assert Patient.objects.count() == 0


def test_report_can_show_only_one_outcome(client, personas, english):
    client.force_login(personas.secretary)
    token = uploaded(client, csv(*ROWS))
    refused = check(client, token, personas.team_a, show="refused")
    assert [row["number"] for row in refused.context["rows"]] == [4]
    assert [row["number"] for row in check(client, token, personas.team_a).context["rows"]] == [2, 3, 4, 5, 6, 7, 8]


def test_confirming_twice_creates_once(client, personas, english):
    client.force_login(personas.secretary)
    token = uploaded(client, csv(ROWS[0], ROWS[1]))
    checked = check(client, token, personas.team_a)
    assert confirm(client, token, checked).status_code == 302
    again = confirm(client, token, checked)
    assert again.url == reverse("imports:result", args=[token])
    assert Patient.objects.count() == 2
    assert AuditEvent.objects.filter(action="patients.imported").count() == 1


def test_a_patient_created_since_the_check_stops_the_import(client, personas, english):
    client.force_login(personas.secretary)
    token = uploaded(client, csv(ROWS[0], ROWS[1]))
    checked = check(client, token, personas.team_a)
    # Another desk creates the same person meanwhile.
    PatientFactory(structure=personas.structure, birth_name="N'DIAYE", birth_first_names="AWA",
                   first_birth_first_name="AWA", birth_date=datetime.date(1990, 2, 1), birthplace_code="99350")
    response = confirm(client, token, checked)
    assert response.status_code == 302
    assert response.url.startswith(reverse("imports:check", args=[token]) + "?")
    assert Patient.objects.count() == 1
    assert not AuditEvent.objects.filter(action__in=["patients.created", "patients.imported"]).exists()
    rechecked = client.get(response.url)
    assert "The patients or the file changed since the check: nothing was created." in rechecked.content.decode()
    assert rechecked.context["counts"] == {"to_create": 1, "duplicate": 1, "refused": 0, "total": 2}
    confirm(client, token, rechecked)
    assert Patient.objects.count() == 2


def test_a_changed_mapping_does_not_confirm_what_was_checked(client, personas, english):
    client.force_login(personas.secretary)
    token = uploaded(client, csv(ROWS[0]))
    checked = check(client, token, personas.team_a)
    form = checked.context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    data["column_5"] = ""
    client.post(reverse("imports:confirm", args=[token]), data)
    assert Patient.objects.count() == 0


def test_coordinator_may_import_for_any_team_of_the_structure(client, personas, english):
    client.force_login(personas.coordinator)
    token = uploaded(client, csv(ROWS[0]))
    checked = check(client, token, personas.team_b)
    confirm(client, token, checked)
    assert list(Patient.objects.get().care_teams.all()) == [personas.team_b]


@pytest.mark.parametrize("persona", ["accountant", "reception", "practitioner_user"])
def test_others_get_403(client, personas, persona):
    client.force_login(personas.secretary)
    token = uploaded(client, csv(ROWS[0]))
    client.force_login(getattr(personas, persona))
    for name in ("mapping", "check", "result"):
        assert client.get(reverse(f"imports:{name}", args=[token])).status_code == 403
    assert client.get(reverse("imports:upload")).status_code == 403
    assert send(client, csv(ROWS[0])).status_code == 403
    assert client.post(reverse("imports:confirm", args=[token]), {}).status_code == 403
    assert Patient.objects.count() == 0


def test_anonymous_is_sent_to_the_login_page(client, personas):
    response = client.get(reverse("imports:upload"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("core:login"))


@pytest.mark.parametrize("persona", ["other_team_secretary", "coordinator", "other_structure_secretary"])
def test_an_upload_opens_only_for_the_user_who_sent_it(client, personas, persona):
    client.force_login(personas.secretary)
    token = uploaded(client, csv(ROWS[0]))
    client.force_login(getattr(personas, persona))
    assert client.get(reverse("imports:mapping", args=[token])).status_code == 404
    assert client.post(reverse("imports:discard", args=[token])).status_code == 404
    assert client.get(reverse("imports:mapping", args=["x" * 24])).status_code == 404


def test_discarding_deletes_the_file(client, personas, english):
    client.force_login(personas.secretary)
    token = uploaded(client, csv(ROWS[0]))
    response = client.post(reverse("imports:discard", args=[token]))
    assert response.url == reverse("imports:upload")
    assert import_dir_files() == []
    assert client.get(reverse("imports:mapping", args=[token])).status_code == 404


def test_stale_uploads_are_deleted(personas, tmp_path):
    upload = storage.save(b"A;B\nx;y\n", name="old.csv", user=personas.secretary)
    assert storage.forget_stale(now=datetime.datetime.now().timestamp() + 25 * 3600) == 2
    assert not upload.data_path.exists()

