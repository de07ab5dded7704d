"""The agenda screens secretaries look at all day: day, week, month and list views.

Thin views: scope (``practitioners_for``), parse the date and the selection, build the grid
in a fixed number of queries (``queries_calendar``), render. An htmx request aimed at the
grid gets the grid alone (refresh after an action, live refresh every minute).
Actions on one appointment are in ``views_calendar_actions``, the printable day list in
``views_calendar_print``.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from secretariat.agenda import queries_calendar as calendar_queries
from secretariat.agenda.models import Appointment, AppointmentType
from secretariat.core.access import practitioners_for, require_capability
from secretariat.core.roles import Capability

SESSION_KEY = "agenda.practitioners"
MAX_COLUMNS = 20  # beyond, the secretary picks whom to show
LIST_PAGE_SIZE = 50
MAX_LIST_DAYS = 92
SHORT_MINUTES = 20  # shorter blocks show one line (time, name, flags)


# Patient flags: (CSS class, short text on a block, full text for the title and screen readers).
FLAG_TEXTS = {
    "urgent": (gettext_lazy("URG"), gettext_lazy("Urgent")),
    "first": (gettext_lazy("NEW"), gettext_lazy("First visit")),
    "interpreter": (gettext_lazy("INT"), gettext_lazy("Interpreter needed")),
    "access": ("♿", gettext_lazy("Accessibility needs")),
    "identity": (gettext_lazy("ID?"), gettext_lazy("Identity not validated")),
}


def flag_texts() -> dict[str, tuple[str, str]]:
    return {key: (str(short), str(long)) for key, (short, long) in FLAG_TEXTS.items()}


def chips_of(flags, texts: dict[str, tuple[str, str]] | None = None) -> list[tuple[str, str, str]]:
    """The flags of an appointment as (class, short text, full text), most pressing first."""
    texts = texts or flag_texts()
    chips = [(key, *texts[key]) for key, shown in (
        ("urgent", flags.urgent), ("first", flags.first_visit), ("interpreter", flags.interpreter),
    ) if shown]
    if flags.accessibility:
        chips.append(("access", texts["access"][0], ", ".join(flags.accessibility)))
    if flags.identity_not_validated:
        chips.append(("identity", *texts["identity"]))
    return chips


def dress_blocks(grid, *, can_move: bool) -> None:
    """Labels and links of every block, each translated or reversed once for the whole grid."""
    texts = flag_texts()
    statuses = {value: str(label) for value, label in Appointment.Status.choices}
    panel = reverse("agenda:appointment", args=[987654321]).replace("987654321", "{}")
    move = reverse("agenda:appointment_move", args=[987654321]).replace("987654321", "{}")
    for block in grid.blocks_in_order:
        appointment = block.appointment
        # Strings here, not numbers in the template: Django would localise every number.
        block.classes = (f"appt {block.css} lane-{block.lane} lanes-{block.lanes} st-{appointment.status}"
                         f"{' short' if block.minutes < SHORT_MINUTES else ''}")
        block.status_label = statuses.get(appointment.status, appointment.status)
        block.time_label = f"{block.start:%H:%M}"
        block.chips = chips_of(block.flags, texts) if block.flags else []
        block.url = panel.format(appointment.pk)
        if can_move and appointment.status == Appointment.Status.BOOKED:
            block.move_url = move.format(appointment.pk)


def url_or_none(name: str, *args) -> str | None:
    """A URL of another part of the agenda that may not be built yet (booking, waiting list)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def parse_day(value: str | None, default: date | None = None) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return default or timezone.localdate()


@dataclass
class Selection:
    """The practitioners the user works with, and those shown (remembered in the session)."""

    available: list
    chosen: list

    @property
    def chosen_ids(self) -> set[int]:
        return {practitioner.pk for practitioner in self.chosen}

    @property
    def is_all(self) -> bool:
        return len(self.chosen) == len(self.available)


def select_practitioners(request) -> Selection:
    available = list(practitioners_for(request.user).filter(is_active=True).order_by("last_name", "first_name"))
    raw = request.GET.getlist("practitioners")
    if raw:
        wanted = _ids(",".join(raw))
        known = [practitioner.pk for practitioner in available if practitioner.pk in wanted]
        request.session[SESSION_KEY] = known
    else:
        known = request.session.get(SESSION_KEY) or []
    chosen = [practitioner for practitioner in available if practitioner.pk in set(known)]
    return Selection(available=available, chosen=chosen or available[:MAX_COLUMNS])


