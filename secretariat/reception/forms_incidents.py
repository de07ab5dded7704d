"""Forms of the incident reports. Dates day first, times on the 24-hour clock."""

from django import forms
from django.utils.translation import gettext_lazy as _

from secretariat.agenda.forms_waiting import ClockTimeField, local_instant
from secretariat.patients.forms_administrative import DayFirstDateField
from secretariat.reception.models import Incident

SEVERITY_HINTS = {
    Incident.Severity.MINOR: _("Unpleasant, nobody hurt: a raised voice, a rude remark."),
    Incident.Severity.MODERATE: _("Insults or threats, a fall without injury; someone was shaken."),
    Incident.Severity.SERIOUS: _("Physical contact, an injury or care needed, police or emergency services called."),
    Incident.Severity.CRITICAL: _("Serious injury, a weapon, or a lasting danger for staff or patients."),
}

PLACES = [_("Waiting room"), _("Reception desk"), _("Corridor"), _("Consulting room"), _("Car park"), _("Entrance"),
          _("Phone")]


class IncidentForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=None, empty_label=None)
    day = DayFirstDateField(label=_("Date"))
    at = ClockTimeField(label=_("Time"))
    place = forms.CharField(label=_("Where"), max_length=150,
                            widget=forms.TextInput(attrs={"list": "incident-places", "autocomplete": "off"}),
                            help_text=_("e.g. Waiting room, desk, car park."))
    kind = forms.ChoiceField(label=_("What happened"), choices=[("", _("Choose…")), *Incident.Kind.choices])
    severity = forms.TypedChoiceField(label=_("Severity"), coerce=int, choices=Incident.Severity.choices,
                                      widget=forms.RadioSelect)
    people_involved = forms.CharField(label=_("People involved"), max_length=1000,
                                      widget=forms.Textarea(attrs={"rows": 2}),
                                      help_text=_("Staff, patients, companions, witnesses."))
    description = forms.CharField(label=_("Facts"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}),
                                  help_text=_("What was seen and heard, without judgement."))
    immediate_action = forms.CharField(label=_("Immediate action"), max_length=2000, required=False,
                                       widget=forms.Textarea(attrs={"rows": 2}))
    emergency_services_called = forms.BooleanField(label=_("Emergency services or police called"), required=False)
    patient = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites

    def severity_choices(self):
        """(radio, hint) pairs for the template."""
        return [(radio, SEVERITY_HINTS[int(radio.data["value"])]) for radio in self["severity"]]

    @property
    def occurred_at(self):
        return local_instant(self.cleaned_data["day"], self.cleaned_data["at"])


class FollowUpForm(forms.Form):
    follow_up = forms.CharField(label=_("Add to the follow-up"), max_length=1000,
                                widget=forms.Textarea(attrs={"rows": 3}),
                                help_text=_("What was done or decided since: dated and signed automatically."))


class CloseForm(forms.Form):
    closing_note = forms.CharField(label=_("Closing note"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                                   help_text=_("What was concluded, what changes at the desk."))


class IncidentFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All incidents")), ("open", _("In progress")), ("closed", _("Closed"))])
    month = forms.DateField(label=_("Month"), required=False, input_formats=["%Y-%m"],
                            widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"))
