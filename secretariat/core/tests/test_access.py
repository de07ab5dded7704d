"""Scoping by structure and care team: outsiders get a 404 and learn nothing."""

import re

import pytest
from django.urls import reverse

from secretariat.core.access import practitioners_for


def test_secretary_sees_the_practitioners_of_her_care_teams_only(personas):
    assert list(practitioners_for(personas.secretary)) == [personas.practitioner]
    assert list(practitioners_for(personas.other_team_secretary)) == [personas.other_practitioner]


def test_coordinator_sees_the_whole_structure_and_nothing_outside(personas):
    assert set(practitioners_for(personas.coordinator)) == {personas.practitioner, personas.other_practitioner}


def test_practitioner_sees_themself_through_their_team(personas):
    assert list(practitioners_for(personas.practitioner_user)) == [personas.practitioner]


def test_user_without_structure_sees_nothing(personas, django_user_model):
    support = django_user_model.objects.create_user("support", password="x" * 12)
    assert list(practitioners_for(support)) == []


@pytest.mark.parametrize(
    ("_case", "viewer", "target", "status"),
    [
        ("own team", "secretary", "practitioner", 200),
        ("other team, same structure", "secretary", "other_practitioner", 404),
        ("other structure", "secretary", "other_structure_practitioner", 404),
        ("other structure coordinator", "other_structure_coordinator", "practitioner", 404),
        ("coordinator, same structure", "coordinator", "other_practitioner", 200),
    ],
)
def test_practitioner_page_scope(client, personas, _case, viewer, target, status):
    client.force_login(getattr(personas, viewer))
    response = client.get(reverse("core:practitioner_detail", args=[getattr(personas, target).pk]))
    assert response.status_code == status


def test_404_for_an_existing_outsider_object_looks_like_a_missing_one(client, personas):
    client.force_login(personas.secretary)
    outsider_url = reverse("core:practitioner_detail", args=[personas.other_structure_practitioner.pk])
    missing_url = reverse("core:practitioner_detail", args=[999999])
    outsider, missing = client.get(outsider_url), client.get(missing_url)
    assert outsider.status_code == missing.status_code == 404

    # Identical but for the per-response CSRF mask, the CSP nonce and the requested address.
    def normalised(content: bytes, url: str) -> str:
        text = content.decode().replace(url, "URL")
        return re.sub(r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value="|nonce=")[^"]+', r"\1", text)

    assert normalised(outsider.content, outsider_url) == normalised(missing.content, missing_url)
