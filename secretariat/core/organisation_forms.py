"""Forms of the organisation screens: they parse and report field errors, services write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from secretariat.core.models import OpeningHours, Practitioner, Service, Site, Structure, User
from secretariat.core.roles import Role


class StructureForm(forms.ModelForm):
    class Meta:
        model = Structure
        fields = ["name", "kind", "finess", "siret"]


class SiteForm(forms.ModelForm):
    class Meta:
        model = Site
        fields = ["name", "address", "postal_code", "city", "phone", "finess"]

    def clean_postal_code(self) -> str:
        code = self.cleaned_data["postal_code"].strip()
        if len(code) != 5 or not code.isdigit():
            raise forms.ValidationError(_("A French postal code has 5 digits."))
        return code


class ServiceForm(forms.ModelForm):
    class Meta:
        model = Service
        fields = ["name", "site"]

    def __init__(self, *args, structure, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.filter(structure=structure)


class PractitionerForm(forms.ModelForm):
    # Wider than the 11 stored digits: people paste the number with spaces.
    rpps = forms.CharField(label=_("RPPS"), max_length=20,
                           help_text=_("11 digits, as printed on the professional card."))
    sites = forms.ModelMultipleChoiceField(
        label=_("Sites"), queryset=Site.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    services = forms.ModelMultipleChoiceField(
        label=_("Services"), queryset=Service.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Practitioner
        fields = ["title", "first_name", "last_name", "rpps", "specialty", "convention_sector",
                  "mssante_address", "user", "is_active"]
        labels = {"user": _("Login account")}

    def __init__(self, *args, structure, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sites"].queryset = Site.objects.filter(structure=structure)
        self.fields["services"].queryset = Service.objects.filter(structure=structure)
        taken = Practitioner.objects.exclude(pk=self.instance.pk).exclude(user=None).values("user")
        self.fields["user"].queryset = User.objects.filter(
            structure=structure, role=Role.PRACTITIONER
        ).exclude(pk__in=taken)
        if self.instance.pk:
            self.fields["sites"].initial = self.instance.sites.all()
            self.fields["services"].initial = self.instance.services.all()

    def clean_rpps(self) -> str:
        return "".join(self.cleaned_data["rpps"].split())


DAY_FIELDS = ("morning_opens", "morning_closes", "afternoon_opens", "afternoon_closes")


class OpeningHoursForm(forms.Form):
    """One row per weekday with a morning and an afternoon period, each optional."""

    def __init__(self, *args, site: Site, **kwargs):
        super().__init__(*args, **kwargs)
        existing: dict[int, list[OpeningHours]] = {}
        for period in site.opening_hours.all():
            existing.setdefault(period.weekday, []).append(period)
        self.days = []
        for day in OpeningHours.Weekday:
            periods = existing.get(day.value, [])
            row = []
            for index, name in enumerate(DAY_FIELDS):
                period = periods[index // 2] if len(periods) > index // 2 else None
                initial = (period.opens_at if index % 2 == 0 else period.closes_at) if period else None
                field_name = f"day{day.value}_{name}"
                self.fields[field_name] = forms.TimeField(
                    required=False, initial=initial,
                    label=f"{day.label} — {name}",
                    widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                )
                row.append(field_name)
            self.days.append((day, [self[name] for name in row]))

    def periods(self) -> list[tuple[int, object, object]]:
        result = []
        for day in OpeningHours.Weekday:
            values = [self.cleaned_data.get(f"day{day.value}_{name}") for name in DAY_FIELDS]
            for opens_at, closes_at in (values[0:2], values[2:4]):
                if opens_at and closes_at:
                    result.append((day.value, opens_at, closes_at))
                elif opens_at or closes_at:
                    self.add_error(
                        f"day{day.value}_{DAY_FIELDS[0]}",
                        _("{day}: give both the opening and the closing time of a period.").format(day=day.label),
                    )
        return result
