"""Difficult situations at the desk or in the waiting room, reported by anyone, closed by a
coordinator."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Incident(models.Model):
    class Kind(models.TextChoices):
        VERBAL_AGGRESSION = "verbal_aggression", _("Verbal aggression or threats")
        PHYSICAL_AGGRESSION = "physical_aggression", _("Physical aggression")
        CONFLICT = "conflict", _("Conflict")
        INCIVILITY = "incivility", _("Incivility")
        FALL = "fall", _("Fall")
        FAINTNESS = "faintness", _("Faintness or discomfort")
        DAMAGE = "damage", _("Damage or theft")
        OTHER = "other", _("Other")

    class Severity(models.IntegerChoices):
        MINOR = 1, pgettext_lazy("severity", "Minor")
        MODERATE = 2, pgettext_lazy("severity", "Moderate")
        SERIOUS = 3, pgettext_lazy("severity", "Serious")
        CRITICAL = 4, pgettext_lazy("severity", "Very serious")

    structure = models.ForeignKey("core.Structure", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("site"))
    occurred_at = models.DateTimeField(_("when"))
    place = models.CharField(_("where"), max_length=150, help_text=_("e.g. Waiting room, desk, car park."))
    kind = models.CharField(_("what happened"), max_length=30, choices=Kind.choices)
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Severity.choices)
    people_involved = models.TextField(_("people involved"), max_length=1000,
                                       help_text=_("Staff, patients, companions, witnesses."))
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="incidents", verbose_name=_("patient involved"))
    description = models.TextField(_("facts"), max_length=5000)
    immediate_action = models.TextField(_("immediate action"), max_length=2000, blank=True)
    emergency_services_called = models.BooleanField(_("emergency services or police called"), default=False)
    follow_up = models.TextField(_("follow-up"), max_length=2000, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    closing_note = models.TextField(_("closing note"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-occurred_at"]
        indexes = [models.Index(fields=["structure", "occurred_at"], name="incident_structure_when")]
        constraints = [
            models.CheckConstraint(condition=Q(closed_at__isnull=True) | Q(closed_by__isnull=False),
                                   name="incident_closed_by_someone"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%d/%m/%Y} · {self.get_kind_display()}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None
