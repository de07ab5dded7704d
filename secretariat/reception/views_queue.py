"""The waiting room (secretary, per site), the practitioner's compact queue, and their actions.

Both pages refresh themselves every 5 seconds through htmx (their board fragment; the request is
marked background so it does not keep a session alive). Actions are plain POST forms to
``visit_action``: with htmx the board comes back with a toast, without it the page is reloaded.
"""

import json

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from secretariat.core.access import access_practitioner, practitioners_for, require_capability
from secretariat.core.models import Practitioner
from secretariat.core.roles import Capability
from secretariat.core.services.errors import ServiceError
from secretariat.reception import queries_queue, queue_html, services_queue
from secretariat.reception.models import Visit
from secretariat.reception.permissions import access_visit, sites_for

ROOM_TEMPLATE = "reception/queue/waiting_room.html"
MINE_TEMPLATE = "reception/queue/my_queue.html"


def _own_practitioner(user) -> Practitioner | None:
    try:
        practitioner = user.practitioner
    except Practitioner.DoesNotExist:
        return None
    if practitioner is None or practitioner.structure_id != user.structure_id or not practitioner.is_active:
        return None
    return practitioner


def _room_context(request, site) -> dict:
    board = queries_queue.board(request.user, site)
    assignable = list(practitioners_for(request.user).filter(is_active=True, sites=site)
                      .order_by("last_name", "first_name")) if board.walk_ins else []
    words = queue_html.labels()
    for column in board.columns:
        column.current_html = queue_html.rows_html(column.current, words)
        column.rows_html = queue_html.rows_html(column.rows, words)
        column.summary_label, column.delay_label, column.delay_level = queue_html.column_labels(column)
    options = format_html_join("", '<option value="{}">{}</option>',
                               ((person.pk, person.display_name) for person in assignable))
    return {"active_area": "reception", "board": board, "site": site, "assign_options": options,
            "sites": list(sites_for(request.user).order_by("name")),
            "can_manage_screens": request.user.has_capability(Capability.MANAGE_ORGANISATION),
            "own_practitioner": _own_practitioner(request.user)}


def _mine_site(request, practitioner):
    if request.GET.get("site") or request.POST.get("site"):
        return queries_queue.site_for(request.user, request.GET.get("site") or request.POST.get("site"))
    latest = (Visit.objects.filter(practitioner=practitioner).order_by("-day", "-arrived_at")
              .values_list("site_id", flat=True).first())
    if latest is not None:
        return queries_queue.site_for(request.user, latest)
    first = practitioner.sites.order_by("name").first()
    return first or queries_queue.site_for(request.user, None)


def _mine_context(request, practitioner, site) -> dict:
    board = queries_queue.board(request.user, site, practitioner=practitioner)
    column = board.columns[0]
    return {"active_area": "reception", "board": board, "column": column, "site": site,
            "practitioner": practitioner, "sites": list(practitioner.sites.order_by("name")),
            "next_visit": column.next_visit}


@require_capability(Capability.VIEW_DESK)
@require_GET
def waiting_room(request):
    site = queries_queue.site_for(request.user, request.GET.get("site"))
    if site is None:
        raise Http404
    template = f"{ROOM_TEMPLATE}#board" if request.htmx else ROOM_TEMPLATE
    return render(request, template, _room_context(request, site))


@require_capability(Capability.VIEW_DESK)
@require_GET
def my_queue(request):
    practitioner = _own_practitioner(request.user)
    if practitioner is None:
        return render(request, MINE_TEMPLATE, {"active_area": "reception", "practitioner": None}, status=403)
    site = _mine_site(request, practitioner)
    if site is None:
        raise Http404
    template = f"{MINE_TEMPLATE}#panel" if request.htmx else MINE_TEMPLATE
    return render(request, template, _mine_context(request, practitioner, site))


def _number(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def _do(request, action: str):
    """Run ``action`` ("call", or "call:<visit pk>" from a button of a column's form); returns
    (message, site) — raises ServiceError for a refusal."""
    post = request.POST
    action, _sep, visit_pk = action.partition(":")
    if action == "call_next":
        practitioner = access_practitioner(request.user, _number(post.get("practitioner")))
        site = queries_queue.site_for(request.user, post.get("site"))
        if site is None:
            raise Http404
        visit = services_queue.call_next(practitioner, site, request.user, room=post.get("room", ""),
                                         finish_current=post.get("finish_current") == "1")
        return _("Ticket %(ticket)s called.") % {"ticket": visit.ticket_label}, site
    visit = access_visit(request.user, visit_pk or post.get("visit"))
    if action == "assign":
        if not post.get("practitioner"):
            raise ServiceError(_("Choose the practitioner who will see this patient."))
        practitioner = access_practitioner(request.user, _number(post.get("practitioner")))
        services_queue.assign_walk_in(visit, practitioner, acting_user=request.user)
        return _("Ticket %(ticket)s given to %(practitioner)s.") % {
            "ticket": visit.ticket_label, "practitioner": practitioner.display_name}, visit.site
    service = services_queue.ACTIONS.get(action)
    if service is None:
        raise ServiceError(_("Unknown action."))
    kwargs = {"room": post.get("room", "")} if action in ("call", "recall") else {}
    moved = service(visit, acting_user=request.user, **kwargs)
    texts = {
        "call": _("Ticket %(ticket)s called."),
        "recall": _("Ticket %(ticket)s called again."),
        "start": _("Consultation of ticket %(ticket)s started."),
        "finish": _("Ticket %(ticket)s done."),
        "left": _("Ticket %(ticket)s marked as left without being seen."),
        "back": _("Ticket %(ticket)s is waiting again."),
    }
    return texts[action] % {"ticket": moved.ticket_label}, visit.site


@require_capability(Capability.VIEW_DESK)
@require_POST
def visit_action(request):
    """One action of the waiting room (call, recall, start, finish, left, back, assign, call_next)."""
    action = request.POST.get("action", "")
    mine = request.POST.get("view") == "mine"
    level = "success"
    try:
        text, site = _do(request, action)
    except ServiceError as error:
        text, level = str(error), "error"
        site = queries_queue.site_for(request.user, request.POST.get("site"))
    if site is None:
        raise Http404
    if not request.htmx:
        (messages.success if level == "success" else messages.error)(request, text)
        target = reverse("reception:my_queue" if mine else "reception:waiting_room")
        return redirect(f"{target}?site={site.pk}")
    if mine:
        practitioner = _own_practitioner(request.user)
        if practitioner is None:
            raise Http404
        response = render(request, f"{MINE_TEMPLATE}#panel", _mine_context(request, practitioner, site))
    else:
        response = render(request, f"{ROOM_TEMPLATE}#board", _room_context(request, site))
    response["HX-Trigger"] = json.dumps({"toast": {"text": text, "level": level}})
    return response
