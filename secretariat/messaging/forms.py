from django import forms
from django.utils.translation import gettext_lazy as _

from secretariat.messaging.models import OutboundMessage


class MessageFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All, failures first")), *OutboundMessage.Status.choices])
    channel = forms.ChoiceField(label=_("Channel"), required=False,
                                choices=[("", _("E-mail and SMS")), *OutboundMessage.Channel.choices])
