"""Coordinator screens: users, care teams, API tokens, failed tasks, and the Django admin."""

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from secretariat.core.models import ApiToken, AuditEvent, CareTeam, TaskFailure, User
from secretariat.core.roles import Role
from secretariat.core.tests.factories import CareTeamFactory, UserFactory

LOGIN_EVENT = "core.user_logged_in"


pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def token(personas):
    _raw, prefix, key_hash = ApiToken.generate()
    return ApiToken.objects.create(user=personas.secretary, name="Scanner", prefix=prefix, key_hash=key_hash)


@pytest.fixture
def failure(db):
    return TaskFailure.objects.create(task_name="send_reminder", task_id="abc", arguments="(12,)",
                                      error="SMTPError: timeout")


def written_events():
    """Audit rows other than the logins made by force_login."""
    return AuditEvent.objects.exclude(action=LOGIN_EVENT)


def flashed(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# Role matrix: every endpoint, every role.

GET_PAGES = [
    ("core:admin_home", None),
    ("core:user_list", None),
    ("core:user_create", None),
    ("core:user_edit", "secretary"),
    ("core:care_team_list", None),
    ("core:care_team_create", None),
    ("core:care_team_edit", "team_a"),
    ("core:audit_search", None),
    ("core:audit_patient_export", "patient"),
    ("core:task_failures", None),
]
POST_ACTIONS = [
    ("core:user_disable", "secretary"),
    ("core:user_enable", "secretary"),
    ("core:user_reset_2fa", "secretary"),
    ("core:user_send_password_email", "secretary"),
    ("core:token_revoke", "token"),
    ("core:task_failure_acknowledge", "failure"),
]
OTHER_ROLES = ["secretary", "reception", "practitioner_user", "accountant"]


def url_for(name, target, personas, token, failure):
    if target is None:
        return reverse(name)
    args = {
        "secretary": personas.secretary.pk, "team_a": personas.team_a.pk, "patient": 42,
        "token": token.pk, "failure": failure.pk,
    }
    return reverse(name, args=[args[target]])


@pytest.mark.parametrize(("name", "target"), GET_PAGES)
def test_coordinator_opens_every_admin_page(client, personas, token, failure, name, target):
    client.force_login(personas.coordinator)
    response = client.get(url_for(name, target, personas, token, failure))
    assert response.status_code == 200
    body = response.content.decode()
    # Strict CSP: no inline script, style or handler on any admin page.
    assert (" style=" in body, "<script>" in body, " onclick=" in body) == (False, False, False)


@pytest.mark.parametrize("persona", OTHER_ROLES)
@pytest.mark.parametrize(("name", "target"), GET_PAGES)
def test_other_roles_are_refused_every_admin_page(client, personas, token, failure, name, target, persona):
    client.force_login(getattr(personas, persona))
    response = client.get(url_for(name, target, personas, token, failure))
    assert response.status_code == 403
    assert written_events().count() == 0


@pytest.mark.parametrize(("name", "target"), POST_ACTIONS)
def test_coordinator_runs_every_admin_action(client, personas, token, failure, name, target):
    client.force_login(personas.coordinator)
    response = client.post(url_for(name, target, personas, token, failure))
    assert response.status_code == 302


@pytest.mark.parametrize("persona", OTHER_ROLES)
@pytest.mark.parametrize(("name", "target"), POST_ACTIONS)
def test_other_roles_are_refused_every_admin_action_and_nothing_changes(
    client, personas, token, failure, name, target, persona
):
    client.force_login(getattr(personas, persona))
    response = client.post(url_for(name, target, personas, token, failure))
    assert response.status_code == 403
    personas.secretary.refresh_from_db()
    token.refresh_from_db()
    failure.refresh_from_db()
    assert personas.secretary.is_active is True
    assert token.revoked_at is None
    assert failure.acknowledged_at is None
    assert written_events().count() == 0


@pytest.mark.parametrize(("name", "target"), POST_ACTIONS)
def test_admin_actions_refuse_get(client, personas, token, failure, name, target):
    client.force_login(personas.coordinator)
    assert client.get(url_for(name, target, personas, token, failure)).status_code == 405


def test_anonymous_visitor_is_sent_to_login(client, db):
    response = client.get(reverse("core:user_list"))
    assert response.status_code == 302
    assert response.url == f"{reverse('core:login')}?next={reverse('core:user_list')}"


# Another structure's coordinator: 404, never 403, and nothing changes.

CROSS_STRUCTURE = [
    ("get", "core:user_edit", "secretary"),
    ("post", "core:user_edit", "secretary"),
    ("post", "core:user_disable", "secretary"),
    ("post", "core:user_enable", "secretary"),
    ("post", "core:user_reset_2fa", "secretary"),
    ("post", "core:user_send_password_email", "secretary"),
    ("post", "core:token_revoke", "token"),
    ("get", "core:care_team_edit", "team_a"),
    ("post", "core:care_team_edit", "team_a"),
]


@pytest.mark.parametrize(("method", "name", "target"), CROSS_STRUCTURE)
def test_coordinator_of_another_structure_gets_404_and_nothing_changes(
    client, personas, token, failure, method, name, target, django_capture_on_commit_callbacks
):
    personas.secretary.is_active = False
    personas.secretary.save(update_fields=["is_active"])
    TOTPDevice.objects.create(user=personas.secretary, name="phone", confirmed=True)
    client.force_login(personas.other_structure_coordinator)
    data = {"first_name": "X", "last_name": "Y", "email": "x@example.org", "role": Role.COORDINATOR,
            "members": [personas.other_structure_secretary.pk]}
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = getattr(client, method)(url_for(name, target, personas, token, failure), data)
    assert response.status_code == 404
    personas.secretary.refresh_from_db()
    token.refresh_from_db()
    assert (personas.secretary.is_active, personas.secretary.role, personas.secretary.email) == (
        False, Role.SECRETARY, "alice@example.org"
    )
    assert token.revoked_at is None
    assert TOTPDevice.objects.filter(user=personas.secretary).count() == 1
    assert sorted(personas.team_a.members.values_list("username", flat=True)) == ["alice", "rose"]
    assert callbacks == []
    assert mail.outbox == []
    assert written_events().count() == 0


# Users


def test_users_list_shows_the_structure_only_with_teams_2fa_and_tokens(client, personas, token):
    TOTPDevice.objects.create(user=personas.secretary, name="phone", confirmed=True)
    client.force_login(personas.coordinator)
    response = client.get(reverse("core:user_list"))
    rows = {account.username: account for account in response.context["page"]}
    assert sorted(rows) == ["albert", "alice", "bob", "carole", "dr.cardio", "rose"]
    alice = rows["alice"]
    assert [team.name for team in alice.care_teams.all()] == ["Cardiologie"]
    assert (alice.has_two_factor, alice.active_token_count) == (True, 1)
    assert (rows["rose"].has_two_factor, rows["rose"].active_token_count) == (False, 0)


def test_users_list_filters_by_role_and_status(client, personas):
    personas.other_team_secretary.is_active = False
    personas.other_team_secretary.save(update_fields=["is_active"])
    client.force_login(personas.coordinator)
    by_role = client.get(reverse("core:user_list"), {"role": Role.SECRETARY})
    assert sorted(u.username for u in by_role.context["page"]) == ["alice", "bob"]
    disabled = client.get(reverse("core:user_list"), {"status": "disabled"})
    assert [u.username for u in disabled.context["page"]] == ["bob"]
    active_secretaries = client.get(reverse("core:user_list"), {"role": Role.SECRETARY, "status": "active"})
    assert [u.username for u in active_secretaries.context["page"]] == ["alice"]


def test_users_list_has_no_n_plus_one(client, personas, django_assert_max_num_queries):
    for index in range(20):
        user = UserFactory(structure=personas.structure, role=Role.SECRETARY, username=f"staff{index}")
        personas.team_a.members.add(user)
        _raw, prefix, key_hash = ApiToken.generate()
        ApiToken.objects.create(user=user, prefix=prefix, key_hash=key_hash)
        TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.force_login(personas.coordinator)
    # session, viewer, viewer's 2FA check, count, page of users, their care teams,
    # and the session save of the inactivity timer (savepoint, update, release).
    with django_assert_max_num_queries(10):  # 10: the shell asks for urgent messages
        response = client.get(reverse("core:user_list"))
    assert len(response.context["page"]) == 26


def test_coordinator_creates_a_user_with_one_audit_event(client, personas):
    client.force_login(personas.coordinator)
    response = client.post(reverse("core:user_create"), {
        "username": "m.petit", "first_name": "Marie", "last_name": "Petit", "email": "marie@example.org",
        "role": Role.RECEPTION, "care_teams": [personas.team_a.pk, personas.team_b.pk],
    })
    user = User.objects.get(username="m.petit")
    assert response.status_code == 302
    assert response.url == reverse("core:user_edit", args=[user.pk])
    assert (user.structure, user.role, user.has_usable_password()) == (personas.structure, Role.RECEPTION, False)
    assert sorted(user.care_teams.values_list("name", flat=True)) == ["Cardiologie", "Radiologie"]
    event = written_events().get()
    assert (event.action, event.acting_user, event.target_id, event.structure_id) == (
        "core.user_created", personas.coordinator, str(user.pk), personas.structure.pk
    )
    assert event.data == {"new": {
        "username": "m.petit", "first_name": "Marie", "last_name": "Petit", "email": "marie@example.org",
        "role": "reception", "is_active": True, "care_teams": ["Cardiologie", "Radiologie"],
    }}
    assert flashed(response) == [
        "The account of Marie Petit is created. Send the password e-mail so that they can choose a password."
    ]


def test_create_refuses_a_care_team_of_another_structure(client, personas):
    foreign_team = CareTeam.objects.get(name="Port")
    client.force_login(personas.coordinator)
    response = client.post(reverse("core:user_create"), {
        "username": "m.petit", "first_name": "Marie", "last_name": "Petit", "email": "marie@example.org",
        "role": Role.RECEPTION, "care_teams": [foreign_team.pk],
    })
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["care_teams"]
    assert User.objects.filter(username="m.petit").exists() is False
    assert written_events().count() == 0


def test_create_shows_the_service_refusal_for_a_taken_username(client, personas):
    client.force_login(personas.coordinator)
    response = client.post(reverse("core:user_create"), {
        "username": "ALICE", "first_name": "Alice", "last_name": "Bis", "email": "other@example.org",
        "role": Role.SECRETARY,
    })
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["The username “ALICE” is already taken."]
    assert User.objects.filter(username__iexact="alice").count() == 1
    assert written_events().count() == 0


def test_coordinator_edits_a_user_with_one_audit_event_of_the_changes(client, personas):
    client.force_login(personas.coordinator)
    response = client.post(reverse("core:user_edit", args=[personas.secretary.pk]), {
        "first_name": personas.secretary.first_name, "last_name": personas.secretary.last_name,
        "email": "alice.new@example.org", "role": Role.COORDINATOR, "care_teams": [personas.team_b.pk],
    })
    assert response.status_code == 302
    personas.secretary.refresh_from_db()
    assert (personas.secretary.email, personas.secretary.role) == ("alice.new@example.org", Role.COORDINATOR)
    event = written_events().get()
    assert (event.action, event.target_id) == ("core.user_changed", str(personas.secretary.pk))
    assert event.data == {"changes": {
        "care_teams": [["Cardiologie"], ["Radiologie"]],
        "email": ["alice@example.org", "alice.new@example.org"],
        "role": ["secretary", "coordinator"],
    }}


def test_coordinator_cannot_change_their_own_role(client, personas):
    coordinator = personas.coordinator
    client.force_login(coordinator)
    response = client.post(reverse("core:user_edit", args=[coordinator.pk]), {
        "first_name": coordinator.first_name, "last_name": coordinator.last_name,
        "email": coordinator.email, "role": Role.SECRETARY,
    })
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "You cannot change your own role; ask another coordinator."
    ]
    coordinator.refresh_from_db()
    assert coordinator.role == Role.COORDINATOR
    assert written_events().count() == 0


