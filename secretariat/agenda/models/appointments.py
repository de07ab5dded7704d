"""Appointments, their series, the resources booked with them, and appointments made for the
patient elsewhere (external).

No double booking is guaranteed by the database: on PostgreSQL exclusion constraints
(migrations ``0002`` and ``0005``) refuse two live appointments of a practitioner, or two
live bookings of a resource, overlapping in time; on SQLite, where writers are serialised by
IMMEDIATE transactions, ``services.book_appointment`` checks overlaps inside its transaction,
and partial unique indexes on (practitioner, start) and (resource, start) back it on both.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .schedule import AppointmentType, Resource

# Types last at most a day (AppointmentType.duration_minutes), so an appointment overlapping a
# window starts at most this long before it: overlap queries bound ``start`` from below with it.
MAX_APPOINTMENT_LENGTH = timedelta(days=1)

# Names of the PostgreSQL exclusion constraints (migrations 0002 and 0005).
NO_OVERLAP_CONSTRAINT = "agenda_appointment_no_overlap"
RESOURCE_NO_OVERLAP_CONSTRAINT = "agenda_resourcebooking_no_overlap"
SAME_START_CONSTRAINT = "appointment_unique_start_per_practitioner"
RESOURCE_SAME_START_CONSTRAINT = "resource_booking_unique_start"


class AppointmentSeries(models.Model):
    """Recurring appointments booked together (ten weekly physiotherapy sessions…)."""

    structure = models.ForeignKey("core.Structure", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="appointment_series")
    practitioner = models.ForeignKey("core.Practitioner", on_delete=models.PROTECT, related_name="+")
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT, related_name="+")
    interval_days = models.PositiveSmallIntegerField(_("every (days)"), default=7)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("series of appointments")
        verbose_name_plural = _("series of appointments")

    def __str__(self) -> str:
        return f"{self.appointment_type} ({self.pk})"


class Appointment(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        ARRIVED = "arrived", _("Arrived")
        SEEN = "seen", _("Seen")
        MISSED = "missed", _("Missed")
        CANCELLED = "cancelled", _("Cancelled")
        EXCUSED_LATE = "excused_late", _("Excused late")

    class Channel(models.TextChoices):
        DESK = "desk", _("At the desk or by phone")
        ONLINE = "online", _("Online by the patient")
        API = "api", _("Through the API")

    structure = models.ForeignKey("core.Structure", on_delete=models.PROTECT, related_name="appointments")
    practitioner = models.ForeignKey("core.Practitioner", on_delete=models.PROTECT, related_name="appointments")
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="appointments")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="appointments")
    appointment_type = models.ForeignKey(
        AppointmentType, on_delete=models.PROTECT, related_name="appointments",
        verbose_name=_("appointment type"),
    )
    series = models.ForeignKey(AppointmentSeries, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="appointments")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.BOOKED)
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    channel = models.CharField(_("booked"), max_length=10, choices=Channel.choices, default=Channel.DESK)
    urgent = models.BooleanField(_("urgent request"), default=False)
    is_first_visit = models.BooleanField(
        _("first visit"), default=False, help_text=_("The patient had never been seen by this practitioner."),
    )
    confirmed_by_patient_at = models.DateTimeField(_("confirmed by the patient at"), null=True, blank=True)
    video_room_url = models.URLField(_("video room"), blank=True)
    overridden_directives = models.JSONField(
        _("directives overridden"), default=list, blank=True,
        help_text=_("Codes of the practitioner's directives this booking was allowed to break."),
    )
    override_reason = models.CharField(_("reason for overriding"), max_length=300, blank=True)
    cancellation_reason = models.CharField(_("cancellation reason"), max_length=300, blank=True)
    cancelled_by_patient = models.BooleanField(
        _("cancelled by the patient"), null=True, blank=True,
        help_text=_("Empty unless cancelled: who asked for the cancellation."),
    )
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("cancelled by"),
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("booked by"),
    )
    booked_at = models.DateTimeField(_("booked at"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["start"]
        indexes = [
            models.Index(fields=["practitioner", "start"], name="appointment_practitioner_start"),
            models.Index(fields=["patient", "start"], name="appointment_patient_start"),
            models.Index(fields=["site", "start"], name="appointment_site_start"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="appointment_end_after_start"),
            # Both databases: never two live appointments of a practitioner at the same start
            # (PostgreSQL also refuses any overlap, see NO_OVERLAP_CONSTRAINT).
            models.UniqueConstraint(
                fields=["practitioner", "start"], condition=~Q(status="cancelled"),
                name=SAME_START_CONSTRAINT,
            ),
            models.CheckConstraint(
                condition=Q(status="cancelled") | Q(cancelled_at__isnull=True),
                name="appointment_cancelled_at_only_if_cancelled",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.start:%d/%m/%Y %H:%M} {self.appointment_type}"

    @property
    def is_live(self) -> bool:
        return self.status != self.Status.CANCELLED


class ResourceBooking(models.Model):
    """A resource held by an appointment; ``is_live`` follows the appointment's cancellation."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="resource_bookings")
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="bookings")
    start = models.DateTimeField()
    end = models.DateTimeField()
    is_live = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("resource booking")
        verbose_name_plural = _("resource bookings")
        indexes = [models.Index(fields=["resource", "start"], name="resource_booking_start")]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="resource_booking_end_after_start"),
            models.UniqueConstraint(fields=["resource", "start"], condition=Q(is_live=True),
                                    name=RESOURCE_SAME_START_CONSTRAINT),
        ]

    def __str__(self) -> str:
        return f"{self.resource} {self.start:%d/%m/%Y %H:%M}"


class ExternalAppointment(models.Model):
    """An appointment made for the patient elsewhere (imaging, laboratory, a specialist, a
    hospital), kept so it appears in the patient's pathway with what to prepare."""

    class Kind(models.TextChoices):
        EXAM = "exam", _("Examination (imaging, laboratory…)")
        SPECIALIST = "specialist", _("Specialist consultation")
        HOSPITAL = "hospital", _("Hospital stay or day hospital")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    structure = models.ForeignKey("core.Structure", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT,
                                related_name="external_appointments")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.EXAM)
    title = models.CharField(_("what"), max_length=200, help_text=_("e.g. Echocardiography, cardiologist"))
    start = models.DateTimeField(_("when"))
    place = models.CharField(_("where"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True,
                               help_text=_("Phone or name of the person who booked it there."))
    preparation = models.TextField(_("preparation and documents"), blank=True)
    requested_by = models.ForeignKey("core.Practitioner", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("requested by"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("external appointment")
        verbose_name_plural = _("external appointments")
        ordering = ["start"]
        indexes = [models.Index(fields=["patient", "start"], name="external_patient_start")]

    def __str__(self) -> str:
        return f"{self.start:%d/%m/%Y %H:%M} {self.title}"
