"""The desk's day: who came (``Visit``), where they are called, the waiting-room screens, the
desk settings and what was read from a carte Vitale."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Priority(models.IntegerChoices):
    """Outcome of an urgency triage, most urgent first (the walk-in queue sorts on it)."""

    EMERGENCY = 1, _("Call emergency services (15 / 112) now")
    SAME_DAY = 2, _("Seen today")
    WITHIN_DAYS = 3, _("Seen within a few days")
    ROUTINE = 4, _("Routine appointment")


class ReceptionSettings(models.Model):
    """How the desk of a structure works; one row per structure, made on first use."""

    class PublicDisplay(models.TextChoices):
        TICKET = "ticket", _("Ticket number only")
        INITIALS = "initials", _("Ticket number and initials")

    structure = models.OneToOneField("core.Structure", on_delete=models.CASCADE, related_name="reception_settings")
    public_display = models.CharField(
        _("waiting-room screen shows"), max_length=10, choices=PublicDisplay.choices,
        default=PublicDisplay.TICKET,
        help_text=_("Never a name: a ticket number, or the ticket with the initials if the structure chooses."),
    )
    call_chime = models.BooleanField(_("chime when a patient is called"), default=True)
    late_after_minutes = models.PositiveSmallIntegerField(
        _("late after (minutes)"), default=10,
        help_text=_("An expected patient not arrived this long after the time is shown as late."),
    )
    missing_after_minutes = models.PositiveSmallIntegerField(
        _("missing after (minutes)"), default=30,
        help_text=_("…and as missing after this long."),
    )
    survey_enabled = models.BooleanField(_("satisfaction survey open"), default=True)
    survey_link_after_visit = models.BooleanField(
        _("send the survey link after the visit"), default=False,
        help_text=_("By SMS or e-mail, only to patients who agreed to be contacted that way."),
    )

    class Meta:
        verbose_name = _("desk settings")
        verbose_name_plural = _("desk settings")

    def __str__(self) -> str:
        return str(_("Desk settings"))

    @classmethod
    def for_structure(cls, structure_id: int) -> "ReceptionSettings":
        settings_row, _created = cls.objects.get_or_create(structure_id=structure_id)
        return settings_row


class ConsultingRoom(models.Model):
    """Where a practitioner receives on a site: the room the waiting-room screen sends people to."""

    site = models.ForeignKey("core.Site", on_delete=models.CASCADE, related_name="consulting_rooms")
    practitioner = models.ForeignKey("core.Practitioner", on_delete=models.CASCADE, related_name="consulting_rooms")
    label = models.CharField(_("room"), max_length=60, help_text=_("As written on the door, e.g. Cabinet 2."))

    class Meta:
        verbose_name = _("consulting room")
        verbose_name_plural = _("consulting rooms")
        constraints = [
            models.UniqueConstraint(fields=["site", "practitioner"], name="consulting_room_one_per_practitioner"),
        ]

    def __str__(self) -> str:
        return self.label


class PublicScreen(models.Model):
    """A waiting-room display (TV, tablet). Reached without login through a secret address that
    carries no patient data; only the secret's hash is stored, and it can be revoked."""

    structure = models.ForeignKey("core.Structure", on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey("core.Site", on_delete=models.CASCADE, related_name="public_screens")
    label = models.CharField(_("name"), max_length=100, help_text=_("e.g. TV of the ground-floor waiting room."))
    secret_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("waiting-room screen")
        verbose_name_plural = _("waiting-room screens")
        ordering = ["site", "label"]

    def __str__(self) -> str:
        return self.label


class Visit(models.Model):
    """One person's passage through the waiting room on one day, with or without an appointment."""

    class State(models.TextChoices):
        ARRIVED = "arrived", _("Waiting")
        CALLED = "called", _("Called")
        IN_CONSULTATION = "in_consultation", _("In consultation")
        DONE = "done", _("Done")
        LEFT = "left", _("Left without being seen")

    structure = models.ForeignKey("core.Structure", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="visits")
    day = models.DateField(_("day"))
    ticket = models.PositiveSmallIntegerField(
        _("ticket"), help_text=_("Number called on the waiting-room screen, from 1 each day and site."))
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="visits")
    appointment = models.OneToOneField(
        "agenda.Appointment", on_delete=models.PROTECT, null=True, blank=True, related_name="visit")
    practitioner = models.ForeignKey(
        "core.Practitioner", on_delete=models.PROTECT, null=True, blank=True, related_name="visits",
        verbose_name=_("practitioner"), help_text=_("Empty for a walk-in seen by the first practitioner free."),
    )
    is_walk_in = models.BooleanField(_("walk-in"), default=False)
    reason = models.CharField(_("reason for coming"), max_length=200, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, null=True, blank=True,
        help_text=_("From the practitioners' triage protocol; walk-ins are called in this order."),
    )
    triage = models.ForeignKey("reception.TriageRecord", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="visits")
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.ARRIVED)
    arrived_at = models.DateTimeField(_("arrived at"))
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    identity_document_requested = models.BooleanField(
        _("identity document requested"), default=False,
        help_text=_("The identity was not validated at check-in: the desk asked for a document (RNIV)."),
    )
    coverage_warnings = models.JSONField(
        _("coverage to check"), default=list, blank=True,
        help_text=_("Codes of the coverage problems seen at check-in."),
    )
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    called_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    call_count = models.PositiveSmallIntegerField(_("times called"), default=0)
    room = models.CharField(_("room"), max_length=60, blank=True)
    consultation_started_at = models.DateTimeField(_("consultation started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["arrived_at"]
        indexes = [
            models.Index(fields=["site", "day", "state"], name="visit_site_day_state"),
            models.Index(fields=["practitioner", "day"], name="visit_practitioner_day"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["site", "day", "ticket"], name="visit_unique_ticket_per_site_day"),
            models.CheckConstraint(condition=Q(is_walk_in=True) | Q(appointment__isnull=False),
                                   name="visit_walk_in_or_appointment"),
        ]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} · {self.ticket:03d}"

    @property
    def ticket_label(self) -> str:
        return f"{self.ticket:03d}"


class VitaleReading(models.Model):
    """What a carte Vitale (or the app carte Vitale) said about a patient, and what the desk
    copied into the file from it: the trace of the comparison screen."""

    class Source(models.TextChoices):
        SIMULATION = "simulation", _("Simulated reader (demo and tests)")
        CARD = "card", _("Carte Vitale in a certified reader")
        APP = "app", _("App carte Vitale")

    structure = models.ForeignKey("core.Structure", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="vitale_readings")
    source = models.CharField(_("read with"), max_length=20, choices=Source.choices)
    read_at = models.DateTimeField(_("read at"), auto_now_add=True)
    read_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    beneficiary = models.JSONField(_("beneficiary read"), default=dict)
    applied = models.JSONField(_("copied into the file"), default=dict, blank=True)

    class Meta:
        verbose_name = _("carte Vitale reading")
        verbose_name_plural = _("carte Vitale readings")
        ordering = ["-read_at"]

    def __str__(self) -> str:
        return f"{self.get_source_display()} · {self.read_at:%d/%m/%Y %H:%M}"
