"""A practitioner subscribes their phone to their agenda: creates a private feed, copies its
address (shown once), the address serves the calendar without login, then they revoke it.

Visible labels are matched by structure (ids, URLs), not text: the French catalogue may lag.
"""

from datetime import timedelta

from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import Page, expect

from secretariat.agenda.models import CalendarFeed
from secretariat.agenda.tests.factories import AppointmentFactory, AppointmentTypeFactory
from secretariat.core.tests.factories import SiteFactory
from secretariat.patients.tests.factories import PatientFactory

from .conftest import ARTIFACTS, log_in


def test_a_practitioner_subscribes_to_their_agenda_then_revokes_the_feed(live_server, personas, page: Page) -> None:
    site = SiteFactory(structure=personas.structure, name="Cabinet des Tilleuls")
    kind = AppointmentTypeFactory(structure=personas.structure, label="Consultation")
    patient = PatientFactory(structure=personas.structure, birth_name="DUPONT", first_birth_first_name="JEANNE")
    AppointmentFactory(practitioner=personas.practitioner, site=site, appointment_type=kind, patient=patient,
                       start=timezone.now().replace(microsecond=0) + timedelta(days=2))
    log_in(page, live_server, "dr.cardio")
    page.goto(live_server.url + "/agenda/flux/")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "calendar_feed_empty.png"), full_page=True)

    page.click('form[action$="/agenda/flux/nouveau/"] button[type=submit]')
    address = page.locator("#feed-url")
    expect(address).to_be_focused()
    url = address.input_value()
    assert url.startswith(live_server.url + "/agenda/flux/")
    assert url.endswith(".ics")
    page.screenshot(path=str(ARTIFACTS / "calendar_feed_created.png"), full_page=True)

    # What a calendar application does: fetch the address, without any session.
    fetched = page.context.request.get(url, headers={"Cookie": ""}, timeout=30_000)
    assert fetched.status == 200
    assert fetched.headers["content-type"] == "text/calendar; charset=utf-8"
    (event,) = Calendar.from_ical(fetched.body()).walk("VEVENT")
    assert str(event["summary"]).endswith("DUPONT Jeanne")

    page.reload()
    expect(page.locator("#feed-url")).to_have_count(0)  # the address is never shown again
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("td.actions button.danger")
    page.wait_for_load_state()
    page.screenshot(path=str(ARTIFACTS / "calendar_feed_revoked.png"), full_page=True)
    assert CalendarFeed.objects.get().revoked_at is not None
    assert page.context.request.get(url, timeout=30_000).status == 404
