"""A patient books online on a phone (375×667), then cancels with the link of the confirmation.

Type → practitioner → slot → identity (typed with the keyboard only, Tab between fields) → the
code read from the message queued → confirmation page → "cancel" link → cancelled. Every page
must fit the phone's width. Screenshots: test-artifacts/online-*.png.
"""

import re

import pytest
from playwright.sync_api import Browser, Page

from secretariat.agenda.models import Appointment
from secretariat.agenda.tests.factories import online_practice
from secretariat.messaging.models import OutboundMessage
from secretariat.patients.models import Patient

from .conftest import ARTIFACTS

PHONE = {"width": 375, "height": 667}


@pytest.fixture
def phone_page(browser: Browser):
    context = browser.new_context(locale="fr-FR", viewport=PHONE, is_mobile=True, has_touch=True,
                                  device_scale_factor=2)
    context.set_default_timeout(8_000)
    page = context.new_page()
    yield page
    context.close()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"online-{name}.png"), full_page=True)


def fits_the_phone(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def tab_to(page: Page, selector: str, *, limit: int = 30) -> None:
    """Press Tab until ``selector`` has the focus (fails after ``limit`` presses)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never got the focus")


def test_patient_books_online_on_a_phone_then_cancels_with_the_link(live_server, personas, phone_page) -> None:
    page = phone_page
    online_practice(personas.practitioner, other_practitioner=personas.other_practitioner)
    page.goto(f"{live_server.url}/rdv/{personas.structure.pk}/")
    shot(page, "1-types")
    assert fits_the_phone(page)
    tab_to(page, "a.choice")  # the first reason, reached with the keyboard
    with page.expect_navigation():
        page.keyboard.press("Enter")

    page.locator("a.choice", has_text="Paul CŒUR").wait_for()
    shot(page, "2-practitioners")
    assert fits_the_phone(page)
    with page.expect_navigation():
        page.locator("a.choice-any").tap()  # everyone's slots, each with its practitioner…
    page.locator("a.slot .slot-who").first.wait_for()
    shot(page, "3-slots-anyone")
    assert fits_the_phone(page)
    page.go_back()
    page.locator("a.choice", has_text="Paul CŒUR").tap()  # …but she wants Dr Cœur

    page.wait_for_url("**/creneaux/*")
    first = page.locator("a.slot").first
    first.wait_for()
    shot(page, "3-slots")
    assert fits_the_phone(page)
    chosen = first.get_attribute("aria-label")
    first.tap()

    page.wait_for_url("**/coordonnees/*")
    page.locator("#id_last_name").focus()
    page.keyboard.type("Lefèvre")
    page.keyboard.press("Tab")
    page.keyboard.type("Éloïse Marie")
    page.keyboard.press("Tab")
    page.keyboard.type("31/02/1962")  # a slip of the finger: no 31 February
    tab_to(page, "#id_sex_0")
    page.keyboard.press("Space")
    tab_to(page, "#id_email")
    page.keyboard.type("eloise.lefevre@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type("06 12 34 56 78")
    tab_to(page, "#id_consent")
    page.keyboard.press("Space")
    shot(page, "4-identity")
    assert fits_the_phone(page)
    tab_to(page, "button[type=submit]")  # the hidden trap field is not on the way
    with page.expect_navigation():
        page.keyboard.press("Enter")
    error = page.locator(".field.has-error .errors")
    assert error.count() == 1
    shot(page, "4-identity-error")
    assert fits_the_phone(page)
    assert page.input_value("#id_last_name") == "Lefèvre"  # what was typed is kept
    page.fill("#id_birth_date", "14/07/1962")
    with page.expect_navigation():
        page.locator("button[type=submit]").tap()

    page.wait_for_url("**/rdv/code/**")
    message = OutboundMessage.objects.get(purpose="agenda.online_code")
    assert message.recipient == "eloise.lefevre@example.org"
    code = re.search(r"\b(\d{6})\b", message.body).group(1)
    page.fill("#id_code", code)
    shot(page, "5-code")
    assert fits_the_phone(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    page.wait_for_url("**/rdv/confirmation/**")
    shot(page, "6-done")
    assert fits_the_phone(page)
    appointment = Appointment.objects.get()
    assert appointment.channel == Appointment.Channel.ONLINE
    assert appointment.patient.identity_status == Patient.IdentityStatus.PROVISIONAL
    summary = page.locator(".online-summary").inner_text()
    assert "Consultation" in summary
    assert "Paul CŒUR" in summary
    assert chosen.split(" ")[-1] in summary  # the time chosen on the slots page
    assert "Venir à jeun." in page.locator("main").inner_text()

    page.once("dialog", lambda dialog: dialog.accept())
    manage = page.locator("main a.button", has_text=re.compile("annuler|cancel", re.IGNORECASE))
    with page.expect_navigation():
        manage.tap()
    page.wait_for_url("**/rdv/lien/**")
    shot(page, "7-link")
    assert fits_the_phone(page)
    page.fill("#id_reason", "Empêchement professionnel")
    with page.expect_navigation():
        page.locator("#cancel-appointment").tap()
    shot(page, "8-cancelled")
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert appointment.cancelled_by_patient is True
