"""Daily journeys through the shell: log in (with and without the second factor), move
between areas by mouse and keyboard, meet a refusal, a lockout and the inactivity logout.

Visible labels are matched in French or English (the French catalogue may lag behind the
English msgids); structure is matched with ids, hrefs and data-testid.
"""

import base64
import re
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, Response

from secretariat.core.models import User
from secretariat.core.navigation import areas_for

from .conftest import LOGIN_PATH, log_in

# Kept with the other test artefacts (gitignored): the README screenshots come from the demo.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
HOME_PATH = "/"
DESK_PATH = "/accueil/"  # the sidebar's "Accueil": the welcome desk
ADMIN_PATH = "/administration/"
VERIFY_PATH = "/connexion/code/"
SETUP_PATH = "/connexion/double-authentification/"
TOTP_STEP = 30


def path_of(page: Page) -> str:
    return urlsplit(page.url).path


def query_of(page: Page) -> str:
    return urlsplit(page.url).query


def expected_sidebar(user: User) -> list[str]:
    return [area.url for area in areas_for(user)]


def sidebar_hrefs(page: Page) -> list[str]:
    return page.locator("nav.sidebar a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )


def current_code(key: bytes, last_t: int = -1) -> str:
    """The code the app shows now, or the next one if the current step was already used.

    django-otp refuses a code of a time step already accepted (replay protection), and
    accepts one step of drift either way, so the next step's code is valid right away.
    """
    drift = max(0, last_t + 1 - int(time.time()) // TOTP_STEP)
    return f"{totp(key, step=TOTP_STEP, t0=0, digits=6, drift=drift):06d}"


def a_wrong_code(key: bytes) -> str:
    valid = {f"{totp(key, step=TOTP_STEP, t0=0, digits=6, drift=d):06d}" for d in range(-2, 3)}
    return next(code for code in ("000000", "111111", "222222") if code not in valid)


def submit(page: Page, selector: str = "form.stacked button[type=submit]") -> Response:
    with page.expect_navigation() as navigation:
        page.click(selector)
    return navigation.value


def test_secretary_logs_in_sees_the_shell_and_logs_out(live_server, personas, page) -> None:
    # A real-looking name for the README's screenshot (the factory numbers its names).
    personas.secretary.first_name, personas.secretary.last_name = "Alice", "Martin"
    personas.secretary.save(update_fields=["first_name", "last_name"])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(live_server.url + LOGIN_PATH)
    page.locator("#id_username").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "login.png"))

    response = log_in(page, live_server, "alice")

    assert response.status == 200
    assert path_of(page) == HOME_PATH
    assert (
        page.locator(".topbar .user-name")
        .inner_text()
        .startswith(personas.secretary.get_full_name())
    )
    assert sidebar_hrefs(page) == expected_sidebar(personas.secretary)
    assert ADMIN_PATH not in sidebar_hrefs(page)
    assert (
        page.locator(f'nav.sidebar a[href="{DESK_PATH}"]').get_attribute("aria-current") == "page"
    )
    team = page.locator(".card", has=page.get_by_role("heading", name="Cardiologie", exact=True))
    assert team.count() == 1
    practitioners = team.locator("li a").all_inner_texts()
    assert practitioners == [personas.practitioner.display_name]  # "Dr Paul CŒUR"
    assert page.get_by_role("heading", name="Radiologie").count() == 0  # Bob's team, not hers
    page.screenshot(path=str(SCREENSHOTS / "home.png"))

    logout = page.locator(".user-menu button[type=submit]")
    assert re.search(r"Se déconnecter|Déconnexion|Log out", logout.inner_text())
    submit(page, ".user-menu button[type=submit]")

    assert path_of(page) == LOGIN_PATH
    assert page.locator("#id_username").is_visible()
    page.goto(live_server.url + HOME_PATH)
    assert path_of(page) == LOGIN_PATH


