"""Logging in: username or e-mail, lockout, inactivity, two-factor, password reset."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from secretariat.core.models import AuditEvent
from secretariat.core.two_factor import pending_device

PASSWORD = "correct horse battery"
LOGIN = reverse("core:login")
HOME = reverse("core:home")


def login(client, username, password=PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password})


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_secretary_logs_in_with_username_and_lands_on_home(client, personas):
    response = login(client, "alice")
    assert response.status_code == 302
    assert response.url == HOME
    assert client.get(HOME).status_code == 200
    assert AuditEvent.objects.filter(action="core.user_logged_in", acting_user=personas.secretary).count() == 1


def test_login_with_email_any_case(client, personas):
    response = login(client, "ALICE@example.org")
    assert response.status_code == 302
    assert client.get(HOME).context["user"] == personas.secretary


def test_wrong_password_says_what_to_check_and_is_audited(client, personas):
    response = login(client, "alice", "nope")
    assert response.status_code == 200
    assert "Check the caps lock key" in response.content.decode() or "majuscules" in response.content.decode()
    event = AuditEvent.objects.get(action="core.login_failed")
    assert event.data == {"username": "alice"}


def test_disabled_account_cannot_log_in(client, personas):
    personas.secretary.is_active = False
    personas.secretary.save()
    response = login(client, "alice")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_lockout_after_repeated_failures_even_with_the_right_password(client, personas, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        login(client, "alice", "wrong password")
    response = login(client, "alice")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # The lock is per account and address: another account from the same desk still works.
    assert login(client, "rose").status_code == 302


def test_lockout_counts_failures_typed_with_email_and_username_together(client, personas, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        login(client, "alice" if attempt % 2 else "Alice", "wrong password")
    assert login(client, "alice").status_code == 429


def test_inactivity_logs_out_after_the_configured_delay(client, personas, settings):
    settings.INACTIVITY_TIMEOUT = timedelta(minutes=30)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        login(client, "alice")
        traveller.shift(timedelta(minutes=29))
        assert client.get(HOME).status_code == 200
        traveller.shift(timedelta(minutes=29))
        assert client.get(HOME).status_code == 200  # the previous request counted as activity
        traveller.shift(timedelta(minutes=31))
        response = client.get(HOME)
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)
    assert "_auth_user_id" not in client.session


def test_background_refresh_does_not_keep_the_session_alive(client, personas, settings):
    settings.INACTIVITY_TIMEOUT = timedelta(minutes=30)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        login(client, "alice")
        traveller.shift(timedelta(minutes=20))
        client.get(HOME, headers={"X-Secretariat-Background": "1"})
        traveller.shift(timedelta(minutes=15))
        response = client.get(HOME)
    assert response.status_code == 302


def test_required_2fa_sends_a_new_user_to_enrolment_then_lets_them_in(client, personas, settings):
    settings.REQUIRE_2FA = True
    login(client, "alice")
    response = client.get(HOME)
    assert response.status_code == 302
    assert response.url == reverse("core:two_factor_setup")
    page = client.get(response.url)
    assert page.status_code == 200
    device = pending_device(personas.secretary)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        wrong_code = "000000" if current_code(device) != "000000" else "111111"
        wrong = client.post(reverse("core:two_factor_setup"), {"code": wrong_code})
        assert wrong.status_code == 200
        assert TOTPDevice.objects.get(pk=device.pk).confirmed is False
        traveller.shift(timedelta(seconds=31))  # django-otp throttles right after a wrong code
        device.refresh_from_db()
        ok = client.post(reverse("core:two_factor_setup"), {"code": current_code(device)})
    assert ok.status_code == 302
    assert TOTPDevice.objects.get(pk=device.pk).confirmed is True
    assert client.get(HOME).status_code == 200
    assert AuditEvent.objects.filter(action="core.two_factor_enabled").count() == 1


def test_enrolled_user_must_give_the_code_at_each_login(client, personas, settings):
    settings.REQUIRE_2FA = False  # enrolled users are asked even where 2FA is optional
    device = TOTPDevice.objects.create(user=personas.secretary, name="phone", confirmed=True)
    login(client, "alice")
    response = client.get(HOME)
    assert response.status_code == 302
    assert response.url.startswith(reverse("core:two_factor_verify"))
    bad = client.post(reverse("core:two_factor_verify"), {"code": "12345a"})
    assert "6 digits" in bad.content.decode() or "6 chiffres" in bad.content.decode()
    assert bad.status_code == 200
    assert client.get(HOME).status_code == 302
    good = client.post(reverse("core:two_factor_verify"), {"code": current_code(device), "next": HOME})
    assert good.status_code == 302
    assert client.get(HOME).status_code == 200


def test_two_factor_verify_ignores_an_external_next(client, personas):
    device = TOTPDevice.objects.create(user=personas.secretary, name="phone", confirmed=True)
    login(client, "alice")
    response = client.post(reverse("core:two_factor_verify"),
                           {"code": current_code(device), "next": "https://evil.example/"})
    assert response.url == HOME


def test_optional_2fa_lets_a_user_without_device_in(client, personas, settings):
    settings.REQUIRE_2FA = False
    login(client, "alice")
    assert client.get(HOME).status_code == 200


def test_password_reset_mails_a_working_link_and_says_the_same_for_unknown_addresses(
    client, personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("core:password_reset"), {"email": "alice@example.org"})
        unknown = client.post(reverse("core:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert unknown.url == response.url
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/\S+)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    new_password = "Une nouvelle phrase de passe 2026"
    done = client.post(form_page.redirect_chain[-1][0],
                       {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302
    personas.secretary.refresh_from_db()
    assert personas.secretary.check_password(new_password)


@pytest.mark.parametrize("path", ["core:home", "core:practitioner_list", "core:admin_home"])
def test_anonymous_is_sent_to_login(client, db, path):
    response = client.get(reverse(path))
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)
