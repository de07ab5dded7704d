"""seed_demo: a realistic synthetic structure, created once, never over real data."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from secretariat.core import rules
from secretariat.core.models import (
    CareTeam,
    OpeningHours,
    Practitioner,
    Service,
    Site,
    Structure,
    User,
)
from secretariat.core.roles import Role
from secretariat.core.tests.factories import StructureFactory
from secretariat.patients.models import Patient


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    models = [Structure, Site, OpeningHours, Service, Practitioner, CareTeam, User, Patient,
              Patient.care_teams.through]
    return {model.__name__: model.objects.count() for model in models}


@pytest.fixture
def seeded(db):
    return seed()


def test_creates_the_demo_structure(seeded):
    created = counts()
    links = created.pop("Patient_care_teams")
    assert created == {
        "Structure": 1, "Site": 2, "OpeningHours": 21, "Service": 4, "Practitioner": 4, "CareTeam": 4,
        "User": 7, "Patient": 300,
    }
    assert 300 < links < 600
    structure = Structure.objects.get()
    assert structure.name == "Maison de santé des Tilleuls"
    assert structure.is_demo is True
    assert structure.kind == Structure.Kind.MSP
    assert "300 patients fictifs" in seeded
    # Three people entered twice wait in the identitovigilance referent's queue.
    from secretariat.patients.models import DuplicateSuspicion

    assert DuplicateSuspicion.objects.filter(review="open").count() == 3
    assert "secretaire" in seeded


def test_secretaries_and_reception_belong_to_their_care_teams(seeded):
    all_teams = {"Médecine générale", "Cardiologie", "Imagerie", "Kinésithérapie"}
    assert {team.name for team in User.objects.get(username="secretaire").care_teams.all()} == all_teams
    assert {team.name for team in User.objects.get(username="accueil").care_teams.all()} == all_teams
    assert {team.name for team in User.objects.get(username="secretaire2").care_teams.all()} == {
        "Cardiologie", "Imagerie"}
    assert User.objects.get(username="coordination").role == Role.COORDINATOR
    assert Practitioner.objects.get(user__username="dr.haddad").last_name == "Haddad"


def test_every_account_logs_in_with_the_demo_password(seeded):
    users = User.objects.all()
    assert {user.username for user in users} == {
        "secretaire", "secretaire2", "accueil", "coordination", "comptable", "dr.bernard", "dr.haddad"}
    assert all(user.check_password("demo") for user in users)


def test_identifiers_are_valid(seeded):
    structure = Structure.objects.get()
    assert rules.is_valid_finess(structure.finess)
    assert rules.is_valid_siret(structure.siret)
    assert all(rules.is_valid_rpps(p.rpps) for p in Practitioner.objects.all())
    structure.full_clean()
    for practitioner in Practitioner.objects.all():
        practitioner.full_clean()


def test_patients_are_plausible_and_each_followed_by_one_or_two_teams(seeded):
    patients = list(Patient.objects.prefetch_related("care_teams"))
    for patient in patients:
        patient.full_clean()
        assert 1 <= len(patient.care_teams.all()) <= 2
        assert patient.birth_first_names.split()[0] == patient.first_birth_first_name
        assert 1930 <= patient.birth_date.year <= 2024
    statuses = {patient.identity_status for patient in patients}
    assert statuses >= {"PROV", "VALI", "QUAL"}
    assert sum(1 for p in patients if p.used_name) > 10
    assert sum(1 for p in patients if p.birthplace_code.startswith("99")) > 10


def test_same_people_on_every_install(seeded):
    def identities():
        return list(Patient.objects.order_by("pk").values_list(
            "birth_name", "birth_first_names", "birth_date", "sex", "birthplace_code",
            "identity_status", "care_teams__name"))

    first = identities()
    from django.apps import apps

    # What the desk, the agenda and messages add for the demo patients goes first (protected links).
    transmissions = apps.get_model("reception.Transmission")
    for message in transmissions.objects.order_by("-pk"):  # replies before what they answer
        message.delete()
    for label in ["reception.SurveyInvitation", "reception.SurveyResponse", "reception.Visit", "reception.PhoneCall",
                  "reception.TriageRecord", "reception.TriageProtocol", "reception.Incident",
                  "reception.VitaleReading", "reception.PublicScreen", "reception.ReceptionSettings",
                  "agenda.ResourceBooking", "agenda.SlotOffer", "agenda.WaitingListEntry",
                  "agenda.AppointmentMessage", "messaging.OutboundMessage", "agenda.OnlineBookingRequest",
                  "agenda.ExternalAppointment", "agenda.Appointment", "agenda.AppointmentSeries",
                  "agenda.WeeklyPeriod", "agenda.ScheduleException", "agenda.Absence", "agenda.TypeDirective",
                  "agenda.AppointmentType", "agenda.Resource"]:
        apps.get_model(label).objects.all().delete()
    for model in [Patient, CareTeam, Practitioner, User, Service, Site, Structure]:
        model.objects.all().delete()
    seed()
    assert identities() == first


def test_running_twice_changes_nothing(seeded):
    before = counts()
    output = seed()
    assert counts() == before
    assert "existe déjà" in output


def test_refuses_to_run_over_real_data(db):
    StructureFactory(name="Cabinet du Dr Vrai", is_demo=False)
    before = counts()
    with pytest.raises(CommandError, match="données réelles"):
        seed()
    assert counts() == before


def test_if_empty_skips_any_existing_structure_quietly(db):
    StructureFactory(name="Cabinet du Dr Vrai", is_demo=False)
    before = counts()
    output = seed("--if-empty")
    assert counts() == before
    assert "Données existantes conservées" in output


def test_if_empty_seeds_an_empty_database_then_skips(db):
    seed("--if-empty")
    assert Patient.objects.count() == 300
    before = counts()
    seed("--if-empty")
    assert counts() == before
