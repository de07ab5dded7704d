"""The dry run against the patients, and the confirmation: all rows or none."""

import datetime

import pytest
from django.utils import translation

from secretariat.core.models.audit import AuditEvent
from secretariat.interop.imports import parsing, queries, services, storage
from secretariat.patients.models import IdentityChange, Patient
from secretariat.patients.queries import anteriority_candidates
from secretariat.patients.tests.factories import PatientFactory

TODAY = datetime.date(2026, 3, 1)
HEADER = "NOM;NOM_USAGE;PRENOMS;DDN;SEXE;LIEU_NAISSANCE"
MAPPING = parsing.guess_mapping(HEADER.split(";"))


@pytest.fixture(autouse=True)
def _media_and_english(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with translation.override("en"):
        yield


def table(*rows):
    return parsing.load(("\n".join([HEADER, *rows]) + "\n").encode())


def test_mapping_of_this_header():
    assert MAPPING == ["birth_name", "used_name", "birth_first_names", "birth_date", "sex", "birthplace_code"]


@pytest.fixture
def existing(personas):
    """Patients that an anteriority search may or may not bring back, in two care teams."""
    def make(name, first_names, born, *, sex="F", used_name="", place="69123", team=personas.team_a):
        return PatientFactory(structure=personas.structure, birth_name=name, used_name=used_name,
                              birth_first_names=first_names, first_birth_first_name=first_names.split()[0],
                              birth_date=born, sex=sex, birthplace_code=place, care_teams=[team])

    return [
        make("MARTIN", "CLAIRE ANNE", datetime.date(1980, 3, 1)),
        make("MARTIN", "CLAIRE", datetime.date(1980, 1, 3)),                  # day and month swapped
        make("MARTEN", "CLAIRE ANNE", datetime.date(1980, 3, 1), place="75056"),  # typo
        make("MARTIN", "PAUL", datetime.date(1980, 3, 1), sex="M"),           # another person
        make("DURAND", "CLAIRE ANNE", datetime.date(1981, 3, 1), used_name="MARTIN"),
        make("LEFEVRE", "ELOISE", datetime.date(1962, 7, 14), team=personas.team_b),
        make("LEFEBVRE", "ELOISE MARIE", datetime.date(1962, 7, 14), used_name="ROUX"),
        make("N'DIAYE", "AWA", datetime.date(1990, 2, 1), place="99350"),
        make("DUPONT", "JEAN", datetime.date(1975, 12, 25), sex="M"),
        make("DUPOND", "JEAN", datetime.date(1974, 12, 25), sex="M"),         # year differs
    ]


ROWS = (
    "Martin;;Claire Anne;01/03/1980;F;69123",
    "Martin;;Claire;03/01/1980;F;69123",
    "Durand;Martin;Claire;01/03/1981;F;69123",
    "Lefèvre;Roux;Éloïse Marie;14/07/1962;F;69123",
    "N'Diaye;;Awa Fatou;02/01/1990;F;99350",
    "Dupont;;Jean;25/12/1975;M;75056",
    "Dupond;;Jean Louis;25/12/1974;M;75056",
    "Garcia;;Inès;05/05/2005;F;99134",
    "Martin;;Paul;01/03/1980;M;69123",
)


def test_patients_flagged_are_those_anteriority_candidates_finds(personas, existing):
    report = queries.read_file(table(*ROWS), MAPPING, today=TODAY)
    queries.compare_rows(report.rows, structure_id=personas.structure.pk)
    flagged_any = False
    for row in report.rows:
        expected = [candidate.patient.pk for candidate in
                    anteriority_candidates(personas.structure, row.row.identity)]
        assert sorted(row.same_as_patients) == sorted(expected), row.row.values
        flagged_any = flagged_any or bool(expected)
    assert flagged_any
    assert report.rows[7].same_as_patients == []  # nobody like Inès Garcia


def test_other_structures_patients_are_not_compared(personas):
    PatientFactory(structure=personas.other_structure, birth_name="MARTIN", birth_first_names="CLAIRE ANNE",
                   first_birth_first_name="CLAIRE", birth_date=datetime.date(1980, 3, 1))
    report = queries.import_report(table(ROWS[0]), MAPPING, user=personas.secretary, today=TODAY)
    assert report.counts() == {"to_create": 1, "duplicate": 0, "refused": 0, "total": 1}


def test_duplicates_are_split_into_visible_files_and_other_teams_files(personas, existing):
    report = queries.import_report(table(ROWS[3]), MAPPING, user=personas.secretary, today=TODAY)
    (row,) = report.rows
    team_b_eloise, team_a_eloise = existing[5], existing[6]
    assert team_a_eloise.pk in row.visible_patients
    assert team_b_eloise.pk not in row.visible_patients
    assert row.hidden_patients == 1
    coordinator_view = queries.import_report(table(ROWS[3]), MAPPING, user=personas.coordinator, today=TODAY)
    assert coordinator_view.rows[0].hidden_patients == 0


def test_same_identity_twice_in_the_file_flags_the_later_rows(personas):
    report = queries.import_report(table(
        "Garcia;;Inès;05/05/2005;F;99134",
        "Petit;;Hugo;03/04/2001;M;13055",
        "GARCIA;;INES;05/05/2005;F;99134",
        "Garcia;;Ines;05/05/2005;F;99134",
    ), MAPPING, user=personas.secretary, today=TODAY)
    assert [(row.number, row.status, row.same_as_rows) for row in report.rows] == [
        (2, "to_create", []), (3, "to_create", []), (4, "duplicate", [2]), (5, "duplicate", [2, 4])]


def _confirm(personas, *rows, user=None, team=None):
    user = user or personas.secretary
    team = team or personas.team_a
    data = ("\n".join([HEADER, *rows]) + "\n").encode()
    upload = storage.save(data, name="export.csv", user=user)
    report = queries.import_report(parsing.load(data), MAPPING, user=user, today=TODAY)
    fingerprint = report.fingerprint(data=data, mapping=MAPPING, care_team_id=team.pk)
    return upload, lambda: services.import_patients(upload, mapping=MAPPING, care_team=team,
                                                    fingerprint=fingerprint, acting_user=user, today=TODAY)


def test_confirm_creates_exactly_the_rows_fit_to_create(personas, existing):
    before = set(Patient.objects.values_list("pk", flat=True))
    upload, run = _confirm(personas, *ROWS, "Inconnu1;;Jean;01/01/1990;M;75056",
                           "Garcia;;Inès;05/05/2005;F;99134")
    result = run()
    created = Patient.objects.exclude(pk__in=before)
    assert [(row, pk) for row, pk in result.created] == [(9, created.get().pk)]
    assert created.get().birth_name == "GARCIA"
    assert result.counts == {"to_create": 1, "duplicate": 9, "refused": 1, "total": 11}
    assert storage.read_result(upload)["created"] == [[9, created.get().pk]]


def test_a_failure_in_the_middle_writes_nothing(transactional_db, personas, monkeypatch):
    upload, run = _confirm(personas, "Garcia;;Inès;05/05/2005;F;99134", "Petit;;Hugo;03/04/2001;M;13055",
                           "Roux;;Zoé;09/09/1999;F;75056")
    real = services.create_imported_patient
    calls = []

    def failing_on_the_second_row(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "create_imported_patient", failing_on_the_second_row)
    with pytest.raises(RuntimeError, match="disk full"):
        run()
    assert len(calls) == 2
    assert Patient.objects.count() == 0
    assert IdentityChange.objects.count() == 0
    assert not AuditEvent.objects.filter(action__in=["patients.created", "patients.imported"]).exists()
    # The file is given back: the import can be confirmed again once the problem is solved.
    assert upload.data_path.exists()
    assert not upload.is_done()
    monkeypatch.setattr(services, "create_imported_patient", real)
    assert len(run().created) == 3
    assert Patient.objects.count() == 3


def test_confirm_of_an_upload_already_imported_is_refused(personas):
    _upload, run = _confirm(personas, "Garcia;;Inès;05/05/2005;F;99134")
    run()
    with pytest.raises(services.ImportUnavailable):
        run()
    assert Patient.objects.count() == 1


def test_summary_audit_row_carries_counts_and_no_identity(personas):
    _upload, run = _confirm(personas, "Garcia;;Inès;05/05/2005;F;99134", "X1;;Y;01/01/2000;F;75056")
    run()
    summary = AuditEvent.objects.get(action="patients.imported")
    assert summary.data == {"rows": 2, "created": 1, "refused": 1, "possible_duplicates": 0}
    assert summary.target_label == personas.team_a.name
