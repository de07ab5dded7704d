"""Audit action codes of messages to patients (labels translated when displayed)."""

from django.utils.translation import gettext_lazy as _

from secretariat.core.audit import register

register("messaging.message_retried", _("Message to a patient sent again"))
register("messaging.failure_acknowledged", _("Failed message to a patient dealt with"))
