"""One appointment: its panel (htmx side panel, or a page without JavaScript) and the actions
on it — mark arrived / seen / missed / excused late, cancel with a reason, move (form in the
panel, or drag and drop in the day and week views, which posts here and reads JSON).

Seeing needs VIEW_AGENDA, acting BOOK_APPOINTMENTS; an appointment of a practitioner the user
does not work with answers 404.
"""

import json
from datetime import datetime

from django import forms
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from secretariat.agenda import services
from secretariat.agenda.models import Appointment
from secretariat.agenda.queries import structure_time_zone
from secretariat.agenda.queries_calendar import (
    appointment_for_panel,
    flags_of,
    messages_of,
    phone_of,
    safe_colour,
)
from secretariat.agenda.rules import directives as directive_codes
from secretariat.agenda.views_calendar import chips_of, url_or_none
from secretariat.core.access import practitioners_for, require_capability
from secretariat.core.roles import Capability
from secretariat.core.services.errors import ServiceError

Status = Appointment.Status

# The buttons of the panel, in the order of the day; the allowed ones come from the service.
STATUS_ACTIONS = [
    (Status.ARRIVED, gettext_lazy("Arrived"), "a"),
    (Status.SEEN, gettext_lazy("Seen"), "v"),
    (Status.MISSED, gettext_lazy("Did not come"), "n"),
    (Status.EXCUSED_LATE, gettext_lazy("Excused, warned late"), "x"),
    (Status.BOOKED, gettext_lazy("Back to booked"), ""),
]
DIRECTIVE_LABELS = {
    directive_codes.MIN_NOTICE: gettext_lazy("minimum notice"),
    directive_codes.ONLINE_NOTICE: gettext_lazy("notice for online booking"),
    directive_codes.ONLINE_MISSED: gettext_lazy("missed appointments (online booking)"),
    directive_codes.NOT_BOOKABLE_ONLINE: gettext_lazy("type not bookable online"),
    directive_codes.STAFF_NOT_ALLOWED: gettext_lazy("type booked by the practitioner only"),
    directive_codes.NEW_PATIENTS: gettext_lazy("no new patients"),
    directive_codes.TYPE_NEW_PATIENTS: gettext_lazy("type for known patients only"),
    directive_codes.TYPE_NOT_ACCEPTED: gettext_lazy("type not taken by the practitioner"),
    directive_codes.MIN_AGE: gettext_lazy("minimum age"),
    directive_codes.MAX_AGE: gettext_lazy("maximum age"),
    directive_codes.QUOTA_DAY: gettext_lazy("quota per day"),
    directive_codes.QUOTA_HALF_DAY: gettext_lazy("quota per half-day"),
}


class CancelForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason for the cancellation"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": gettext_lazy("Give the reason for the cancellation.")})
    by = forms.ChoiceField(
        label=gettext_lazy("Who cancels"), widget=forms.RadioSelect,
        choices=[("patient", gettext_lazy("by the patient")), ("practice", gettext_lazy("by the practice"))],
        error_messages={"required": gettext_lazy("Say who cancels: the patient or the practice.")},
    )

    def clean_reason(self):
        reason = " ".join(self.cleaned_data["reason"].split())
        if not reason:
            raise forms.ValidationError(_("Give the reason for the cancellation."))
        return reason


class MoveForm(forms.Form):
    day = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    at = forms.TimeField(label=gettext_lazy("Time"), widget=forms.TimeInput(attrs={"type": "time", "step": 300}))
    practitioner = forms.TypedChoiceField(label=gettext_lazy("Practitioner"), coerce=int)
    override_reason = forms.CharField(label=gettext_lazy("Reason for overriding the directives"), max_length=300,
                                      required=False)

    def __init__(self, *args, practitioners, **kwargs):
        super().__init__(*args, **kwargs)
        self.practitioners = {practitioner.pk: practitioner for practitioner in practitioners}
        self.fields["practitioner"].choices = [(pk, p.display_name) for pk, p in self.practitioners.items()]

    def start(self) -> datetime:
        return datetime.combine(self.cleaned_data["day"], self.cleaned_data["at"], tzinfo=structure_time_zone())


