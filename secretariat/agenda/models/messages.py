"""What the agenda sends and publishes: messages about appointments, calendar feeds, and
online booking requests waiting for their confirmation code."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .appointments import Appointment
from .schedule import AppointmentType


class AppointmentMessage(models.Model):
    """One message about an appointment; ``key`` makes each reminder go once per channel
    (it holds the appointment's start, so a moved appointment gets new reminders)."""

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("Confirmation")
        CHANGE = "change", _("Change")
        CANCELLATION = "cancellation", _("Cancellation")
        REMINDER = "reminder", _("Reminder")

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=100)
    message = models.OneToOneField("messaging.OutboundMessage", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("appointment message")
        verbose_name_plural = _("appointment messages")
        constraints = [
            models.UniqueConstraint(fields=["appointment", "key"], name="appointment_message_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.appointment}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A private iCalendar address of a practitioner's agenda; revoking it kills the address."""

    practitioner = models.ForeignKey("core.Practitioner", on_delete=models.CASCADE, related_name="calendar_feeds")
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.practitioner} ({self.created_at:%d/%m/%Y})"


class OnlineBookingRequest(models.Model):
    """A slot chosen online, held until the patient types the code sent to them."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the code")
        CONFIRMED = "confirmed", _("Confirmed")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    structure = models.ForeignKey("core.Structure", on_delete=models.CASCADE, related_name="+")
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.CASCADE, related_name="+")
    practitioner = models.ForeignKey("core.Practitioner", on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey("core.Site", on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField()
    last_name = models.CharField(max_length=100)
    first_names = models.CharField(max_length=200)
    birth_date = models.DateField()
    sex = models.CharField(max_length=1)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=20, blank=True)
    code_hash = models.CharField(max_length=128)
    attempts = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    client_address = models.GenericIPAddressField(null=True, blank=True)
    expires_at = models.DateTimeField()
    appointment = models.ForeignKey(Appointment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("online booking request")
        verbose_name_plural = _("online booking requests")
        indexes = [
            models.Index(fields=["client_address", "created_at"], name="online_request_address"),
            models.Index(fields=["email", "created_at"], name="online_request_email"),
            models.Index(fields=["phone", "created_at"], name="online_request_phone"),
        ]

    def __str__(self) -> str:
        return f"{self.start:%d/%m/%Y %H:%M} ({self.get_status_display()})"
