"""The satisfaction survey: the public form (no login, phone first) reached by the QR code in
the waiting room or by the link sent after a visit; and, for the team, the monthly results and
the printable poster with the QR code.

Abuse: a honeypot field, and a cap of answers per client address and hour counted in the cache
under a keyed hash (the address itself is stored nowhere).
"""

import base64
import hashlib
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from secretariat.core.access import require_capability
from secretariat.core.roles import Capability
from secretariat.core.services.errors import ServiceError
from secretariat.reception import services_survey as services
from secretariat.reception.forms_survey import SurveyForm
from secretariat.reception.models import ReceptionSettings
from secretariat.reception.permissions import sites_for
from secretariat.reception.queries_survey import latest_comments, monthly_results

ANSWERS_PER_HOUR = 10  # per client address: a family, a waiting-room wifi


def _over_limit(request) -> bool:
    """Count this answer for the client address; True when over the hourly cap."""
    address = request.META.get("REMOTE_ADDR") or "unknown"
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:survey:{address}".encode()).hexdigest()[:32]
    key = f"survey-rate:{digest}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    return count > ANSWERS_PER_HOUR


def _single_site_id(structure_id: int) -> int | None:
    from secretariat.core.models import Site

    ids = list(Site.objects.filter(structure_id=structure_id).values_list("pk", flat=True)[:2])
    return ids[0] if len(ids) == 1 else None


def _answer(request, *, structure, invitation=None):
    context = {"structure": structure}
    if not ReceptionSettings.for_structure(structure.pk).survey_enabled:
        return render(request, "reception/survey/closed.html", context)
    form = SurveyForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("website"):
            # A robot: thank it and store nothing.
            return render(request, "reception/survey/thanks.html", context)
        if _over_limit(request):
            form.add_error(None, _("Many answers came from your connection in the last hour. Thank you: please "
                                   "try again later."))
            return render(request, "reception/survey/form.html", {**context, "form": form}, status=429)
        if form.is_valid():
            try:
                services.submit_response(structure_id=structure.pk, answers=form.answers(), invitation=invitation,
                                         site_id=None if invitation else _single_site_id(structure.pk))
            except ServiceError as refusal:
                form.add_error(None, str(refusal))
            else:
                return redirect("survey:thanks", key=services.public_key(structure.pk))
    return render(request, "reception/survey/form.html", {**context, "form": form},
                  status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def survey_form(request, key):
    structure = services.structure_for_key(key)
    if structure is None:
        raise Http404
    return _answer(request, structure=structure)


@require_http_methods(["GET", "POST"])
def survey_invitation(request, secret):
    invitation = services.invitation_for_secret(secret)
    problem = services.invitation_problem(invitation)
    if problem == "unknown":
        raise Http404
    if problem:
        return render(request, "reception/survey/link_invalid.html",
                      {"structure": invitation.structure, "problem": problem}, status=410)
    return _answer(request, structure=invitation.structure, invitation=invitation)


@require_GET
def survey_thanks(request, key):
    structure = services.structure_for_key(key)
    if structure is None:
        raise Http404
    return render(request, "reception/survey/thanks.html", {"structure": structure})


def qr_svg_data_uri(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=2)
    buffer = BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@require_capability(Capability.VIEW_DESK)
@require_GET
def survey_results(request):
    structure_id = request.user.structure_id
    months = monthly_results(structure_id)
    return render(request, "reception/survey/results.html", {
        "months": months, "comments": latest_comments(structure_id),
        "total": sum(month.count for month in months),
        "enabled": ReceptionSettings.for_structure(structure_id).survey_enabled,
        "survey_url": services.survey_url(structure_id), "active_area": "reception",
    })


@require_capability(Capability.VIEW_DESK)
@require_GET
def survey_poster(request):
    structure = request.user.structure
    url = services.survey_url(structure.pk)
    return render(request, "reception/survey/poster.html", {
        "structure": structure, "survey_url": url, "short_url": url.split("://", 1)[-1],
        "qr": qr_svg_data_uri(url), "sites": sites_for(request.user).order_by("name"),
    })
