"""Forms of the structure's agenda configuration: appointment types, rooms and equipment, settings."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from secretariat.agenda.models import AgendaSettings, AppointmentType, Resource
from secretariat.core.models import Site

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


class AppointmentTypeForm(forms.ModelForm):
    class Meta:
        model = AppointmentType
        fields = ["label", "code", "duration_minutes", "colour", "mode", "bookable_by_staff", "bookable_online",
                  "new_patients_allowed", "min_age", "max_age", "buffer_after_minutes", "resources",
                  "preparation_instructions", "documents_to_bring", "is_active"]
        widgets = {
            "colour": forms.TextInput(attrs={"type": "color"}),
            "preparation_instructions": forms.Textarea(attrs={"rows": 3}),
            "documents_to_bring": forms.Textarea(attrs={"rows": 2}),
            "resources": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, structure_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.structure_id = structure_id
        self.instance.structure_id = structure_id
        self.fields["resources"].queryset = Resource.objects.filter(structure_id=structure_id, is_active=True)

    def clean_colour(self):
        colour = self.cleaned_data["colour"]
        if not COLOUR.match(colour):
            raise forms.ValidationError(_("A colour is written #rrggbb, for example #4a78b5."))
        return colour.lower()

    def clean(self):
        data = super().clean()
        if data.get("min_age") is not None and data.get("max_age") is not None and data["max_age"] < data["min_age"]:
            self.add_error("max_age", _("The maximum age must not be below the minimum age."))
        return data


class ResourceForm(forms.ModelForm):
    class Meta:
        model = Resource
        fields = ["name", "kind", "site", "is_active"]

    def __init__(self, *args, structure_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.structure_id = structure_id
        self.fields["site"].queryset = Site.objects.filter(structure_id=structure_id)


class AgendaSettingsForm(forms.ModelForm):
    video_base_url = forms.URLField(
        label=AgendaSettings._meta.get_field("video_base_url").verbose_name, required=False, assume_scheme="https",
        help_text=AgendaSettings._meta.get_field("video_base_url").help_text,
    )
    reminder_hours = forms.CharField(
        label=_("Reminders (hours before)"), required=False,
        help_text=_("Separated by commas, for example 48, 2. Empty: no reminder."),
    )

    class Meta:
        model = AgendaSettings
        fields = ["reminder_hours", "online_booking_enabled", "online_booking_days", "video_base_url",
                  "offer_validity_minutes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["reminder_hours"] = ", ".join(str(hours) for hours in self.instance.reminder_hours or [])

    def clean_reminder_hours(self):
        raw = self.cleaned_data["reminder_hours"]
        try:
            hours = sorted({int(part) for part in raw.replace(";", ",").split(",") if part.strip()}, reverse=True)
        except ValueError:
            raise forms.ValidationError(_("Write whole numbers of hours, separated by commas.")) from None
        if any(not 1 <= value <= 24 * 30 for value in hours):
            raise forms.ValidationError(_("Each reminder is between 1 hour and 30 days (720 hours) before."))
        if len(hours) > 4:
            raise forms.ValidationError(_("At most four reminders per appointment."))
        return hours
