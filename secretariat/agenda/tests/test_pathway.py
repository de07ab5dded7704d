"""The patient page shows the patient's appointments here and elsewhere, to those who see the agenda."""

from datetime import timedelta

import pytest
from django.utils import timezone

from secretariat.agenda.models import Appointment, ExternalAppointment
from secretariat.agenda.pathway import patient_section
from secretariat.agenda.tests.factories import AppointmentFactory
from secretariat.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_the_patient_page_lists_next_recent_and_external_appointments(client, personas):
    patient = PatientFactory(structure=personas.structure, care_teams=[personas.team_a])
    now = timezone.now()
    upcoming = AppointmentFactory(practitioner=personas.practitioner, patient=patient,
                                  start=now + timedelta(days=3))
    AppointmentFactory(practitioner=personas.practitioner, patient=patient, start=now + timedelta(days=4),
                       status=Appointment.Status.CANCELLED)
    past = AppointmentFactory(practitioner=personas.practitioner, patient=patient, start=now - timedelta(days=30),
                              status=Appointment.Status.SEEN)
    external = ExternalAppointment.objects.create(structure=personas.structure, patient=patient,
                                                  title="IRM du genou", start=now + timedelta(days=10),
                                                  place="Centre d'imagerie")
    client.force_login(personas.secretary)
    response = client.get(f"/patients/{patient.pk}/")
    [(template, section)] = response.context["sections"]
    assert template == "agenda/_patient_section.html"
    assert (section["upcoming"], section["recent"], section["external"]) == ([upcoming], [past], [external])
    assert "IRM du genou" in response.content.decode()


def test_no_section_for_a_role_without_the_agenda(personas):
    patient = PatientFactory(structure=personas.structure, care_teams=[personas.team_a])
    assert patient_section(personas.accountant, patient) is None
