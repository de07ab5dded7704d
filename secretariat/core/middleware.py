"""Session safety (inactivity, two-factor) and the audit context of each request."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _

from secretariat.core import audit

# Requests made by the page itself (live refresh) do not count as user activity.
BACKGROUND_HEADER = "HTTP_X_SECRETARIAT_BACKGROUND"
LAST_ACTIVITY_KEY = "last_activity"


def _is_exempt(path: str, prefixes: tuple[str, ...]) -> bool:
    return path.startswith(prefixes)


def mark_activity(session) -> None:
    session[LAST_ACTIVITY_KEY] = time.time()


class InactivityLogoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and hasattr(request, "session"):
            last = request.session.get(LAST_ACTIVITY_KEY)
            if last is not None and time.time() - last > settings.INACTIVITY_TIMEOUT.total_seconds():
                logout(request)
                messages.info(request, _("You were logged out after a period of inactivity."))
                if request.htmx:
                    from django_htmx.http import HttpResponseClientRedirect

                    return HttpResponseClientRedirect(reverse(settings.LOGIN_URL))
                return redirect(f"{reverse(settings.LOGIN_URL)}?next={request.path}")
            if last is None or not request.META.get(BACKGROUND_HEADER):
                mark_activity(request.session)
        return self.get_response(request)


class TwoFactorMiddleware:
    """Send a logged-in user to the second step (or to its set-up) before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified():
            exempt = (
                reverse("core:two_factor_verify"),
                reverse("core:two_factor_setup"),
                reverse("core:logout"),
                reverse("core:set_language"),
                settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL,
                "/api/",
            )
            if not _is_exempt(request.path, exempt):
                from secretariat.core.two_factor import has_confirmed_device

                if has_confirmed_device(user):
                    return redirect(f"{reverse('core:two_factor_verify')}?next={request.path}")
                if settings.REQUIRE_2FA:
                    return redirect(reverse("core:two_factor_setup"))
        return self.get_response(request)


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        context = audit.AuditContext(
            user=request.user if request.user.is_authenticated else None,
            ip_address=request.META.get("REMOTE_ADDR") or None,
            desk=request.COOKIES.get("secretariat_desk", "")[:100],
        )
        request.audit_context = context
        token = audit.set_context(context)
        try:
            return self.get_response(request)
        finally:
            audit.reset_context(token)


class FrenchFirstLocaleMiddleware(LocaleMiddleware):
    """French unless the user chose another language with the switch (language cookie).

    The browser's Accept-Language is ignored: a desk computer set up in English must still
    show the French screens the team is trained on.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen and check_for_language(chosen) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
