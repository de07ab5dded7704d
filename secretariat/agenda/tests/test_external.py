"""External appointments (made for the patient elsewhere): record, change, cancel, list."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from secretariat.agenda import services_external as services
from secretariat.agenda.models import ExternalAppointment
from secretariat.agenda.queries_waiting import external_for_patient, upcoming_external_for
from secretariat.agenda.tests.factories import ExternalAppointmentFactory
from secretariat.core.audit import AuditEvent
from secretariat.core.services.errors import ServiceError
from secretariat.patients.tests.factories import PatientFactory

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=PARIS)
WHEN = datetime(2026, 12, 15, 14, 30, tzinfo=PARIS)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_in_english(client):
    client.cookies["django_language"] = "en"
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield


@pytest.fixture
def patient(personas):
    return PatientFactory(structure=personas.structure, care_teams=[personas.team_a])


def values(**extra):
    return {"kind": ExternalAppointment.Kind.EXAM, "title": " Échographie cardiaque ", "start": WHEN,
            "place": "Centre d'imagerie du Parc", "address": "3 avenue du Parc, Lyon", "contact": "04 72 00 00 00",
            "preparation": "À jeun", "requested_by": None, "note": "", **extra}


def test_recording_keeps_every_detail_and_the_audit(personas, patient):
    external = services.record_external(patient=patient, values=values(requested_by=personas.practitioner),
                                        acting_user=personas.secretary)

    external.refresh_from_db()
    assert (external.title, external.start, external.place, external.preparation, external.requested_by,
            external.status, external.structure, external.created_by) == (
        "Échographie cardiaque", WHEN, "Centre d'imagerie du Parc", "À jeun", personas.practitioner,
        ExternalAppointment.Status.PLANNED, personas.structure, personas.secretary)
    event = AuditEvent.objects.get(action="agenda.external_recorded")
    assert (event.patient_id, event.data) == (patient.pk, {"kind": "exam", "start": WHEN.isoformat()})


@pytest.mark.parametrize(("bad", "message"), [
    ({"title": "  "}, "Say what the appointment is and where it takes place."),
    ({"place": ""}, "Say what the appointment is and where it takes place."),
    ({"start": None}, "Give the date and time of the appointment."),
])
def test_incomplete_appointments_are_refused_and_nothing_is_written(personas, patient, bad, message):
    with pytest.raises(ServiceError) as refusal:
        services.record_external(patient=patient, values=values(**bad), acting_user=personas.secretary)

    assert str(refusal.value) == message
    assert (ExternalAppointment.objects.count(), AuditEvent.objects.filter(action__startswith="agenda.external")
            .count()) == (0, 0)


def test_a_requesting_practitioner_of_another_structure_is_refused(personas, patient):
    with pytest.raises(ServiceError):
        services.record_external(patient=patient, values=values(requested_by=personas.other_structure_practitioner),
                                 acting_user=personas.secretary)
    assert ExternalAppointment.objects.count() == 0


def test_changing_records_which_fields_changed(personas, patient):
    external = ExternalAppointmentFactory(patient=patient, start=WHEN)

    services.change_external(external, values=values(title="Échographie cardiaque", place=external.place,
                                                      status=ExternalAppointment.Status.DONE),
                             acting_user=personas.secretary)

    external.refresh_from_db()
    assert external.status == ExternalAppointment.Status.DONE
    assert AuditEvent.objects.get(action="agenda.external_changed").data == {
        "fields": ["address", "contact", "preparation", "status"]}


def test_cancelling_keeps_the_row_and_hides_it_from_the_pathway(personas, patient):
    external = ExternalAppointmentFactory(patient=patient, start=WHEN)
    kept = ExternalAppointmentFactory(patient=patient, start=WHEN.replace(day=20))

    services.cancel_external(external, acting_user=personas.secretary)

    assert list(external_for_patient(patient)) == [kept]
    assert list(external_for_patient(patient, include_cancelled=True)) == [external, kept]
    with pytest.raises(ServiceError):
        services.cancel_external(external, acting_user=personas.secretary)
    with pytest.raises(ServiceError):
        services.change_external(external, values=values(), acting_user=personas.secretary)
    assert AuditEvent.objects.filter(action="agenda.external_cancelled").count() == 1


def test_the_coming_list_holds_the_users_patients_only(personas, patient):
    mine = ExternalAppointmentFactory(patient=patient, start=WHEN)
    ExternalAppointmentFactory(patient=PatientFactory(structure=personas.structure, care_teams=[personas.team_b]),
                               start=WHEN)
    ExternalAppointmentFactory(patient=patient, start=datetime(2026, 11, 1, 9, tzinfo=PARIS))  # past

    assert upcoming_external_for(personas.secretary) == [mine]


# --- Screens ----------------------------------------------------------------------------------


def test_recording_from_the_screen(client, personas, patient):
    client.force_login(personas.reception)

    response = client.post(reverse("agenda:external_new") + f"?patient={patient.pk}", {
        "kind": "specialist", "title": "Cardiologue", "day": "15/12/2026", "at": "14h30", "place": "CHU",
        "address": "", "contact": "", "preparation": "", "requested_by": personas.practitioner.pk, "note": ""})

    assert response.url == reverse("agenda:external_list") + f"?patient={patient.pk}"
    external = ExternalAppointment.objects.get()
    assert (external.kind, external.start, external.requested_by) == ("specialist", WHEN, personas.practitioner)


def test_editing_from_the_screen_prefills_and_saves(client, personas, patient):
    external = ExternalAppointmentFactory(patient=patient, start=WHEN, title="Scanner")
    client.force_login(personas.secretary)
    url = reverse("agenda:external_edit", args=[external.pk])

    form = client.get(url).context["form"]
    client.post(url, {**{name: form[name].value() or "" for name in form.fields}, "at": "16:00"})

    external.refresh_from_db()
    assert (form["day"].value(), form["at"].value(), external.start, external.title) == (
        "15/12/2026", "14:30", WHEN.replace(hour=16, minute=0), "Scanner")


@pytest.mark.parametrize(("who", "status"), [
    ("secretary", 200), ("practitioner_user", 200), ("accountant", 403), ("other_team_secretary", 404),
    ("other_structure_secretary", 404)])
def test_who_sees_the_patients_external_appointments(client, personas, patient, who, status):
    ExternalAppointmentFactory(patient=patient, start=WHEN)
    client.force_login(getattr(personas, who))
    assert client.get(reverse("agenda:external_list"), {"patient": patient.pk}).status_code == status


@pytest.mark.parametrize(("who", "status"), [("accountant", 403), ("other_team_secretary", 404)])
def test_outsiders_cannot_cancel(client, personas, patient, who, status):
    external = ExternalAppointmentFactory(patient=patient, start=WHEN)
    client.force_login(getattr(personas, who))

    assert client.post(reverse("agenda:external_cancel", args=[external.pk])).status_code == status
    external.refresh_from_db()
    assert external.status == ExternalAppointment.Status.PLANNED
