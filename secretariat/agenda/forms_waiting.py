"""Forms of the waiting list, absences, series and external appointments.

Dates are typed day first (31/12/2026) and times on the 24-hour clock (14:30 or 14h30);
choices of practitioners are the user's own, passed in by the view.
"""

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from secretariat.agenda.models import AppointmentType, ExternalAppointment
from secretariat.agenda.queries import structure_time_zone
from secretariat.core.models import Weekday
from secretariat.patients.forms_administrative import DayFirstDateField


class ClockTimeField(forms.TimeField):
    """A time on the 24-hour clock: 14:30, 14h30, 14h."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs.update({"placeholder": _("hh:mm"), "inputmode": "numeric", "autocomplete": "off",
                                  "maxlength": "5", "class": "time"})

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().lower().replace("h", ":")
            if value.endswith(":"):
                value += "00"
        return super().to_python(value)

    def prepare_value(self, value):
        return f"{value:%H:%M}" if hasattr(value, "strftime") else value


def local_instant(day, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=structure_time_zone())


def _practitioner_field(queryset, *, required: bool = True, empty_label=None):
    field = forms.ModelChoiceField(label=_("Practitioner"), queryset=queryset, required=required,
                                   empty_label=empty_label)
    field.label_from_instance = lambda practitioner: f"{practitioner.display_name} · {practitioner.specialty}"
    return field


def _type_field(structure_id: int, *, initial=None):
    return forms.ModelChoiceField(
        label=_("Appointment type"), initial=initial, empty_label=_("Choose…"),
        queryset=AppointmentType.objects.filter(structure_id=structure_id, is_active=True).order_by("label"),
    )


class PatientSearchForm(forms.Form):
    q = forms.CharField(label=_("Find the patient"), max_length=100, required=False,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "autofocus": True,
                                                      "placeholder": _("Name, birth date, phone…")}))


class WaitingEntryForm(forms.Form):
    HALF_DAYS = [("", _("Any time of day")), ("mornings", _("Mornings only")),
                 ("afternoons", _("Afternoons only"))]

    practitioner = forms.ModelChoiceField(queryset=None)
    appointment_type = forms.ModelChoiceField(queryset=None)
    not_before = DayFirstDateField(label=_("Not before"), required=False)
    latest = DayFirstDateField(label=_("At the latest"))
    half_day = forms.ChoiceField(label=_("Time of day"), choices=HALF_DAYS, required=False,
                                 widget=forms.RadioSelect)
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Days that suit the patient"), choices=Weekday.choices, coerce=int, required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("None ticked: any day."))
    current_appointment = forms.ModelChoiceField(
        label=_("Appointment to bring forward"), queryset=None, required=False,
        empty_label=_("None: the patient has no appointment yet"),
        help_text=_("Cancelled automatically when an earlier slot is booked."))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, practitioners, structure_id: int, coming_appointments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practitioner"] = _practitioner_field(practitioners, required=False,
                                                          empty_label=_("Any practitioner"))
        self.fields["appointment_type"] = _type_field(structure_id)
        self.fields["latest"].initial = timezone.localdate() + timedelta(days=90)
        self.fields["current_appointment"].queryset = coming_appointments
        self.fields["current_appointment"].label_from_instance = (
            lambda item: f"{timezone.localtime(item.start):%d/%m/%Y %H:%M} · {item.appointment_type} · "
                         f"{item.practitioner.display_name}")

    def clean(self):
        data = super().clean()
        if data.get("not_before") and data.get("latest") and data["not_before"] > data["latest"]:
            self.add_error("not_before", _("“Not before” must come before the latest date."))
        return data


class AbsenceForm(forms.Form):
    practitioner = forms.ModelChoiceField(queryset=None)
    start_day = DayFirstDateField(label=_("From (date)"))
    start_time = ClockTimeField(label=_("at"), initial=time(0))
    end_day = DayFirstDateField(label=_("Until (date)"))
    end_time = ClockTimeField(label=_("at"), initial=time(23, 59))
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False,
                             help_text=_("Given to the patients whose appointment is cancelled."))

    def __init__(self, *args, practitioners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practitioner"] = _practitioner_field(practitioners, empty_label=None)

    def clean(self):
        data = super().clean()
        if all(data.get(name) is not None for name in ("start_day", "start_time", "end_day", "end_time")):
            data["start"] = local_instant(data["start_day"], data["start_time"])
            data["end"] = local_instant(data["end_day"], data["end_time"])
            if data["end"] <= data["start"]:
                self.add_error("end_day", _("The end of the absence must come after its start."))
        return data


class SeriesForm(forms.Form):
    practitioner = forms.ModelChoiceField(queryset=None)
    appointment_type = forms.ModelChoiceField(queryset=None)
    first_day = DayFirstDateField(label=_("First appointment on"))
    at = ClockTimeField(label=_("at"))
    count = forms.IntegerField(label=_("Number of appointments"), min_value=2, max_value=52, initial=10)
    interval_days = forms.IntegerField(label=_("Every (days)"), min_value=1, max_value=90, initial=7,
                                       help_text=_("7 for weekly, 14 every other week."))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, practitioners, structure_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practitioner"] = _practitioner_field(practitioners, empty_label=None)
        self.fields["appointment_type"] = _type_field(structure_id)
        for name in ("count", "interval_days"):
            self.fields[name].widget.attrs["class"] = "short"

    def clean(self):
        data = super().clean()
        if data.get("first_day") and data.get("at") is not None:
            data["first_start"] = local_instant(data["first_day"], data["at"])
        return data


class MoveOneForm(forms.Form):
    day = DayFirstDateField(label=_("New date"))
    at = ClockTimeField(label=_("at"))


class ExternalAppointmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ExternalAppointment.Kind.choices)
    title = forms.CharField(label=_("What"), max_length=200,
                            widget=forms.TextInput(attrs={"placeholder": _("e.g. Echocardiography, cardiologist")}))
    day = DayFirstDateField(label=_("Date"))
    at = ClockTimeField(label=_("Time"))
    place = forms.CharField(label=_("Where"), max_length=200,
                            widget=forms.TextInput(attrs={"placeholder": _("e.g. Imaging centre of the park")}))
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    contact = forms.CharField(label=_("Contact"), max_length=200, required=False,
                              help_text=_("Phone or name of the person who booked it there."))
    preparation = forms.CharField(label=_("Preparation and documents"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    requested_by = forms.ModelChoiceField(queryset=None, required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[
        (ExternalAppointment.Status.PLANNED, ExternalAppointment.Status.PLANNED.label),
        (ExternalAppointment.Status.DONE, ExternalAppointment.Status.DONE.label)])
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, practitioners, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        field = _practitioner_field(practitioners, required=False, empty_label=_("Nobody of the structure"))
        field.label = _("Requested by")
        self.fields["requested_by"] = field
        if not editing:
            del self.fields["status"]

    @classmethod
    def initial_for(cls, external) -> dict:
        local = timezone.localtime(external.start, structure_time_zone())
        return {"kind": external.kind, "title": external.title, "day": local.date(), "at": local.time(),
                "place": external.place, "address": external.address, "contact": external.contact,
                "preparation": external.preparation, "requested_by": external.requested_by,
                "status": external.status, "note": external.note}

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["start"] = local_instant(data.pop("day"), data.pop("at"))
        if not data.get("status"):
            data.pop("status", None)
        return data
