"""The audit trail is append-only, typed by registered codes, grouped by user action."""

import pytest
from django.db import DatabaseError, connection, transaction

from secretariat.core import audit
from secretariat.core.models import AuditEvent
from secretariat.core.models.audit import AuditTrailIsAppendOnly
from secretariat.core.services.accounts import update_staff_user


def test_a_write_records_who_what_and_old_new_values(personas):
    update_staff_user(
        personas.secretary, first_name="Alice", last_name="Durand", email="alice@example.org",
        role="secretary", care_teams=[personas.team_a, personas.team_b], acting_user=personas.coordinator,
    )
    event = AuditEvent.objects.get(action="core.user_changed")
    assert event.acting_user == personas.coordinator
    assert event.actor_label == "carole"
    assert event.structure_id == personas.structure.pk
    assert event.data["changes"]["care_teams"] == [["Cardiologie"], ["Cardiologie", "Radiologie"]]
    assert event.data["changes"]["first_name"] == ["Claire", "Alice"]
    assert str(event.action_label) in {"User changed", "Utilisateur modifié"}


def test_unknown_action_code_is_refused(personas):
    with pytest.raises(audit.UnknownAuditAction):
        audit.record("core.something_made_up", acting_user=personas.secretary)
    assert AuditEvent.objects.count() == 0


def test_registering_a_code_twice_fails_at_start_up():
    with pytest.raises(ValueError, match="registered twice"):
        audit.register("core.user_created", "again")


def test_orm_cannot_change_or_delete_an_event(personas):
    event = audit.record("core.user_created", target=personas.secretary, acting_user=personas.coordinator)
    event.data = {"forged": True}
    with pytest.raises(AuditTrailIsAppendOnly):
        event.save()
    with pytest.raises(AuditTrailIsAppendOnly):
        event.delete()
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(data={})
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).data == {}


def test_database_refuses_a_raw_update(personas):
    event = audit.record("core.user_created", target=personas.secretary, acting_user=personas.coordinator)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET action = 'core.user_enabled' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "core.user_created"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite keeps DELETE for the test runner's flush")
def test_postgresql_refuses_a_raw_delete(personas):
    event = audit.record("core.user_created", target=personas.secretary, acting_user=personas.coordinator)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).count() == 1


def test_rows_of_one_request_share_a_request_id_and_carry_desk_and_address(client, personas):
    client.cookies["secretariat_desk"] = "Accueil 1"
    client.post("/connexion/", {"username": "alice", "password": "correct horse battery"},
                REMOTE_ADDR="192.0.2.10")
    event = AuditEvent.objects.get(action="core.user_logged_in")
    assert event.desk == "Accueil 1"
    assert event.ip_address == "192.0.2.10"
    other = audit.record("core.user_enabled", acting_user=personas.coordinator)
    assert other.request_id != event.request_id


def test_changes_lists_only_modified_fields():
    assert audit.changes({"a": 1, "b": [2, 1]}, {"a": 1, "b": [1, 2, 3], "c": None}) == {"b": [[1, 2], [1, 2, 3]]}
