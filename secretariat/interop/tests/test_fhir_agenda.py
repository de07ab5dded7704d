"""FHIR API of the agenda: CapabilityStatement, Practitioner, Schedule, Slot, Appointment reads."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B.appointment import Appointment as FhirAppointment
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.practitioner import Practitioner as FhirPractitioner
from fhir.resources.R4B.schedule import Schedule as FhirSchedule
from fhir.resources.R4B.slot import Slot as FhirSlot

from secretariat.agenda.models import Appointment
from secretariat.agenda.tests.factories import (
    AppointmentFactory,
    ScheduleExceptionFactory,
    WeeklyPeriodFactory,
    practice_with_schedule,
)
from secretariat.core.models import AuditEvent
from secretariat.core.services.accounts import issue_api_token
from secretariat.patients.tests.factories import PatientFactory

FHIR_JSON = "application/fhir+json"
PARIS = ZoneInfo("Europe/Paris")
UTC = ZoneInfo("UTC")
TYPES = "http://testserver/fhir/CodeSystem/appointment-type"
RPPS = "https://rpps.esante.gouv.fr"


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user)}"}


def outcome(response, status: int, code: str) -> dict:
    """The OperationOutcome of a refusal, checked against the R4 model."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(FHIR_JSON)
    data = response.json()
    OperationOutcome.model_validate(data)
    assert data["issue"][0]["severity"] == "error"
    assert data["issue"][0]["code"] == code
    return data


def bundle(response) -> dict:
    assert response.status_code == 200, response.content
    data = response.json()
    Bundle.model_validate(data)
    assert data["type"] == "searchset"
    return data


def open_day(days_ahead: int = 10):
    """A Wednesday, Thursday or Friday at least ``days_ahead`` days away (no weekly period then)."""
    day = timezone.now().astimezone(PARIS).date() + timedelta(days=days_ahead)
    while day.weekday() not in (2, 3, 4):
        day += timedelta(days=1)
    return day


