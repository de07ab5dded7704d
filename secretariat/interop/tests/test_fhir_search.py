"""FHIR API: Patient search (searchset Bundle) and the $match operation."""

import json
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from secretariat.core.models import AuditEvent
from secretariat.core.services.accounts import issue_api_token
from secretariat.interop.fhir import mapping
from secretariat.patients.tests.factories import PatientFactory

FHIR_JSON = "application/fhir+json"
DEMO_OID = "1.2.250.1.213.1.4.11"
LOCAL_SYSTEM = "http://testserver/fhir/sid/patient"
MATCH_GRADE_URL = "http://hl7.org/fhir/StructureDefinition/match-grade"


@pytest.fixture
def api(client, personas):
    """GET /fhir/Patient?… as Alice (secretary, team A); returns the response."""
    headers = {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(personas.secretary)}"}

    def search(query: str = "", **extra):
        return client.get(f"{reverse('fhir:patient_type')}{query}", **headers, **extra)

    search.headers = headers
    return search


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    bundle = response.json()
    Bundle.model_validate(bundle)
    assert bundle["type"] == "searchset"
    entries = bundle.get("entry", [])
    for entry in entries:
        assert entry["fullUrl"] == f"http://testserver/fhir/Patient/{entry['resource']['id']}"
        assert entry["search"]["mode"] == "match"
    return [int(entry["resource"]["id"]) for entry in entries]


@pytest.fixture
def people(personas):
    """Patients of team A, one of team B and one of the other structure."""
    def make(**traits):
        return PatientFactory(structure=personas.structure, care_teams=[personas.team_a], **traits)

    now = timezone.now()
    return {
        "dupont": make(birth_name="DUPONT", birth_first_names="MARIE CLAIRE", first_birth_first_name="MARIE",
                       birth_date=date(1980, 3, 15), phone="0612345678"),
        "martin": make(birth_name="MARTIN", birth_first_names="JEAN PAUL", first_birth_first_name="JEAN",
                       birth_date=date(1975, 11, 2), sex="M", email="jean.martin@example.org"),
        "lefevre": make(birth_name="LEFEVRE", used_name="DURAND", birth_first_names="ELOISE",
                        first_birth_first_name="ELOISE", birth_date=date(1980, 6, 1)),
        "qualified": make(birth_name="BERNARD", birth_first_names="LUC", first_birth_first_name="LUC",
                          sex="M", birth_date=date(1990, 1, 1), identity_status="QUAL",
                          ins_matricule="190017512345612", ins_oid=DEMO_OID, ins_retrieved_at=now,
                          document_type="passport", document_checked_at=now),
        "retrieved": make(birth_name="PETIT", birth_first_names="ANNE", first_birth_first_name="ANNE",
                          birth_date=date(1991, 2, 2), identity_status="RECUP",
                          ins_matricule="291027512345634", ins_oid=DEMO_OID, ins_retrieved_at=now),
        "team_b": PatientFactory(structure=personas.structure, care_teams=[personas.team_b],
                                 birth_name="DUPONT", birth_first_names="MARIE", first_birth_first_name="MARIE",
                                 birth_date=date(1980, 3, 15)),
        "elsewhere": PatientFactory(structure=personas.other_structure, birth_name="DUPONT",
                                    birth_first_names="MARIE", first_birth_first_name="MARIE",
                                    care_teams=[personas.other_structure.care_teams.get()]),
    }


def test_search_without_parameters_lists_the_scope_only(api, people):
    response = api()
    found = ids(response)
    expected = {people[key].pk for key in ("dupont", "martin", "lefevre", "qualified", "retrieved")}
    assert set(found) == expected
    assert response.json()["total"] == 5
    assert response.json()["link"] == [{"relation": "self", "url": "http://testserver/fhir/Patient"}]


