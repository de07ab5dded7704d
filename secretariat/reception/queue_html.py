"""The rows of the waiting room, written in Python rather than in a template.

Why: the board is refreshed every 5 seconds on every desk and must answer in under 100 ms with
200 people waiting on a site. Django's template engine spends about 1 ms of CPU per row of this
size (thirty tags and variables, each resolved and localised), which alone was 200–300 ms; plain
string building does the same rows in a few milliseconds. Every value goes through ``escape``
(``html.escape`` with quotes: the same as Django's ``escape``, without its lazy-string wrapper,
which was most of the cost); only the fixed markup below is trusted. The rest of the page stays in
``templates/reception/queue/waiting_room.html``.
"""

from html import escape

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from secretariat.reception.models import Visit

State = Visit.State


def labels() -> dict:
    """The rows' words, translated once per refresh."""
    return {
        "walk_in": _("Walk-in"), "first_visit": _("1st visit"), "identity": _("ID requested"),
        "coverage": _("Coverage to check"), "late": _("Arrived late"), "appt": _("Appt"), "arrived": _("arrived"),
        "estimate": _("Estimated wait"), "called_at": _("called at"),
        "in_consultation_since": _("in consultation since"), "call": _("Call in"), "left": _("Left unseen"),
        "confirm_left": _("Mark this patient as left without being seen?"), "recall": _("Call again"),
        "start": _("Begin"), "back": _("Back to queue"), "back_title": _("Put back in the queue (mistake)"),
        "finish": _("Done"), "ticket": _("Ticket"),
        # The patient's page, with a placeholder for the id (one ``reverse`` per refresh, not per row).
        "patient_url": reverse("patients:detail", args=[987654321]),
    }


def _e(value) -> str:
    return escape(str(value), quote=True)


def _time(moment) -> str:
    return timezone.localtime(moment).strftime("%H:%M") if moment else ""


def _flags(row, words: dict) -> str:
    visit = row.visit
    badges = []
    if visit.is_walk_in:
        text = f"{words['walk_in']} · {row.priority_label}" if row.priority_label else words["walk_in"]
        badges.append((row.priority_level, text))
    if visit.appointment_id and visit.appointment.is_first_visit:
        badges.append(("", words["first_visit"]))
    if visit.identity_document_requested:
        badges.append(("warn", words["identity"]))
    if visit.coverage_warnings:
        badges.append(("warn", words["coverage"]))
    if row.late_arrival:
        badges.append(("", words["late"]))
    return "".join(f'<span class="badge {_e(level)}">{_e(text)}</span>' for level, text in badges)


def _meta(row, words: dict) -> str:
    visit = row.visit
    parts = []
    if visit.appointment_id:
        appointment = visit.appointment
        parts.append(f"<span>{_e(words['appt'])} <strong>{_time(appointment.start)}</strong> · "
                     f"{_e(appointment.appointment_type.label)}</span>")
    elif visit.reason:
        parts.append(f"<span>{_e(visit.reason)}</span>")
    parts.append(f"<span>{_e(words['arrived'])} {_time(visit.arrived_at)}</span>")
    if visit.state == State.ARRIVED:
        long = " is-long" if row.waited_minutes >= 30 else ""
        parts.append(f'<span class="q-waited{long}">{_e(row.waited_label)}</span>')
        if row.estimated_wait is not None:
            parts.append(f'<span class="q-estimate" title="{_e(words["estimate"])}">≈ {_e(row.estimate_label)}</span>')
    elif visit.state == State.CALLED:
        times = f" ({visit.call_count}×)" if visit.call_count > 1 else ""
        room = f" · {visit.room}" if visit.room else ""
        parts.append(f'<span class="q-state">{_e(words["called_at"])} {_time(visit.called_at)}{_e(times)}'
                     f'{_e(room)}</span>')
    elif visit.state == State.IN_CONSULTATION:
        parts.append(f'<span class="q-state">{_e(words["in_consultation_since"])} '
                     f'{_time(visit.consultation_started_at)}</span>')
    return "".join(parts)


def _button(action: str, pk: int, text: str, *, cls: str = "", confirm: str = "", title: str = "") -> str:
    extra = f' data-confirm="{_e(confirm)}"' if confirm else ""
    extra += f' title="{_e(title)}"' if title else ""
    return (f'<button class="button small{cls}" id="{action}-{pk}" name="action" value="{action}:{pk}"{extra}>'
            f"{_e(text)}</button>")


def _actions(visit: Visit, words: dict) -> str:
    pk = int(visit.pk)
    if visit.state == State.ARRIVED:
        buttons = [_button("call", pk, words["call"]),
                   _button("left", pk, words["left"], cls=" ghost", confirm=words["confirm_left"])]
    elif visit.state == State.CALLED:
        buttons = [_button("recall", pk, words["recall"], cls=" secondary"), _button("start", pk, words["start"]),
                   _button("left", pk, words["left"], cls=" ghost", confirm=words["confirm_left"]),
                   _button("back", pk, words["back"], cls=" ghost", title=words["back_title"])]
    elif visit.state == State.IN_CONSULTATION:
        buttons = [_button("finish", pk, words["finish"]),
                   _button("back", pk, words["back"], cls=" ghost", title=words["back_title"])]
    else:
        buttons = []
    return "".join(buttons)


def row_html(row, words: dict) -> str:
    """One person of a practitioner's queue (or with the practitioner), with the action buttons of
    their state; the buttons submit the column's form as ``action=<verb>:<visit pk>``."""
    visit = row.visit
    classes = "q-row"
    if visit.state != State.ARRIVED:
        classes += f" is-{visit.state}"
    if row.priority_level == "danger":
        classes += " is-emergency"
    url = words["patient_url"].replace("987654321", str(int(visit.patient_id)))
    return (f'<li class="{_e(classes)}" id="visit-{int(visit.pk)}"><span class="q-ticket" '
            f'title="{_e(words["ticket"])}">{_e(visit.ticket_label)}</span><div class="q-who">'
            f'<a class="q-name" href="{_e(url)}">{_e(visit.patient.display_name)}</a>'
            f'<span class="q-flags">{_flags(row, words)}</span><span class="q-meta">{_meta(row, words)}</span></div>'
            f'<span class="q-actions">{_actions(visit, words)}</span></li>')


def rows_html(rows, words: dict) -> SafeString:
    """The rows, every value escaped by ``_e`` above."""
    return mark_safe("".join(row_html(row, words) for row in rows))  # noqa: S308 (values escaped by _e)


def column_labels(column) -> tuple[str, str, str]:
    """(room and counts, delay, badge level) of a practitioner's column head."""
    parts = [column.room] if column.room else []
    parts.append(ngettext("%(count)s waiting", "%(count)s waiting", column.waiting_count)
                 % {"count": column.waiting_count})
    parts.append(ngettext("%(count)s seen today", "%(count)s seen today", column.done_today)
                 % {"count": column.done_today})
    if column.delay_minutes == 0:
        return " · ".join(parts), _("On time"), "ok"
    level = "danger" if column.delay_minutes > 20 else "warn"
    return " · ".join(parts), _("%(minutes)s min late") % {"minutes": column.delay_minutes}, level
