"""The page a patient opens from the link in a message: see the appointment, confirm, cancel.

No login: the signed link is the key. Opening the page (GET) never changes anything, since mail
scanners open links too; confirming and cancelling are POSTs from the page's buttons. A bad
link answers 404 with a plain explanation, whatever was wrong with it.
"""

from django import forms
from django.contrib import messages
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from secretariat.agenda.models import Appointment, AppointmentType, TypeDirective
from secretariat.agenda.notifications import long_date_time
from secretariat.agenda.services_links import (
    appointment_for_link,
    can_still_act,
    cancel_by_patient,
    confirm_by_patient,
)
from secretariat.core.services.errors import ServiceError


class PatientCancelForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason (optional)"), required=False, max_length=300,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 300}),
        help_text=gettext_lazy("For example: I am ill, I have a work commitment, I no longer need it."),
    )


def _page(request, appointment: Appointment, *, form: PatientCancelForm | None = None, status: int = 200):
    kind = appointment.appointment_type.mode
    extra = (TypeDirective.objects.filter(practitioner_id=appointment.practitioner_id,
                                          appointment_type_id=appointment.appointment_type_id)
             .values_list("extra_instructions", flat=True).first() or "")
    return render(request, "agenda/public/link_page.html", {
        "structure": appointment.structure,
        "appointment": appointment,
        "when": long_date_time(appointment.start),
        "teleconsultation": kind == AppointmentType.Mode.TELECONSULTATION,
        "home_visit": kind == AppointmentType.Mode.HOME_VISIT,
        "extra_instructions": extra.strip(),
        "open": can_still_act(appointment),
        "cancelled": appointment.status == Appointment.Status.CANCELLED,
        "form": form or PatientCancelForm(),
    }, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def appointment_link(request, token: str):
    appointment = appointment_for_link(token)
    if appointment is None:
        return render(request, "agenda/public/link_invalid.html", status=404)
    if request.method == "GET":
        return _page(request, appointment)
    action = request.POST.get("action")
    if action not in ("confirm", "cancel"):
        return HttpResponseBadRequest()
    form = PatientCancelForm(request.POST) if action == "cancel" else None
    if form is not None and not form.is_valid():
        return _page(request, appointment, form=form, status=400)
    try:
        if action == "confirm":
            confirm_by_patient(appointment)
            messages.success(request, _("Thank you: your appointment is confirmed."))
        else:
            cancel_by_patient(appointment, reason=form.cleaned_data["reason"])
            messages.success(request, _("Your appointment is cancelled. Thank you for letting us know."))
    except ServiceError as error:
        messages.error(request, str(error))
    return redirect(request.path)
