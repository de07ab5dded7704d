"""Check-in, undo and walk-ins at the desk: tickets, RNIV question, coverage, refusals, audit."""

from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from secretariat.agenda.models import Appointment
from secretariat.agenda.tests.factories import AppointmentFactory, AppointmentTypeFactory
from secretariat.core.audit import AuditEvent
from secretariat.core.services.errors import ServiceError
from secretariat.core.tests.factories import SiteFactory
from secretariat.patients.models import AmcCoverage, AmoCoverage, Patient
from secretariat.patients.services import Identity, PossibleDuplicates
from secretariat.patients.tests.factories import PatientFactory
from secretariat.reception import services_desk
from secretariat.reception.models import Priority, TriageProtocol, TriageRecord, Visit

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=PARIS)  # a Tuesday morning
Status = Appointment.Status


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield


def validated_patient(structure, team, **fields) -> Patient:
    return PatientFactory(structure=structure, care_teams=[team], identity_status=Patient.IdentityStatus.VALIDATED,
                          document_type="passport", document_checked_at=NOW - timedelta(days=30), **fields)


def covered(patient: Patient, *, amo_until: date | None = None) -> Patient:
    AmoCoverage.objects.create(patient=patient, rights_from=date(2025, 1, 1),
                               rights_until=amo_until or date(2027, 1, 1))
    AmcCoverage.objects.create(patient=patient, organism_name="Mutuelle des Tilleuls", valid_from=date(2025, 1, 1),
                               valid_until=date(2027, 1, 1))
    return patient


def appointment_at(practitioner, site, patient, start: datetime, **fields) -> Appointment:
    kind = AppointmentTypeFactory(structure=practitioner.structure, colour="#2a9d8f")
    return AppointmentFactory(practitioner=practitioner, site=site, patient=patient, appointment_type=kind,
                              start=start, **fields)


def triage_record(structure, user, *, priority=Priority.EMERGENCY) -> TriageRecord:
    protocol, _created = TriageProtocol.objects.get_or_create(
        structure=structure, name="Protocole de test",
        defaults={"tree": {"start": "q1", "questions": {}, "outcomes": {}}})
    return TriageRecord.objects.create(
        structure=structure, protocol=protocol, protocol_version=1, path=[], outcome_key="emergency",
        priority=priority, outcome_title="Appeler le 15", instructions="Composez le 15 et suivez le script.",
        recorded_by=user)


@pytest.fixture
def desk(personas, clock):
    """A site of the personas' structure with three appointments of Dr Cœur this morning."""
    site = SiteFactory(structure=personas.structure, name="Les Tilleuls")
    known = covered(validated_patient(personas.structure, personas.team_a, birth_name="MARTIN"))
    provisional = PatientFactory(structure=personas.structure, care_teams=[personas.team_a], birth_name="PETIT")
    uncovered = validated_patient(personas.structure, personas.team_a, birth_name="GIRARD")
    return SimpleNamespace(
        site=site, known=known, provisional=provisional, uncovered=uncovered,
        known_appointment=appointment_at(personas.practitioner, site, known, NOW - timedelta(minutes=5)),
        provisional_appointment=appointment_at(personas.practitioner, site, provisional, NOW + timedelta(minutes=20)),
        uncovered_appointment=appointment_at(personas.practitioner, site, uncovered, NOW + timedelta(minutes=40)),
    )


def test_check_in_gives_ticket_one_marks_arrived_and_audits(personas, desk):
    visit = services_desk.check_in(desk.known_appointment, acting_user=personas.reception)

    desk.known_appointment.refresh_from_db()
    assert (visit.ticket, visit.ticket_label, visit.day, visit.site_id) == (1, "001", NOW.date(), desk.site.pk)
    assert (visit.patient_id, visit.practitioner_id, visit.is_walk_in) == (desk.known.pk, personas.practitioner.pk,
                                                                           False)
    assert (visit.state, visit.arrived_at, visit.checked_in_by) == (Visit.State.ARRIVED, NOW, personas.reception)
    assert (visit.coverage_warnings, visit.identity_document_requested) == ([], False)
    assert desk.known_appointment.status == Status.ARRIVED
    event = AuditEvent.objects.get(action="reception.checked_in")
    assert (event.patient_id, event.data["ticket"], event.data["appointment_id"]) == (
        desk.known.pk, 1, desk.known_appointment.pk)


def test_tickets_follow_each_other_per_site_and_start_again_at_another_site(personas, desk):
    first = services_desk.check_in(desk.known_appointment, acting_user=personas.reception)
    second = services_desk.check_in(desk.uncovered_appointment, acting_user=personas.reception)
    other_site = SiteFactory(structure=personas.structure, name="Annexe du Port")
    elsewhere = appointment_at(personas.practitioner, other_site, PatientFactory(structure=personas.structure),
                               NOW + timedelta(hours=2))

    third = services_desk.check_in(elsewhere, acting_user=personas.reception, identity_document_presented=True)

    assert [first.ticket, second.ticket, third.ticket] == [1, 2, 1]