@pytest.mark.parametrize(("_case", "query", "expected"), [
    ("family, lower case", "?family=dupont", ["dupont"]),
    ("family with accents", "?family=Lefèvre", ["lefevre"]),
    ("used name", "?family=durand", ["lefevre"]),
    ("given", "?given=marie", ["dupont"]),
    ("name with a typo", "?name=dupnot", ["dupont"]),
    ("family and given", "?family=martin&given=jean", ["martin"]),
    ("birth date", "?birthdate=1980-03-15", ["dupont"]),
    ("birth date with eq", "?birthdate=eq1975-11-02", ["martin"]),
    ("birth month", "?birthdate=1980-06", ["lefevre"]),
    ("birth year and name", "?birthdate=1980&family=dupont", ["dupont"]),
    ("gender", "?gender=male", ["martin", "qualified"]),
    ("gender other", "?gender=other", []),
    ("local identifier", "?identifier={local}|{dupont}", ["dupont"]),
    ("bare local number", "?identifier={dupont}", ["dupont"]),
    ("qualified INS", "?identifier=urn:oid:1.2.250.1.213.1.4.11|190017512345612", ["qualified"]),
    ("bare qualified INS", "?identifier=190017512345612", ["qualified"]),
    ("INS of a non-qualified identity", "?identifier=urn:oid:1.2.250.1.213.1.4.11|291027512345634", []),
    ("foreign system", "?identifier=http://elsewhere/sid|{dupont}", []),
    ("phone as typed", "?telecom=06 12 34 56 78", ["dupont"]),
    ("phone with its system", "?telecom=phone|%2B33612345678", ["dupont"]),
    ("e-mail", "?telecom=Jean.Martin@example.org", ["martin"]),
])
def test_search_parameters(api, people, _case, query, expected):
    query = query.format(local=LOCAL_SYSTEM, dupont=people["dupont"].pk)
    assert sorted(ids(api(query))) == sorted(people[key].pk for key in expected)


def test_name_search_never_leaves_the_scope(api, people):
    assert ids(api("?family=dupont&birthdate=1980-03-15")) == [people["dupont"].pk]


def test_count_limits_the_page_not_the_total(api, people):
    response = api("?_count=2")
    assert len(ids(response)) == 2
    assert response.json()["total"] == 5
    only_total = api("?_count=0")
    assert ids(only_total) == []
    assert only_total.json()["total"] == 5
    assert len(ids(api("?_count=1000"))) == 5  # capped at 100


def test_search_audits_one_read_per_patient_returned(api, people, personas):
    ids(api("?_count=2"))
    events = AuditEvent.objects.filter(action="patients.file_viewed")
    assert events.count() == 2
    assert {event.acting_user for event in events} == {personas.secretary}


@pytest.mark.parametrize(("_case", "query", "words"), [
    ("unknown parameters", "?colour=blue&family=dupont&_sort=name", "_sort, colour"),
    ("modifier", "?family:exact=DUPONT", "family:exact"),
    ("birth date prefix", "?birthdate=gt1980-01-01", "equality"),
    ("impossible date", "?birthdate=1980-02-31", "not an existing date"),
    ("bad count", "?_count=many", "_count"),
    ("bad gender", "?gender=f", "female, male"),
    ("alternatives", "?family=dupont,martin", "commas"),
])
def test_search_refuses_what_it_does_not_understand(api, people, english, _case, query, words):
    response = api(query)
    assert response.status_code == 400
    issue = response.json()["issue"][0]
    assert (issue["severity"], issue["code"]) == ("error", "invalid")
    assert words in issue["diagnostics"]
    assert not AuditEvent.objects.filter(action="patients.file_viewed").exists()


def test_lenient_handling_ignores_unknown_parameters(api, people):
    assert ids(api("?colour=blue&family=martin", HTTP_PREFER="handling=lenient")) == [people["martin"].pk]


def test_only_json_is_served(api, people):
    response = api("?_format=xml")
    assert response.status_code == 406
    assert response.json()["resourceType"] == "OperationOutcome"
    assert ids(api("?_format=json&family=martin")) == [people["martin"].pk]


# --- $match ----------------------------------------------------------------------------------


def match_parameters(**patient) -> dict:
    resource = {
        "resourceType": "Patient",
        "name": [{"use": "official", "family": "Dupont", "given": ["Marie", "Claire"]}],
        "gender": "female",
        "birthDate": "1980-03-15",
        "extension": [{"url": mapping.BIRTH_PLACE_URL, "valueAddress": {"extension": [
            {"url": mapping.INSEE_CODE_URL, "valueCoding": {"code": "69123"}}]}}],
    }
    resource.update(patient)
    return {"resourceType": "Parameters", "parameter": [{"name": "resource", "resource": resource}]}


@pytest.fixture
def candidates(personas):
    def make(**traits):
        return PatientFactory(structure=personas.structure, care_teams=[personas.team_a],
                              birth_first_names="MARIE CLAIRE", first_birth_first_name="MARIE", **traits)

    return {
        "certain": make(birth_name="DUPONT", birth_date=date(1980, 3, 15)),
        "probable": make(birth_name="DUPOND", birth_date=date(1980, 3, 15)),
        "possible": make(birth_name="DUPONT", birth_date=date(1980, 3, 16), birthplace_code="75056"),
        "different": make(birth_name="DURAND", birth_date=date(1980, 3, 15)),
        "other_team": PatientFactory(structure=personas.structure, care_teams=[personas.team_b],
                                     birth_name="DUPONT", birth_first_names="MARIE CLAIRE",
                                     first_birth_first_name="MARIE", birth_date=date(1980, 3, 15)),
    }


