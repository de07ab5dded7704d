from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Username or e-mail"), max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    desk = forms.CharField(
        label=_("Desk (optional)"), max_length=100, required=False,
        help_text=_("The name of this workstation, kept in the audit trail (e.g. “Accueil 1”)."),
    )

    error_messages = {
        "invalid_login": _("Wrong username, e-mail or password. Check the caps lock key and try again."),
        "inactive": _("This account is disabled. Ask your coordinator."),
    }


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label=_("6-digit code"), max_length=7, min_length=6,
        widget=forms.TextInput(attrs={
            "autofocus": True, "autocomplete": "one-time-code", "inputmode": "numeric",
            "pattern": "[0-9 ]{6,7}",
        }),
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].replace(" ", "")
        if not code.isdigit() or len(code) != 6:
            raise forms.ValidationError(_("Type the 6 digits shown by your authenticator app."))
        return code


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), widget=forms.EmailInput(attrs={"autofocus": True}))
