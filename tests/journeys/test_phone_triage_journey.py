"""A phone call triaged to "call 15": the secretary starts logging the call, runs the doctors'
triage protocol from the form, is shown the emergency and the script, records it, and the call
is saved as sent to emergency services with its triage.

Visible labels are matched in French or English (the French catalogue may lag behind the
English msgids); structure is matched with ids, names and URLs.
"""

import re

from django.urls import reverse
from playwright.sync_api import Page, expect

from secretariat.patients.tests.factories import PatientFactory
from secretariat.reception.models import PhoneCall, TriageRecord

from .conftest import log_in


def test_a_call_triaged_to_call_15_is_recorded_with_its_triage(live_server, personas, page: Page) -> None:
    patient = PatientFactory(structure=personas.structure, care_teams=[personas.team_a],
                             birth_name="MOREL", first_birth_first_name="JEANNE")
    page.set_default_timeout(30_000)  # the shared test machine is slow at times; the flow itself is instant
    log_in(page, live_server, personas.secretary.username)
    page.goto(live_server.url + reverse("reception:phone_log"))

    # The form is focused on load: the caller's name is typed at once.
    expect(page.locator("#id_caller_name")).to_be_focused()
    page.keyboard.type("Mme Morel (fille)")
    page.fill("#id_caller_phone", "06 45 45 45 45")
    page.fill("#call-patient-search", "morel")
    page.locator("#call-patient-hits input[name=patient]").first.check()
    page.fill("#id_reason", "Douleur dans la poitrine depuis 20 minutes")

    # "Triage the urgency" keeps the half-typed call and opens the runner.
    page.locator("[data-triage-link]").click()
    page.wait_for_url(re.compile(r"/accueil/tri/\?"))
    expect(page.locator(".triage-banner")).to_contain_text(re.compile("décision médicale|medical decision"))
    expect(page.locator("#triage-question-text")).to_contain_text("poitrine")

    # "1" answers "Oui": the emergency, huge and red, with its script.
    page.keyboard.press("1")
    outcome = page.locator(".triage-outcome.emergency")
    expect(outcome).to_be_visible()
    expect(outcome.locator("h2")).to_have_text("Appelez le 15 (ou le 112) maintenant")
    expect(outcome.locator(".triage-script")).to_contain_text("Au 15, donnez")
    page.locator(".triage-record button[type=submit]").click()

    # Back on the phone log: the triage is attached, the typed call restored, "emergency" chosen.
    page.wait_for_url(re.compile(r"/accueil/appels/\?triage=\d+"))
    record = TriageRecord.objects.get()
    assert record.priority == 1
    assert record.patient == patient
    expect(page.locator(".call-triage.emergency")).to_contain_text("Appelez le 15")
    expect(page.locator("#id_caller_name")).to_have_value("Mme Morel (fille)")
    expect(page.locator("#id_reason")).to_have_value("Douleur dans la poitrine depuis 20 minutes")
    expect(page.locator("input[name=outcome][value=emergency]")).to_be_checked()
    page.fill("#id_note", "Transférée au 15, le Dr Cœur est prévenu.")
    page.locator("#call-form button[type=submit]").click()

    page.wait_for_url(re.compile(r"/accueil/appels/$"))
    call = PhoneCall.objects.get()
    assert (call.outcome, call.triage, call.patient, call.caller_name) == (
        PhoneCall.Outcome.EMERGENCY, record, patient, "Mme Morel (fille)")
    row = page.locator(".calls-table tr.row-emergency")
    expect(row).to_contain_text("Douleur dans la poitrine")
    expect(row).to_contain_text("Appelez le 15")