def _ids(text: str) -> set[int]:
    return {int(part) for part in text.split(",") if part.strip().isdigit()}


def _query(request, **changes) -> str:
    """The current query string with some parameters changed (None drops one)."""
    params = {key: request.GET.get(key) for key in ("date", "by", "cancelled") if request.GET.get(key)}
    params.update(changes)
    return urlencode({key: value for key, value in params.items() if value not in (None, "")})


def _views_links(request, day: date) -> list[dict]:
    """The view switcher; every view opens on the same date."""
    keep = {key: request.GET.get(key) for key in ("cancelled",) if request.GET.get(key)}
    query = urlencode({"date": day.isoformat(), **keep})
    return [{"name": name, "url": f"{reverse('agenda:' + name)}?{query}"}
            for name in ("day", "week", "month", "list")]


def _common(request, *, view: str, day: date, previous: date, following: date) -> dict:
    include_cancelled = request.GET.get("cancelled") == "1"
    base = reverse(f"agenda:{view}")
    return {
        "active_area": "agenda",
        "view": view,
        "day": day,
        "today": timezone.localdate(),
        "views": _views_links(request, day),
        "previous_url": f"{base}?{_query(request, date=previous.isoformat())}",
        "next_url": f"{base}?{_query(request, date=following.isoformat())}",
        "today_url": f"{base}?{_query(request, date=None)}",
        "cancelled_toggle_url": f"{base}?{_query(request, cancelled=None if include_cancelled else '1')}",
        "include_cancelled": include_cancelled,
        "by_resource": request.GET.get("by") == "resource",
        "can_book": request.user.has_capability(Capability.BOOK_APPOINTMENTS),
        "book_url": url_or_none("agenda:book"),
    }


def _render_grid_or_page(request, template: str, context: dict):
    if request.htmx and request.htmx.target == "agenda-grid":
        template += "#grid"
    return render(request, template, context)


@require_capability(Capability.VIEW_AGENDA)
@require_GET
def day_view(request):
    day = parse_day(request.GET.get("date"))
    context = _common(request, view="day", day=day, previous=day - timedelta(days=1),
                      following=day + timedelta(days=1))
    selection = select_practitioners(request)
    if context["by_resource"]:
        resources = calendar_queries.resources_for(request.user)
        grid = calendar_queries.resource_grid(resources, [day], include_cancelled=context["include_cancelled"])
    else:
        grid = calendar_queries.practitioner_grid(selection.chosen, [day],
                                                  include_cancelled=context["include_cancelled"])
    dress_blocks(grid, can_move=context["can_book"] and not context["by_resource"])
    context.update({
        "title": capfirst(date_format(day, "l j F Y")),
        "grid": grid, "selection": selection, "header": "resource" if context["by_resource"] else "practitioner",
        "now_css": _now_css(day),
        "by_practitioner_url": f"{reverse('agenda:day')}?{_query(request, by=None)}",
        "by_resource_url": f"{reverse('agenda:day')}?{_query(request, by='resource')}",
        "print_url": f"{reverse('agenda:day_print')}?{urlencode({'date': day.isoformat()})}",
    })
    return _render_grid_or_page(request, "agenda/calendar/day.html", context)


def _now_css(day: date) -> str:
    """Position of the red line of the current time (today only)."""
    now = timezone.localtime()
    if now.date() != day:
        return ""
    minutes = now.hour * 60 + now.minute
    return f"h-{minutes // 60} f-{minutes % 60 // calendar_queries.STEP_MINUTES}"


@require_capability(Capability.VIEW_AGENDA)
@require_GET
def week_view(request):
    day = parse_day(request.GET.get("date"))
    monday = day - timedelta(days=day.weekday())
    days = [monday + timedelta(days=offset) for offset in range(7)]
    context = _common(request, view="week", day=day, previous=day - timedelta(days=7),
                      following=day + timedelta(days=7))
    selection = select_practitioners(request)
    grid = calendar_queries.practitioner_grid(selection.chosen, days, include_cancelled=context["include_cancelled"])
    dress_blocks(grid, can_move=context["can_book"])
    context.update({
        "title": _("Week of %(first)s to %(last)s") % {"first": date_format(days[0], "j F"),
                                                       "last": date_format(days[-1], "j F Y")},
        "grid": grid, "selection": selection, "days": days, "header": "day",
        "sections": [(practitioner, grid.columns_of(practitioner)) for practitioner in selection.chosen],
        "day_url": reverse("agenda:day"),
    })
    return _render_grid_or_page(request, "agenda/calendar/week.html", context)


