"""FHIR API: CapabilityStatement, authentication, read, create and update of a Patient."""

import json
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.patient import Patient as FhirPatient

from secretariat.core.models import AuditEvent
from secretariat.core.services.accounts import issue_api_token
from secretariat.interop.fhir import mapping
from secretariat.patients.models import IdentityChange, Patient
from secretariat.patients.tests.factories import PatientFactory

FHIR_JSON = "application/fhir+json"
DEMO_OID = "1.2.250.1.213.1.4.11"
LOCAL_SYSTEM = "http://testserver/fhir/sid/patient"


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user)}"}


def send(client, method: str, url: str, resource, user, **headers):
    body = resource if isinstance(resource, (str, bytes)) else json.dumps(resource)
    call = getattr(client, method)
    return call(url, data=body, content_type=FHIR_JSON, **bearer(user), **headers)


def outcome(response) -> dict:
    """The OperationOutcome of a refusal, checked against the R4 model."""
    assert response["Content-Type"].startswith(FHIR_JSON)
    data = response.json()
    OperationOutcome.model_validate(data)
    assert data["issue"][0]["severity"] == "error"
    return data


def extension(resource: dict, url: str) -> dict:
    return next(item for item in resource.get("extension", []) if item["url"] == url)


def new_patient(**overrides) -> dict:
    resource = {
        "resourceType": "Patient",
        "extension": [{
            "url": mapping.BIRTH_PLACE_URL,
            "valueAddress": {"extension": [{
                "url": mapping.INSEE_CODE_URL,
                "valueCoding": {"system": mapping.COMMUNE_SYSTEM, "code": "69123"},
            }]},
        }],
        "name": [{"use": "official", "family": "Lefèvre-Dupré", "given": ["Éloïse", "Marie"]}],
        "gender": "female",
        "birthDate": "1975-04-02",
        "telecom": [{"system": "phone", "value": "06 12 34 56 78"},
                    {"system": "email", "value": "eloise@example.org"}],
    }
    resource.update(overrides)
    return resource


@pytest.fixture
def patient(personas):
    return PatientFactory(structure=personas.structure, care_teams=[personas.team_a],
                          phone="0612345678", email="eloise@example.org")


def qualified(personas, **overrides) -> Patient:
    now = timezone.now()
    traits = {
        "structure": personas.structure, "care_teams": [personas.team_a], "identity_status": "QUAL",
        "ins_matricule": "262076912300143", "ins_oid": DEMO_OID, "ins_retrieved_at": now,
        "document_type": "id_card", "document_checked_at": now,
    }
    traits.update(overrides)
    return PatientFactory(**traits)


# --- metadata and authentication ------------------------------------------------------------