def test_coverage_problem_codes_are_kept_on_the_visit(personas, desk):
    covered(desk.uncovered, amo_until=date(2026, 1, 31))
    AmcCoverage.objects.filter(patient=desk.uncovered).delete()

    visit = services_desk.check_in(desk.uncovered_appointment, acting_user=personas.secretary)

    assert visit.coverage_warnings == ["amo_expired", "amc_missing"]
    assert AuditEvent.objects.get(action="reception.checked_in").data["coverage_warnings"] == [
        "amo_expired", "amc_missing"]


def test_identity_not_validated_needs_the_document_answer_and_nothing_is_written_without_it(personas, desk):
    with pytest.raises(ServiceError, match="is not validated: ask for an identity document"):
        services_desk.check_in(desk.provisional_appointment, acting_user=personas.reception)

    desk.provisional_appointment.refresh_from_db()
    assert desk.provisional_appointment.status == Status.BOOKED
    assert (Visit.objects.count(), AuditEvent.objects.filter(action="reception.checked_in").count()) == (0, 0)


@pytest.mark.parametrize(("_case", "presented", "requested"), [
    ("document shown", True, False),
    ("no document", False, True),
])
def test_identity_answer_is_kept_on_the_visit(personas, desk, _case, presented, requested):
    visit = services_desk.check_in(desk.provisional_appointment, acting_user=personas.reception,
                                   identity_document_presented=presented)

    assert visit.identity_document_requested is requested
    assert AuditEvent.objects.get(action="reception.checked_in").data["identity_document_presented"] is presented


def test_second_check_in_of_the_same_appointment_is_refused_with_the_ticket(personas, desk):
    services_desk.check_in(desk.known_appointment, acting_user=personas.reception)

    with pytest.raises(ServiceError) as refusal:
        services_desk.check_in(desk.known_appointment, acting_user=personas.secretary)

    assert str(refusal.value) == f"{desk.known.display_name} is already checked in (ticket 001)."
    assert Visit.objects.count() == 1


def test_cancelled_appointment_is_refused(personas, desk):
    Appointment.objects.filter(pk=desk.known_appointment.pk).update(status=Status.CANCELLED)

    with pytest.raises(ServiceError, match="This appointment was cancelled"):
        services_desk.check_in(desk.known_appointment, acting_user=personas.reception)
    assert Visit.objects.count() == 0


def test_appointment_of_another_day_is_refused(personas, desk):
    tomorrow = appointment_at(personas.practitioner, desk.site, desk.known, NOW + timedelta(days=1))
    yesterday = appointment_at(personas.practitioner, desk.site, desk.known, NOW - timedelta(days=1))

    with pytest.raises(ServiceError, match=r"This appointment is on 11/03/2026, not today"):
        services_desk.check_in(tomorrow, acting_user=personas.reception)
    with pytest.raises(ServiceError, match=r"This appointment is on 09/03/2026, not today"):
        services_desk.check_in(yesterday, acting_user=personas.reception)
    assert Visit.objects.count() == 0
    assert set(Appointment.objects.filter(pk__in=[tomorrow.pk, yesterday.pk]).values_list("status", flat=True)) == {
        Status.BOOKED}


def test_seen_appointment_is_refused(personas, desk):
    Appointment.objects.filter(pk=desk.known_appointment.pk).update(status=Status.SEEN)

    with pytest.raises(ServiceError, match="is marked “Seen”: it cannot be checked in"):
        services_desk.check_in(desk.known_appointment, acting_user=personas.reception)


def test_patient_marked_missed_who_comes_after_all_is_checked_in(personas, desk):
    Appointment.objects.filter(pk=desk.known_appointment.pk).update(status=Status.MISSED)

    visit = services_desk.check_in(desk.known_appointment, acting_user=personas.reception)

    desk.known_appointment.refresh_from_db()
    assert (visit.ticket, desk.known_appointment.status) == (1, Status.ARRIVED)


def test_undo_puts_the_appointment_back_to_booked_deletes_the_visit_and_audits(personas, desk):
    visit = services_desk.check_in(desk.known_appointment, acting_user=personas.reception)

    services_desk.undo_check_in(visit, acting_user=personas.secretary)

    desk.known_appointment.refresh_from_db()
    assert desk.known_appointment.status == Status.BOOKED
    assert Visit.objects.filter(pk=visit.pk).exists() is False
    event = AuditEvent.objects.get(action="reception.check_in_undone")
    assert (event.patient_id, event.data["ticket"], event.acting_user_id) == (desk.known.pk, 1, personas.secretary.pk)
    # The patient can then be checked in again.
    assert services_desk.check_in(desk.known_appointment, acting_user=personas.reception).ticket == 1


