"""The public waiting-room screen: a full-screen page (TV, tablet) and the JSON it polls.

No login: the secret in the address is the key (``screens.screen_for_secret``); unknown or revoked
answers 404. The page, its address and its JSON carry no patient data (``queries_public``). Every
answer is ``no-store`` (nothing left in a cache of the TV), ``noindex`` and sends no referrer. The
JSON has an ETag of its content: the screen polls every 2 seconds with ``If-None-Match`` and gets a
304 while nothing changed.
"""

from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from secretariat.reception import queries_public, screens

POLL_SECONDS = 2


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store, max-age=0"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _screen(secret: str):
    screen = screens.screen_for_secret(secret)
    if screen is None:
        raise Http404
    return screen


@require_safe
def show(request, secret: str):
    screen = _screen(secret)
    state = queries_public.screen_state(screen)
    return _private(render(request, "reception/public/screen.html", {
        "state": state, "state_url": reverse("waiting_screen:state", args=[secret]),
        "poll_ms": POLL_SECONDS * 1000,
    }))


@require_safe
def state(request, secret: str):
    screen = _screen(secret)
    body, etag = queries_public.state_json(queries_public.screen_state(screen))
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    return _private(response)
