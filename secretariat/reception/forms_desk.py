"""Forms of the desk: the walk-in registration (with a quick provisional identity) and the RNIV
answer at check-in. Forms parse and report field errors; the writes are in ``services_desk``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from secretariat.patients.forms import IdentityForm
from secretariat.reception.models import Priority

PRESENTED, NOT_PRESENTED = "yes", "no"
DOCUMENT_CHOICES = [
    (PRESENTED, _("Identity document presented")),
    (NOT_PRESENTED, _("No identity document presented")),
]


def document_answer(value: str | None) -> bool | None:
    """The RNIV answer posted by the check-in panel or the walk-in form: True, False or None."""
    return {PRESENTED: True, NOT_PRESENTED: False}.get((value or "").strip())


class QuickIdentityForm(IdentityForm):
    """A provisional identity typed at the desk for a walk-in: the strict traits the RNIV
    requires, a phone number, and the reason when the anteriority search finds look-alikes."""

    email = None
    duplicate_reason = forms.CharField(
        label=_("Reason for creating a new file anyway"), required=False, max_length=250,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class WalkInForm(forms.Form):
    practitioner = forms.ModelChoiceField(
        label=_("Practitioner"), queryset=None, required=False, empty_label=_("The first one free"),
    )
    reason = forms.CharField(label=_("Reason for coming"), max_length=200, required=False,
                             widget=forms.TextInput(attrs={"autocomplete": "off"}),
                             help_text=_("In the patient's words, briefly. No medical detail is needed."))
    priority = forms.TypedChoiceField(
        label=_("Priority"), coerce=int, required=False, empty_value=None,
        choices=[("", _("Not triaged (routine, in order of arrival)")), *Priority.choices],
    )
    identity_document = forms.ChoiceField(
        label=_("Identity document"), choices=DOCUMENT_CHOICES, required=False, widget=forms.RadioSelect,
    )

    def __init__(self, *args, practitioners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practitioner"].queryset = practitioners

    def document_presented(self) -> bool | None:
        return document_answer(self.cleaned_data.get("identity_document"))
