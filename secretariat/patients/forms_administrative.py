"""Forms of the administrative file: parse what the secretary types, report field errors.

Model forms, so labels, help texts, lengths and the model's rules (``clean``: NIR key, dates in
order, ayant droit…) show on the fields; the writes are in ``services_administrative``, which
checks the same rules again. The form's instance is a throw-away copy: views pass a fresh one.
"""

import re

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from secretariat.core.models import Practitioner
from secretariat.patients.models import (
    Address,
    AdministrativeFile,
    AmcCoverage,
    AmoCoverage,
    ContactPerson,
)
from secretariat.patients.models.administrative import ACCESSIBILITY_FIELDS, language_choices
from secretariat.patients.rules.dates import parse_typed_date
from secretariat.patients.rules.nir import clean_nir
from secretariat.patients.services_administrative import (
    CONTACT_FIELDS,
    MEDECIN_TRAITANT_FIELDS,
    SHARING_FIELDS,
    item_fields,
)

# Raw length accepted where people type separators ("06 12 34 56 78", "1 85 05 78 006 084 91").
RAW_MAX_LENGTH = 30
_PHONE_SEPARATORS = re.compile(r"[\s.\-/]|\(0\)|[()]")
_FRENCH_PHONE = re.compile(r"0[1-9][0-9]{8}")
# E.164: a country code and at most 15 digits in all.
_INTERNATIONAL_PHONE = re.compile(r"\+[1-9][0-9]{6,14}")
_FOUR_DIGIT_YEAR = re.compile(r"(?<![0-9])[0-9]{4}(?![0-9])|[0-9]{8}")

ANSWER_CHOICES = [("", _("Not asked yet")), ("True", _("Yes")), ("False", _("No"))]


def normalise_phone(text: str) -> str:
    """A French number as 10 digits (from 06…, +33 6…, 0033 6…), or +<digits> for abroad."""
    compact = _PHONE_SEPARATORS.sub("", text)
    for prefix in ("+33", "0033"):
        if compact.startswith(prefix):
            rest = compact[len(prefix):]
            compact = rest if rest.startswith("0") else "0" + rest
            break
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if _FRENCH_PHONE.fullmatch(compact) or _INTERNATIONAL_PHONE.fullmatch(compact):
        return compact
    raise forms.ValidationError(
        _("Type a phone number: 06 12 34 56 78, or +41 79 123 45 67 for a number abroad."),
        code="invalid_phone")


class _TypedField(forms.CharField):
    """Text typed with separators: the raw length is loose, the value is normalised."""

    def __init__(self, *, max_length=None, **kwargs):
        kwargs.pop("empty_value", None)
        super().__init__(max_length=RAW_MAX_LENGTH, **kwargs)


class PhoneField(_TypedField):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "tel", "autocomplete": "off"})

    def to_python(self, value):
        text = super().to_python(value)
        return normalise_phone(text) if text else ""


class NirField(_TypedField):
    """The NIR as typed (spaces, dots allowed); its rules are checked by the model (nir_problem)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "off", "spellcheck": "false", "class": "uppercase"})

    def to_python(self, value):
        return clean_nir(super().to_python(value))


class CompactDigitsField(forms.CharField):
    """An identifier typed with or without spaces (RPPS, AMC number)."""

    def to_python(self, value):
        return "".join(super().to_python(value).split())


class DayFirstDateField(forms.DateField):
    """A date as people type it, day first, with a four-digit year: 31/12/2026, 31122026."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs.update({"placeholder": _("dd/mm/yyyy"), "inputmode": "numeric",
                                  "autocomplete": "off", "maxlength": "10"})

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if hasattr(value, "year"):
            return value
        text = str(value).strip()
        if len(text) > 10 or not _FOUR_DIGIT_YEAR.search(text):
            raise forms.ValidationError(_("Type the date day first, with the year in four digits: "
                                          "31/12/2026."), code="invalid_date")
        parsed = parse_typed_date(text, today=timezone.localdate())
        if parsed is None or not 1900 <= parsed.year <= 2100:
            raise forms.ValidationError(_("Type an existing date, day first: 31/12/2026."),
                                        code="invalid_date")
        return parsed

    def prepare_value(self, value):
        return f"{value:%d/%m/%Y}" if hasattr(value, "strftime") else value


def _answer_widget():
    return forms.RadioSelect(choices=ANSWER_CHOICES)


