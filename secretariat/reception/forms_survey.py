"""The public survey form: four scores from 1 to 5, would you recommend us, a comment."""

from django import forms
from django.utils.translation import gettext_lazy as _

from secretariat.reception.services_survey import COMMENT_MAX

SCORE_CHOICES = [(value, str(value)) for value in range(1, 6)]
QUESTIONS = {
    "welcome": _("How were you welcomed?"),
    "waiting": _("How did you find the waiting time?"),
    "information": _("Were you given clear information?"),
    "overall": _("Overall, how satisfied are you?"),
}


def _score(name: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=QUESTIONS[name], choices=SCORE_CHOICES, coerce=int, widget=forms.RadioSelect,
                                  error_messages={"required": _("Choose a score from 1 to 5."),
                                                  "invalid_choice": _("Choose a score from 1 to 5.")})


class SurveyForm(forms.Form):
    welcome = _score("welcome")
    waiting = _score("waiting")
    information = _score("information")
    overall = _score("overall")
    would_recommend = forms.TypedChoiceField(
        label=_("Would you recommend us to someone close to you?"), required=False, widget=forms.RadioSelect,
        choices=[("yes", _("Yes")), ("no", _("No"))], coerce=lambda value: value == "yes", empty_value=None)
    comment = forms.CharField(
        label=_("A comment? (optional)"), required=False, max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": COMMENT_MAX}),
        help_text=_("Please write no name and nothing about your health: this survey is anonymous."))
    # Left empty by people; robots fill it. Hidden with CSS, out of the tab order.
    website = forms.CharField(required=False, label=_("Leave this field empty"),
                              widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))

    def answers(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in ("welcome", "waiting", "information", "overall", "would_recommend",
                                              "comment")}

    def score_fields(self):
        return [self[name] for name in QUESTIONS]
