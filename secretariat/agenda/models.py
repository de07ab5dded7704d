"""Schedules and appointments: appointment types, weekly periods (plages), exceptions.

Times of periods and exceptions are wall-clock times of the structure's time zone; they
become instants in ``rules/periods.py``. Appointments are aware instants.

No double booking is guaranteed by the database: on PostgreSQL an exclusion constraint
(migration ``0002_appointment_no_overlap``) refuses two non-cancelled appointments of a
practitioner overlapping in time; on SQLite, where writers are serialised by IMMEDIATE
transactions, ``services.book_appointment`` checks overlaps inside its transaction, and a
partial unique index on (practitioner, start) backs it on both databases.
"""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from secretariat.core.models import Weekday

# Name of the PostgreSQL exclusion constraint created by migration 0002.
NO_OVERLAP_CONSTRAINT = "agenda_appointment_no_overlap"
SAME_START_CONSTRAINT = "appointment_unique_start_per_practitioner"


class AppointmentType(models.Model):
    """A reason for an appointment (motif): how long it lasts, where, who may book it."""

    class Mode(models.TextChoices):
        PRACTICE = "practice", _("At the practice")
        TELECONSULTATION = "teleconsultation", _("Teleconsultation")
        HOME_VISIT = "home_visit", _("Home visit")

    structure = models.ForeignKey(
        "core.Structure", on_delete=models.PROTECT, related_name="appointment_types"
    )
    code = models.SlugField(
        _("code"), max_length=50,
        help_text=_("Short unique name within the structure, used by periods and exports."),
    )
    label = models.CharField(_("label"), max_length=200)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
    )
    colour = models.CharField(
        _("colour"), max_length=7, default="#4a78b5",
        help_text=_("Colour of the appointments of this type in the agenda (#rrggbb)."),
    )
    mode = models.CharField(_("mode"), max_length=20, choices=Mode.choices, default=Mode.PRACTICE)
    bookable_online = models.BooleanField(
        _("bookable online"), default=False,
        help_text=_("Patients may book this type themselves on the online booking pages."),
    )
    new_patients_allowed = models.BooleanField(
        _("new patients allowed"), default=True,
        help_text=_("Whether a patient never seen by the practitioner may book this type."),
    )
    min_age = models.PositiveSmallIntegerField(
        _("minimum age"), null=True, blank=True, help_text=_("In years, included; empty for no limit."),
    )
    max_age = models.PositiveSmallIntegerField(
        _("maximum age"), null=True, blank=True, help_text=_("In years, included; empty for no limit."),
    )
    preparation_instructions = models.TextField(
        _("preparation instructions"), blank=True,
        help_text=_("Sent to the patient with the confirmation: fasting, documents to bring…"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("appointment type")
        verbose_name_plural = _("appointment types")
        ordering = ["structure", "label"]
        constraints = [
            models.UniqueConstraint(fields=["structure", "code"], name="appointment_type_unique_code"),
            models.CheckConstraint(condition=Q(duration_minutes__gt=0),
                                   name="appointment_type_positive_duration"),
            models.CheckConstraint(
                condition=Q(min_age__isnull=True) | Q(max_age__isnull=True) | Q(max_age__gte=F("min_age")),
                name="appointment_type_ages_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)


class WeeklyPeriod(models.Model):
    """A consultation period (plage) of the weekly template of a practitioner at a site."""

    practitioner = models.ForeignKey(
        "core.Practitioner", on_delete=models.CASCADE, related_name="weekly_periods"
    )
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="weekly_periods")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("start"), help_text=_("Local time."))
    end = models.TimeField(_("end"), help_text=_("Local time, after the start."))
    valid_from = models.DateField(
        _("valid from"), null=True, blank=True, help_text=_("First date of the period; empty for always."),
    )
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("Last date of the period; empty for always."),
    )
    appointment_types = models.ManyToManyField(
        AppointmentType, related_name="weekly_periods", blank=True, verbose_name=_("appointment types"),
        help_text=_("Types that may be booked in this period; none selected means all."),
    )
    reserved_for_urgent = models.BooleanField(
        _("reserved for urgent requests"), default=False,
        help_text=_("Offered only to urgent requests until released."),
    )
    release_before = models.DurationField(
        _("released before"), null=True, blank=True,
        help_text=_("A reserved period still free this long before its start is offered to everyone."),
    )

    class Meta:
        verbose_name = _("weekly period")
        verbose_name_plural = _("weekly periods")
        ordering = ["practitioner", "weekday", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="weekly_period_end_after_start"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="weekly_period_weekday_range"),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_until__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="weekly_period_validity_ordered",
            ),
            models.CheckConstraint(
                condition=Q(release_before__isnull=True) | Q(reserved_for_urgent=True),
                name="weekly_period_release_only_if_reserved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class ScheduleException(models.Model):
    """A change on one date: an extra opening, or a closure (absence, meeting…)."""

    practitioner = models.ForeignKey(
        "core.Practitioner", on_delete=models.CASCADE, related_name="schedule_exceptions"
    )
    site = models.ForeignKey(
        "core.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="schedule_exceptions",
        help_text=_("Where the extra opening takes place; for a closure, empty closes every site."),
    )
    day = models.DateField(_("date"))
    start = models.TimeField(_("start"), help_text=_("Local time."))
    end = models.TimeField(_("end"), help_text=_("Local time, after the start."))
    is_open = models.BooleanField(
        _("extra opening"), default=False,
        help_text=_("Checked: the practitioner works then; unchecked: a closure."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("schedule exception")
        verbose_name_plural = _("schedule exceptions")
        ordering = ["practitioner", "day", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="schedule_exception_end_after_start"),
            models.CheckConstraint(condition=Q(is_open=False) | Q(site__isnull=False),
                                   name="schedule_exception_opening_has_site"),
        ]

    def __str__(self) -> str:
        kind = _("opening") if self.is_open else _("closure")
        return f"{self.day:%d/%m/%Y} {self.start:%H:%M}–{self.end:%H:%M} ({kind})"


class Appointment(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        ARRIVED = "arrived", _("Arrived")
        SEEN = "seen", _("Seen")
        MISSED = "missed", _("Missed")
        CANCELLED = "cancelled", _("Cancelled")
        EXCUSED_LATE = "excused_late", _("Excused late")

    structure = models.ForeignKey("core.Structure", on_delete=models.PROTECT, related_name="appointments")
    practitioner = models.ForeignKey("core.Practitioner", on_delete=models.PROTECT, related_name="appointments")
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="appointments")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="appointments")
    appointment_type = models.ForeignKey(
        AppointmentType, on_delete=models.PROTECT, related_name="appointments",
        verbose_name=_("appointment type"),
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.BOOKED)
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
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="appointment_end_after_start"),
            # Both databases: never two live appointments of a practitioner at the same start
            # (PostgreSQL also refuses any overlap, see NO_OVERLAP_CONSTRAINT).
            models.UniqueConstraint(
                fields=["practitioner", "start"], condition=~Q(status="cancelled"),
                name=SAME_START_CONSTRAINT,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.start:%d/%m/%Y %H:%M} {self.appointment_type}"
