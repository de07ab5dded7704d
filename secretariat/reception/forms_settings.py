"""Desk settings: how the desk works, and the room of each practitioner on each site."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from secretariat.reception.models import ReceptionSettings

MAX_LATE_MINUTES = 120
MAX_MISSING_MINUTES = 240


class ReceptionSettingsForm(forms.ModelForm):
    class Meta:
        model = ReceptionSettings
        fields = ["public_display", "call_chime", "late_after_minutes", "missing_after_minutes",
                  "survey_enabled", "survey_link_after_visit"]
        widgets = {"public_display": forms.RadioSelect}

    def clean_late_after_minutes(self):
        value = self.cleaned_data["late_after_minutes"]
        if not 1 <= value <= MAX_LATE_MINUTES:
            raise forms.ValidationError(_("Choose between 1 and %(max)d minutes.") % {"max": MAX_LATE_MINUTES})
        return value

    def clean_missing_after_minutes(self):
        value = self.cleaned_data["missing_after_minutes"]
        if not 1 <= value <= MAX_MISSING_MINUTES:
            raise forms.ValidationError(_("Choose between 1 and %(max)d minutes.") % {"max": MAX_MISSING_MINUTES})
        return value

    def clean(self):
        cleaned = super().clean()
        late, missing = cleaned.get("late_after_minutes"), cleaned.get("missing_after_minutes")
        if late is not None and missing is not None and missing <= late:
            self.add_error("missing_after_minutes", _(
                "A patient is shown as missing after being late: choose more minutes than for “late” (%(late)d)."
            ) % {"late": late})
        if not cleaned.get("survey_enabled") and cleaned.get("survey_link_after_visit"):
            self.add_error("survey_link_after_visit", _("Open the survey first, or do not send its link."))
        return cleaned


class ConsultingRoomsForm(forms.Form):
    """One text field per (site, practitioner) pair: the room written on the door; empty = none."""

    def __init__(self, *args, pairs: list[tuple], current: dict[tuple[int, int], str], **kwargs):
        super().__init__(*args, **kwargs)
        self.pairs = pairs
        for site, practitioner in pairs:
            self.fields[self.field_name(site.pk, practitioner.pk)] = forms.CharField(
                label=practitioner.display_name, required=False, max_length=60,
                initial=current.get((site.pk, practitioner.pk), ""),
                widget=forms.TextInput(attrs={"placeholder": gettext_lazy("e.g. Room 2"), "autocomplete": "off"}),
            )

    @staticmethod
    def field_name(site_id: int, practitioner_id: int) -> str:
        return f"room_{site_id}_{practitioner_id}"

    def rooms(self) -> dict[tuple[int, int], str]:
        return {(site.pk, practitioner.pk): self.cleaned_data[self.field_name(site.pk, practitioner.pk)].strip()
                for site, practitioner in self.pairs}

    def rows(self):
        """Per site, the practitioners with their bound field (for the template)."""
        by_site: dict = {}
        for site, practitioner in self.pairs:
            by_site.setdefault(site, []).append((practitioner, self[self.field_name(site.pk, practitioner.pk)]))
        return list(by_site.items())
