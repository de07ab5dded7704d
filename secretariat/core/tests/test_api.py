"""API tokens: exactly the user's permissions, revocable, stored only as a hash."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.request import Request

from secretariat.core import audit
from secretariat.core.api_auth import BearerTokenAuthentication
from secretariat.core.models import ApiToken, AuditEvent
from secretariat.core.services.accounts import issue_api_token, revoke_api_token, set_user_active


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_command_prints_a_token_that_acts_as_the_user(client, personas):
    out = StringIO()
    call_command("issue_api_token", "alice", "--name", "import", stdout=out)
    token = out.getvalue().strip()
    response = client.get(reverse("api_me"), **bearer(token))
    assert response.status_code == 200
    assert response.json()["username"] == "alice"
    assert response.json()["role"] == "secretary"
    stored = ApiToken.objects.get(user=personas.secretary)
    assert stored.key_hash != token
    assert token not in stored.key_hash
    assert AuditEvent.objects.filter(action="core.api_token_issued", target_id=str(personas.secretary.pk)).count() == 1


def test_command_refuses_unknown_user(db):
    with pytest.raises(CommandError, match="nobody"):
        call_command("issue_api_token", "nobody", stdout=StringIO())


def test_no_token_or_a_bad_one_is_refused(client, personas):
    assert client.get(reverse("api_me")).status_code == 401
    assert client.get(reverse("api_me"), **bearer("sec_forged")).status_code == 401
    assert client.get(reverse("api_me"), HTTP_AUTHORIZATION="Bearer").status_code == 401


def test_token_sees_exactly_the_users_practitioners(client, personas):
    token = issue_api_token(personas.secretary)
    response = client.get(reverse("api_practitioner_list"), **bearer(token))
    assert [p["id"] for p in response.json()] == [personas.practitioner.pk]
    other_team = client.get(reverse("api_practitioner_detail", args=[personas.other_practitioner.pk]), **bearer(token))
    other_structure = client.get(
        reverse("api_practitioner_detail", args=[personas.other_structure_practitioner.pk]), **bearer(token)
    )
    assert other_team.status_code == 404
    assert other_structure.status_code == 404


def test_token_has_no_capability_its_user_lacks(client, personas):
    token = issue_api_token(personas.reception)
    assert client.get(reverse("api_practitioner_list"), **bearer(token)).status_code == 200
    # The accountant sees the whole directory (billing needs it), nothing more.
    accountant_token = issue_api_token(personas.accountant)
    names = {p["last_name"] for p in client.get(reverse("api_practitioner_list"), **bearer(accountant_token)).json()}
    assert names == {"Cœur", "Os"}


def test_revoked_token_stops_working_at_once(client, personas):
    token = issue_api_token(personas.secretary)
    assert client.get(reverse("api_me"), **bearer(token)).status_code == 200
    revoke_api_token(ApiToken.objects.get(user=personas.secretary), acting_user=personas.coordinator)
    assert client.get(reverse("api_me"), **bearer(token)).status_code == 401
    assert AuditEvent.objects.filter(action="core.api_token_revoked").count() == 1


def test_revoke_command_by_prefix(client, personas):
    token = issue_api_token(personas.secretary)
    prefix = ApiToken.objects.get(user=personas.secretary).prefix
    call_command("revoke_api_token", prefix, stdout=StringIO())
    assert client.get(reverse("api_me"), **bearer(token)).status_code == 401


def test_disabling_a_user_revokes_their_tokens(client, personas):
    token = issue_api_token(personas.secretary)
    set_user_active(personas.secretary, active=False, acting_user=personas.coordinator)
    assert client.get(reverse("api_me"), **bearer(token)).status_code == 401
    assert ApiToken.objects.get(user=personas.secretary).is_revoked is True


def test_token_user_becomes_the_audit_actor(rf, personas):
    token = issue_api_token(personas.secretary)
    context = audit.AuditContext()
    handle = audit.set_context(context)
    try:
        user, _token = BearerTokenAuthentication().authenticate(
            Request(rf.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {token}"))
        )
    finally:
        audit.reset_context(handle)
    assert user == personas.secretary
    assert context.user == personas.secretary


def test_schema_is_served_to_authenticated_clients(client, personas):
    token = issue_api_token(personas.secretary)
    response = client.get(reverse("api_schema"), **bearer(token))
    assert response.status_code == 200
    assert b"/api/v1/practitioners/" in response.content
