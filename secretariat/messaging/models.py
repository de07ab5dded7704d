"""Messages sent to patients by e-mail or SMS, with their delivery state.

Every message is stored before it is sent, and sent by the task queue, so a failure is
retried and stays visible to the secretariat (``status`` and ``last_error``).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboundMessage(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    structure = models.ForeignKey("core.Structure", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="outbound_messages")
    purpose = models.CharField(_("purpose"), max_length=50,
                               help_text=_("What the message is for, e.g. agenda.reminder."))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(_("to"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    provider_reference = models.CharField(_("provider reference"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(
        _("next automatic attempt"), null=True, blank=True,
        help_text=_("Empty when no automatic attempt is planned."),
    )
    # A failure stays listed until someone has dealt with it (phoned the patient, fixed the
    # address and retried): acknowledging takes it out of the count shown to the secretariat.
    acknowledged_at = models.DateTimeField(_("failure dealt with at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                        blank=True, related_name="+", verbose_name=_("failure dealt with by"))

    class Meta:
        verbose_name = _("message to a patient")
        verbose_name_plural = _("messages to patients")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["structure", "status", "created_at"], name="message_structure_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient}"

    @property
    def purpose_label(self) -> str:
        from secretariat.messaging.purposes import purpose_label

        return purpose_label(self.purpose)
