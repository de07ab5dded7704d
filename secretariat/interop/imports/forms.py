"""Forms of the import: the file, the column mapping with the care team, the confirmation."""

from django import forms
from django.utils.translation import gettext_lazy as _

from secretariat.interop.imports import parsing


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file exported by the other software"),
        help_text=_("Columns separated by semicolons, commas or tabs, the column names on the "
                    "first row; UTF-8 or Windows encoding. At most 5 MB and 50,000 patients."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
    )


def column_field_name(column: int) -> str:
    return f"column_{column}"


class MappingForm(forms.Form):
    """One select per column of the file (our field, or ignore), and the care team."""

    care_team = forms.ModelChoiceField(
        label=_("Care team following the imported patients"), queryset=None,
        help_text=_("Its members will see the files created."),
    )

    def __init__(self, *args, headers, care_teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = list(headers)
        choices = [(parsing.IGNORE, _("Ignore this column")), *parsing.FIELDS]
        for column, header in enumerate(self.headers):
            self.fields[column_field_name(column)] = forms.ChoiceField(
                label=header or _("Column %(number)d") % {"number": column + 1},
                choices=choices, required=False)
        self.fields["care_team"].queryset = care_teams
        if len(care_teams) == 1:
            self.fields["care_team"].initial = care_teams[0].pk
        # The care team comes last on the screen, after the columns.
        self.order_fields([column_field_name(column) for column in range(len(self.headers))])

    def column_fields(self):
        return [self[column_field_name(column)] for column in range(len(self.headers))]

    def clean(self):
        data = super().clean()
        for problem in parsing.mapping_problems(self.mapping()):
            self.add_error(None, problem)
        return data

    def mapping(self) -> list[str]:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return [data.get(column_field_name(column), parsing.IGNORE) or parsing.IGNORE
                for column in range(len(self.headers))]

    @staticmethod
    def initial_for(mapping, *, care_team=None) -> dict:
        initial = {column_field_name(column): name for column, name in enumerate(mapping)}
        if care_team is not None:
            initial["care_team"] = care_team.pk
        return initial


class ConfirmForm(MappingForm):
    """The mapping again, as hidden fields, with the outcome the user saw."""

    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64, min_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget = forms.HiddenInput()
