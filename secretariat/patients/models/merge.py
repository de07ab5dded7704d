"""Merges of duplicate records (doublons) and their undo, traced for the identitovigilance cell.

The merged record is kept (never deleted): it points to its survivor, so its number keeps
resolving, and the merge can be undone from what is recorded here (french-rules.md §1.7).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PatientMerge(models.Model):
    survivor = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="merges_kept",
                                 verbose_name=_("surviving record"))
    merged = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="merges_absorbed",
                               verbose_name=_("merged record"))
    reason = models.CharField(_("reason"), max_length=300)
    performed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("merged by"))
    performed_at = models.DateTimeField(_("merged at"), auto_now_add=True)
    # The survivor's identity before the merge, to restore it on undo.
    survivor_before = models.JSONField(default=dict)
    # Which record each trait was taken from: {field: "survivor" | "merged"}.
    chosen = models.JSONField(default=dict)
    # Rows moved from the merged record to the survivor: {"app.Model:field": [pk, …]}.
    moved = models.JSONField(default=dict)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("undone by"))
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undo_reason = models.CharField(_("reason for undoing"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        ordering = ["-performed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.survivor_id}"


class DuplicateSuspicion(models.Model):
    """A pair of records the background scan takes for one person, for the referent to review."""

    class Review(models.TextChoices):
        OPEN = "open", _("To review")
        DIFFERENT = "different", _("Different people")
        MERGED = "merged", _("Merged")

    structure = models.ForeignKey("core.Structure", on_delete=models.CASCADE, related_name="+")
    # first.pk < second.pk, so a pair is stored once.
    first = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("score"))
    grade = models.CharField(_("grade"), max_length=20)
    reasons = models.JSONField(_("reasons"), default=list)
    found_at = models.DateTimeField(_("found at"))
    review = models.CharField(_("review"), max_length=10, choices=Review.choices, default=Review.OPEN)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("duplicate suspicion")
        verbose_name_plural = _("duplicate suspicions")
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="duplicate_suspicion_pair_once"),
            models.CheckConstraint(condition=models.Q(first__lt=models.F("second")),
                                   name="duplicate_suspicion_ordered_pair"),
        ]
        indexes = [models.Index(fields=["structure", "review", "-score"], name="duplicate_suspicion_queue")]

    def __str__(self) -> str:
        return f"{self.first_id} ~ {self.second_id} ({self.score:.2f})"
