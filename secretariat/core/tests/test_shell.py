"""The shell: areas by role, friendly error pages, security headers, search, language."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from secretariat.core.navigation import areas_for


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("secretary", ["desk"]),
        ("reception", ["desk"]),
        ("practitioner_user", ["desk"]),
        ("coordinator", ["desk", "admin"]),
        ("accountant", []),
    ],
)
def test_only_built_areas_of_the_role_are_shown(personas, persona, expected):
    keys = [area.key for area in areas_for(getattr(personas, persona))]
    # Areas of apps added later (patients, agenda…) join this list when their URLs exist.
    assert [key for key in keys if key in {"desk", "admin"}] == expected


def test_home_lists_the_users_care_teams(client, personas):
    client.force_login(personas.secretary)
    page = client.get(reverse("core:home")).content.decode()
    assert "Cardiologie" in page
    assert "Radiologie" not in page


@pytest.mark.parametrize("persona", ["secretary", "reception", "practitioner_user", "accountant"])
def test_administration_is_refused_with_a_friendly_page(client, personas, persona):
    client.force_login(getattr(personas, persona))
    response = client.get(reverse("core:admin_home"))
    assert response.status_code == 403
    assert b"coordinat" in response.content
    assert b'href="/"' in response.content


def test_unknown_page_is_a_friendly_404(client, personas):
    client.force_login(personas.secretary)
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    assert b"Secretariat" in response.content


def test_strict_content_security_policy_and_headers(client, personas):
    client.force_login(personas.secretary)
    response = client.get(reverse("core:home"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_pages_have_no_inline_script_or_style(client, personas):
    client.force_login(personas.coordinator)
    for name in ["core:home", "core:admin_home", "core:practitioner_list", "core:login"]:
        page = client.get(reverse(name)).content.decode()
        assert "<script>" not in page
        assert " style=" not in page
        assert " onclick=" not in page


def test_french_by_default_and_english_on_request(client, personas):
    client.force_login(personas.secretary)
    assert "Se déconnecter" in client.get(reverse("core:home")).content.decode()
    client.post(reverse("core:set_language"), {"language": "en", "next": "/"})
    assert "Log out" in client.get(reverse("core:home")).content.decode()


def test_global_search_finds_a_practitioner_in_scope_only(client, personas):
    client.force_login(personas.secretary)
    found = client.get(reverse("core:search"), {"q": "cœur"}).content.decode()
    assert "CŒUR" in found
    hidden = client.get(reverse("core:search"), {"q": "loin"}).content.decode()
    assert "LOIN" not in hidden


def test_check_deploy_is_clean_with_production_settings(settings, capsys):
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECRET_KEY = "k" * 10 + "production-secret-with-enough-entropy-0123456789-abcdefghijklmnop"
    call_command("check", "--deploy", "--fail-level", "WARNING")


def test_screens_are_french_whatever_the_browser_asks(client, personas):
    client.force_login(personas.secretary)
    response = client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "fr"
    assert "Se déconnecter" in response.content.decode()


def test_the_language_switch_gives_english(client, personas):
    client.force_login(personas.secretary)
    client.post(reverse("core:set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("core:home"))
    assert response.headers["Content-Language"] == "en"
    assert "Log out" in response.content.decode()