def at(day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


def instant(moment: datetime) -> str:
    """An instant as the API writes it (UTC, "Z")."""
    return f"{moment.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"


def utc_id(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y%m%d%H%M}"


@pytest.fixture
def practice(personas):
    """Dr Cœur's practice and an extra opening 09:00–12:00 on ``practice.day``, any type."""
    practice = practice_with_schedule(personas.practitioner)
    practice.day = open_day()
    ScheduleExceptionFactory(practitioner=personas.practitioner, site=practice.site, is_open=True,
                             day=practice.day, start=time(9), end=time(12))
    practice.schedule_id = f"{personas.practitioner.pk}-{practice.site.pk}"
    return practice


@pytest.fixture
def patient(personas):
    return PatientFactory(structure=personas.structure, care_teams=[personas.team_a])


def day_query(day) -> str:
    return f"start=ge{day.isoformat()}&start=lt{(day + timedelta(days=1)).isoformat()}"


# --- metadata --------------------------------------------------------------------------------


def test_metadata_lists_the_agenda_resources_after_patient(client, db):
    statement = client.get(reverse("fhir:metadata")).json()
    resources = {resource["type"]: resource for resource in statement["rest"][0]["resource"]}
    assert list(resources) == ["Patient", "Practitioner", "Schedule", "Slot", "Appointment"]
    assert [i["code"] for i in resources["Appointment"]["interaction"]] == [
        "read", "create", "update", "patch", "search-type"]
    assert [p["name"] for p in resources["Slot"]["searchParam"]] == [
        "schedule", "start", "status", "service-type", "_count", "_offset"]
    assert [i["code"] for i in resources["Practitioner"]["interaction"]] == ["read", "search-type"]


# --- Practitioner ----------------------------------------------------------------------------


def test_practitioner_read_carries_the_rpps_as_fr_core_names_it(client, personas):
    practitioner = personas.practitioner
    response = client.get(reverse("fhir:practitioner", args=[practitioner.pk]), **bearer(personas.secretary))
    assert response.status_code == 200
    resource = response.json()
    FhirPractitioner.model_validate(resource)
    assert resource["identifier"] == [{
        "use": "official",
        "type": {"coding": [{"system": "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203",
                             "code": "RPPS"}]},
        "system": RPPS, "value": practitioner.rpps,
    }]
    assert resource["name"] == [{"use": "official", "family": "Cœur", "given": ["Paul"], "prefix": ["Dr"]}]
    assert resource["active"] is True
    assert resource["qualification"] == [{"code": {"text": "Cardiologie"}}]


def test_practitioners_outside_the_scope_answer_404(client, personas):
    headers = bearer(personas.secretary)
    for pk in (personas.other_practitioner.pk, personas.other_structure_practitioner.pk, 999_999):
        response = client.get(reverse("fhir:practitioner", args=[pk]), **headers)
        outcome(response, 404, "not-found")
    outcome(client.get("/fhir/Practitioner/abc", **headers), 404, "not-found")
    # The coordinator works with every practitioner of the structure.
    response = client.get(reverse("fhir:practitioner", args=[personas.other_practitioner.pk]),
                          **bearer(personas.coordinator))
    assert response.status_code == 200


def test_practitioner_search_by_rpps_name_and_active(client, personas):
    headers = bearer(personas.coordinator)
    url = reverse("fhir:practitioner_type")
    rpps = personas.practitioner.rpps

    def ids(query):
        return [entry["resource"]["id"] for entry in bundle(client.get(f"{url}?{query}", **headers)).get("entry", [])]

    mine = str(personas.practitioner.pk)
    assert ids(f"identifier={RPPS}|{rpps}") == [mine]
    assert ids(f"identifier={rpps}") == [mine]
    assert ids(f"identifier=urn:oid:1.2.250.1.71.4.2.1|8{rpps}") == []
    assert ids("name=cœur") == [mine]
    assert ids("family=os") == [str(personas.other_practitioner.pk)]
    personas.other_practitioner.is_active = False
    personas.other_practitioner.save()
    assert ids("active=false") == [str(personas.other_practitioner.pk)]
    assert ids("active=true") == [mine]
    # The other structure's practitioner is never found.
    assert ids(f"identifier={personas.other_structure_practitioner.rpps}") == []
    outcome(client.get(f"{url}?speciality=cardio", **headers), 400, "invalid")


def test_accountant_reads_the_directory_but_not_the_agenda(client, personas, practice):
    headers = bearer(personas.accountant)
    assert client.get(reverse("fhir:practitioner", args=[personas.practitioner.pk]), **headers).status_code == 200
    for url in (reverse("fhir:schedule_type"), reverse("fhir:appointment_type"),
                f"{reverse('fhir:slot_type')}?schedule={practice.schedule_id}"):
        outcome(client.get(url, **headers), 403, "forbidden")


def test_no_credentials_answer_401(client, practice):
    for name in ("fhir:schedule_type", "fhir:appointment_type"):
        response = client.get(reverse(name))
        assert response.status_code == 401
        assert outcome(response, 401, "login")["issue"][0]["code"] == "login"


# --- Schedule --------------------------------------------------------------------------------


def test_schedule_per_practitioner_and_site_with_its_types(client, personas, practice):
    headers = bearer(personas.secretary)
    url = f"{reverse('fhir:schedule_type')}?actor=Practitioner/{personas.practitioner.pk}"
    (entry,) = bundle(client.get(url, **headers))["entry"]
    schedule = entry["resource"]
    FhirSchedule.model_validate(schedule)
    assert entry["fullUrl"] == f"http://testserver/fhir/Schedule/{practice.schedule_id}"
    assert schedule["id"] == practice.schedule_id
    assert schedule["actor"] == [
        {"reference": f"Practitioner/{personas.practitioner.pk}", "display": "Dr Paul CŒUR"},
        {"display": f"{practice.site.name}, 12 rue des Tilleuls, 69100 Villeurbanne"},
    ]
    assert schedule["serviceType"] == [
        {"coding": [{"system": TYPES, "code": "consultation", "display": "Consultation"}]},
        {"coding": [{"system": TYPES, "code": "echographie", "display": "Échographie"}]},
    ]
    read = client.get(reverse("fhir:schedule", args=[practice.schedule_id]), **headers)
    assert read.json() == schedule


def test_schedules_of_other_teams_and_structures_are_not_served(client, personas, practice):
    WeeklyPeriodFactory(practitioner=personas.other_practitioner, site=practice.site, weekday=3)
    headers = bearer(personas.secretary)
    found = bundle(client.get(reverse("fhir:schedule_type"), **headers))
    assert [entry["resource"]["id"] for entry in found["entry"]] == [practice.schedule_id]
    outcome(client.get(reverse("fhir:schedule", args=[practice.schedule_id]),
                       **bearer(personas.other_structure_secretary)), 404, "not-found")
    outcome(client.get(reverse("fhir:schedule", args=["1-x"]), **headers), 404, "not-found")


# --- Slot ------------------------------------------------------------------------------------


def test_free_slots_of_a_day_for_each_type(client, personas, practice):
    headers = bearer(personas.secretary)
    url = f"{reverse('fhir:slot_type')}?schedule=Schedule/{practice.schedule_id}&{day_query(practice.day)}&_count=100"
    found = bundle(client.get(url, **headers))
    slots = [entry["resource"] for entry in found["entry"]]
    for slot in slots:
        FhirSlot.model_validate(slot)
    consultations = [slot for slot in slots if slot["serviceType"][0]["coding"][0]["code"] == "consultation"]
    ultrasounds = [slot for slot in slots if slot["serviceType"][0]["coding"][0]["code"] == "echographie"]
    # 09:00–12:00: nine 20-minute consultations, six 30-minute ultrasounds.
    assert found["total"] == 15
    assert [slot["start"] for slot in consultations] == [
        instant(at(practice.day, hour, minute)) for hour in (9, 10, 11) for minute in (0, 20, 40)]
    assert len(ultrasounds) == 6
    first = consultations[0]
    start = at(practice.day, 9)
    assert first == {
        "resourceType": "Slot",
        "id": f"{practice.schedule_id}-{practice.consultation.pk}-{utc_id(start)}",
        "schedule": {"reference": f"Schedule/{practice.schedule_id}"},
        "serviceType": [{"coding": [{"system": TYPES, "code": "consultation", "display": "Consultation"}]}],
        "status": "free",
        "start": instant(start),
        "end": instant(start + timedelta(minutes=20)),
    }

    only = bundle(client.get(f"{url}&service-type={TYPES}|echographie", **headers))
    assert only["total"] == 6
    assert bundle(client.get(f"{url}&service-type=echographie", **headers))["total"] == 6
    assert bundle(client.get(f"{url}&status=busy", **headers))["total"] == 0
    assert bundle(client.get(f"{url}&status=free", **headers))["total"] == 15


def test_a_booked_time_is_no_longer_offered(client, personas, practice, patient):
    start = at(practice.day, 9)
    AppointmentFactory(practitioner=personas.practitioner, site=practice.site, patient=patient,
                       appointment_type=practice.consultation, start=start)
    headers = bearer(personas.secretary)
    url = f"{reverse('fhir:slot_type')}?schedule={practice.schedule_id}&{day_query(practice.day)}" \
          "&service-type=consultation"
    found = bundle(client.get(url, **headers))
    assert found["total"] == 8
    assert found["entry"][0]["resource"]["start"] == instant(at(practice.day, 9, 20))
    taken = f"{practice.schedule_id}-{practice.consultation.pk}-{utc_id(start)}"
    outcome(client.get(reverse("fhir:slot", args=[taken]), **headers), 404, "not-found")
    free = f"{practice.schedule_id}-{practice.consultation.pk}-{utc_id(at(practice.day, 9, 20))}"
    assert client.get(reverse("fhir:slot", args=[free]), **headers).json()["id"] == free


def test_slot_pages_link_to_the_next_and_previous(client, personas, practice):
    headers = bearer(personas.secretary)
    url = f"{reverse('fhir:slot_type')}?schedule={practice.schedule_id}&{day_query(practice.day)}&_count=10"
    first = bundle(client.get(url, **headers))
    links = {link["relation"]: link["url"] for link in first["link"]}
    assert len(first["entry"]) == 10
    assert "_offset=10" in links["next"]
    assert "previous" not in links
    second = bundle(client.get(links["next"].removeprefix("http://testserver"), **headers))
    assert len(second["entry"]) == 5
    assert "next" not in {link["relation"] for link in second["link"]}
    ids = [entry["resource"]["id"] for entry in first["entry"] + second["entry"]]
    assert len(set(ids)) == 15


@pytest.mark.parametrize(("query", "words"), [
    ("", "Give one schedule"),
    ("schedule={schedule}&start=ge{day}&start=lt{far}", "at most 31 days"),
    ("schedule={schedule}&start=ge2026-02-30", "not an existing date"),
    ("schedule={schedule}&start=ge{day}T09:00:00", "no time zone offset"),
    ("schedule={schedule}&start=sa{day}", "Prefixes understood"),
    ("schedule={schedule}&start=tomorrow", "YYYY-MM-DD"),
    ("schedule={schedule}&status=open", "status is one of"),
    ("schedule={schedule}&colour=blue", "Unknown search parameters"),
    ("schedule={schedule}&_count=-1", "_count must be a whole number"),
])
def test_slot_searches_refuse_what_they_cannot_answer(client, personas, practice, english, query, words):
    query = query.format(schedule=practice.schedule_id, day=practice.day.isoformat(),
                         far=(practice.day + timedelta(days=40)).isoformat())
    response = client.get(f"{reverse('fhir:slot_type')}?{query}", **bearer(personas.secretary))
    assert words in outcome(response, 400, "invalid")["issue"][0]["diagnostics"]


def test_slots_of_a_schedule_out_of_scope_are_an_empty_bundle(client, personas, practice):
    response = client.get(f"{reverse('fhir:slot_type')}?schedule={practice.schedule_id}",
                          **bearer(personas.other_team_secretary))
    assert bundle(response)["total"] == 0


# --- Appointment reads -----------------------------------------------------------------------


@pytest.fixture
def booked(personas, practice, patient):
    appointments = [
        AppointmentFactory(practitioner=personas.practitioner, site=practice.site, patient=patient,
                           appointment_type=practice.consultation, start=at(practice.day, 9)),
        AppointmentFactory(practitioner=personas.practitioner, site=practice.site, patient=patient,
                           appointment_type=practice.ultrasound, start=at(practice.day, 10),
                           status=Appointment.Status.CANCELLED, cancelled_at=timezone.now(),
                           cancellation_reason="Empêchement", cancelled_by_patient=True),
        AppointmentFactory(practitioner=personas.practitioner, site=practice.site, patient=patient,
                           appointment_type=practice.consultation, start=at(practice.day + timedelta(days=1), 9),
                           status=Appointment.Status.EXCUSED_LATE, urgent=True),
    ]
    return appointments


def test_appointment_read_maps_statuses_people_and_audits(client, personas, practice, patient, booked):
    headers = bearer(personas.secretary)
    response = client.get(reverse("fhir:appointment", args=[booked[1].pk]), **headers)
    assert response.status_code == 200
    resource = response.json()
    FhirAppointment.model_validate(resource)
    assert resource["status"] == "cancelled"
    assert resource["cancelationReason"] == {
        "text": "Empêchement",
        "coding": [{"system": "http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason",
                    "code": "pat"}],
    }
    assert resource["participant"][0]["actor"] == {"reference": f"Patient/{patient.pk}",
                                                   "display": patient.display_name}
    assert resource["participant"][1]["actor"] == {"reference": f"Practitioner/{personas.practitioner.pk}",
                                                   "display": "Dr Paul CŒUR"}
    assert resource["serviceType"][0]["coding"][0]["code"] == "echographie"
    assert resource["minutesDuration"] == 30
    assert resource["start"] == instant(at(practice.day, 10))

    excused = client.get(reverse("fhir:appointment", args=[booked[2].pk]), **headers).json()
    assert excused["status"] == "noshow"
    assert excused["extension"] == [{"url": "http://testserver/fhir/StructureDefinition/appointment-status-detail",
                                     "valueCode": "excused_late"}]
    assert excused["appointmentType"]["coding"][0]["code"] == "EMERGENCY"
    events = AuditEvent.objects.filter(action="agenda.appointment_read_through_api").order_by("pk")
    assert [(event.target_id, event.patient_id, event.acting_user) for event in events] == [
        (str(booked[1].pk), patient.pk, personas.secretary), (str(booked[2].pk), patient.pk, personas.secretary)]


def test_appointment_search_by_patient_date_and_status(client, personas, practice, patient, booked):
    headers = bearer(personas.secretary)
    url = reverse("fhir:appointment_type")

    def ids(query):
        return [int(entry["resource"]["id"]) for entry in bundle(client.get(f"{url}?{query}", **headers)).get("entry", [])]

    everything = [item.pk for item in booked]
    assert ids(f"patient=Patient/{patient.pk}") == everything
    assert ids(f"practitioner={personas.practitioner.pk}") == everything
    assert ids(f"date={practice.day.isoformat()}") == everything[:2]
    assert ids(f"date=ge{(practice.day + timedelta(days=1)).isoformat()}") == everything[2:]
    assert ids(f"date=lt{at(practice.day, 10).isoformat()}") == everything[:1]  # "+" unencoded
    assert ids(f"date=lt{instant(at(practice.day, 10))}") == everything[:1]
    assert ids("status=cancelled") == [booked[1].pk]
    assert ids("status=booked,noshow") == [booked[0].pk, booked[2].pk]
    assert ids("status=fulfilled") == []
    assert ids("service-type=echographie") == [booked[1].pk]
    assert ids(f"patient={patient.pk + 1000}") == []
    assert AuditEvent.objects.filter(action="agenda.appointment_read_through_api").count() == 3 + 3 + 2 + 1 + 1 \
        + 1 + 1 + 2 + 1
    outcome(client.get(f"{url}?status=done", **headers), 400, "invalid")
    outcome(client.get(f"{url}?date=2026-13-01", **headers), 400, "invalid")


def test_appointments_of_patients_outside_the_care_teams_are_hidden(client, personas, practice, booked):
    stranger = PatientFactory(structure=personas.structure, care_teams=[personas.team_b])
    hidden = AppointmentFactory(practitioner=personas.practitioner, site=practice.site, patient=stranger,
                                appointment_type=practice.consultation, start=at(practice.day, 11))
    headers = bearer(personas.secretary)
    assert hidden.pk not in [int(entry["resource"]["id"]) for entry in
                             bundle(client.get(reverse("fhir:appointment_type"), **headers))["entry"]]
    outcome(client.get(reverse("fhir:appointment", args=[hidden.pk]), **headers), 404, "not-found")
    outcome(client.get(reverse("fhir:appointment", args=[booked[0].pk]), **bearer(personas.other_structure_secretary)),
            404, "not-found")
    assert bundle(client.get(reverse("fhir:appointment_type"), **bearer(personas.other_team_secretary)))["total"] == 0
    # The coordinator sees the whole structure.
    assert client.get(reverse("fhir:appointment", args=[hidden.pk]), **bearer(personas.coordinator)).status_code == 200
