"""The phone log: each call taken or made, its outcome, and the callbacks the team owes."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PhoneCall(models.Model):
    class Direction(models.TextChoices):
        INCOMING = "in", _("Incoming")
        OUTGOING = "out", _("Outgoing")

    class Outcome(models.TextChoices):
        BOOKED = "booked", _("Appointment booked")
        MESSAGE = "message", _("Message passed")
        INFORMATION = "information", _("Information given")
        EMERGENCY = "emergency", _("Redirected to emergency services (15 / 112)")
        REDIRECTED = "redirected", _("Redirected elsewhere")
        CALLBACK = "callback", _("To call back")

    structure = models.ForeignKey("core.Structure", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    taken_at = models.DateTimeField(_("when"))
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices,
                                 default=Direction.INCOMING)
    caller_name = models.CharField(_("caller"), max_length=150, blank=True)
    caller_phone = models.CharField(_("caller's phone"), max_length=20, blank=True)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="phone_calls", verbose_name=_("patient"))
    practitioner = models.ForeignKey("core.Practitioner", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("for practitioner"))
    reason = models.CharField(_("reason"), max_length=300)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    appointment = models.ForeignKey("agenda.Appointment", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    triage = models.ForeignKey("reception.TriageRecord", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="phone_calls")
    transmission = models.ForeignKey("reception.Transmission", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    callback_due_at = models.DateTimeField(_("call back before"), null=True, blank=True)
    callback_assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("callback by"), help_text=_("Empty: anyone in the team."),
    )
    callback_done_at = models.DateTimeField(_("called back at"), null=True, blank=True)
    callback_done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                         blank=True, related_name="+")
    callback_result = models.CharField(_("callback result"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("phone call")
        verbose_name_plural = _("phone calls")
        ordering = ["-taken_at"]
        indexes = [
            models.Index(fields=["structure", "taken_at"], name="call_structure_taken"),
            models.Index(fields=["structure", "callback_done_at", "callback_due_at"], name="call_pending_callbacks"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(callback_done_at__isnull=True) | Q(callback_due_at__isnull=False),
                                   name="call_callback_done_only_if_due"),
        ]

    def __str__(self) -> str:
        return f"{self.taken_at:%d/%m/%Y %H:%M} · {self.reason[:60]}"

    @property
    def callback_pending(self) -> bool:
        return self.callback_due_at is not None and self.callback_done_at is None