def post_match(client, headers, parameters):
    body = parameters if isinstance(parameters, str) else json.dumps(parameters)
    return client.post(reverse("fhir:patient_match"), data=body, content_type=FHIR_JSON, **headers)


def graded(response) -> list[tuple[int, str, float]]:
    assert response.status_code == 200, response.content
    bundle = response.json()
    Bundle.model_validate(bundle)
    assert bundle["type"] == "searchset"
    assert bundle["total"] == len(bundle.get("entry", []))
    rows = []
    for entry in bundle.get("entry", []):
        search = entry["search"]
        assert search["mode"] == "match"
        (grade,) = search["extension"]
        assert grade["url"] == MATCH_GRADE_URL
        rows.append((int(entry["resource"]["id"]), grade["valueCode"], search["score"]))
    return rows


def test_match_grades_and_orders_the_candidates_the_user_may_see(client, api, candidates, personas):
    rows = graded(post_match(client, api.headers, match_parameters()))
    assert [(pk, grade) for pk, grade, _score in rows] == [
        (candidates["certain"].pk, "certain"),
        (candidates["probable"].pk, "probable"),
        (candidates["possible"].pk, "possible"),
    ]
    scores = [score for _pk, _grade, score in rows]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= score <= 1 for score in scores)
    events = AuditEvent.objects.filter(action="patients.file_viewed")
    assert sorted(event.patient_id for event in events) == sorted(pk for pk, _grade, _score in rows)


def test_match_only_certain_and_count(client, api, candidates):
    parameters = match_parameters()
    certain_only = {**parameters, "parameter": [*parameters["parameter"],
                                                {"name": "onlyCertainMatches", "valueBoolean": True}]}
    assert [pk for pk, _grade, _score in graded(post_match(client, api.headers, certain_only))] == [
        candidates["certain"].pk]
    counted = {**parameters, "parameter": [*parameters["parameter"], {"name": "count", "valueInteger": 2}]}
    assert len(graded(post_match(client, api.headers, counted))) == 2


def test_match_without_sex_or_birthplace_still_grades(client, api, candidates):
    parameters = match_parameters(gender=None, extension=None)
    parameters["parameter"][0]["resource"] = {
        key: value for key, value in parameters["parameter"][0]["resource"].items() if value is not None}
    rows = graded(post_match(client, api.headers, parameters))
    assert rows[0][0] == candidates["certain"].pk


def test_the_other_team_sees_its_own_candidate_only(client, candidates, personas):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(personas.other_team_secretary)}"}
    rows = graded(post_match(client, headers, match_parameters()))
    assert [pk for pk, _grade, _score in rows] == [candidates["other_team"].pk]


@pytest.mark.parametrize(("_case", "body", "words"), [
    ("malformed JSON", '{"resourceType": "Parameters"', "not valid JSON"),
    ("not Parameters", {"resourceType": "Patient"}, "Parameters"),
    ("no resource", {"resourceType": "Parameters", "parameter": [{"name": "count", "valueInteger": 1}]},
     "resource"),
    ("not a Patient", {"resourceType": "Parameters", "parameter": [
        {"name": "resource", "resource": {"resourceType": "Organization", "name": "X"}}]}, "Patient"),
    ("unknown parameter", {"resourceType": "Parameters", "parameter": [{"name": "colour", "valueString": "x"}]},
     "colour"),
    ("invalid Patient", {"resourceType": "Parameters", "parameter": [
        {"name": "resource", "resource": {"resourceType": "Patient", "birthDate": "15/03/1980"}}]},
     "birthDate"),
    ("no birth date", match_parameters(birthDate=None), "birth date"),
    ("bad count", {"resourceType": "Parameters", "parameter": [
        *match_parameters()["parameter"], {"name": "count", "valueInteger": 0}]}, "count"),
])
def test_match_refuses_malformed_parameters(client, api, candidates, english, _case, body, words):
    if isinstance(body, dict) and body["resourceType"] == "Parameters" and body.get("parameter"):
        for parameter in body["parameter"]:
            if "resource" in parameter:
                parameter["resource"] = {k: v for k, v in parameter["resource"].items() if v is not None}
    response = post_match(client, api.headers, body)
    assert response.status_code == 400
    issue = response.json()["issue"][0]
    assert (issue["severity"], issue["code"]) == ("error", "invalid")
    assert words in issue["diagnostics"]
    assert not AuditEvent.objects.filter(action="patients.file_viewed").exists()


def test_match_needs_the_right_to_see_patients(client, personas, candidates):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(personas.accountant)}"}
    assert post_match(client, headers, match_parameters()).status_code == 403
    assert post_match(client, {}, match_parameters()).status_code == 401