def _panel_context(request, appointment, **extra) -> dict:
    today = timezone.localdate()
    on_the_day = timezone.localtime(appointment.start).date() <= today
    allowed = services.TRANSITIONS.get(appointment.status, frozenset())
    actions = [(status, label, key) for status, label, key in STATUS_ACTIONS
               if status in allowed and (on_the_day or status == Status.BOOKED)]
    can_act = request.user.has_capability(Capability.BOOK_APPOINTMENTS)
    book_url = url_or_none("agenda:book")
    local_start = timezone.localtime(appointment.start)
    flags = flags_of(appointment)
    context = {
        "appointment": appointment,
        "flags": flags,
        "chips": chips_of(flags),
        "colour": safe_colour(appointment.appointment_type.colour),
        "phone": phone_of(appointment.patient),
        "sent": messages_of(appointment),
        "overridden": [DIRECTIVE_LABELS.get(code, code) for code in appointment.overridden_directives],
        "can_act": can_act and appointment.status != Status.CANCELLED,
        "status_actions": actions if can_act else [],
        "can_move": can_act and appointment.status == Status.BOOKED,
        "can_cancel": can_act and appointment.status in (Status.BOOKED, Status.MISSED, Status.EXCUSED_LATE),
        "series_url": url_or_none("agenda:series_detail", appointment.series_id) if appointment.series_id else None,
        "rebook_url": (f"{book_url}?patient={appointment.patient_id}&move={appointment.pk}" if book_url else None),
        "day_url": f"{reverse('agenda:day')}?date={local_start.date().isoformat()}",
        "active_area": "agenda",
    }
    if context["can_move"] and "move_form" not in extra:
        extra["move_form"] = _move_form(request, initial={
            "day": local_start.date(), "at": local_start.time().replace(second=0, microsecond=0),
            "practitioner": appointment.practitioner_id})
    context.update(extra)
    return context


def _move_form(request, *, data=None, initial=None) -> MoveForm:
    practitioners = practitioners_for(request.user).filter(is_active=True).order_by("last_name", "first_name")
    return MoveForm(data, initial=initial, practitioners=practitioners, prefix="move")


def _render_panel(request, appointment, *, status: int = 200, trigger: dict | None = None, **extra):
    template = "agenda/calendar/appointment.html"
    if request.htmx and request.htmx.target == "agenda-panel":
        template += "#panel"
    response = render(request, template, _panel_context(request, appointment, **extra), status=status)
    if trigger and request.htmx:
        response["HX-Trigger"] = json.dumps(trigger)
    return response


def _changed(text: str) -> dict:
    return {"agenda-changed": True, "toast": {"text": str(text), "level": "success"}}


@require_capability(Capability.VIEW_AGENDA)
@require_GET
def appointment_panel(request, pk: int):
    return _render_panel(request, appointment_for_panel(request.user, pk))


@require_capability(Capability.BOOK_APPOINTMENTS)
@require_POST
def appointment_status(request, pk: int):
    appointment = appointment_for_panel(request.user, pk)
    status = request.POST.get("status", "")
    try:
        services.set_status(appointment, status, acting_user=request.user)
    except ServiceError as error:
        return _refused(request, appointment, str(error))
    appointment = appointment_for_panel(request.user, pk)
    done = _("%(patient)s: %(status)s.") % {"patient": appointment.patient.display_name,
                                             "status": appointment.get_status_display()}
    if not request.htmx:
        messages.success(request, done)
        return redirect("agenda:appointment", pk=pk)
    return _render_panel(request, appointment, trigger=_changed(done))


def _refused(request, appointment, message: str, **extra):
    if not request.htmx:
        messages.error(request, message)
        return redirect("agenda:appointment", pk=appointment.pk)
    return _render_panel(request, appointment, status=200, error=message, **extra)


