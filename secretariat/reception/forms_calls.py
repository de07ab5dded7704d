"""The phone log's quick form and the callback's result."""

from datetime import datetime, time, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from secretariat.agenda.queries import structure_time_zone
from secretariat.core.access import practitioners_for
from secretariat.patients.permissions import patients_for
from secretariat.reception.models import PhoneCall, TriageRecord


def callback_choices(now: datetime) -> list[tuple[str, str, datetime | None]]:
    """The quick due times offered at ``now``: (value, label, due time); "other" lets one type it."""
    local = now.astimezone(structure_time_zone())
    choices = [("30", _("In 30 min"), now + timedelta(minutes=30)), ("60", _("In 1 hour"), now + timedelta(hours=1))]
    for hour in (14, 17):
        if local.hour < hour:
            choices.append(("afternoon", _("This afternoon (%(hour)s h)") % {"hour": hour},
                            local.replace(hour=hour, minute=0, second=0, microsecond=0)))
            break
    tomorrow = local.date() + timedelta(days=2 if local.weekday() == 5 else 1)
    choices.append(("tomorrow", _("Tomorrow morning (9 h)") if local.weekday() != 5 else _("Monday morning (9 h)"),
                    datetime.combine(tomorrow, time(9), tzinfo=local.tzinfo)))
    choices.append(("other", _("Other time"), None))
    return choices


class CallForm(forms.Form):
    direction = forms.ChoiceField(label=_("Direction"), choices=PhoneCall.Direction.choices,
                                  initial=PhoneCall.Direction.INCOMING, widget=forms.RadioSelect)
    caller_name = forms.CharField(label=_("Caller"), max_length=150, required=False,
                                  widget=forms.TextInput(attrs={"autocomplete": "off"}))
    caller_phone = forms.CharField(label=_("Phone"), max_length=20, required=False,
                                   widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}))
    patient = forms.ModelChoiceField(label=_("Patient"), queryset=None, required=False, widget=forms.HiddenInput)
    practitioner = forms.ModelChoiceField(label=_("For practitioner"), queryset=None, required=False,
                                          empty_label=_("— nobody in particular —"))
    reason = forms.CharField(label=_("Reason"), max_length=300,
                             widget=forms.TextInput(attrs={"autocomplete": "off"}))
    outcome = forms.ChoiceField(label=_("Outcome"), choices=PhoneCall.Outcome.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    callback_when = forms.ChoiceField(label=_("Call back"), required=False, widget=forms.RadioSelect)
    callback_at = forms.DateTimeField(label=_("Call back before"), required=False,
                                      widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                 format="%Y-%m-%dT%H:%M"))
    callback_assigned_to = forms.ModelChoiceField(label=_("Callback by"), queryset=None, required=False,
                                                  empty_label=_("— anyone in the team —"))
    triage = forms.ModelChoiceField(queryset=None, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, now=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now or timezone.now()
        self.due_choices = callback_choices(self.now)
        self.fields["callback_when"].choices = [(value, label) for value, label, _due in self.due_choices]
        self.fields["patient"].queryset = patients_for(user)
        self.fields["practitioner"].queryset = practitioners_for(user).filter(is_active=True).order_by("last_name")
        self.fields["callback_assigned_to"].queryset = get_user_model().objects.filter(
            structure_id=user.structure_id, is_active=True).order_by("first_name", "last_name")
        self.fields["callback_assigned_to"].label_from_instance = lambda u: u.get_full_name() or u.get_username()
        self.fields["triage"].queryset = TriageRecord.objects.filter(
            structure_id=user.structure_id, phone_calls__isnull=True)

    def clean(self):
        data = super().clean()
        outcome = data.get("outcome")
        if outcome == PhoneCall.Outcome.CALLBACK:
            when = data.get("callback_when")
            if when == "other":
                if not data.get("callback_at"):
                    self.add_error("callback_at", _("Give the time to call back."))
                else:
                    data["callback_due_at"] = data["callback_at"]
            elif when:
                data["callback_due_at"] = next(due for value, _label, due in self.due_choices if value == when)
            else:
                self.add_error("callback_when", _("Say when to call back."))
        if outcome == PhoneCall.Outcome.EMERGENCY and not data.get("triage") and not data.get("note", "").strip():
            self.add_error("note", _("Run the triage, or write what happened."))
        return data


class CallbackDoneForm(forms.Form):
    result = forms.CharField(label=_("Result"), max_length=300,
                             widget=forms.TextInput(attrs={"autocomplete": "off"}))


class DayFilterForm(forms.Form):
    day = forms.DateField(label=_("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    outcome = forms.ChoiceField(label=_("Outcome"), required=False,
                                choices=[("", _("All"))] + list(PhoneCall.Outcome.choices))
    taken_by = forms.ModelChoiceField(label=_("Taken by"), queryset=None, required=False, empty_label=_("Everyone"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["taken_by"].queryset = get_user_model().objects.filter(
            structure_id=user.structure_id).order_by("first_name", "last_name")
        self.fields["taken_by"].label_from_instance = lambda u: u.get_full_name() or u.get_username()
