"""The public waiting-room screen shows tickets, rooms and delays, and nothing personal."""

import datetime
import hashlib
import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from secretariat.core.audit import AuditEvent
from secretariat.patients.tests.factories import PatientFactory
from secretariat.reception import screens
from secretariat.reception.models import (
    ConsultingRoom,
    Priority,
    PublicScreen,
    ReceptionSettings,
    Visit,
)
from secretariat.reception.services_queue import call_visit, recall_visit
from secretariat.reception.tests.queue_factories import make_visit, site_of

State = Visit.State
DISTINCTIVE = [
    # (birth name, first name, used name, birth date, INS)
    ("ZABROWSKI", "OPHELIANE", "VANDERSTRAETEN", datetime.date(1937, 11, 29), "237112B012345"),
    ("QUILLEBOEUF", "MAXENCIA", "", datetime.date(1981, 2, 17), "281027501234567"),
    ("XANTHOPOULOS", "THIBAUDINE", "", datetime.date(2003, 8, 6), ""),
]


@pytest.fixture
def site(personas):
    return site_of(personas)


@pytest.fixture
def screen(personas, site):
    screen, raw = screens.create_screen(site, label="TV du rez-de-chaussée", acting_user=personas.coordinator)
    screen.raw = raw
    return screen


@pytest.fixture
def patients_in_the_room(personas, site):
    """Three patients with unmistakable names: one called, one in consultation, one waiting."""
    ConsultingRoom.objects.create(site=site, practitioner=personas.practitioner, label="Cabinet 2")
    now = timezone.now()
    visits = []
    for index, (birth_name, first_name, used_name, birth_date, ins) in enumerate(DISTINCTIVE):
        patient = PatientFactory(pk=731_001 + index, structure=personas.structure, birth_name=birth_name,
                                 first_birth_first_name=first_name, birth_first_names=first_name,
                                 used_name=used_name, birth_date=birth_date, ins_matricule=ins)
        visits.append(make_visit(site=site, practitioner=personas.practitioner, by=personas.reception,
                                 patient=patient, start=now - timedelta(minutes=40 - 20 * index),
                                 pk=742_001 + index, appointment_pk=753_001 + index,
                                 arrived_at=now - timedelta(minutes=45)))
    call_visit(visits[0], acting_user=personas.secretary)
    Visit.objects.filter(pk=visits[1].pk).update(state=State.IN_CONSULTATION, called_at=now - timedelta(minutes=8),
                                                 call_count=1, room="Cabinet 2",
                                                 consultation_started_at=now - timedelta(minutes=7))
    walk_in = make_visit(site=site, by=personas.reception, walk_in=True, priority=Priority.SAME_DAY,
                         patient=PatientFactory(structure=personas.structure, birth_name="WOJCIECHOWSKA",
                                                first_birth_first_name="ANASTAZJA"))
    return [*visits, walk_in]


def _forbidden(visits) -> list[str]:
    words = []
    for visit in visits:
        patient = visit.patient
        words += [patient.birth_name, patient.first_birth_first_name, patient.birth_name.title(),
                  patient.first_birth_first_name.title(), f"{patient.birth_date:%d/%m/%Y}",
                  patient.birth_date.isoformat(), f"{patient.birth_date:%Y%m%d}"]
        words += [value for value in (patient.used_name, patient.ins_matricule) if value]
    return words


def _ids_exposed(text: str, visits) -> list[str]:
    """Database ids of the patients, visits or appointments found in ``text`` (the fixture gives them
    distinctive six-digit values, so any occurrence is a leak)."""
    exposed = []
    for visit in visits:
        for label, value in (("patient", visit.patient_id), ("visit", visit.pk), ("appointment", visit.appointment_id)):
            if value and value > 700_000 and str(value) in text:
                exposed.append(f"{label} {value}")
    return exposed


def test_page_shows_the_call_and_nothing_personal(client, screen, patients_in_the_room):
    response = client.get(reverse("waiting_screen:show", args=[screen.raw]))
    assert response.status_code == 200
    page = response.content.decode()
    called = patients_in_the_room[0]
    assert called.ticket_label in page
    assert "Cabinet 2" in page
    for word in _forbidden(patients_in_the_room):
        assert word.lower() not in page.lower(), word
    assert _ids_exposed(page, patients_in_the_room[:3]) == []
    assert "data-id=\"" in page  # ids of calls are ticket-call_count keys
    assert f'data-id="{called.ticket}-1"' in page