@require_capability(Capability.BOOK_APPOINTMENTS)
@require_http_methods(["GET", "POST"])
def appointment_cancel(request, pk: int):
    appointment = appointment_for_panel(request.user, pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_appointment(appointment, reason=form.cleaned_data["reason"],
                                        by_patient=form.cleaned_data["by"] == "patient", acting_user=request.user)
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            done = _("Appointment of %(patient)s cancelled.") % {"patient": appointment.patient.display_name}
            messages.success(request, done)
            target = url_or_none("agenda:freed_slot", appointment.pk) or (
                f"{reverse('agenda:day')}?date={timezone.localtime(appointment.start).date().isoformat()}")
            return HttpResponseClientRedirect(target) if request.htmx else redirect(target)
    template = "agenda/calendar/cancel.html"
    if request.htmx and request.htmx.target == "agenda-panel":
        template += "#form"
    return render(request, template, {"appointment": appointment, "form": form, "active_area": "agenda"})


def _violation_messages(error) -> list[str]:
    return [str(violation.message) for violation in getattr(error, "violations", ())]


@require_capability(Capability.BOOK_APPOINTMENTS)
@require_POST
def appointment_move(request, pk: int):
    """Move to another time or practitioner. Drag and drop sends ``start`` (local
    YYYY-MM-DDTHH:MM) and ``practitioner`` and asks for JSON; the panel sends its form."""
    appointment = appointment_for_panel(request.user, pk)
    if "application/json" in request.headers.get("Accept", ""):
        return _move_from_drop(request, appointment)
    form = _move_form(request, data=request.POST)
    if not form.is_valid():
        return _refused_move(request, appointment, form)
    try:
        moved = services.move_appointment(
            appointment, start=form.start(), practitioner=form.practitioners[form.cleaned_data["practitioner"]],
            acting_user=request.user, override_reason=form.cleaned_data["override_reason"])
    except services.DirectiveViolation as error:
        return _refused_move(request, appointment, form, violations=_violation_messages(error),
                             can_override=error.can_override)
    except ServiceError as error:
        form.add_error(None, str(error))
        return _refused_move(request, appointment, form)
    done = _moved_message(moved)
    if not request.htmx:
        messages.success(request, done)
        return redirect("agenda:appointment", pk=pk)
    return _render_panel(request, appointment_for_panel(request.user, pk), trigger=_changed(done))


def _refused_move(request, appointment, form, *, violations=(), can_override=False):
    if not request.htmx:
        return render(request, "agenda/calendar/appointment.html", _panel_context(
            request, appointment, move_form=form, violations=violations, can_override=can_override,
            move_open=True))
    return _render_panel(request, appointment, move_form=form, violations=violations, can_override=can_override,
                         move_open=True)


def _moved_message(appointment) -> str:
    start = timezone.localtime(appointment.start)
    return _("Appointment of %(patient)s moved to %(day)s at %(time)s with %(practitioner)s.") % {
        "patient": appointment.patient.display_name, "day": f"{start:%d/%m/%Y}", "time": f"{start:%H:%M}",
        "practitioner": appointment.practitioner.display_name}


def _move_from_drop(request, appointment):
    try:
        # Wall-clock time of the drop, in the structure's time zone.
        start = datetime.strptime(request.POST.get("start", ""), "%Y-%m-%dT%H:%M").replace(
            tzinfo=structure_time_zone())
    except ValueError:
        return JsonResponse({"error": _("The new time could not be read: drop the appointment again.")}, status=400)
    practitioner = appointment.practitioner
    wanted = request.POST.get("practitioner", "")
    if wanted and wanted != str(appointment.practitioner_id):
        practitioner = practitioners_for(request.user).filter(pk=int(wanted) if wanted.isdigit() else None).first()
        if practitioner is None:
            return JsonResponse({"error": _("This practitioner is not one you work with.")}, status=400)
    try:
        moved = services.move_appointment(appointment, start=start, practitioner=practitioner,
                                          acting_user=request.user)
    except services.DirectiveViolation as error:
        return JsonResponse({"error": str(error), "violations": _violation_messages(error)}, status=409)
    except ServiceError as error:
        return JsonResponse({"error": str(error)}, status=409)
    moved = appointment_for_panel(request.user, appointment.pk)
    local_start = timezone.localtime(moved.start)
    return JsonResponse({"ok": True, "message": _moved_message(moved), "start": local_start.strftime("%Y-%m-%dT%H:%M"),
                         "practitioner": moved.practitioner_id})
