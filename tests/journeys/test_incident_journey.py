"""A difficult moment in the waiting room: the secretary reports it from the desk's incident
tab, the coordinator reads it, adds to the follow-up and closes it with a note.

Visible labels are matched in French or English (the French catalogue may lag behind the
English msgids); structure is matched with ids, names and URLs.
"""

import re

from django.urls import reverse
from playwright.sync_api import Page, expect

from secretariat.core.tests.factories import SiteFactory
from secretariat.reception.models import Incident

from .conftest import log_in


def test_secretary_reports_and_coordinator_closes(live_server, personas, page: Page) -> None:
    site = SiteFactory(structure=personas.structure, name="Site Centre")

    # The live server's first request imports every URL module: slow on a loaded machine.
    page.goto(live_server.url + reverse("core:login"), timeout=30_000)
    log_in(page, live_server, "alice")
    page.goto(live_server.url + reverse("reception:incidents"))
    page.keyboard.press("n")  # "Report an incident"
    page.wait_for_url(re.compile(r"/accueil/incidents/signaler/$"))
    expect(page.locator("#id_site")).to_have_value(str(site.pk))  # the only site, chosen already
    page.fill("#id_place", "Salle d'attente")
    page.select_option("#id_kind", Incident.Kind.VERBAL_AGGRESSION)
    page.check(f"input[name=severity][value='{Incident.Severity.MODERATE}']")
    page.fill("#id_people_involved", "Un accompagnant, Alice (secrétariat)")
    page.fill("#id_description", "Insultes après 40 minutes d'attente, calmé par le médecin.")
    page.fill("#id_immediate_action", "Retard expliqué, nouveau créneau proposé.")
    with page.expect_navigation(url=re.compile(r"/accueil/incidents/\d+/$")):
        page.click("#incident-form button[type=submit]")
    incident = Incident.objects.get()
    assert incident.reported_by == personas.secretary
    expect(page.locator("h1")).to_contain_text(re.compile("Agression verbale|Verbal aggression"))
    # A secretary cannot close: the form is not offered.
    expect(page.locator(f"form[action='{reverse('reception:incident_close', args=[incident.pk])}']")).to_have_count(0)

    page.context.clear_cookies()
    log_in(page, live_server, "carole")
    page.goto(live_server.url + reverse("reception:incidents") + "?status=open")
    page.click(f"a[href='{reverse('reception:incident', args=[incident.pk])}']")
    page.fill("#id_follow_up", "Entretien avec Alice, affichage du retard en salle prévu.")
    with page.expect_navigation():
        page.click("form[action$='/suivi/'] button[type=submit]")
    expect(page.locator(".follow-up").last).to_contain_text("affichage du retard")
    page.fill("#id_closing_note", "Affichage des retards installé en salle d'attente.")
    with page.expect_navigation():
        page.click("form[action$='/cloturer/'] button[type=submit]")
    expect(page.locator(".page-head .badge.ok")).to_be_visible()
    incident.refresh_from_db()
    assert incident.closed_by == personas.coordinator
    assert incident.closing_note == "Affichage des retards installé en salle d'attente."
    assert "affichage du retard" in incident.follow_up

    page.goto(live_server.url + reverse("reception:incidents") + "?status=closed")
    expect(page.locator("table:not(.counts) tbody tr")).to_have_count(1)
