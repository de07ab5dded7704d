"""The protocol pages and the runner: who may read, who may write, and the runner's flow."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from secretariat.core.models import AuditEvent
from secretariat.reception import services_triage
from secretariat.reception.models import TriageProtocol, TriageRecord

BANNER = "you are not making a medical decision"


@pytest.fixture
def protocol(personas):
    return services_triage.install_default_protocol(personas.structure)


def test_opening_the_protocols_installs_the_default_one_with_its_sources(client, personas):
    client.force_login(personas.reception)
    response = client.get(reverse("reception:protocols"))
    assert response.status_code == 200
    protocol = TriageProtocol.objects.get(structure=personas.structure)
    page = response.content.decode()
    assert escape(protocol.name) in page
    assert "SAMU-Urgences de France" in page
    assert reverse("reception:protocol_edit", args=[protocol.pk]) not in page


@pytest.mark.parametrize("who", ["secretary", "coordinator", "reception"])
def test_only_practitioners_edit_protocols(client, personas, protocol, who):
    client.force_login(getattr(personas, who))
    url = reverse("reception:protocol_edit", args=[protocol.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "X", "context": "both", "lines": "", "sources": ""}).status_code == 403
    assert client.post(reverse("reception:protocol_active", args=[protocol.pk]), {"active": "0"}).status_code == 403
    assert client.get(reverse("reception:protocol_new")).status_code == 403
    protocol.refresh_from_db()
    assert (protocol.version, protocol.is_active) == (1, True)


def test_a_practitioner_edits_the_protocol_in_the_line_format(client, personas, protocol):
    client.force_login(personas.practitioner_user)
    url = reverse("reception:protocol_edit", args=[protocol.pk])
    page = client.get(url).content.decode()
    assert "QUESTION chest_pain:" in page
    lines = ("QUESTION pain: Douleur thoracique ?\n- Oui => call\n- Non => routine\n\n"
             "ISSUE call: Appelez le 15 maintenant\nPRIORITÉ: 1\nSCRIPT: Gardez l'appelant en ligne.\n\n"
             "ISSUE routine: Rendez-vous habituel\nPRIORITÉ: 4\n")
    response = client.post(url, {"name": "Protocole court", "context": "phone", "lines": lines,
                                 "sources": "Adopté le 5 janvier"})
    assert response.status_code == 302
    protocol.refresh_from_db()
    assert protocol.version == 2
    assert protocol.tree["start"] == "pain"
    assert protocol.context == "phone"
    assert AuditEvent.objects.filter(action="reception.protocol_changed", acting_user=personas.practitioner_user).exists()


def test_a_broken_protocol_is_shown_back_with_its_problems(client, english, personas, protocol):
    client.force_login(personas.practitioner_user)
    response = client.post(reverse("reception:protocol_edit", args=[protocol.pk]), {
        "name": "Cassé", "context": "both", "sources": "",
        "lines": "QUESTION q1: Douleur ?\n- Oui => call\nISSUE call: Appelez le 15\nPRIORITÉ: 1\n"})
    assert response.status_code == 400
    assert "has no script for the desk to follow" in response.content.decode()
    protocol.refresh_from_db()
    assert protocol.version == 1


def test_a_practitioner_stops_using_a_protocol(client, english, personas, protocol):
    client.force_login(personas.practitioner_user)
    client.post(reverse("reception:protocol_active", args=[protocol.pk]), {"active": "0"})
    protocol.refresh_from_db()
    assert protocol.is_active is False
    client.force_login(personas.secretary)
    assert "No triage protocol in use" in client.get(reverse("reception:triage")).content.decode()


def test_the_runner_asks_one_question_with_the_banner(client, english, personas, protocol):
    client.force_login(personas.secretary)
    response = client.get(reverse("reception:triage"))
    page = response.content.decode()
    assert response.status_code == 200
    assert BANNER in page
    assert escape(protocol.tree["questions"]["chest_pain"]["text"]) in page
    assert 'data-key="1"' in page
    assert 'data-key="2"' in page
    assert escape(protocol.tree["questions"]["breathing"]["text"]) not in page


def test_the_runner_shows_the_emergency_and_records_it_back_to_next(client, english, personas, protocol):
    client.force_login(personas.secretary)
    next_url = reverse("reception:phone_log") + "?day=2026-01-05"
    response = client.get(reverse("reception:triage"), {"protocol": protocol.pk, "a": "0", "next": next_url})
    page = response.content.decode()
    assert "Appelez le 15 (ou le 112) maintenant" in page
    assert "triage-outcome emergency" in page
    assert "Au 15, donnez" in page
    assert BANNER in page
    response = client.post(reverse("reception:triage"), {"protocol": protocol.pk, "a": "0", "version": "1",
                                                          "next": next_url})
    record = TriageRecord.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('reception:phone_log')}?day=2026-01-05&triage={record.pk}"


def test_the_runner_refuses_external_next_urls(client, personas, protocol):
    client.force_login(personas.secretary)
    for bad in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        response = client.post(reverse("reception:triage"), {"protocol": protocol.pk, "a": "0", "version": "1",
                                                              "next": bad})
        assert response.status_code == 302
        assert response["Location"].startswith("/accueil/tri/"), bad


def test_same_day_outcome_offers_the_urgent_slots(client, personas, protocol):
    client.force_login(personas.secretary)
    answers = ".".join(["1"] * 8 + ["0"])
    page = client.get(reverse("reception:triage"), {"a": answers}).content.decode()
    assert 'name="then" value="book"' in page
    page = client.get(reverse("reception:triage"), {"a": answers, "next": "/accueil/appels/"}).content.decode()
    assert f'href="{reverse("agenda:book")}?urgent=1" target="_blank"' in page


def test_back_link_and_bad_answers(client, personas, protocol):
    client.force_login(personas.secretary)
    page = client.get(reverse("reception:triage"), {"a": "1.1"}).content.decode()
    assert escape(protocol.tree["questions"]["stroke"]["text"]) in page
    assert 'data-key="Backspace"' in page
    assert "a=1\"" in page
    response = client.get(reverse("reception:triage"), {"a": "7.7"})
    assert response.status_code == 302


def test_other_structures_protocols_are_not_reachable(client, personas, protocol):
    client.force_login(personas.other_structure_secretary)
    assert client.get(reverse("reception:triage"), {"protocol": protocol.pk}).status_code == 404
    client.force_login(personas.secretary)
    record = services_triage.record_triage(protocol, [0], personas.secretary)
    client.force_login(personas.other_structure_secretary)
    assert client.get(reverse("reception:triage_record", args=[record.pk])).status_code == 404


def test_same_day_can_be_recorded_then_booked(client, personas, protocol):
    client.force_login(personas.secretary)
    answers = ".".join(["1"] * 8 + ["0"])
    response = client.post(reverse("reception:triage"), {"protocol": protocol.pk, "a": answers, "version": "1",
                                                          "then": "book"})
    assert response["Location"] == f"{reverse('agenda:book')}?urgent=1"
    assert TriageRecord.objects.get().priority == 2


def test_a_recorded_triage_is_shown_with_its_answers(client, personas, protocol):
    record = services_triage.record_triage(protocol, [1, 0], personas.secretary)
    protocol.tree["questions"]["breathing"]["text"] = "Texte modifié depuis"
    protocol.save()
    client.force_login(personas.reception)
    page = client.get(reverse("reception:triage_record", args=[record.pk])).content.decode()
    assert escape(record.path[1]["question"]) in page
    assert "Texte modifié depuis" not in page
    assert "triage-outcome emergency" in page


def test_checking_without_saving_shows_the_outline_and_keeps_the_version(client, english, personas, protocol):
    client.force_login(personas.practitioner_user)
    lines = ("QUESTION pain: Douleur thoracique ?\n- Oui => call\n- Non => routine\n\n"
             "ISSUE call: Appelez le 15 maintenant\nPRIORITÉ: 1\nSCRIPT: Gardez l'appelant en ligne.\n\n"
             "ISSUE routine: Rendez-vous habituel\nPRIORITÉ: 4\n")
    response = client.post(reverse("reception:protocol_edit", args=[protocol.pk]),
                           {"name": protocol.name, "context": "both", "lines": lines, "sources": "", "check": "1"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Here is how the desk will read it" in page
    assert "Douleur thoracique ?" in page
    protocol.refresh_from_db()
    assert protocol.version == 1
    assert protocol.tree["start"] == "chest_pain"
