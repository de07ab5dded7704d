"""Audit codes and message purpose of online booking (labels translated when displayed)."""

from django.utils.translation import gettext_lazy as _

from secretariat.core.audit import register
from secretariat.messaging.purposes import register_purpose

register("agenda.online_code_sent", _("Online booking: code sent to the patient"))
register("agenda.online_code_confirmed", _("Online booking: code confirmed by the patient"))
register_purpose("agenda.online_code", _("Online booking code"))
