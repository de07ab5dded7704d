"""Private calendar feeds: the staff screen (create, list, revoke) and the public .ics address.

The screen needs VIEW_AGENDA; a practitioner manages their own feeds, a coordinator those of
any practitioner of the structure (``services_feeds.feed_practitioners_for``; others get 404).
The address itself needs no login (calendar applications cannot log in): its secret is the
key, an unknown or revoked one answers 404, and every fetch is audited.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.http.request import split_domain_port
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST, require_safe

from secretariat.agenda import ical
from secretariat.agenda import services_feeds as services
from secretariat.agenda.models import CalendarFeed
from secretariat.core.access import require_capability
from secretariat.core.roles import Capability
from secretariat.core.services.errors import ServiceError

TEMPLATE = "agenda/feeds/feeds.html"


def _practitioner(user, value):
    """The practitioner ``value`` (a pk) among those whose feeds ``user`` manages, else 404."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    found = services.feed_practitioners_for(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _render(request, practitioner, *, new_url: str = "", status: int = 200):
    practitioners = list(services.feed_practitioners_for(request.user).order_by("last_name", "first_name"))
    feeds = (list(CalendarFeed.objects.filter(practitioner=practitioner).select_related("created_by")
                  .order_by("-created_at")) if practitioner else [])
    template = f"{TEMPLATE}#feeds" if request.htmx else TEMPLATE
    return render(request, template, {
        "active_area": "agenda", "practitioners": practitioners, "practitioner": practitioner,
        "feeds": feeds, "new_url": new_url,
    }, status=status)


@require_capability(Capability.VIEW_AGENDA)
@require_GET
def feed_list(request):
    if "practitioner" in request.GET:
        practitioner = _practitioner(request.user, request.GET["practitioner"])
    else:
        practitioner = services.feed_practitioners_for(request.user).order_by("last_name", "first_name").first()
    return _render(request, practitioner)


@require_capability(Capability.VIEW_AGENDA)
@require_POST
def feed_create(request):
    practitioner = _practitioner(request.user, request.POST.get("practitioner"))
    try:
        _feed, raw = services.create_feed(practitioner, acting_user=request.user)
    except ServiceError as error:
        messages.error(request, str(error))
        return redirect(f"{reverse('agenda:feeds')}?practitioner={practitioner.pk}")
    # Shown in this answer only: the secret is not stored, a reload cannot show it again.
    new_url = request.build_absolute_uri(reverse("agenda:feed_ics", args=[raw]))
    return _render(request, practitioner, new_url=new_url, status=201 if request.htmx else 200)


@require_capability(Capability.VIEW_AGENDA)
@require_POST
def feed_revoke(request, pk: int):
    feed = (CalendarFeed.objects.filter(pk=pk, practitioner__in=services.feed_practitioners_for(request.user))
            .select_related("practitioner").first())
    if feed is None:
        raise Http404
    try:
        services.revoke_feed(feed, acting_user=request.user)
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The calendar feed is revoked: its address no longer works."))
    if request.htmx:
        return _render(request, feed.practitioner)
    return redirect(f"{reverse('agenda:feeds')}?practitioner={feed.practitioner_id}")


@require_safe
def feed_ics(request, token: str):
    feed = services.live_feed(token)
    if feed is None:
        raise Http404
    now = timezone.now()
    appointments = ical.feed_appointments(feed.practitioner, now=now)
    domain = split_domain_port(request.get_host())[0] or "secretariat"
    body = ical.build_calendar(feed.practitioner, appointments, domain=domain, now=now)
    services.record_feed_fetch(feed, appointments=len(appointments))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="agenda.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
