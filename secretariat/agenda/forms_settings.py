"""Forms of a practitioner's schedule and directives (edited by the practitioner or a coordinator)."""

from datetime import timedelta

from django import forms
from django.forms import BaseModelFormSet, modelformset_factory
from django.utils.translation import gettext_lazy as _

from secretariat.agenda.models import (
    AppointmentType,
    PractitionerDirectives,
    ScheduleException,
    TypeDirective,
    WeeklyPeriod,
)
from secretariat.core.models import Site

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DirectivesForm(forms.ModelForm):
    class Meta:
        model = PractitionerDirectives
        fields = ["min_notice_minutes", "online_min_notice_hours", "online_max_missed", "missed_window_days",
                  "accepts_new_patients", "instructions"]
        widgets = {"instructions": forms.Textarea(attrs={"rows": 3})}


class _StructureScopedFormSet(BaseModelFormSet):
    """Choices limited to the practitioner's structure."""

    def __init__(self, *args, structure_id: int, **kwargs):
        self.structure_id = structure_id
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "structure_id": self.structure_id}

    @property
    def empty_form(self):
        form = self.form(auto_id=self.auto_id, prefix=self.add_prefix("__prefix__"), empty_permitted=True,
                         use_required_attribute=False, structure_id=self.structure_id)
        self.add_fields(form, None)
        return form


class TypeDirectiveForm(forms.ModelForm):
    class Meta:
        model = TypeDirective
        fields = ["appointment_type", "accepted", "duration_minutes", "buffer_after_minutes", "max_per_day",
                  "max_per_half_day", "extra_instructions"]
        widgets = {"extra_instructions": forms.TextInput()}

    def __init__(self, *args, structure_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["appointment_type"].queryset = AppointmentType.objects.filter(structure_id=structure_id)


TypeDirectiveFormSet = modelformset_factory(TypeDirective, form=TypeDirectiveForm, formset=_StructureScopedFormSet,
                                            extra=1, can_delete=True)


class WeeklyPeriodForm(forms.ModelForm):
    release_before_hours = forms.IntegerField(
        label=_("released (hours before)"), required=False, min_value=0, max_value=24 * 14,
        help_text=_("For a period reserved for urgent requests: offered to everyone this many hours before."),
    )

    class Meta:
        model = WeeklyPeriod
        fields = ["site", "weekday", "start", "end", "appointment_types", "reserved_for_urgent", "valid_from",
                  "valid_until"]
        widgets = {"start": TIME, "end": TIME, "valid_from": DATE, "valid_until": DATE,
                   "appointment_types": forms.SelectMultiple(attrs={"size": 3})}

    def __init__(self, *args, structure_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.filter(structure_id=structure_id)
        self.fields["appointment_types"].queryset = AppointmentType.objects.filter(structure_id=structure_id,
                                                                                   is_active=True)
        if self.instance.release_before is not None:
            self.fields["release_before_hours"].initial = int(self.instance.release_before.total_seconds() // 3600)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("The end must be after the start."))
        hours = data.get("release_before_hours")
        if hours is not None and not data.get("reserved_for_urgent"):
            self.add_error("release_before_hours", _("Only a period reserved for urgent requests is released."))
        return data

    def save(self, commit=True):
        hours = self.cleaned_data.get("release_before_hours")
        self.instance.release_before = timedelta(hours=hours) if hours is not None else None
        return super().save(commit)


WeeklyPeriodFormSet = modelformset_factory(WeeklyPeriod, form=WeeklyPeriodForm, formset=_StructureScopedFormSet,
                                           extra=1, can_delete=True)


class ScheduleExceptionForm(forms.ModelForm):
    class Meta:
        model = ScheduleException
        fields = ["day", "start", "end", "is_open", "site", "note"]
        widgets = {"day": DATE, "start": TIME, "end": TIME}

    def __init__(self, *args, structure_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.filter(structure_id=structure_id)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("The end must be after the start."))
        if data.get("is_open") and not data.get("site"):
            self.add_error("site", _("Say at which site the practitioner works that day."))
        return data
