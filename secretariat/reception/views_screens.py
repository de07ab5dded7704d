"""Waiting-room screens, for a coordinator: create one for a site (its address shown once, with a QR
code to open it on the TV or tablet), list, give a new address, revoke."""

import base64
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from secretariat.core.access import require_capability
from secretariat.core.roles import Capability
from secretariat.core.services.errors import ServiceError
from secretariat.reception import screens as screen_services
from secretariat.reception.models import PublicScreen
from secretariat.reception.permissions import sites_for

TEMPLATE = "reception/public/screens.html"


def qr_code_data_uri(text: str) -> str:
    """An SVG QR code of ``text`` as a data URI (as ``core.two_factor`` does for the TOTP set-up)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    buffer = BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _render(request, *, new_url: str = "", new_screen=None, status: int = 200, error: str = ""):
    sites = list(sites_for(request.user).order_by("name"))
    listed = list(PublicScreen.objects.filter(structure_id=request.user.structure_id)
                  .select_related("site", "created_by").order_by("revoked_at", "site__name", "label"))
    return render(request, TEMPLATE, {
        "active_area": "reception", "sites": sites, "screens": listed, "new_url": new_url,
        "new_screen": new_screen, "qr": qr_code_data_uri(new_url) if new_url else "", "error": error,
        "posted": request.POST if error else {},
    }, status=status)


def _shown_once(request, screen, raw: str):
    new_url = request.build_absolute_uri(reverse("waiting_screen:show", args=[raw]))
    # Shown in this answer only: the secret is not stored, a reload cannot show it again.
    response = _render(request, new_url=new_url, new_screen=screen)
    response["Cache-Control"] = "no-store"
    return response


@require_capability(Capability.MANAGE_ORGANISATION)
@require_http_methods(["GET", "HEAD", "POST"])
def screens(request):
    if request.method != "POST":
        return _render(request)
    site = sites_for(request.user).filter(pk=request.POST.get("site") or 0).first() \
        if (request.POST.get("site") or "").isdigit() else None
    if site is None:
        return _render(request, error=_("Choose the site of the waiting room."), status=400)
    try:
        screen, raw = screen_services.create_screen(site, label=request.POST.get("label", ""),
                                                    acting_user=request.user)
    except ServiceError as error:
        return _render(request, error=str(error), status=400)
    return _shown_once(request, screen, raw)


def _own_screen(request, pk: int) -> PublicScreen:
    screen = PublicScreen.objects.filter(pk=pk, structure_id=request.user.structure_id).first()
    if screen is None:
        raise Http404
    return screen


@require_capability(Capability.MANAGE_ORGANISATION)
@require_POST
def revoke(request, pk: int):
    screen = _own_screen(request, pk)
    try:
        screen_services.revoke_screen(screen, acting_user=request.user)
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Screen “%(label)s” revoked: its address no longer works.")
                         % {"label": screen.label})
    return redirect("reception:screens")


@require_capability(Capability.MANAGE_ORGANISATION)
@require_POST
def regenerate(request, pk: int):
    screen = _own_screen(request, pk)
    try:
        screen, raw = screen_services.regenerate_secret(screen, acting_user=request.user)
    except ServiceError as error:
        messages.error(request, str(error))
        return redirect("reception:screens")
    return _shown_once(request, screen, raw)
