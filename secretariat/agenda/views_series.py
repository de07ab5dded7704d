"""Screens of recurring appointments: prepare a series (preview each date, pick the proposed
alternative where a date is taken), book it all at once, then move it, move one of its
appointments, or cancel what is left of it."""

from datetime import UTC, datetime, timedelta

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from secretariat.agenda import services_series as services
from secretariat.agenda.forms_waiting import MoveOneForm, SeriesForm, local_instant
from secretariat.agenda.models import AppointmentSeries
from secretariat.agenda.services import move_appointment
from secretariat.agenda.views_waiting import pick_patient
from secretariat.core.access import practitioners_for, require_capability
from secretariat.core.roles import Capability
from secretariat.core.services.errors import ServiceError
from secretariat.patients.permissions import patients_for


def _stamp(moment: datetime) -> str:
    return str(int(moment.timestamp()))


def _starts_from(values: list[str]) -> list[datetime] | None:
    try:
        return [datetime.fromtimestamp(int(value), tz=UTC) for value in values if value]
    except (ValueError, OverflowError, OSError):
        return None


@require_capability(Capability.BOOK_APPOINTMENTS)
@require_http_methods(["GET", "POST"])
def series_new(request):
    patient, search = pick_patient(request)
    if patient is None:
        return render(request, "agenda/series/new.html", {**search, "active_area": "agenda"})
    form = SeriesForm(request.POST or None, practitioners=practitioners_for(request.user).order_by("last_name"),
                      structure_id=request.user.structure_id)
    context = {"patient": patient, "form": form, "active_area": "agenda"}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            dates = services.preview_series(
                practitioner=data["practitioner"], patient=patient, appointment_type=data["appointment_type"],
                first_start=data["first_start"], count=data["count"], interval_days=data["interval_days"])
        except ServiceError as refusal:
            form.add_error(None, str(refusal))
            return render(request, "agenda/series/new.html", context)
        for item in dates:
            item.stamp = _stamp(item.start)
            item.alternative_stamp = _stamp(item.alternative) if item.alternative else ""
        context["dates"] = dates
        if request.POST.get("action") == "book":
            starts = _starts_from(request.POST.getlist("starts"))
            if starts is None:
                form.add_error(None, _("The dates sent are not valid: preview the series again."))
            else:
                try:
                    series = services.book_series(
                        practitioner=data["practitioner"], patient=patient, appointment_type=data["appointment_type"],
                        starts=starts, interval_days=data["interval_days"], note=data["note"],
                        acting_user=request.user)
                except ServiceError as refusal:
                    context["refusal"] = str(refusal)
                else:
                    messages.success(request, _("%(count)s appointments booked.") % {"count": len(starts)})
                    return redirect("agenda:series_detail", pk=series.pk)
    return render(request, "agenda/series/new.html", context)


def _access_series(user, pk: int) -> AppointmentSeries:
    return get_object_or_404(
        AppointmentSeries.objects.filter(practitioner__in=practitioners_for(user), patient__in=patients_for(user))
        .select_related("patient", "practitioner", "appointment_type"), pk=pk)


@require_capability(Capability.VIEW_AGENDA)
@require_GET
def series_detail(request, pk):
    series = _access_series(request.user, pk)
    return render(request, "agenda/series/detail.html", {
        "series": series, "appointments": series.appointments.select_related("practitioner").order_by("start"),
        "coming": services.coming_appointments(series).count(), "active_area": "agenda",
        "can_book": request.user.has_capability(Capability.BOOK_APPOINTMENTS),
    })


def _offset(request) -> timedelta | None:
    try:
        days = int(request.POST.get("days") or 0)
        minutes = int(request.POST.get("minutes") or 0)
    except ValueError:
        return None
    if abs(days) > 365 or abs(minutes) > 24 * 60:
        return None
    return timedelta(days=days, minutes=minutes)


@require_capability(Capability.BOOK_APPOINTMENTS)
@require_POST
def series_move(request, pk):
    series = _access_series(request.user, pk)
    offset = _offset(request)
    if offset is None:
        messages.error(request, _("Type whole numbers of days and minutes (negative to move earlier)."))
        return redirect("agenda:series_detail", pk=series.pk)
    try:
        moved = services.move_series(series, offset=offset, acting_user=request.user)
    except ServiceError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, ngettext("%(count)s appointment moved; the patient is told.",
                                           "%(count)s appointments moved; the patient is told.",
                                           len(moved)) % {"count": len(moved)})
    return redirect("agenda:series_detail", pk=series.pk)


@require_capability(Capability.BOOK_APPOINTMENTS)
@require_POST
def series_move_one(request, pk, appointment_pk):
    series = _access_series(request.user, pk)
    appointment = get_object_or_404(series.appointments, pk=appointment_pk)
    form = MoveOneForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
        return redirect("agenda:series_detail", pk=series.pk)
    start = local_instant(form.cleaned_data["day"], form.cleaned_data["at"])
    try:
        move_appointment(appointment, start=start, acting_user=request.user)
    except ServiceError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Appointment moved to %(day)s at %(time)s; the patient is told.")
                         % {"day": f"{start:%d/%m/%Y}", "time": f"{start:%H:%M}"})
    return redirect("agenda:series_detail", pk=series.pk)


@require_capability(Capability.BOOK_APPOINTMENTS)
@require_POST
def series_cancel_rest(request, pk):
    series = _access_series(request.user, pk)
    try:
        cancelled = services.cancel_rest_of_series(
            series, reason=request.POST.get("reason", ""), by_patient=request.POST.get("by") == "patient",
            acting_user=request.user)
    except ServiceError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, ngettext("%(count)s coming appointment cancelled; the patient is told.",
                                           "%(count)s coming appointments cancelled; the patient is told.",
                                           len(cancelled)) % {"count": len(cancelled)})
    return redirect("agenda:series_detail", pk=series.pk)

