"""The practitioners' protocol editor: the protocol written in a plain line format (documented
on the page), parsed and checked before it is saved."""

from django import forms
from django.utils.translation import gettext_lazy as _

from secretariat.reception.models import TriageProtocol
from secretariat.reception.rules_triage import LineFormatError, parse_lines, tree_problems


class ProtocolForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    context = forms.ChoiceField(label=_("Used"), choices=TriageProtocol.Context.choices)
    lines = forms.CharField(
        label=_("Questions and outcomes"), max_length=40_000,
        widget=forms.Textarea(attrs={"rows": 28, "spellcheck": "true", "class": "protocol-lines"}))
    sources = forms.CharField(
        label=_("Sources"), required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The public references the practitioners based the protocol on, and who adopted it when."))

    def clean(self):
        data = super().clean()
        if "lines" not in data:
            return data
        try:
            tree = parse_lines(data["lines"])
        except LineFormatError as error:
            self.add_error("lines", list(error.messages))
            return data
        problems = tree_problems(tree)
        if problems:
            self.add_error("lines", problems)
        data["tree"] = tree
        return data