class AdministrativeForm(forms.ModelForm):
    """Common ground: date fields typed day first, grouped fields, the values for a service."""

    fieldsets: list[tuple[str, tuple[str, ...]]] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.DateField) and not isinstance(field, DayFirstDateField):
                raise TypeError("declare date fields in Meta.field_classes as DayFirstDateField")
        first = next(iter(self.fields.values()), None)
        if first is not None and not isinstance(first.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            first.widget.attrs["autofocus"] = True

    def grouped(self) -> list[tuple[str, list]]:
        """(legend, bound fields) for the template; one group without a legend by default."""
        if not self.fieldsets:
            return [("", list(self))]
        return [(legend, [self[name] for name in names]) for legend, names in self.fieldsets]

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


def _hide_not_asked(form: forms.ModelForm, *names: str) -> None:
    """An answer once recorded is changed, not erased: drop "not asked yet"."""
    for name in names:
        if getattr(form.instance, name) is not None:
            form.fields[name].widget.choices = ANSWER_CHOICES[1:]


class ContactPreferencesForm(AdministrativeForm):
    email = forms.EmailField(label=_("E-mail"), required=False,
                             help_text=_("The patient's address, also shown with the identity."))
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=language_choices,
                                           initial="fr")

    class Meta:
        model = AdministrativeFile
        fields = CONTACT_FIELDS
        field_classes = {"mobile_phone": PhoneField, "landline": PhoneField}
        widgets = {"sms_consent": _answer_widget(), "email_consent": _answer_widget()}

    fieldsets = [
        (_("Phones and e-mail"), ("mobile_phone", "landline", "email")),
        (_("Messages"), ("sms_consent", "email_consent")),
        (_("Language"), ("preferred_language", "needs_interpreter")),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        patient = self.instance.patient
        self.initial["email"] = patient.email
        if self.instance._state.adding and patient.phone:
            # First visit of this block: offer the phone typed with the identity where it fits.
            mobile = patient.phone.startswith(("06", "07", "+"))
            self.initial["mobile_phone" if mobile else "landline"] = patient.phone
        current = self.instance.preferred_language
        if current and current not in dict(language_choices()):
            self.fields["preferred_language"].choices = [(current, current), *language_choices()]
        _hide_not_asked(self, "sms_consent", "email_consent")

    def clean(self):
        data = super().clean()
        if data.get("email_consent") and not data.get("email"):
            self.add_error("email_consent", gettext("Add the e-mail address the messages will go to."))
        return data


class NeedsForm(AdministrativeForm):
    accessibility = forms.MultipleChoiceField(
        label=_("Accessibility needs"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(name, capfirst(AdministrativeFile._meta.get_field(name).verbose_name))
                 for name in ACCESSIBILITY_FIELDS],
    )

    class Meta:
        model = AdministrativeFile
        fields = ("accessibility_note", "legal_protection", "is_socially_vulnerable", "is_homeless")

    field_order = ["accessibility", "accessibility_note", "legal_protection", "is_socially_vulnerable",
                   "is_homeless"]
    fieldsets = [
        (_("Accessibility"), ("accessibility", "accessibility_note")),
        (_("Situation"), ("legal_protection", "is_socially_vulnerable", "is_homeless")),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accessibility"].initial = [name for name in ACCESSIBILITY_FIELDS
                                                if getattr(self.instance, name)]
        self.fields["legal_protection"].choices = [("", gettext("No measure")),
                                                   *self.fields["legal_protection"].choices[1:]]

    def values(self) -> dict:
        ticked = set(self.cleaned_data["accessibility"])
        values = {name: name in ticked for name in ACCESSIBILITY_FIELDS}
        values.update(super().values())
        return values


class MedecinTraitantForm(AdministrativeForm):
    class Meta:
        model = AdministrativeFile
        fields = MEDECIN_TRAITANT_FIELDS
        field_classes = {"outside_medecin_traitant_rpps": CompactDigitsField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        patient = self.instance.patient
        field = self.fields["medecin_traitant"]
        # Active practitioners of the patient's structure, and the current one even if inactive.
        field.queryset = Practitioner.objects.filter(
            Q(structure_id=patient.structure_id, is_active=True) | Q(pk=self.instance.medecin_traitant_id or 0))
        field.empty_label = gettext("None, or a doctor outside the structure")
        field.help_text = gettext("The médecin traitant the patient declared to the Assurance maladie.")


class SharingForm(AdministrativeForm):
    class Meta:
        model = AdministrativeFile
        fields = SHARING_FIELDS
        widgets = {"dmp_consent": _answer_widget()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _hide_not_asked(self, "dmp_consent")


class AddressForm(AdministrativeForm):
    class Meta:
        model = Address
        fields = item_fields(Address)

    field_order = ["kind", "recipient_line", "building_line", "street_line", "locality_line",
                   "postal_code", "city", "country"]


class ContactPersonForm(AdministrativeForm):
    class Meta:
        model = ContactPerson
        fields = item_fields(ContactPerson)
        field_classes = {"phone": PhoneField, "decision_date": DayFirstDateField}

    fieldsets = [
        (_("Person"), ("role", "last_name", "first_name", "relationship", "phone", "email")),
        (_("Legal representative"), ("legal_basis", "decision_date")),
    ]


class AmoCoverageForm(AdministrativeForm):
    class Meta:
        model = AmoCoverage
        fields = item_fields(AmoCoverage)
        field_classes = {
            "insured_nir": NirField, "rights_from": DayFirstDateField, "rights_until": DayFirstDateField,
            "ald_until": DayFirstDateField, "at_mp_date": DayFirstDateField,
            "c2s_until": DayFirstDateField, "ame_until": DayFirstDateField,
            "card_seen_on": DayFirstDateField,
        }

    fieldsets = [
        (_("Régime and caisse"), ("regime", "caisse_code", "centre_code")),
        (_("Insured person (ouvrant droit)"), ("patient_is_insured", "insured_last_name",
                                               "insured_first_name", "insured_nir", "twin_rank")),
        (_("Rights"), ("rights_from", "rights_until")),
        (_("Exonerations and special cover"), ("has_ald", "ald_until", "ald_label", "maternity",
                                               "at_mp_number", "at_mp_date", "has_c2s", "c2s_until",
                                               "has_ame", "ame_until")),
        (_("Document seen"), ("card_seen", "card_seen_on")),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["twin_rank"].widget.attrs.update({"min": 1, "max": 9})
        self.fields["card_seen"].choices = [("", gettext("None yet")), *self.fields["card_seen"].choices[1:]]


class AmcCoverageForm(AdministrativeForm):
    class Meta:
        model = AmcCoverage
        fields = item_fields(AmcCoverage)
        field_classes = {"amc_number": CompactDigitsField, "valid_from": DayFirstDateField,
                         "valid_until": DayFirstDateField}
