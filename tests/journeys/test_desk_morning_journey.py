"""A morning at the welcome desk, end to end: the secretary checks in three expected patients
(one with an identity not validated: no document presented, the row keeps the flag), registers
a walk-in triaged with the practitioners' protocol, then the practitioner calls the next patient
from the compact queue and the waiting-room screen shows the ticket and the room, no name.

Visible labels are matched in French (locale fr-FR); structure is matched with ids, classes and
URLs. With JOURNEY_SHOTS set to a folder, screenshots of three steps go there (journey-*.png).
"""

import os
import re
from datetime import datetime, time, timedelta
from pathlib import Path

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from secretariat.agenda.tests.factories import AppointmentFactory, AppointmentTypeFactory
from secretariat.patients.models import Patient
from secretariat.patients.tests.factories import PatientFactory
from secretariat.reception import screens
from secretariat.reception.models import ConsultingRoom, Priority, TriageRecord, Visit
from secretariat.reception.services_triage import install_default_protocol
from secretariat.reception.tests.queue_factories import site_of

from .conftest import log_in

# Screenshots of three steps, to look at them: JOURNEY_SHOTS=/tmp/reception/shots pytest …
SHOTS = os.environ.get("JOURNEY_SHOTS", "")
TV = {"width": 1920, "height": 1080}
LOGIN_TIMEOUT = 30_000  # the shared test machine is slow at times; the flow itself is instant
# (birth name, first name): none of them may reach the waiting-room screen.
NAMES = [("DUVERNOIS", "ANSELME"), ("QUINTARD", "PERRINE"), ("BOISSONNADE", "THEODULE"), ("MARCHESSEAU", "ODILE")]


def _today_near_now(minutes: int) -> datetime:
    """Now plus ``minutes`` (-15 to +15), kept inside today so that a run just after midnight or
    just before it can still check in (the desk checks in today's appointments only)."""
    now = timezone.localtime()
    earliest = timezone.make_aware(datetime.combine(now.date(), time(0, 16)))
    latest = timezone.make_aware(datetime.combine(now.date(), time(23, 40)))
    return min(max(now, earliest), latest) + timedelta(minutes=minutes)


def _patient(personas, birth_name: str, first_name: str, *, validated: bool) -> Patient:
    fields = {"identity_status": Patient.IdentityStatus.VALIDATED, "document_type": "passport",
              "document_checked_at": timezone.now() - timedelta(days=30)} if validated else {}
    return PatientFactory(structure=personas.structure, care_teams=[personas.team_a], birth_name=birth_name,
                          first_birth_first_name=first_name, **fields)


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"journey-{name}.png"), full_page=True)


def _log_in(page: Page, live_server, username: str) -> None:
    page.set_default_timeout(LOGIN_TIMEOUT)
    log_in(page, live_server, username)
    page.set_default_timeout(10_000)


