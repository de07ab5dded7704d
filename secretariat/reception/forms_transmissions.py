"""Forms of the messages between colleagues; the recipients offered are the view's."""

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from secretariat.reception.models import Transmission


class RecipientChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        name = user.get_full_name() or user.username
        return f"{name} · {user.get_role_display()}" if user.role else name


class ComposeForm(forms.Form):
    recipient = RecipientChoiceField(queryset=None, label=_("To"), empty_label=_("Choose a colleague"))
    priority = forms.ChoiceField(label=_("Priority"), choices=Transmission.Priority.choices,
                                 initial=Transmission.Priority.NORMAL, widget=forms.RadioSelect)
    subject = forms.CharField(label=_("Subject"), max_length=200,
                              widget=forms.TextInput(attrs={"autocomplete": "off"}))
    body = forms.CharField(label=_("Message"), max_length=5000, required=False,
                           widget=forms.Textarea(attrs={"rows": 6}))
    patient = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, recipients, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = recipients


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your answer"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    priority = forms.ChoiceField(label=_("Priority"), choices=Transmission.Priority.choices,
                                 initial=Transmission.Priority.NORMAL, widget=forms.RadioSelect)


class PatientSearchForm(forms.Form):
    q = forms.CharField(label=_("About a patient (optional)"), max_length=100, required=False,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off",
                                                      "placeholder": _("Name or date of birth"),
                                                      "hx-get": reverse_lazy("reception:compose_patients"), "hx-trigger": "input changed delay:250ms, search",
                                                      "hx-target": "#patient-hits"}))
