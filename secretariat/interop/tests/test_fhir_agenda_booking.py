"""FHIR API of the agenda: booking an Appointment, refusals, cancellation and status changes."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B.appointment import Appointment as FhirAppointment

from secretariat.agenda.models import Appointment, PractitionerDirectives
from secretariat.agenda.tests.factories import AppointmentFactory
from secretariat.core.models import AuditEvent
from secretariat.interop.tests.test_fhir_agenda import (
    FHIR_JSON,
    TYPES,
    at,
    bearer,
    instant,
    outcome,
    utc_id,
)
from secretariat.interop.tests.test_fhir_agenda import patient as patient  # noqa: F401 (fixture)
from secretariat.interop.tests.test_fhir_agenda import practice as practice  # noqa: F401 (fixture)
from secretariat.patients.tests.factories import PatientFactory

CANCEL_REASONS = "http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason"


def slot_id(practice, hour: int, minute: int = 0, *, appointment_type=None) -> str:
    appointment_type = appointment_type or practice.consultation
    return f"{practice.schedule_id}-{appointment_type.pk}-{utc_id(at(practice.day, hour, minute))}"


def by_slot(slot: str, patient_pk: int, **overrides) -> dict:
    resource = {
        "resourceType": "Appointment",
        "status": "booked",
        "slot": [{"reference": f"Slot/{slot}"}],
        "participant": [{"actor": {"reference": f"Patient/{patient_pk}"}, "status": "accepted"}],
    }
    resource.update(overrides)
    return resource


def by_time(start: str, patient_pk: int, practitioner_pk: int, code: str = "consultation", **overrides) -> dict:
    resource = {
        "resourceType": "Appointment",
        "status": "booked",
        "start": start,
        "serviceType": [{"coding": [{"system": TYPES, "code": code}]}],
        "participant": [{"actor": {"reference": f"Patient/{patient_pk}"}, "status": "accepted"},
                        {"actor": {"reference": f"Practitioner/{practitioner_pk}"}, "status": "accepted"}],
    }
    resource.update(overrides)
    return resource


def post(client, resource, user, **headers):
    body = resource if isinstance(resource, (str, bytes)) else json.dumps(resource)
    return client.post(reverse("fhir:appointment_type"), data=body, content_type=FHIR_JSON, **bearer(user),
                       **headers)


def nothing_booked() -> bool:
    return not Appointment.objects.exists() and not AuditEvent.objects.filter(
        action="agenda.appointment_booked").exists()


# --- create ----------------------------------------------------------------------------------


def test_booking_a_slot_answers_201_with_the_appointment(client, personas, practice, patient):
    response = post(client, by_slot(slot_id(practice, 9, 20), patient.pk, comment="Apporter l'ECG"),
                    personas.secretary)
    assert response.status_code == 201, response.content
    appointment = Appointment.objects.get()
    assert response["Location"] == f"http://testserver/fhir/Appointment/{appointment.pk}"
    resource = response.json()
    FhirAppointment.model_validate(resource)
    assert resource["id"] == str(appointment.pk)
    assert resource["status"] == "booked"
    assert (resource["start"], resource["end"]) == (instant(at(practice.day, 9, 20)),
                                                    instant(at(practice.day, 9, 40)))
    assert resource["comment"] == "Apporter l'ECG"
    assert (appointment.practitioner, appointment.site, appointment.patient, appointment.appointment_type) == (
        personas.practitioner, practice.site, patient, practice.consultation)
    assert (appointment.channel, appointment.booked_by, appointment.note) == (
        Appointment.Channel.API, personas.secretary, "Apporter l'ECG")
    (event,) = AuditEvent.objects.filter(action="agenda.appointment_booked")
    assert (event.acting_user, event.patient_id, event.data["channel"]) == (personas.secretary, patient.pk, "api")


def test_booking_by_start_practitioner_and_type(client, personas, practice, patient):
    start = at(practice.day, 10, 30)
    resource = by_time(start.isoformat(), patient.pk, personas.practitioner.pk, code="echographie",
                       end=(start + timedelta(minutes=30)).isoformat(), minutesDuration=30)
    response = post(client, resource, personas.secretary)
    assert response.status_code == 201, response.content
    appointment = Appointment.objects.get()
    assert (appointment.start, appointment.appointment_type, appointment.site) == (
        start, practice.ultrasound, practice.site)


def test_an_urgent_request_is_kept(client, personas, practice, patient):
    resource = by_slot(slot_id(practice, 9), patient.pk, appointmentType={"coding": [
        {"system": "http://terminology.hl7.org/CodeSystem/v2-0276", "code": "EMERGENCY"}]})
    assert post(client, resource, personas.secretary).status_code == 201
    assert Appointment.objects.get().urgent is True


def test_a_slot_taken_meanwhile_answers_409(client, personas, practice, patient, english):
    AppointmentFactory(practitioner=personas.practitioner, site=practice.site, appointment_type=practice.consultation,
                       patient=PatientFactory(structure=personas.structure), start=at(practice.day, 9, 20))
    before = list(Appointment.objects.values_list("pk", flat=True))
    # Overlapping the 09:20 appointment by ten minutes.
    response = post(client, by_slot(slot_id(practice, 9, 30, appointment_type=practice.ultrasound), patient.pk),
                    personas.secretary)
    issue = outcome(response, 409, "conflict")["issue"][0]
    assert issue["diagnostics"] == "This slot was just taken at another desk: choose another one."
    assert list(Appointment.objects.values_list("pk", flat=True)) == before


def test_directives_refusal_lists_each_violation(client, personas, practice, patient, english):
    PractitionerDirectives.objects.create(practitioner=personas.practitioner, min_notice_minutes=60 * 24 * 60,
                                          accepts_new_patients=False)
    resource = by_time(at(practice.day, 9).isoformat(), patient.pk, personas.practitioner.pk)
    response = post(client, resource, personas.secretary)
    issues = outcome(response, 422, "business-rule")["issue"]
    assert [(item["severity"], item["details"]["coding"][0]["code"]) for item in issues] == [
        ("error", "min_notice"), ("error", "new_patients")]
    assert issues[1]["diagnostics"] == "The practitioner does not take new patients at the moment."
    assert nothing_booked()


def test_a_practitioner_may_override_the_directives_with_a_reason(client, personas, practice, patient, english):
    PractitionerDirectives.objects.create(practitioner=personas.practitioner, accepts_new_patients=False)
    resource = by_time(at(practice.day, 9).isoformat(), patient.pk, personas.practitioner.pk)
    refused = post(client, resource, personas.practitioner_user)
    issues = outcome(refused, 422, "business-rule")["issue"]
    assert issues[-1] == {"severity": "information", "code": "business-rule", "diagnostics":
                          "Your role may book anyway: give the reason in the X-Secretariat-Override-Reason header."}
    assert nothing_booked()
    booked = post(client, resource, personas.practitioner_user,
                  HTTP_X_SECRETARIAT_OVERRIDE_REASON="Adressé par le Dr Martin")
    assert booked.status_code == 201, booked.content
    appointment = Appointment.objects.get()
    assert (appointment.overridden_directives, appointment.override_reason) == (
        ["new_patients"], "Adressé par le Dr Martin")


def test_a_secretary_cannot_override(client, personas, practice, patient):
    PractitionerDirectives.objects.create(practitioner=personas.practitioner, accepts_new_patients=False)
    resource = by_time(at(practice.day, 9).isoformat(), patient.pk, personas.practitioner.pk)
    response = post(client, resource, personas.secretary, HTTP_X_SECRETARIAT_OVERRIDE_REASON="Urgent")
    issues = outcome(response, 422, "business-rule")["issue"]
    assert [item["severity"] for item in issues] == ["error"]
    assert nothing_booked()


@pytest.mark.parametrize(("case", "status", "code", "expression", "words"), [
    ("broken json", 400, "invalid", None, "not valid JSON"),
    ("not an appointment", 400, "invalid", "resourceType", "Send a Appointment resource"),
    ("naive start", 400, "invalid", None, "start"),
    ("30 February", 400, "invalid", None, "start"),
    ("status proposed", 400, "invalid", "Appointment.status", "booked"),
    ("malformed slot", 400, "invalid", "Appointment.slot[0]", "Slot/<id>"),
    ("slot on 30 February", 400, "invalid", "Appointment.slot[0]", "Slot/<id>"),
    ("two slots", 400, "invalid", "Appointment.slot", "one slot"),
    ("no patient", 400, "invalid", "Appointment.participant", "one Patient"),
    ("no start nor slot", 400, "invalid", "Appointment.start", "Give the slot"),
    ("wrong end", 400, "invalid", "Appointment.end", "20 minutes after the start"),
    ("start not the slot's", 400, "invalid", "Appointment.start", "not the one of the slot"),
    ("unknown type", 422, "not-found", "Appointment.serviceType", "No appointment type"),
    ("foreign type system", 400, "invalid", "Appointment.serviceType", "serviceType coding"),
    ("patient of another team", 422, "not-found", "Appointment.participant", "No patient"),
    ("practitioner of another structure", 422, "not-found", "Appointment.participant", "No practitioner"),
    ("slot of another structure", 422, "not-found", "Appointment.slot[0]", "not one of the schedules"),
    ("in the past", 422, "business-rule", None, "in the past"),
    ("outside the schedule", 422, "business-rule", None, "outside the practitioner's periods"),
    ("slot outside the schedule", 422, "business-rule", None, "outside the practitioner's periods"),
])
def test_bad_bookings_are_refused_and_nothing_is_written(client, personas, practice, patient, english,
                                                         case, status, code, expression, words):
    day = practice.day.isoformat()
    doctor = personas.practitioner.pk
    good_slot = by_slot(slot_id(practice, 9), patient.pk)
    bodies = {
        "broken json": '{"resourceType": "Appointment", ',
        "not an appointment": {"resourceType": "Patient"},
        "naive start": by_time(f"{day}T09:00:00", patient.pk, doctor),
        "30 February": by_time("2027-02-30T09:00:00+01:00", patient.pk, doctor),
        "status proposed": {**good_slot, "status": "proposed"},
        "malformed slot": by_slot("abc", patient.pk),
        "slot on 30 February": by_slot(f"{practice.schedule_id}-{practice.consultation.pk}-202702300800", patient.pk),
        "two slots": {**good_slot, "slot": good_slot["slot"] * 2},
        "no patient": {**good_slot, "participant": [
            {"actor": {"reference": f"Practitioner/{doctor}"}, "status": "accepted"}]},
        "no start nor slot": {**by_time("x", patient.pk, doctor), "start": None},
        "wrong end": by_time(at(practice.day, 9).isoformat(), patient.pk, doctor,
                             end=at(practice.day, 9, 30).isoformat()),
        "start not the slot's": {**good_slot, "start": at(practice.day, 10).isoformat()},
        "unknown type": by_time(at(practice.day, 9).isoformat(), patient.pk, doctor, code="acupuncture"),
        "foreign type system": by_time(at(practice.day, 9).isoformat(), patient.pk, doctor, serviceType=[
            {"coding": [{"system": "http://snomed.info/sct", "code": "11429006"}]}]),
        "patient of another team": by_slot(slot_id(practice, 9), PatientFactory(
            structure=personas.structure, care_teams=[personas.team_b]).pk),
        "practitioner of another structure": by_time(at(practice.day, 9).isoformat(), patient.pk,
                                                     personas.other_structure_practitioner.pk),
        "slot of another structure": by_slot(f"{personas.other_structure_practitioner.pk}-{practice.site.pk}-"
                                             f"{practice.consultation.pk}-{utc_id(at(practice.day, 9))}", patient.pk),
        "in the past": by_time((timezone.now() - timedelta(days=1)).isoformat(), patient.pk, doctor),
        "outside the schedule": by_time(at(practice.day, 13).isoformat(), patient.pk, doctor),
        "slot outside the schedule": by_slot(slot_id(practice, 14), patient.pk),
    }
    body = bodies[case]
    if isinstance(body, dict) and body.get("start") is None and "start" in body:
        del body["start"]
    response = post(client, body, personas.secretary)
    issue = outcome(response, status, code)["issue"][0]
    assert words in issue["diagnostics"]
    if expression:
        assert issue["expression"] == [expression]
    assert nothing_booked()


def test_roles_without_booking_are_refused(client, personas, practice, patient):
    assert outcome(post(client, by_slot(slot_id(practice, 9), patient.pk), personas.accountant),
                   403, "forbidden")
    response = client.post(reverse("fhir:appointment_type"), data=json.dumps(by_slot(slot_id(practice, 9),
                                                                                     patient.pk)),
                           content_type=FHIR_JSON)
    outcome(response, 401, "login")
    assert nothing_booked()


# --- cancel and status changes ---------------------------------------------------------------


@pytest.fixture
def appointment(personas, practice, patient):
    return AppointmentFactory(practitioner=personas.practitioner, site=practice.site, patient=patient,
                              appointment_type=practice.consultation, start=at(practice.day, 9))


def current(client, appointment, user) -> dict:
    return client.get(reverse("fhir:appointment", args=[appointment.pk]), **bearer(user)).json()


def put(client, appointment, resource, user):
    return client.put(reverse("fhir:appointment", args=[appointment.pk]), data=json.dumps(resource),
                      content_type=FHIR_JSON, **bearer(user))


def test_cancel_by_put_with_the_reason(client, personas, appointment):
    resource = current(client, appointment, personas.secretary)
    resource.update(status="cancelled", cancelationReason={
        "coding": [{"system": CANCEL_REASONS, "code": "pat"}], "text": "Le patient est hospitalisé"})
    response = put(client, appointment, resource, personas.secretary)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    appointment.refresh_from_db()
    assert (appointment.status, appointment.cancellation_reason, appointment.cancelled_by_patient,
            appointment.cancelled_by) == ("cancelled", "Le patient est hospitalisé", True, personas.secretary)
    assert AuditEvent.objects.filter(action="agenda.appointment_cancelled", target_id=str(appointment.pk)).count() == 1
    # The same PUT again changes nothing.
    again = put(client, appointment, resource, personas.secretary)
    assert again.status_code == 200
    assert AuditEvent.objects.filter(action="agenda.appointment_cancelled").count() == 1


def test_cancel_with_a_minimal_resource(client, personas, appointment):
    resource = {"resourceType": "Appointment", "id": str(appointment.pk), "status": "cancelled",
                "cancelationReason": {"text": "Annulé par téléphone"},
                "participant": [{"actor": {"reference": f"Patient/{appointment.patient_id}"}, "status": "accepted"}]}
    response = put(client, appointment, resource, personas.secretary)
    assert response.status_code == 200, response.content
    appointment.refresh_from_db()
    assert (appointment.status, appointment.cancellation_reason) == ("cancelled", "Annulé par téléphone")


def test_cancel_by_json_patch(client, personas, appointment):
    patch = [{"op": "test", "path": "/status", "value": "booked"},
             {"op": "replace", "path": "/status", "value": "cancelled"},
             {"op": "add", "path": "/cancelationReason", "value": {"text": "Le cabinet ferme"}}]
    response = client.patch(reverse("fhir:appointment", args=[appointment.pk]), data=json.dumps(patch),
                            content_type="application/json-patch+json", **bearer(personas.secretary))
    assert response.status_code == 200, response.content
    appointment.refresh_from_db()
    assert (appointment.status, appointment.cancellation_reason, appointment.cancelled_by_patient) == (
        "cancelled", "Le cabinet ferme", False)


@pytest.mark.parametrize(("case", "status", "code", "words"), [
    ("no reason", 400, "invalid", "Give the reason"),
    ("moved", 422, "not-supported", "Only the status"),
    ("other patient", 422, "not-supported", "cannot change"),
    ("entered-in-error", 422, "not-supported", "can become"),
    ("id mismatch", 400, "invalid", "id must be the one"),
    ("arrived before the day", 422, "business-rule", "on the day itself"),
    ("failed patch test", 400, "invalid", "test on /status failed"),
    ("patch as plain json", 415, "not-supported", "JSON Patch"),
    ("patch path missing", 400, "invalid", "no element"),
])
def test_bad_changes_are_refused_and_nothing_changes(client, personas, appointment, english, case, status,
                                                     code, words):
    resource = current(client, appointment, personas.secretary)
    url = reverse("fhir:appointment", args=[appointment.pk])
    headers = bearer(personas.secretary)
    if case.startswith("patch") or case == "failed patch test":
        patch = {
            "failed patch test": [{"op": "test", "path": "/status", "value": "cancelled"}],
            "patch as plain json": [{"op": "replace", "path": "/status", "value": "cancelled"}],
            "patch path missing": [{"op": "replace", "path": "/priority/0", "value": 1}],
        }[case]
        content_type = "application/json" if case == "patch as plain json" else "application/json-patch+json"
        response = client.patch(url, data=json.dumps(patch), content_type=content_type, **headers)
    else:
        changes = {
            "no reason": {"status": "cancelled"},
            "moved": {"status": "cancelled", "cancelationReason": {"text": "x"},
                      "start": at(appointment.start.date(), 11).isoformat()},
            "other patient": {"participant": [{"actor": {"reference": "Patient/999999"}, "status": "accepted"},
                                              *resource["participant"][1:]]},
            "entered-in-error": {"status": "entered-in-error"},
            "id mismatch": {"id": "1" + resource["id"]},
            "arrived before the day": {"status": "arrived"},
        }[case]
        resource.update(changes)
        response = put(client, appointment, resource, personas.secretary)
    assert words in outcome(response, status, code)["issue"][0]["diagnostics"]
    appointment.refresh_from_db()
    assert appointment.status == "booked"
    assert not AuditEvent.objects.filter(action__in=["agenda.appointment_cancelled",
                                                     "agenda.appointment_status"]).exists()


def test_status_changes_on_the_day(client, personas, practice, patient):
    today = timezone.localtime()
    appointment = AppointmentFactory(practitioner=personas.practitioner, site=practice.site, patient=patient,
                                     appointment_type=practice.consultation,
                                     start=today.replace(second=0, microsecond=0))
    resource = current(client, appointment, personas.secretary)
    resource["status"] = "arrived"
    assert put(client, appointment, resource, personas.secretary).json()["status"] == "arrived"
    resource["status"] = "fulfilled"
    assert put(client, appointment, resource, personas.secretary).json()["status"] == "fulfilled"
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.SEEN


def test_changes_outside_the_scope_answer_404(client, personas, appointment):
    resource = current(client, appointment, personas.secretary)
    resource.update(status="cancelled", cancelationReason={"text": "x"})
    for user in (personas.other_team_secretary, personas.other_structure_secretary):
        outcome(put(client, appointment, resource, user), 404, "not-found")
    outcome(put(client, appointment, resource, personas.accountant), 403, "forbidden")
    appointment.refresh_from_db()
    assert appointment.status == "booked"