def test_user_page_lists_the_api_tokens(client, personas, token):
    client.force_login(personas.coordinator)
    response = client.get(reverse("core:user_edit", args=[personas.secretary.pk]))
    assert [t.pk for t in response.context["tokens"]] == [token.pk]
    assert f"<code>{token.prefix}…</code>" in response.content.decode()


def test_disabling_a_user_revokes_tokens_and_writes_one_event(client, personas, token):
    client.force_login(personas.coordinator)
    response = client.post(reverse("core:user_disable", args=[personas.secretary.pk]))
    assert response.status_code == 302
    assert response.url == reverse("core:user_edit", args=[personas.secretary.pk])
    personas.secretary.refresh_from_db()
    token.refresh_from_db()
    assert personas.secretary.is_active is False
    assert token.is_revoked is True
    event = written_events().get()
    assert (event.action, event.target_id, event.data) == ("core.user_disabled", str(personas.secretary.pk), {})


def test_enabling_a_disabled_user_writes_one_event(client, personas):
    personas.secretary.is_active = False
    personas.secretary.save(update_fields=["is_active"])
    client.force_login(personas.coordinator)
    client.post(reverse("core:user_enable", args=[personas.secretary.pk]))
    personas.secretary.refresh_from_db()
    assert personas.secretary.is_active is True
    assert list(written_events().values_list("action", flat=True)) == ["core.user_enabled"]


