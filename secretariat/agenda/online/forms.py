"""Forms of the online booking pages: what the patient types, with errors they can fix alone."""

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from secretariat.agenda.online.services import Applicant
from secretariat.patients.forms import TypedDateField
from secretariat.patients.forms_administrative import normalise_phone
from secretariat.patients.models import Patient
from secretariat.patients.rules import names

HONEYPOT = "website"


def _text(*, autocomplete: str, **attrs) -> forms.TextInput:
    return forms.TextInput(attrs={"autocomplete": autocomplete, **attrs})


class IdentityForm(forms.Form):
    """Identity and contact of the patient; the slot travels in hidden fields beside it."""

    last_name = forms.CharField(
        label=_("Birth name"), max_length=120,
        help_text=_("The surname on your birth certificate (your maiden name, if you changed it)."),
        widget=_text(autocomplete="family-name", autocapitalize="characters", spellcheck="false"),
    )
    first_names = forms.CharField(
        label=_("First names"), max_length=200,
        help_text=_("All your first names, in the order of your identity document."),
        widget=_text(autocomplete="given-name", spellcheck="false"),
    )
    birth_date = TypedDateField(
        label=_("Birth date"), help_text=_("Day, month, year: 14/07/1962."),
        widget=_text(autocomplete="bday", inputmode="numeric", placeholder=_("dd/mm/yyyy")),
    )
    sex = forms.ChoiceField(
        label=_("Sex"), widget=forms.RadioSelect,
        choices=[(Patient.Sex.FEMALE, _("Female")), (Patient.Sex.MALE, _("Male"))],
    )
    email = forms.EmailField(
        label=_("E-mail"), required=False, max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label=_("Mobile phone"), required=False, max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
    )
    consent = forms.BooleanField(
        label=_("I agree to receive messages about my appointments (confirmation, reminders) by e-mail "
                "or SMS."), required=False,
    )
    # Hidden from people (CSS and aria-hidden); robots filling every field give themselves away.
    website = forms.CharField(label=_("Leave this field empty"), required=False,
                              widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))

    def __init__(self, *args, appointment_type=None, appointment_day: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.appointment_type = appointment_type
        self.appointment_day = appointment_day

    def _name(self, field: str, normalise) -> str:
        try:
            return normalise(self.cleaned_data[field])
        except names.InvalidName as error:
            raise forms.ValidationError(error.message) from None

    def clean_last_name(self):
        return self._name("last_name", names.normalise_birth_name)

    def clean_first_names(self):
        return self._name("first_names", names.normalise_first_names)

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_phone(self):
        text = self.cleaned_data["phone"].strip()
        if not text:
            return ""
        phone = normalise_phone(text)
        if phone.startswith("0") and phone[:2] not in ("06", "07"):
            raise forms.ValidationError(_("This is not a mobile number: French mobiles start with 06 or 07."))
        return phone

    def clean(self):
        data = super().clean()
        if not self.errors.get("email") and not self.errors.get("phone") and not (
                data.get("email") or data.get("phone")):
            self.add_error("phone", _("Give an e-mail address or a mobile phone number to receive the code."))
        self._check_age(data.get("birth_date"))
        return data

    def _check_age(self, birth_date: date | None) -> None:
        """The type's ages, on the day of the appointment (they say nothing about the person)."""
        kind = self.appointment_type
        if birth_date is None or kind is None or self.appointment_day is None:
            return
        day = self.appointment_day
        age = day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
        if kind.min_age is not None and age < kind.min_age:
            self.add_error("birth_date", _("“%(type)s” is for patients aged %(age)d or more.")
                           % {"type": kind.label, "age": kind.min_age})
        elif kind.max_age is not None and age > kind.max_age:
            self.add_error("birth_date", _("“%(type)s” is for patients aged %(age)d or less.")
                           % {"type": kind.label, "age": kind.max_age})

    @property
    def is_robot(self) -> bool:
        return bool(self.data.get(HONEYPOT, "").strip())

    def applicant(self) -> Applicant:
        data = self.cleaned_data
        return Applicant(last_name=data["last_name"], first_names=data["first_names"],
                         birth_date=data["birth_date"], sex=data["sex"], email=data["email"],
                         phone=data["phone"], consent=data["consent"])


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code received"), max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "pattern": "[0-9 ]*", "class": "code-input"}),
    )

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if len(code) != 6 or not code.isdigit():
            raise forms.ValidationError(_("The code has 6 digits."))
        return code