def test_state_json_has_tickets_rooms_delays_and_no_personal_data(client, personas, screen, patients_in_the_room):
    response = client.get(reverse("waiting_screen:state", args=[screen.raw]))
    assert response.status_code == 200
    state = json.loads(response.content)
    called, inside = patients_in_the_room[0], patients_in_the_room[1]
    assert [(call["ticket"], call["room"]) for call in state["calls"]] == [(called.ticket_label, "Cabinet 2")]
    assert [call["ticket"] for call in state["recent"]] == [inside.ticket_label]
    assert state["delays"][0]["practitioner"] == personas.practitioner.display_name
    body = response.content.decode()
    for word in _forbidden(patients_in_the_room):
        assert word.lower() not in body.lower(), word
    assert _ids_exposed(body, patients_in_the_room[:3]) == []
    assert set(state["calls"][0]) == {"id", "ticket", "room", "practitioner", "at"}


def test_headers_keep_the_screen_out_of_caches_search_engines_and_referrers(client, screen):
    for name in ("waiting_screen:show", "waiting_screen:state"):
        response = client.get(reverse(name, args=[screen.raw]))
        assert response["Cache-Control"] == "no-store, max-age=0"
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        assert response["Referrer-Policy"] == "no-referrer"


def test_unchanged_state_answers_304_and_a_call_changes_it(client, personas, screen, patients_in_the_room):
    url = reverse("waiting_screen:state", args=[screen.raw])
    first = client.get(url)
    etag = first["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    recall_visit(patients_in_the_room[0], acting_user=personas.secretary)
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert json.loads(changed.content)["calls"][0]["id"] == f"{patients_in_the_room[0].ticket}-2"


def test_revoked_or_unknown_screen_is_404(client, personas, screen):
    screens.revoke_screen(screen, acting_user=personas.coordinator)
    assert client.get(reverse("waiting_screen:show", args=[screen.raw])).status_code == 404
    assert client.get(reverse("waiting_screen:state", args=[screen.raw])).status_code == 404
    assert client.get(reverse("waiting_screen:show", args=["not-a-secret"])).status_code == 404


def test_initials_only_when_the_structure_chose_them(client, personas, screen, patients_in_the_room):
    url = reverse("waiting_screen:state", args=[screen.raw])
    assert "initials" not in json.loads(client.get(url).content)["calls"][0]
    ReceptionSettings.objects.filter(structure=personas.structure).update(public_display="initials")
    state = json.loads(client.get(url).content)
    assert state["calls"][0]["initials"] == "O. V."  # Opheliane, used name Vanderstraeten
    page = client.get(reverse("waiting_screen:show", args=[screen.raw])).content.decode()
    assert "O. V." in page
    assert "VANDERSTRAETEN" not in page.upper()


def test_only_the_hash_of_the_secret_is_stored(screen):
    stored = PublicScreen.objects.get(pk=screen.pk)
    assert stored.secret_hash == hashlib.sha256(screen.raw.encode()).hexdigest()
    assert screen.raw not in json.dumps(list(PublicScreen.objects.values()), default=str)
    assert len(screen.raw) >= 40


def test_coordinator_creates_a_screen_and_sees_its_address_once_with_a_qr_code(client, personas, site):
    client.force_login(personas.coordinator)
    response = client.post(reverse("reception:screens"), {"site": site.pk, "label": "Tablette accueil"})
    assert response.status_code == 200
    page = response.content.decode()
    screen = PublicScreen.objects.get(label="Tablette accueil")
    match = re.search(r'value="(http://testserver/salle-attente/([^/"]+)/)"', page)
    assert match is not None
    assert hashlib.sha256(match.group(2).encode()).hexdigest() == screen.secret_hash
    assert 'src="data:image/svg+xml;base64,' in page
    assert AuditEvent.objects.filter(action="reception.screen_created").count() == 1
    listing = client.get(reverse("reception:screens")).content.decode()
    assert match.group(2) not in listing
    assert "Tablette accueil" in listing


def test_coordinator_revokes_and_gives_a_new_address(client, personas, screen):
    client.force_login(personas.coordinator)
    response = client.post(reverse("reception:screen_regenerate", args=[screen.pk]))
    assert response.status_code == 200
    assert client.get(reverse("waiting_screen:show", args=[screen.raw])).status_code == 404
    client.post(reverse("reception:screen_revoke", args=[screen.pk]))
    assert PublicScreen.objects.get(pk=screen.pk).revoked_at is not None


def test_only_a_coordinator_of_the_structure_manages_screens(client, personas, screen, site):
    client.force_login(personas.secretary)
    assert client.get(reverse("reception:screens")).status_code == 403
    assert client.post(reverse("reception:screens"), {"site": site.pk, "label": "x"}).status_code == 403
    client.force_login(personas.other_structure_coordinator)
    assert client.post(reverse("reception:screen_revoke", args=[screen.pk])).status_code == 404
    assert client.post(reverse("reception:screens"), {"site": site.pk, "label": "x"}).status_code == 400
    assert PublicScreen.objects.get(pk=screen.pk).revoked_at is None
    assert PublicScreen.objects.count() == 1