def test_coordinator_cannot_disable_themself(client, personas):
    client.force_login(personas.coordinator)
    response = client.post(reverse("core:user_disable", args=[personas.coordinator.pk]))
    assert response.status_code == 302
    assert flashed(response) == ["You cannot disable your own account."]
    personas.coordinator.refresh_from_db()
    assert personas.coordinator.is_active is True
    assert written_events().count() == 0


def test_reset_two_factor_removes_the_authenticator(client, personas):
    TOTPDevice.objects.create(user=personas.secretary, name="phone", confirmed=True)
    client.force_login(personas.coordinator)
    client.post(reverse("core:user_reset_2fa", args=[personas.secretary.pk]))
    assert TOTPDevice.objects.filter(user=personas.secretary).count() == 0
    event = written_events().get()
    assert (event.action, event.data) == ("core.two_factor_reset", {"devices": 1})


def test_send_password_email_queues_the_link_after_commit(client, personas, django_capture_on_commit_callbacks):
    client.force_login(personas.coordinator)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("core:user_send_password_email", args=[personas.secretary.pk]))
    assert len(callbacks) == 1
    assert [message.to for message in mail.outbox] == [["alice@example.org"]]
    assert "/mot-de-passe/nouveau/" in mail.outbox[0].body
    assert flashed(response) == ["A link to choose a password is on its way to alice@example.org."]