def test_undo_is_refused_once_the_patient_was_called(personas, desk):
    visit = services_desk.check_in(desk.known_appointment, acting_user=personas.reception)
    Visit.objects.filter(pk=visit.pk).update(state=Visit.State.CALLED, called_at=NOW, call_count=1)

    with pytest.raises(ServiceError, match="already been called"):
        services_desk.undo_check_in(visit, acting_user=personas.reception)

    desk.known_appointment.refresh_from_db()
    assert (desk.known_appointment.status, Visit.objects.count()) == (Status.ARRIVED, 1)
    assert AuditEvent.objects.filter(action="reception.check_in_undone").exists() is False


def test_walk_in_of_a_known_patient_takes_the_next_ticket_and_the_triage_priority(personas, desk):
    services_desk.check_in(desk.known_appointment, acting_user=personas.reception)
    triage = triage_record(personas.structure, personas.reception, priority=Priority.SAME_DAY)

    visit = services_desk.register_walk_in(site=desk.site, acting_user=personas.reception, patient=desk.uncovered,
                                           reason="Fièvre depuis hier", triage=triage)

    triage.refresh_from_db()
    assert (visit.ticket, visit.is_walk_in, visit.appointment, visit.practitioner) == (2, True, None, None)
    assert (visit.priority, visit.triage, visit.reason) == (Priority.SAME_DAY, triage, "Fièvre depuis hier")
    assert visit.coverage_warnings == ["amo_missing", "amc_missing"]
    assert triage.patient_id == desk.uncovered.pk
    event = AuditEvent.objects.get(action="reception.walk_in_registered")
    assert (event.patient_id, event.data["priority"], event.data["triage_id"]) == (
        desk.uncovered.pk, Priority.SAME_DAY, triage.pk)


def test_walk_in_with_a_new_provisional_identity_creates_the_file_in_the_same_transaction(personas, desk):
    identity = Identity(birth_name="NGUYEN", birth_first_names="THI LAN", first_birth_first_name="THI",
                        birth_date=date(1990, 5, 4), sex="F", birthplace_code="99243")

    visit = services_desk.register_walk_in(
        site=desk.site, acting_user=personas.reception, identity=identity, care_teams=[personas.team_a],
        practitioner=personas.practitioner, reason="Renouvellement", identity_document_presented=False)

    patient = visit.patient
    assert (patient.birth_name, patient.identity_status, patient.structure_id) == (
        "NGUYEN", Patient.IdentityStatus.PROVISIONAL, personas.structure.pk)
    assert list(patient.care_teams.all()) == [personas.team_a]
    assert (visit.identity_document_requested, visit.practitioner) == (True, personas.practitioner)
    assert AuditEvent.objects.filter(action="patients.created", patient_id=patient.pk).count() == 1


def test_walk_in_whose_identity_looks_like_an_existing_file_needs_a_reason(personas, desk):
    identity = Identity(birth_name=desk.known.birth_name, birth_first_names=desk.known.birth_first_names,
                        first_birth_first_name=desk.known.first_birth_first_name, birth_date=desk.known.birth_date,
                        sex=desk.known.sex, birthplace_code=desk.known.birthplace_code)
    patients_before = Patient.objects.count()

    with pytest.raises(PossibleDuplicates) as refusal:
        services_desk.register_walk_in(site=desk.site, acting_user=personas.reception, identity=identity,
                                       care_teams=[personas.team_a], identity_document_presented=True)

    assert [candidate.patient.pk for candidate in refusal.value.candidates][:1] == [desk.known.pk]
    assert (Patient.objects.count(), Visit.objects.count()) == (patients_before, 0)


def test_walk_in_refuses_a_triage_of_another_structure_and_writes_nothing(personas, desk):
    foreign = triage_record(personas.other_structure, personas.other_structure_secretary)

    with pytest.raises(ServiceError, match="another structure"):
        services_desk.register_walk_in(site=desk.site, acting_user=personas.reception, patient=desk.known,
                                       triage=foreign)
    assert Visit.objects.count() == 0


def test_walk_in_of_a_provisional_identity_asks_the_document_question(personas, desk):
    with pytest.raises(ServiceError, match="is not validated"):
        services_desk.register_walk_in(site=desk.site, acting_user=personas.reception, patient=desk.provisional)
    assert Visit.objects.count() == 0


def test_undo_of_a_walk_in_deletes_the_visit(personas, desk):
    visit = services_desk.register_walk_in(site=desk.site, acting_user=personas.reception, patient=desk.known)

    services_desk.undo_check_in(visit, acting_user=personas.reception)

    assert Visit.objects.count() == 0
    event = AuditEvent.objects.get(action="reception.check_in_undone")
    assert (event.patient_id, event.data["walk_in"]) == (desk.known.pk, True)