def test_a_morning_at_the_desk(live_server, personas, page: Page, browser: Browser) -> None:
    site = site_of(personas)
    ConsultingRoom.objects.create(site=site, practitioner=personas.practitioner, label="Cabinet 3")
    install_default_protocol(personas.structure)
    _screen, secret = screens.create_screen(site, label="TV salle d'attente", acting_user=personas.coordinator)
    kind = AppointmentTypeFactory(structure=personas.structure, label="Consultation", duration_minutes=10)
    first, second, third, walker = (
        _patient(personas, *NAMES[0], validated=True),
        _patient(personas, *NAMES[1], validated=True),
        _patient(personas, *NAMES[2], validated=False),
        _patient(personas, *NAMES[3], validated=True),
    )
    assert third.identity_status == Patient.IdentityStatus.PROVISIONAL
    for patient, minutes in ((first, -15), (second, -5), (third, 5)):  # back to back: no overlap
        AppointmentFactory(practitioner=personas.practitioner, site=site, patient=patient, appointment_type=kind,
                           start=_today_near_now(minutes))

    # The live server's first request imports every URL module: slow on a loaded machine.
    page.goto(live_server.url + reverse("core:login"), timeout=LOGIN_TIMEOUT)
    _log_in(page, live_server, personas.secretary.username)
    page.goto(live_server.url + reverse("reception:desk"))
    panel = page.locator("#desk-panel")

    def row_of(patient: Patient):
        return page.locator(".desk-appointments tr.desk-row", has_text=patient.birth_name)

    # Patients 1 and 2: one press on "Arrivé", the panel shows the ticket and the row follows at
    # once (the check-in asks for the list; the refresh every 5 s is not what shows it).
    for patient, ticket in ((first, "001"), (second, "002")):
        row_of(patient).locator("button[data-primary]").click()
        expect(panel.locator(".ticket-big")).to_contain_text(ticket)
        expect(row_of(patient).locator(".c-state .ticket")).to_contain_text(ticket, timeout=3_000)
        panel.locator(".panel-actions [data-panel-close]").click()
        expect(panel.locator(".desk-panel-inner")).to_have_count(0)

    # Patient 3, identity not validated: the panel asks for a document; none is presented.
    row_of(third).locator("button[data-primary]").click()
    expect(panel.locator(".desk-panel-inner.is-question")).to_be_visible()
    expect(panel.locator("#rniv-title")).to_have_text("Identité non validée : demandez une pièce d'identité")
    panel.get_by_role("button", name="Enregistrer l'arrivée quand même").click()
    expect(panel.locator(".ticket-big")).to_contain_text("003")
    expect(panel.locator(".notice.warning")).to_contain_text("Aucune pièce d'identité présentée")
    expect(row_of(third).locator(".flag.doc-requested")).to_be_visible()

    for patient, ticket in ((first, "001"), (second, "002"), (third, "003")):
        state = row_of(patient).locator(".c-state")
        expect(state.locator(".ticket")).to_contain_text(ticket)
        expect(state.locator(".badge")).to_have_text("En attente")
    assert list(Visit.objects.order_by("ticket").values_list("ticket", "patient_id", "identity_document_requested")) \
        == [(1, first.pk, False), (2, second.pk, False), (3, third.pk, True)]
    _shot(page, "1-desk-checked-in")
    panel.locator(".panel-actions [data-panel-close]").click()

    # A walk-in: find the patient, run the protocol to "seen today", back to the form pre-filled.
    page.get_by_role("link", name=re.compile("^Sans RDV")).click()
    page.wait_for_url(re.compile(r"/accueil/sans-rendez-vous/\?site=\d+$"))
    page.fill("#walk-in-search", "marchesseau")
    page.locator("#patient-hits a", has_text=walker.birth_name).click()
    page.wait_for_url(re.compile(rf"patient={walker.pk}"))
    expect(page.locator(".patient-chosen")).to_contain_text(walker.birth_name)
    # What the secretary typed before the triage is still there after it.
    page.select_option("#id_practitioner", str(personas.practitioner.pk))
    page.fill("#id_reason", "Fièvre depuis hier soir")
    page.get_by_role("link", name=re.compile("Évaluer l'urgence avec le protocole")).click()
    page.wait_for_url(re.compile(r"/accueil/tri/\?"))
    expect(page.locator(".triage-head")).to_contain_text(walker.display_name)
    # Eight "Non" to the danger signs, then "Oui" to the high fever.
    for number in range(1, 9):
        expect(page.locator(".triage-count")).to_have_text(f"Question {number}")
        page.locator(".triage-answer", has_text="Non").click()
    expect(page.locator("#triage-question-text")).to_contain_text("Fièvre de 39")
    page.locator(".triage-answer", has_text="Oui").click()
    outcome = page.locator(".triage-outcome.same-day")
    expect(outcome.locator("h2")).to_contain_text("Rendez-vous aujourd'hui")
    outcome.get_by_role("button", name=re.compile("Enregistrer le tri et revenir au formulaire")).click()

    page.wait_for_url(re.compile(r"/accueil/sans-rendez-vous/\?.*triage=\d+"))
    record = TriageRecord.objects.get()
    assert (record.priority, record.patient) == (Priority.SAME_DAY, walker)
    expect(page.locator("#id_priority")).to_have_value(str(Priority.SAME_DAY.value))
    expect(page.locator(".triage-box")).to_contain_text("Rendez-vous aujourd'hui")
    expect(page.locator("#id_practitioner")).to_have_value(str(personas.practitioner.pk))
    expect(page.locator("#id_reason")).to_have_value("Fièvre depuis hier soir")
    _shot(page, "2-walk-in-triaged")
    with page.expect_navigation(url=re.compile(r"/accueil/\?site=\d+$")):
        page.get_by_role("button", name="Enregistrer le passage sans rendez-vous").click()

    walk_in = Visit.objects.get(is_walk_in=True)
    assert (walk_in.ticket, walk_in.patient, walk_in.priority, walk_in.triage, walk_in.practitioner) == (
        4, walker, Priority.SAME_DAY, record, personas.practitioner)
    expect(page.locator(".messages")).to_contain_text("ticket 004")
    walk_in_row = page.locator(".desk-walk-ins tr.desk-row", has_text=walker.birth_name)
    expect(walk_in_row.locator(".priority.p2")).to_have_text("Vu aujourd'hui")
    expect(walk_in_row).to_contain_text("Fièvre depuis hier soir")
    expect(walk_in_row.locator(".c-state .ticket")).to_contain_text("004")
    expect(walk_in_row.locator(".badge")).to_have_text("En attente")

    # The waiting-room TV (no login) and the practitioner's phone-sized queue.
    tv_context = browser.new_context(locale="fr-FR", viewport=TV)
    doctor_context = browser.new_context(locale="fr-FR", viewport={"width": 480, "height": 800})
    try:
        tv = tv_context.new_page()
        tv.goto(live_server.url + reverse("waiting_screen:show", args=[secret]), timeout=LOGIN_TIMEOUT)
        expect(tv.locator("#ws-calls")).to_be_attached()

        doctor = doctor_context.new_page()
        _log_in(doctor, live_server, personas.practitioner_user.username)
        doctor.goto(f"{live_server.url}{reverse('reception:my_queue')}?site={site.pk}")
        call_next = doctor.locator("#call-next")
        expect(call_next).to_contain_text("Appeler le suivant")
        ticket = re.search(r"\b(00[1-4])\b", call_next.inner_text()).group(1)
        call_next.click()
        expect(doctor.locator(".q-now")).to_contain_text(ticket)
        called = Visit.objects.get(state=Visit.State.CALLED)
        assert called.ticket_label == ticket

        # The TV polls every 2 s: the call shows within 5 s, with the room.
        expect(tv.locator("#ws-calls")).to_contain_text(ticket, timeout=5_000)
        expect(tv.locator("#ws-calls")).to_contain_text("Cabinet 3")
        _shot(tv, "3-public-screen")
        html = tv.content().upper()
        for birth_name, first_name in NAMES:
            assert birth_name not in html, birth_name
            assert first_name not in html, first_name
    finally:
        doctor_context.close()
        tv_context.close()