def test_send_password_email_is_refused_for_a_disabled_account(client, personas, django_capture_on_commit_callbacks):
    personas.secretary.is_active = False
    personas.secretary.save(update_fields=["is_active"])
    client.force_login(personas.coordinator)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("core:user_send_password_email", args=[personas.secretary.pk]))
    assert callbacks == []
    assert mail.outbox == []
    assert flashed(response) == ["This account is disabled: enable it before sending the e-mail."]


def test_revoking_a_token_writes_one_event(client, personas, token):
    client.force_login(personas.coordinator)
    response = client.post(reverse("core:token_revoke", args=[token.pk]))
    assert response.url == reverse("core:user_edit", args=[personas.secretary.pk])
    token.refresh_from_db()
    assert token.is_revoked is True
    event = written_events().get()
    assert (event.action, event.data) == ("core.api_token_revoked", {"token": token.prefix})


# Care teams


def test_care_team_list_shows_the_structure_teams_with_their_people(client, personas):
    client.force_login(personas.coordinator)
    response = client.get(reverse("core:care_team_list"))
    teams = list(response.context["teams"])
    assert [team.name for team in teams] == ["Cardiologie", "Radiologie"]
    assert sorted(m.username for m in teams[0].members.all()) == ["alice", "rose"]
    assert [p.pk for p in teams[0].practitioners.all()] == [personas.practitioner.pk]


def test_coordinator_sets_a_team_people_with_one_event(client, personas):
    client.force_login(personas.coordinator)
    response = client.post(reverse("core:care_team_edit", args=[personas.team_a.pk]), {
        "members": [personas.secretary.pk, personas.other_team_secretary.pk],
        "practitioners": [personas.practitioner.pk, personas.other_practitioner.pk],
    })
    assert response.status_code == 302
    assert sorted(personas.team_a.members.values_list("username", flat=True)) == ["alice", "bob"]
    assert personas.team_a.practitioners.count() == 2
    event = written_events().get()
    assert (event.action, event.target_id) == ("core.care_team_changed", str(personas.team_a.pk))
    assert event.data == {"changes": {
        "members": [["alice", "rose"], ["alice", "bob"]],
        "practitioners": [
            [str(personas.practitioner)],
            sorted([str(personas.practitioner), str(personas.other_practitioner)]),
        ],
    }}


