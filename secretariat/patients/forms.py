"""Identity forms: parse what the secretary types, write names under the RNIV rules.

Forms only parse and report field errors; the writes are in ``services``.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from secretariat.patients import birthplaces
from secretariat.patients.models import Patient
from secretariat.patients.models.identity import IdentityDocument
from secretariat.patients.rules import names
from secretariat.patients.rules.dates import birth_date_problem, parse_search_text, parse_typed_date
from secretariat.patients.services import Identity


class TypedDateField(forms.CharField):
    """A date as people type it: 01/02/1980, 1/2/80, 01021980, 1980-02-01."""

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        today = timezone.localdate()
        parsed = parse_typed_date(text, today=today)
        if parsed is None:
            raise forms.ValidationError(_("Type an existing date, day first: 14/07/1962 or 14071962."))
        problem = birth_date_problem(parsed, today=today)
        if problem:
            raise forms.ValidationError(problem)
        return parsed

    def prepare_value(self, value):
        return f"{value:%d/%m/%Y}" if hasattr(value, "strftime") else value


def _name_field(label, *, required=True, help_text=""):
    return forms.CharField(label=label, required=required, max_length=120, help_text=help_text,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                                         "class": "uppercase"}))


class IdentityForm(forms.Form):
    """Traits stricts and complémentaires, plus the contact details."""

    birth_name = _name_field(_("Birth name"), help_text=_("As on the identity document."))
    birth_first_names = _name_field(
        _("Birth first names"), help_text=_("Every first name of the civil status, in order."),
    )
    first_birth_first_name = _name_field(
        _("First birth first name"), required=False,
        help_text=_("Left empty, the first of the list. Composite names keep their hyphen: JEAN-PIERRE."),
    )
    birth_date = TypedDateField(label=_("Birth date"), widget=forms.TextInput(
        attrs={"placeholder": _("dd/mm/yyyy"), "inputmode": "numeric", "autocomplete": "off"}))
    sex = forms.ChoiceField(label=_("Sex"), choices=Patient.Sex.choices, widget=forms.RadioSelect)
    birthplace_code = forms.CharField(
        label=_("Birthplace"), max_length=5,
        help_text=_("Type the commune, its postal code or the country, then choose in the list."),
        widget=forms.TextInput(attrs={"list": "birthplace-options", "autocomplete": "off"}),
    )
    used_name = _name_field(_("Used name"), required=False,
                            help_text=_("Only if different from the birth name (e.g. spouse's name)."))
    used_first_name = _name_field(_("Used first name"), required=False)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=30,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    email = forms.EmailField(label=_("E-mail"), required=False)

    def _clean_name(self, field: str, normalise) -> str:
        value = self.cleaned_data.get(field, "")
        if not value:
            return ""
        try:
            return normalise(value)
        except names.InvalidName as error:
            raise forms.ValidationError(error.message) from None

    def clean_birth_name(self):
        return self._clean_name("birth_name", names.normalise_birth_name)

    def clean_birth_first_names(self):
        return self._clean_name("birth_first_names", names.normalise_first_names)

    def clean_first_birth_first_name(self):
        return self._clean_name("first_birth_first_name", names.normalise_first_name)

    def clean_used_name(self):
        return self._clean_name("used_name", names.normalise_used_name)

    def clean_used_first_name(self):
        return self._clean_name("used_first_name", names.normalise_first_name)

    def clean_birthplace_code(self):
        code = self.cleaned_data["birthplace_code"].strip().upper()
        if not birthplaces.is_known(code):
            raise forms.ValidationError(_(
                "Choose the birthplace in the list (a French commune or a country); “%(code)s” "
                "is not an INSEE code we know."
            ) % {"code": code})
        return code

    def clean_phone(self):
        text = self.cleaned_data["phone"]
        if not text:
            return ""
        phone = parse_search_text(text, today=timezone.localdate()).phone
        if phone is None:
            raise forms.ValidationError(_("Type a French phone number: 06 12 34 56 78 or +33 6 12 34 56 78."))
        return phone

    def clean(self):
        data = super().clean()
        first_names = data.get("birth_first_names")
        if first_names and not data.get("first_birth_first_name"):
            data["first_birth_first_name"] = names.first_of(first_names)
        if data.get("used_name") and data["used_name"] == data.get("birth_name"):
            data["used_name"] = ""
        return data

    def identity(self) -> Identity:
        data = self.cleaned_data
        return Identity(**{name: data[name] for name in Identity.__dataclass_fields__})

    @classmethod
    def initial_from(cls, patient: Patient) -> dict:
        return {name: getattr(patient, name) for name in cls.base_fields}


class NewPatientForm(IdentityForm):
    care_teams = forms.ModelMultipleChoiceField(
        label=_("Care teams"), queryset=None, widget=forms.CheckboxSelectMultiple,
        help_text=_("The teams that follow the patient; their members will see the file."),
    )
    duplicate_reason = forms.CharField(
        label=_("Reason for creating a new file anyway"), required=False, max_length=250,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, care_teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["care_teams"].queryset = care_teams
        if care_teams.count() == 1:
            self.fields["care_teams"].initial = list(care_teams)


class ChangeIdentityForm(IdentityForm):
    # The record's version when the form was shown (optimistic lock against a second desk).
    read_at = forms.DateTimeField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label=_("Reason for the change"), required=False, max_length=250,
        help_text=_("Required when a strict trait changes; the identity then becomes provisional again."),
    )


class ValidateIdentityForm(IdentityForm):
    phone = None
    email = None
    document_type = forms.ChoiceField(
        label=_("High-trust identity document seen"), choices=IdentityDocument.choices,
        help_text=_("A carte Vitale or a driving licence does not validate an identity."),
    )


class AttributesForm(forms.Form):
    is_doubtful = forms.BooleanField(label=_("Doubtful identity"), required=False)
    is_fictitious = forms.BooleanField(label=_("Fictitious identity (anonymous care)"), required=False)
    is_homonym = forms.BooleanField(label=_("Homonym identity (a namesake is known)"), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=250)
