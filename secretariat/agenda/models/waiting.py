"""The waiting list: patients who want an earlier slot, and the offers made to them when one
frees (the first to accept gets it)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .appointments import Appointment
from .schedule import AppointmentType


class WaitingListEntry(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        BOOKED = "booked", _("Booked")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    structure = models.ForeignKey("core.Structure", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="waiting_list_entries")
    practitioner = models.ForeignKey(
        "core.Practitioner", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("practitioner"), help_text=_("Empty: any practitioner giving this type."),
    )
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT, related_name="+",
                                         verbose_name=_("appointment type"))
    current_appointment = models.ForeignKey(
        Appointment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("appointment to bring forward"),
        help_text=_("The patient's later appointment, cancelled when an earlier one is booked."),
    )
    not_before = models.DateField(_("not before"), null=True, blank=True)
    latest = models.DateField(_("at the latest"), help_text=_("Slots after this date are not proposed."))
    mornings_only = models.BooleanField(_("mornings only"), default=False)
    afternoons_only = models.BooleanField(_("afternoons only"), default=False)
    weekdays = models.JSONField(_("days"), default=list, blank=True,
                                help_text=_("Days that suit the patient (0 = Monday); empty for any."))
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.WAITING)
    booked_appointment = models.ForeignKey(Appointment, on_delete=models.SET_NULL, null=True, blank=True,
                                           related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("waiting-list entry")
        verbose_name_plural = _("waiting list")
        ordering = ["created_at"]
        indexes = [models.Index(fields=["structure", "status", "latest"], name="waiting_structure_status")]
        constraints = [
            models.CheckConstraint(condition=~(Q(mornings_only=True) & Q(afternoons_only=True)),
                                   name="waiting_half_days_exclusive"),
            models.CheckConstraint(condition=Q(not_before__isnull=True) | Q(latest__gte=models.F("not_before")),
                                   name="waiting_dates_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.patient} · {self.appointment_type}"


class SlotOffer(models.Model):
    """A freed slot offered to a waiting patient by SMS or e-mail; several patients may be
    offered the same slot: the first to accept books it, the others are told it is gone."""

    class Status(models.TextChoices):
        OFFERED = "offered", _("Offered")
        ACCEPTED = "accepted", _("Accepted")
        TAKEN = "taken", _("Taken by someone else")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")

    entry = models.ForeignKey(WaitingListEntry, on_delete=models.CASCADE, related_name="offers")
    practitioner = models.ForeignKey("core.Practitioner", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="+")
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OFFERED)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    appointment = models.ForeignKey(Appointment, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("slot offer")
        verbose_name_plural = _("slot offers")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.start:%d/%m/%Y %H:%M} → {self.entry}"
