"""The referent's screens: duplicate queue and scan, merge, undo, split; roles."""

import datetime

import pytest
from django.urls import reverse

from secretariat.patients.models import DuplicateSuspicion, Patient, PatientMerge
from secretariat.patients.scan import scan_duplicates
from secretariat.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def doubles(personas):
    make = lambda **fields: PatientFactory(structure=personas.structure, care_teams=[personas.team_a],  # noqa: E731
                                           birth_date=datetime.date(1975, 3, 12), **fields)
    return (make(birth_name="DUPONT", birth_first_names="CLAIRE ANNE", first_birth_first_name="CLAIRE"),
            make(birth_name="DUPOND", birth_first_names="CLAIRE", first_birth_first_name="CLAIRE"))


def test_scan_queues_the_pair_once_with_its_reasons(personas, doubles):
    first, second = doubles
    PatientFactory(structure=personas.structure, birth_name="MARTIN", birth_date=datetime.date(1990, 1, 1))

    assert scan_duplicates(personas.structure.pk) == 1
    suspicion = DuplicateSuspicion.objects.get()
    assert (suspicion.first, suspicion.second) == (first, second)
    assert suspicion.reasons  # English msgids, translated on display
    assert all(reason.isascii() for reason in suspicion.reasons)
    assert scan_duplicates(personas.structure.pk) == 0


def test_referent_reviews_merges_and_the_old_number_leads_to_the_survivor(client, personas, doubles):
    first, second = doubles
    scan_duplicates(personas.structure.pk)
    client.force_login(personas.coordinator)
    page = client.get(reverse("patients:duplicates"))
    assert "DUPONT Claire" in page.content.decode()

    response = client.post(reverse("patients:merge", args=[first.pk, second.pk]),
                           {"survivor": first.pk, "reason": "Same person, typo on the phone"})
    merge = PatientMerge.objects.get()
    assert response.status_code == 302
    assert (merge.survivor, merge.merged) == (first, second)
    assert DuplicateSuspicion.objects.get().review == "merged"

    response = client.get(reverse("patients:detail", args=[second.pk]))
    assert response.status_code == 302
    assert response.url == reverse("patients:detail", args=[first.pk])

    response = client.post(reverse("patients:merge_detail", args=[merge.pk]), {"reason": "Wrong merge"})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.merged_into is None


def test_dismissed_pair_is_not_proposed_again(client, personas, doubles):
    scan_duplicates(personas.structure.pk)
    client.force_login(personas.coordinator)
    suspicion = DuplicateSuspicion.objects.get()
    client.post(reverse("patients:duplicate_dismiss", args=[suspicion.pk]))
    suspicion.refresh_from_db()
    assert suspicion.review == "different"
    assert scan_duplicates(personas.structure.pk) == 0


@pytest.mark.parametrize(("persona", "status"), [
    ("coordinator", 200), ("secretary", 403), ("reception", 403), ("practitioner_user", 403), ("accountant", 403),
])
def test_only_the_referent_role_merges(client, personas, doubles, persona, status):
    first, second = doubles
    client.force_login(getattr(personas, persona))
    assert client.get(reverse("patients:duplicates")).status_code == status
    assert client.get(reverse("patients:merge", args=[first.pk, second.pk])).status_code == status
    assert client.get(reverse("patients:split", args=[first.pk])).status_code == status


def test_coordinator_of_another_structure_gets_404_and_nothing_merges(client, personas, doubles):
    first, second = doubles
    client.force_login(personas.other_structure_coordinator)
    response = client.post(reverse("patients:merge", args=[first.pk, second.pk]),
                           {"survivor": first.pk, "reason": "x"})
    assert response.status_code == 404
    assert PatientMerge.objects.count() == 0


def test_split_creates_the_other_persons_record(client, personas, doubles):
    first, _second = doubles
    client.force_login(personas.coordinator)
    response = client.post(reverse("patients:split", args=[first.pk]), {
        "birth_name": "DUPONT", "birth_first_names": "ANNE", "first_birth_first_name": "",
        "birth_date": "12/03/1975", "sex": "F", "birthplace_code": "69123",
        "care_teams": [personas.team_a.pk], "reason": "Twin sister's letter filed here",
    })
    assert response.status_code == 302
    other = Patient.objects.get(birth_first_names="ANNE")
    assert response.url == reverse("patients:detail", args=[other.pk])
    assert other.identity_changes.get().kind == "split"
