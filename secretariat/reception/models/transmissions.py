"""Messages from the desk to practitioners and colleagues (transmissions), with replies and
read receipts. A message about a patient is part of their care: only roles that may read
medical messages see it (``permissions.transmissions_for``)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Transmission(models.Model):
    class Priority(models.TextChoices):
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("Important")
        URGENT = "urgent", _("Urgent")

    structure = models.ForeignKey("core.Structure", on_delete=models.PROTECT, related_name="+")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="transmissions_received", verbose_name=_("to"))
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="transmissions", verbose_name=_("about patient"))
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), max_length=5000, blank=True)
    in_reply_to = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="replies")
    thread_root = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    help_text=_("First message of the conversation; empty on that message."))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message to a colleague")
        verbose_name_plural = _("messages to colleagues")
        ordering = ["-sent_at"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="transmission_inbox"),
            models.Index(fields=["sender", "sent_at"], name="transmission_sent"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_medical(self) -> bool:
        return self.patient_id is not None
