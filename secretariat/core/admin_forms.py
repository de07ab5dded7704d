"""Forms of the coordinator screens. They parse input; the services in ``services/`` decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from secretariat.core import audit
from secretariat.core.models import CareTeam, Practitioner, User
from secretariat.core.roles import Role


class UserFilterForm(forms.Form):
    STATUS_CHOICES = [("", _("Active and disabled")), ("active", _("Active")), ("disabled", _("Disabled"))]

    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("All roles")), *Role.choices])
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES)

    def filters(self) -> dict:
        """Keyword arguments for ``queries.staff_accounts_for``; an invalid form filters nothing."""
        if not self.is_valid():
            return {}
        status = self.cleaned_data["status"]
        return {
            "role": self.cleaned_data["role"] or None,
            "is_active": {"active": True, "disabled": False}.get(status),
        }


class _PersonFields(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(
        label=_("E-mail address"), max_length=254,
        help_text=_("The person receives the link to choose a password at this address."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    care_teams = forms.ModelMultipleChoiceField(
        label=_("Care teams"), required=False, queryset=CareTeam.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The person sees the patients and agendas of these teams only."),
    )

    def __init__(self, *args, structure_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["care_teams"].queryset = CareTeam.objects.filter(structure_id=structure_id).order_by("name")


class UserCreateForm(_PersonFields):
    username = forms.CharField(
        label=_("Username"), max_length=150, validators=[User.username_validator],
        help_text=_("Used to log in, e.g. “c.durand”. Letters, digits and @ . + - _ only."),
    )

    field_order = ["username", "first_name", "last_name", "email", "role", "care_teams"]


class UserEditForm(_PersonFields):
    pass


class CareTeamCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, help_text=_("e.g. “Cardiology” or “Reception”."))


class CareTeamPeopleForm(forms.Form):
    members = forms.ModelMultipleChoiceField(
        label=_("Staff members"), required=False, queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    practitioners = forms.ModelMultipleChoiceField(
        label=_("Practitioners"), required=False, queryset=Practitioner.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, structure_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = User.objects.filter(structure_id=structure_id).order_by(
            "last_name", "first_name", "username"
        )
        self.fields["members"].label_from_instance = _member_label
        self.fields["practitioners"].queryset = Practitioner.objects.filter(
            structure_id=structure_id
        ).order_by("last_name", "first_name")


def _member_label(user: User) -> str:
    label = f"{user} ({user.get_role_display() or user.username})"
    if not user.is_active:
        return _("{person} — disabled").format(person=label)
    return label


class AuditSearchForm(forms.Form):
    username = forms.CharField(label=_("Username"), required=False, max_length=150)
    patient_id = forms.IntegerField(label=_("Patient number"), required=False, min_value=1)
    action = forms.ChoiceField(label=_("Action"), required=False)
    date_from = forms.DateField(label=_("From"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(label=_("To"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("All actions")), *audit.registered_actions()]

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", _("The end date must be on or after the start date."))
        return cleaned

    def filters(self) -> dict:
        """Keyword arguments for ``queries.audit_events_for``."""
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}