@require_capability(Capability.VIEW_AGENDA)
@require_GET
def month_view(request):
    day = parse_day(request.GET.get("date"))
    first = day.replace(day=1)
    last = day.replace(day=calendar.monthrange(day.year, day.month)[1])
    previous = (first - timedelta(days=1)).replace(day=1)
    following = last + timedelta(days=1)
    context = _common(request, view="month", day=day, previous=previous, following=following)
    selection = select_practitioners(request)
    counts = calendar_queries.month_counts([p.pk for p in selection.chosen], first_day=first, last_day=last)
    weeks = []
    for week in calendar.Calendar().monthdatescalendar(day.year, day.month):
        weeks.append([{
            "day": cell,
            "in_month": cell.month == day.month,
            "url": f"{reverse('agenda:day')}?{urlencode({'date': cell.isoformat()})}",
            "counts": [(p, counts.get(cell, {}).get(p.pk, 0)) for p in selection.chosen
                       if counts.get(cell, {}).get(p.pk)],
            "total": sum(counts.get(cell, {}).values()),
        } for cell in week])
    context.update({"title": capfirst(date_format(first, "F Y")), "weeks": weeks, "selection": selection,
                    "first": first})
    return render(request, "agenda/calendar/month.html", context)


@require_capability(Capability.VIEW_AGENDA)
@require_GET
def list_view(request):
    today = timezone.localdate()
    first = parse_day(request.GET.get("date"), today)
    last = parse_day(request.GET.get("until"), first + timedelta(days=6))
    if last < first:
        first, last = last, first
    last = min(last, first + timedelta(days=MAX_LIST_DAYS))
    selection = select_practitioners(request)
    practitioner_id = _single_id(request.GET.get("practitioner"), {p.pk for p in selection.available})
    types = AppointmentType.objects.filter(structure_id=request.user.structure_id).order_by("label")
    type_id = _single_id(request.GET.get("type"), {t.pk for t in types})
    status = request.GET.get("status") if request.GET.get("status") in Appointment.Status.values else ""
    rows = calendar_queries.appointment_list(
        request.user, first_day=first, last_day=last,
        practitioner_ids=[practitioner_id] if practitioner_id else [p.pk for p in selection.available],
        type_id=type_id, status=status,
    )
    page = Paginator(rows, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    texts = flag_texts()
    span = (last - first).days + 1
    context = _common(request, view="list", day=first, previous=first - timedelta(days=span),
                      following=first + timedelta(days=span))
    filters = {"date": first.isoformat(), "until": last.isoformat(), "practitioner": practitioner_id or "",
               "type": type_id or "", "status": status}
    context.update({
        "title": _("Appointments from %(first)s to %(last)s") % {"first": f"{first:%d/%m/%Y}",
                                                                 "last": f"{last:%d/%m/%Y}"},
        "page": page,
        "rows": [(appointment, chips_of(calendar_queries.flags_of(appointment), texts),
                  calendar_queries.safe_colour(appointment.appointment_type.colour)) for appointment in page.object_list],
        "first": first, "last": last, "selection": selection, "types": types,
        "statuses": Appointment.Status.choices, "practitioner_id": practitioner_id, "type_id": type_id,
        "status": status, "page_query": urlencode({k: v for k, v in filters.items() if v}),
        "previous_url": f"{reverse('agenda:list')}?{urlencode({**filters, 'date': (first - timedelta(days=span)).isoformat(), 'until': (first - timedelta(days=1)).isoformat()})}",
        "next_url": f"{reverse('agenda:list')}?{urlencode({**filters, 'date': (last + timedelta(days=1)).isoformat(), 'until': (last + timedelta(days=span)).isoformat()})}",
    })
    return render(request, "agenda/calendar/list.html", context)


def _single_id(value: str | None, allowed: set[int]) -> int | None:
    return int(value) if value and value.isdigit() and int(value) in allowed else None