def test_metadata_describes_the_patient_api_without_credentials(client, db):
    response = client.get(reverse("fhir:metadata"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(FHIR_JSON)
    statement = response.json()
    assert statement["resourceType"] == "CapabilityStatement"
    assert statement["fhirVersion"] == "4.0.1"
    assert statement["format"] == ["json"]
    resource = statement["rest"][0]["resource"][0]
    assert resource["type"] == "Patient"
    assert [i["code"] for i in resource["interaction"]] == ["read", "create", "update", "search-type"]
    assert [p["name"] for p in resource["searchParam"]] == [
        "family", "given", "name", "birthdate", "gender", "identifier", "telecom", "_count"]
    assert resource["operation"] == [
        {"name": "match", "definition": "http://hl7.org/fhir/OperationDefinition/Patient-match"}]


def test_no_credentials_or_a_bad_token_answers_401(client, patient):
    url = reverse("fhir:patient", args=[patient.pk])
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer sec_forged"}):
        response = client.get(url, **headers)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Bearer"
        assert outcome(response)["issue"][0]["code"] == "login"
    assert not AuditEvent.objects.filter(action="patients.file_viewed").exists()


def test_a_logged_in_browser_reads_with_its_session(client, personas, patient):
    client.force_login(personas.secretary)
    assert client.get(reverse("fhir:patient", args=[patient.pk])).status_code == 200


def test_a_session_write_needs_the_csrf_token_but_a_token_does_not(personas):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(personas.secretary)
    response = browser.post(reverse("fhir:patient_type"), data=json.dumps(new_patient()),
                            content_type=FHIR_JSON)
    assert response.status_code == 403
    assert outcome(response)["issue"][0]["code"] == "forbidden"
    assert not Patient.objects.exists()

    api_client = Client(enforce_csrf_checks=True)
    response = send(api_client, "post", reverse("fhir:patient_type"), new_patient(), personas.secretary)
    assert response.status_code == 201


def test_accountant_is_refused_reading_searching_and_writing(client, personas, patient):
    headers = bearer(personas.accountant)
    read = client.get(reverse("fhir:patient", args=[patient.pk]), **headers)
    found = client.get(reverse("fhir:patient_type"), **headers)
    created = client.post(reverse("fhir:patient_type"), data=json.dumps(new_patient()),
                          content_type=FHIR_JSON, **headers)
    for response in (read, found, created):
        assert response.status_code == 403
        assert outcome(response)["issue"][0]["code"] == "forbidden"
    assert Patient.objects.count() == 1
    assert not AuditEvent.objects.filter(action="patients.file_viewed").exists()


# --- read ------------------------------------------------------------------------------------


def test_read_maps_the_identity_and_audits_the_read(client, personas, patient):
    response = client.get(reverse("fhir:patient", args=[patient.pk]), **bearer(personas.secretary))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(FHIR_JSON)
    resource = response.json()
    FhirPatient.model_validate(resource)
    assert resource["id"] == str(patient.pk)
    assert resource["meta"]["lastUpdated"]
    assert resource["name"] == [{
        "extension": [{"url": mapping.BIRTH_LIST_GIVEN_NAME_URL, "valueString": "ELOISE MARIE"}],
        "use": "official", "family": patient.birth_name, "given": ["ELOISE", "MARIE"],
    }]
    assert resource["gender"] == "female"
    assert resource["birthDate"] == "1962-07-14"
    assert extension(resource, mapping.BIRTH_PLACE_URL)["valueAddress"] == {
        "extension": [{"url": mapping.INSEE_CODE_URL,
                       "valueCoding": {"system": mapping.COMMUNE_SYSTEM, "code": "69123"}}],
        "city": "Lyon",
    }
    assert extension(resource, mapping.IDENTITY_RELIABILITY_URL)["extension"] == [{
        "url": "identityStatus",
        "valueCoding": {"system": mapping.IDENTITY_STATUS_SYSTEM, "code": "PROV",
                        "display": "Identité provisoire"},
    }]
    assert resource["identifier"] == [{
        "use": "usual",
        "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "PI"}]},
        "system": LOCAL_SYSTEM, "value": str(patient.pk),
    }]
    assert resource["telecom"] == [{"system": "phone", "value": "0612345678"},
                                   {"system": "email", "value": "eloise@example.org"}]
    (event,) = AuditEvent.objects.filter(action="patients.file_viewed")
    assert event.patient_id == patient.pk
    assert event.acting_user == personas.secretary


def test_read_shows_used_names_and_an_undetermined_sex_as_unknown(client, personas):
    patient = PatientFactory(structure=personas.structure, care_teams=[personas.team_a],
                             used_name="MARTIN", used_first_name="LISE", sex="I",
                             birthplace_code="99350")
    resource = client.get(reverse("fhir:patient", args=[patient.pk]), **bearer(personas.secretary)).json()
    assert resource["name"][1] == {"use": "usual", "family": "MARTIN", "given": ["LISE"]}
    assert resource["gender"] == "unknown"
    assert extension(resource, mapping.BIRTH_PLACE_URL)["valueAddress"] == {
        "extension": [{"url": mapping.INSEE_CODE_URL,
                       "valueCoding": {"system": mapping.COUNTRY_SYSTEM, "code": "99350"}}],
        "country": "Maroc",
    }


def test_ins_is_sent_only_for_a_qualified_identity(client, personas):
    now = timezone.now()
    retrieved = PatientFactory(structure=personas.structure, care_teams=[personas.team_a],
                               identity_status="RECUP", ins_matricule="262076912300143",
                               ins_oid=DEMO_OID, ins_retrieved_at=now)
    headers = bearer(personas.secretary)
    resource = client.get(reverse("fhir:patient", args=[retrieved.pk]), **headers).json()
    assert [identifier["system"] for identifier in resource["identifier"]] == [LOCAL_SYSTEM]

    patient = qualified(personas)
    resource = client.get(reverse("fhir:patient", args=[patient.pk]), **headers).json()
    assert resource["identifier"][1] == {
        "use": "official",
        "type": {"coding": [{"system": mapping.IDENTIFIER_TYPE_SYSTEM, "code": "INS-NIR-DEMO"}]},
        "system": "urn:oid:1.2.250.1.213.1.4.11",
        "value": "262076912300143",
    }
    reliability = extension(resource, mapping.IDENTITY_RELIABILITY_URL)["extension"]
    assert reliability[0]["valueCoding"]["code"] == "QUAL"
    assert reliability[1] == {"url": "validationDate", "valueDate": timezone.localdate(now).isoformat()}


def test_nia_is_a_temporary_identifier(client, personas):
    patient = qualified(personas, ins_oid="1.2.250.1.213.1.4.9")
    resource = client.get(reverse("fhir:patient", args=[patient.pk]), **bearer(personas.secretary)).json()
    assert resource["identifier"][1]["use"] == "temp"
    assert resource["identifier"][1]["type"]["coding"][0]["code"] == "INS-NIA"


def test_outside_the_scope_is_the_same_404_as_a_missing_record(client, personas, patient):
    other_team = PatientFactory(structure=personas.structure, care_teams=[personas.team_b])
    other_structure = PatientFactory(structure=personas.other_structure,
                                     care_teams=[personas.other_structure.care_teams.get()])
    merged = PatientFactory(structure=personas.structure, care_teams=[personas.team_a], merged_into=patient)
    headers = bearer(personas.secretary)
    answers = [client.get(reverse("fhir:patient", args=[pk]), **headers)
               for pk in (other_team.pk, other_structure.pk, merged.pk, 999_999)]
    answers.append(client.get("/fhir/Patient/abc", **headers))
    for response in answers:
        assert response.status_code == 404
        assert outcome(response)["issue"] == answers[0].json()["issue"]
        assert response.json()["issue"][0]["code"] == "not-found"
    assert not AuditEvent.objects.filter(action="patients.file_viewed").exists()


def test_the_other_team_reads_its_own_patient(client, personas):
    patient = PatientFactory(structure=personas.structure, care_teams=[personas.team_b])
    response = client.get(reverse("fhir:patient", args=[patient.pk]), **bearer(personas.other_team_secretary))
    assert response.status_code == 200


def test_unknown_paths_and_methods_answer_operation_outcomes(client, personas, patient):
    headers = bearer(personas.secretary)
    unknown = client.get("/fhir/Observation/1", **headers)
    assert unknown.status_code == 404
    assert outcome(unknown)["issue"][0]["code"] == "not-supported"
    deleted = client.delete(reverse("fhir:patient", args=[patient.pk]), **headers)
    assert deleted.status_code == 405
    assert deleted["Allow"] == "GET, PUT"
    outcome(deleted)
    assert Patient.objects.filter(pk=patient.pk).exists()


# --- create ----------------------------------------------------------------------------------


def test_create_writes_the_identity_under_the_rules(client, personas):
    resource = new_patient(identifier=[{"system": "urn:oid:1.2.250.1.213.1.4.8", "value": "275047512345678"}])
    response = send(client, "post", reverse("fhir:patient_type"), resource, personas.secretary)
    assert response.status_code == 201
    created = response.json()
    FhirPatient.model_validate(created)
    patient = Patient.objects.get()
    assert response["Location"] == f"http://testserver/fhir/Patient/{patient.pk}"
    assert created["id"] == str(patient.pk)
    assert (patient.birth_name, patient.birth_first_names, patient.first_birth_first_name) == (
        "LEFEVRE-DUPRE", "ELOISE MARIE", "ELOISE")
    assert (patient.birth_date, patient.sex, patient.birthplace_code) == (date(1975, 4, 2), "F", "69123")
    assert (patient.phone, patient.email) == ("0612345678", "eloise@example.org")
    assert patient.identity_status == "PROV"
    # The INS sent is ignored: it only ever comes from INSi.
    assert (patient.ins_matricule, patient.ins_oid) == ("", "")
    assert list(patient.care_teams.all()) == [personas.team_a]
    (change,) = IdentityChange.objects.filter(patient=patient)
    assert change.kind == IdentityChange.Kind.CREATED
    assert change.changed_by == personas.secretary
    assert AuditEvent.objects.filter(action="patients.created", patient_id=patient.pk).count() == 1


def test_create_reads_fr_core_first_names_list_and_used_names(client, personas):
    resource = new_patient(name=[
        {"use": "official", "family": "Durand", "given": ["Anne-Sophie"],
         "extension": [{"url": mapping.BIRTH_LIST_GIVEN_NAME_URL, "valueString": "Anne-Sophie Léa"}]},
        {"use": "usual", "family": "Martin", "given": ["Sophie"]},
    ])
    assert send(client, "post", reverse("fhir:patient_type"), resource, personas.secretary).status_code == 201
    patient = Patient.objects.get()
    assert (patient.birth_first_names, patient.first_birth_first_name) == ("ANNE-SOPHIE LEA", "ANNE-SOPHIE")
    assert (patient.used_name, patient.used_first_name) == ("MARTIN", "SOPHIE")


def test_possible_duplicate_answers_409_then_a_reason_creates(client, personas, english):
    existing = PatientFactory(structure=personas.structure, care_teams=[personas.team_a],
                              birth_name="LEFEVRE-DUPRE", birth_first_names="ELOISE MARIE",
                              birth_date=date(1975, 4, 2))
    url = reverse("fhir:patient_type")
    refused = send(client, "post", url, new_patient(), personas.secretary)
    assert refused.status_code == 409
    issues = outcome(refused)["issue"]
    assert issues[0]["code"] == "duplicate"
    assert f"Patient/{existing.pk}" in issues[0]["diagnostics"]
    assert "X-Secretariat-Duplicate-Reason" in issues[0]["diagnostics"]
    assert issues[1:] == [{"severity": "information", "code": "duplicate",
                           "diagnostics": f"Patient/{existing.pk}"}]
    assert Patient.objects.count() == 1

    reason = "Jumelle, vérifié sur le livret de famille"
    created = send(client, "post", url, new_patient(), personas.secretary,
                   HTTP_X_SECRETARIAT_DUPLICATE_REASON=reason.encode().decode("latin-1"))
    assert created.status_code == 201
    change = IdentityChange.objects.get(patient_id=created.json()["id"])
    assert change.changes["possible_duplicates"] == [existing.pk]
    assert change.reason.endswith(reason)


def test_duplicate_of_another_teams_patient_names_no_record(client, personas):
    PatientFactory(structure=personas.structure, care_teams=[personas.team_b],
                   birth_name="LEFEVRE-DUPRE", birth_first_names="ELOISE MARIE", birth_date=date(1975, 4, 2))
    refused = send(client, "post", reverse("fhir:patient_type"), new_patient(), personas.secretary)
    assert refused.status_code == 409
    assert len(outcome(refused)["issue"]) == 1
    assert "Patient/" not in refused.json()["issue"][0]["diagnostics"]


@pytest.mark.parametrize(("_case", "resource", "expression", "words"), [
    ("name with a digit", new_patient(name=[{"use": "official", "family": "Dupont2", "given": ["Marie"]}]),
     "Patient.name[0].family", "cannot be part of a name"),
    ("no first names", new_patient(name=[{"use": "official", "family": "Dupont"}]),
     "Patient.name[0].given", "first names"),
    ("only a usual name", new_patient(name=[{"use": "usual", "family": "Dupont", "given": ["Marie"]}]),
     "Patient.name", "official"),
    ("gender other", new_patient(gender="other"), "Patient.gender", "other"),
    ("no gender", new_patient(gender=None), "Patient.gender", "female, male or unknown"),
    ("partial birth date", new_patient(birthDate="1975"), "Patient.birthDate", "YYYY-MM-DD"),
    ("birth date in the future", new_patient(birthDate="2999-01-01"), "Patient.birthDate", "future"),
    ("no birthplace", new_patient(extension=[]), "Patient.extension", "birthplace"),
    ("unknown birthplace", new_patient(extension=[{"url": mapping.BIRTH_PLACE_URL, "valueAddress": {
        "extension": [{"url": mapping.INSEE_CODE_URL, "valueCoding": {"code": "99100"}}]}}]),
     "Patient.extension", "99100"),
    ("phone", new_patient(telecom=[{"system": "phone", "value": "123"}]), "Patient.telecom[0].value",
     "phone number"),
    ("e-mail", new_patient(telecom=[{"system": "email", "value": "nobody"}]), "Patient.telecom[0].value",
     "e-mail"),
])
def test_create_refuses_what_cannot_be_an_identity(client, personas, english, _case, resource, expression, words):
    resource = {key: value for key, value in resource.items() if value is not None}
    response = send(client, "post", reverse("fhir:patient_type"), resource, personas.secretary)
    assert response.status_code == 400
    (issue,) = outcome(response)["issue"]
    assert issue["code"] == "invalid"
    assert issue["expression"] == [expression]
    assert words in issue["diagnostics"]
    assert not Patient.objects.exists()
    assert not IdentityChange.objects.exists()


def test_create_refuses_malformed_json_and_invalid_resources(client, personas, english):
    url = reverse("fhir:patient_type")
    broken = send(client, "post", url, '{"resourceType": "Patient", ', personas.secretary)
    assert broken.status_code == 400
    assert "not valid JSON" in outcome(broken)["issue"][0]["diagnostics"]

    invalid = send(client, "post", url, new_patient(birthDate="1975-13-45"), personas.secretary)
    assert invalid.status_code == 400
    assert "birthDate" in outcome(invalid)["issue"][0]["diagnostics"]

    unknown_element = send(client, "post", url, new_patient(colour="blue"), personas.secretary)
    assert unknown_element.status_code == 400
    assert "colour" in outcome(unknown_element)["issue"][0]["diagnostics"]

    other_type = send(client, "post", url, {"resourceType": "Observation"}, personas.secretary)
    assert other_type.status_code == 400
    assert "Observation" in outcome(other_type)["issue"][0]["diagnostics"]

    not_json = client.post(url, data="<Patient/>", content_type="application/fhir+xml",
                           **bearer(personas.secretary))
    assert not_json.status_code == 415
    outcome(not_json)
    assert not Patient.objects.exists()
    assert not AuditEvent.objects.filter(action="patients.created").exists()


def test_create_refuses_a_body_over_one_megabyte(client, personas):
    resource = new_patient(text={"status": "generated", "div": "<div>" + "x" * 1_100_000 + "</div>"})
    response = send(client, "post", reverse("fhir:patient_type"), resource, personas.secretary)
    assert response.status_code == 413
    assert outcome(response)["issue"][0]["code"] == "too-costly"
    assert not Patient.objects.exists()


def test_create_needs_a_care_team(client, personas):
    personas.team_a.members.remove(personas.secretary)
    response = send(client, "post", reverse("fhir:patient_type"), new_patient(), personas.secretary)
    assert response.status_code == 403
    outcome(response)
    assert not Patient.objects.exists()


# --- update ----------------------------------------------------------------------------------


def _as_sent(resource: dict) -> dict:
    """A resource read from the API, sent back (what a client does to change it)."""
    return {key: value for key, value in resource.items() if key != "meta"}


def test_update_contact_details_needs_no_reason(client, personas, patient):
    url = reverse("fhir:patient", args=[patient.pk])
    resource = _as_sent(client.get(url, **bearer(personas.secretary)).json())
    resource["telecom"] = [{"system": "phone", "value": "+33 7 11 22 33 44"}]
    response = send(client, "put", url, resource, personas.secretary)
    assert response.status_code == 200
    assert response.json()["telecom"] == [{"system": "phone", "value": "0711223344"}]
    patient.refresh_from_db()
    assert (patient.phone, patient.email) == ("0711223344", "")
    assert IdentityChange.objects.get(patient=patient).kind == IdentityChange.Kind.TRAITS_CHANGED


def test_update_of_a_strict_trait_needs_a_reason_and_drops_the_status(client, personas, english):
    patient = qualified(personas)
    url = reverse("fhir:patient", args=[patient.pk])
    resource = _as_sent(client.get(url, **bearer(personas.secretary)).json())
    resource["name"][0]["family"] = "Lefèvre"
    refused = send(client, "put", url, resource, personas.secretary)
    assert refused.status_code == 422
    (issue,) = outcome(refused)["issue"]
    assert issue["code"] == "processing"
    assert "Say why a strict trait changes" in issue["diagnostics"]
    patient.refresh_from_db()
    assert patient.identity_status == "QUAL"
    assert not IdentityChange.objects.filter(patient=patient).exists()

    changed = send(client, "put", url, resource, personas.secretary,
                   HTTP_X_SECRETARIAT_CHANGE_REASON="Typo corrected from the identity card")
    assert changed.status_code == 200
    patient.refresh_from_db()
    assert (patient.birth_name, patient.identity_status, patient.ins_matricule) == ("LEFEVRE", "PROV", "")
    assert [i["system"] for i in changed.json()["identifier"]] == [LOCAL_SYSTEM]
    change = IdentityChange.objects.get(patient=patient)
    assert change.reason == "Typo corrected from the identity card"
    assert change.changes["birth_name"][1] == "LEFEVRE"


def test_update_checks_the_id_and_the_scope(client, personas, patient):
    url = reverse("fhir:patient", args=[patient.pk])
    resource = _as_sent(client.get(url, **bearer(personas.secretary)).json())
    mismatch = send(client, "put", url, {**resource, "id": "1234"}, personas.secretary)
    assert mismatch.status_code == 400
    assert outcome(mismatch)["issue"][0]["expression"] == ["Patient.id"]
    outsider = send(client, "put", url, resource, personas.other_team_secretary)
    assert outsider.status_code == 404
    outcome(outsider)
    reader = send(client, "put", url, resource, personas.practitioner_user)  # may read, not write
    assert reader.status_code == 403
    assert not IdentityChange.objects.filter(patient=patient).exists()


def test_update_refuses_given_names_disagreeing_with_the_fr_core_list(client, personas, patient, english):
    url = reverse("fhir:patient", args=[patient.pk])
    resource = _as_sent(client.get(url, **bearer(personas.secretary)).json())
    resource["name"][0]["given"] = ["ELOISE", "ANNE"]  # the list extension still says ELOISE MARIE
    response = send(client, "put", url, resource, personas.secretary,
                    HTTP_X_SECRETARIAT_CHANGE_REASON="Second first name corrected")
    assert response.status_code == 400
    (issue,) = outcome(response)["issue"]
    assert issue["expression"] == ["Patient.name[0].given"]
    assert "disagree" in issue["diagnostics"]
    patient.refresh_from_db()
    assert patient.birth_first_names == "ELOISE MARIE"


def test_paths_take_an_optional_trailing_slash(client, personas, patient):
    assert client.get("/fhir/metadata/").status_code == 200
    assert client.get(f"/fhir/Patient/{patient.pk}/", **bearer(personas.secretary)).status_code == 200