def test_required_second_factor_enrolment_then_code_at_next_login(
    live_server, personas, page, settings
) -> None:
    settings.REQUIRE_2FA = True

    log_in(page, live_server, "alice")

    assert path_of(page) == SETUP_PATH
    assert page.locator("h1").is_visible()
    secret = page.locator('[data-testid="totp-secret"]').inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    assert TOTPDevice.objects.get(user=personas.secretary, confirmed=False).bin_key == key
    page.fill("#id_code", current_code(key))
    submit(page)

    assert path_of(page) == HOME_PATH
    assert page.locator(".messages .message").count() == 1
    assert TOTPDevice.objects.get(user=personas.secretary).confirmed is True
    submit(page, ".user-menu button[type=submit]")
    assert path_of(page) == LOGIN_PATH

    log_in(page, live_server, "alice")

    assert path_of(page) == VERIFY_PATH
    page.fill("#id_code", a_wrong_code(key))
    submit(page)
    assert path_of(page) == VERIFY_PATH
    error = page.locator(".field.has-error .errors")
    assert error.is_visible()
    assert re.search(r"valide|valid", error.inner_text())
    assert page.locator("nav.sidebar").count() == 0
    # django-otp throttles the device for one second after a failure.
    page.wait_for_timeout(1_500)
    page.fill("#id_code", current_code(key, TOTPDevice.objects.get(user=personas.secretary).last_t))
    submit(page)

    assert path_of(page) == HOME_PATH
    assert page.locator(".topbar .user-name").is_visible()


def test_coordinator_reaches_each_area_by_mouse_and_keyboard(live_server, personas, page) -> None:
    log_in(page, live_server, "carole")
    hrefs = sidebar_hrefs(page)
    assert hrefs == expected_sidebar(personas.coordinator)
    assert ADMIN_PATH in hrefs

    for href in hrefs:
        link = page.locator(f'nav.sidebar a[href="{href}"]')
        with page.expect_navigation() as navigation:
            link.click()
        assert navigation.value.status == 200, href
        assert path_of(page) == href
        assert page.locator("main h1").first.is_visible(), href
        assert page.locator(".error-page").count() == 0, href
        assert (
            page.locator(f'nav.sidebar a[href="{href}"]').get_attribute("aria-current") == "page"
        ), href

    page.goto(live_server.url + HOME_PATH)
    page.keyboard.press("g")
    page.keyboard.press("d")
    page.wait_for_url(live_server.url + ADMIN_PATH)
    assert page.locator("main h1").is_visible()

    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "global-search"


def test_coordinator_finds_a_practitioner_from_the_keyboard(live_server, personas, page) -> None:
    log_in(page, live_server, "carole")

    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "global-search"
    page.keyboard.type("Cœur")
    hits = page.locator("#search-results a")
    hits.first.wait_for()
    assert hits.count() == 1
    assert personas.practitioner.display_name in hits.inner_text()
    assert page.locator("#search-results").count() == 1
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.closest('#search-results') !== null")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert path_of(page) == f"/annuaire/{personas.practitioner.pk}/"
    assert personas.practitioner.display_name in page.locator("main h1").inner_text()


def test_accountant_is_refused_administration_kindly(live_server, personas, page) -> None:
    log_in(page, live_server, "albert")
    assert path_of(page) == HOME_PATH
    assert ADMIN_PATH not in sidebar_hrefs(page)
    assert page.locator("nav.sidebar a", has_text="Administration").count() == 0

    response = page.goto(live_server.url + ADMIN_PATH)

    assert response.status == 403
    refusal = page.locator("main .error-page")
    assert refusal.locator("h1").is_visible()
    back = refusal.locator(f'a[href="{HOME_PATH}"]')
    assert back.is_visible()
    with page.expect_navigation() as navigation:
        back.click()
    assert navigation.value.status == 200
    assert path_of(page) == HOME_PATH


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(
    live_server, personas, page, settings
) -> None:
    assert settings.AXES_FAILURE_LIMIT == 5
    first = log_in(page, live_server, "alice", "wrong password")
    assert first.status == 200
    assert page.locator(".notice.error").is_visible()
    for _attempt in range(4):
        log_in(page, live_server, "alice", "wrong password")

    response = log_in(page, live_server, "alice")

    assert response.status == 429
    assert re.search(r"verrouill|bloqu|locked", page.locator("h1").inner_text(), re.IGNORECASE)
    assert page.locator("nav.sidebar").count() == 0
    page.goto(live_server.url + HOME_PATH)
    assert path_of(page) == LOGIN_PATH


def test_inactivity_sends_back_to_the_login_page(live_server, personas, page, settings) -> None:
    settings.INACTIVITY_TIMEOUT = timedelta(seconds=2)
    log_in(page, live_server, "alice")
    assert path_of(page) == HOME_PATH

    page.wait_for_timeout(3_000)
    with page.expect_navigation():
        page.click(f'nav.sidebar a[href="{DESK_PATH}"]')

    assert path_of(page) == LOGIN_PATH
    assert query_of(page) == "next=/accueil/"
    assert re.search(r"inactivit", page.locator(".message").inner_text(), re.IGNORECASE)
    assert page.locator("#id_username").is_visible()
    assert page.locator("nav.sidebar").count() == 0