def test_team_edit_refuses_a_person_of_another_structure(client, personas):
    client.force_login(personas.coordinator)
    response = client.post(reverse("core:care_team_edit", args=[personas.team_a.pk]), {
        "members": [personas.secretary.pk, personas.other_structure_secretary.pk],
    })
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["members"]
    assert sorted(personas.team_a.members.values_list("username", flat=True)) == ["alice", "rose"]
    assert written_events().count() == 0


def test_coordinator_creates_a_care_team(client, personas):
    client.force_login(personas.coordinator)
    response = client.post(reverse("core:care_team_create"), {"name": "Kinésithérapie"})
    team = CareTeam.objects.get(name="Kinésithérapie")
    assert response.url == reverse("core:care_team_edit", args=[team.pk])
    assert team.structure == personas.structure
    event = written_events().get()
    assert (event.action, event.target_id, event.structure_id) == (
        "core.care_team_created", str(team.pk), personas.structure.pk
    )


def test_care_team_names_are_unique_in_a_structure(client, personas):
    CareTeamFactory(structure=personas.other_structure, name="Kinésithérapie")
    client.force_login(personas.coordinator)
    client.post(reverse("core:care_team_create"), {"name": "Kinésithérapie"})
    response = client.post(reverse("core:care_team_create"), {"name": "kinésithérapie"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"name": ["A care team named “kinésithérapie” already exists."]}
    assert CareTeam.objects.filter(structure=personas.structure, name__iexact="kinésithérapie").count() == 1
    assert written_events().filter(action="core.care_team_created").count() == 1


# Failed tasks


def test_failed_tasks_list_unacknowledged_first(client, personas):
    older = TaskFailure.objects.create(task_name="a", task_id="1", error="E")
    done = TaskFailure.objects.create(task_name="b", task_id="2", error="E")
    newer = TaskFailure.objects.create(task_name="c", task_id="3", error="E")
    TaskFailure.objects.filter(pk=done.pk).update(acknowledged_at=done.occurred_at)
    client.force_login(personas.coordinator)
    response = client.get(reverse("core:task_failures"))
    assert [failure.pk for failure in response.context["page"]] == [newer.pk, older.pk, done.pk]


def test_acknowledging_a_failed_task_once_writes_one_event(client, personas, failure):
    client.force_login(personas.other_structure_coordinator)
    url = reverse("core:task_failure_acknowledge", args=[failure.pk])
    client.post(url)
    first = TaskFailure.objects.get(pk=failure.pk).acknowledged_at
    client.post(url)
    failure.refresh_from_db()
    assert failure.acknowledged_at == first
    event = written_events().get()
    assert (event.action, event.target_id, event.data, event.structure_id) == (
        "core.task_failure_acknowledged", str(failure.pk), {"task": "send_reminder"},
        personas.other_structure.pk,
    )


def test_admin_home_shows_the_tiles_and_the_failures_to_review(client, personas, failure):
    client.force_login(personas.coordinator)
    response = client.get(reverse("core:admin_home"))
    assert [tile["url_name"] for tile in response.context["tiles"]] == [
        "core:user_list", "core:care_team_list", "core:audit_search", "core:task_failures",
        "core:organisation", "core:practitioner_list",
    ]
    assert response.context["unacknowledged_failures"] == 1


def test_changes_made_in_the_support_admin_reach_the_audit_trail(client, personas, django_user_model):
    from secretariat.core.tests.factories import SiteFactory

    site = SiteFactory(structure=personas.structure, city="Villeurbanne")
    support = django_user_model.objects.create_superuser("support", "support@example.org", "x" * 16)
    client.force_login(support)
    form = {"structure": site.structure_id, "name": site.name, "address": site.address,
            "postal_code": site.postal_code, "city": "Bron", "phone": "", "finess": "",
            "opening_hours-TOTAL_FORMS": "0", "opening_hours-INITIAL_FORMS": "0"}
    response = client.post(reverse("admin:core_site_change", args=[site.pk]), form)
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="core.admin_record_changed")
    assert event.acting_user == support
    assert event.target_id == str(site.pk)
    assert event.data["model"] == "core.Site"
    client.post(reverse("admin:core_site_delete", args=[site.pk]), {"post": "yes"})
    assert AuditEvent.objects.filter(action="core.admin_record_deleted", target_id=str(site.pk)).count() == 1
