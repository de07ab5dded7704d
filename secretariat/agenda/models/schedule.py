"""Schedules: appointment types, weekly periods (plages), exceptions, absences, resources,
and each practitioner's directives (consignes).

Times of periods and exceptions are wall-clock times of the structure's time zone; they
become instants in ``rules/periods.py``. Absences are aware instants (they may span days).
"""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from secretariat.core.models import Weekday


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
    bookable_by_staff = models.BooleanField(
        _("bookable by the secretariat"), default=True,
        help_text=_("Unchecked: only a practitioner or a coordinator books this type."),
    )
    preparation_instructions = models.TextField(
        _("preparation instructions"), blank=True,
        help_text=_("Sent to the patient with the confirmation: fasting, what to do before…"),
    )
    documents_to_bring = models.TextField(
        _("documents to bring"), blank=True,
        help_text=_("Listed in the confirmation and the reminders: prescription, previous results…"),
    )
    buffer_after_minutes = models.PositiveSmallIntegerField(
        _("buffer after (minutes)"), default=0,
        help_text=_("Time kept free after this type (cleaning a room, writing a report)."),
    )
    resources = models.ManyToManyField(
        "agenda.Resource", related_name="appointment_types", blank=True, verbose_name=_("resources needed"),
        help_text=_("Rooms or equipment booked with each appointment of this type."),
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

    @property
    def buffer_after(self) -> timedelta:
        return timedelta(minutes=self.buffer_after_minutes)


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


class Absence(models.Model):
    """A practitioner away (leave, training, illness): no slot is offered, booked appointments
    inside it are listed for rebooking (``services_absences``)."""

    practitioner = models.ForeignKey("core.Practitioner", on_delete=models.CASCADE, related_name="absences")
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["practitioner", "start"]
        indexes = [models.Index(fields=["practitioner", "start"], name="absence_practitioner_start")]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="absence_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.start:%d/%m/%Y %H:%M} – {self.end:%d/%m/%Y %H:%M}"


class Resource(models.Model):
    """A room or a piece of equipment an appointment type needs; booked with the appointment
    and never double-booked (``ResourceBooking``)."""

    class Kind(models.TextChoices):
        ROOM = "room", _("Room")
        EQUIPMENT = "equipment", _("Equipment")

    structure = models.ForeignKey("core.Structure", on_delete=models.PROTECT, related_name="agenda_resources")
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="agenda_resources")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ROOM)
    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["site", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="resource_unique_name_per_site"),
        ]

    def __str__(self) -> str:
        return self.name


class PractitionerDirectives(models.Model):
    """A practitioner's general booking rules (consignes), applied by ``rules/directives.py``.

    Edited by the practitioner or a coordinator. Rules for one appointment type (quotas,
    duration, buffer, not accepted) are ``TypeDirective`` rows.
    """

    practitioner = models.OneToOneField("core.Practitioner", on_delete=models.CASCADE, related_name="directives")
    min_notice_minutes = models.PositiveIntegerField(
        _("minimum notice (minutes)"), default=0,
        help_text=_("No appointment booked closer to its start than this."),
    )
    online_min_notice_hours = models.PositiveIntegerField(
        _("minimum notice online (hours)"), default=24,
        help_text=_("Patients booking online cannot take a slot closer than this."),
    )
    online_max_missed = models.PositiveSmallIntegerField(
        _("missed appointments before online booking is closed"), null=True, blank=True, default=2,
        help_text=_("A patient who missed this many appointments in the period below books by phone only; "
                    "empty for no limit."),
    )
    missed_window_days = models.PositiveSmallIntegerField(
        _("period counted (days)"), default=365,
        help_text=_("Missed appointments older than this are not counted."),
    )
    accepts_new_patients = models.BooleanField(
        _("accepts new patients"), default=True,
        help_text=_("Unchecked: only patients already seen by the practitioner may be booked."),
    )
    instructions = models.TextField(
        _("instructions to the secretariat"), blank=True,
        help_text=_("Shown to the secretary when booking: what the practitioner wants to be told, "
                    "who to put through…"),
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    class Meta:
        verbose_name = _("practitioner's directives")
        verbose_name_plural = _("practitioners' directives")

    def __str__(self) -> str:
        return str(self.practitioner)


class TypeDirective(models.Model):
    """A practitioner's rules for one appointment type: a variant (duration, buffer, extra
    instructions) and quotas per day or half-day."""

    practitioner = models.ForeignKey("core.Practitioner", on_delete=models.CASCADE, related_name="type_directives")
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.CASCADE, related_name="directives",
                                         verbose_name=_("appointment type"))
    accepted = models.BooleanField(
        _("accepted"), default=True, help_text=_("Unchecked: the practitioner does not take this type."),
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
        help_text=_("The practitioner's own duration; empty for the type's."),
    )
    buffer_after_minutes = models.PositiveSmallIntegerField(
        _("buffer after (minutes)"), null=True, blank=True, help_text=_("Empty for the type's."),
    )
    max_per_day = models.PositiveSmallIntegerField(_("at most per day"), null=True, blank=True)
    max_per_half_day = models.PositiveSmallIntegerField(_("at most per half-day"), null=True, blank=True)
    extra_instructions = models.TextField(
        _("extra preparation instructions"), blank=True,
        help_text=_("Added to the type's instructions in this practitioner's messages."),
    )

    class Meta:
        verbose_name = _("directive for a type")
        verbose_name_plural = _("directives for a type")
        constraints = [
            models.UniqueConstraint(fields=["practitioner", "appointment_type"],
                                    name="type_directive_unique_per_practitioner"),
            models.CheckConstraint(condition=Q(duration_minutes__isnull=True) | Q(duration_minutes__gt=0),
                                   name="type_directive_positive_duration"),
        ]

    def __str__(self) -> str:
        return f"{self.practitioner} · {self.appointment_type}"


class AgendaSettings(models.Model):
    """Per-structure settings of reminders, online booking and teleconsultation."""

    structure = models.OneToOneField("core.Structure", on_delete=models.CASCADE, related_name="agenda_settings")
    reminder_hours = models.JSONField(
        _("reminders (hours before)"), default=list,
        help_text=_("For example 48 and 2: a reminder two days before and one two hours before."),
    )
    online_booking_enabled = models.BooleanField(_("online booking open"), default=False)
    online_booking_days = models.PositiveSmallIntegerField(
        _("online booking horizon (days)"), default=60,
        help_text=_("Patients see free slots up to this many days ahead."),
    )
    video_base_url = models.URLField(
        _("video service address"), blank=True,
        help_text=_("Base address of the video service (e.g. a self-hosted Jitsi: https://visio.example.org/); "
                    "a unique room is created under it for each teleconsultation."),
    )
    offer_validity_minutes = models.PositiveIntegerField(
        _("waiting-list offer valid for (minutes)"), default=120,
    )

    class Meta:
        verbose_name = _("agenda settings")
        verbose_name_plural = _("agenda settings")

    def __str__(self) -> str:
        return str(self.structure)

    @classmethod
    def for_structure(cls, structure_id: int) -> "AgendaSettings":
        """The structure's settings, or unsaved defaults (48 h and 2 h reminders)."""
        found = cls.objects.filter(structure_id=structure_id).first()
        return found or cls(structure_id=structure_id, reminder_hours=[48, 2])
