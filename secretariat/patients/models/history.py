"""The identity history shown on the patient file: every change, who, when, why.

The audit trail (core) records the same events for coordinators; this history is the
identitovigilance view of one patient, readable by the team that follows them.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from secretariat.patients.models.values import shown_value


class IdentityChange(models.Model):
    class Kind(models.TextChoices):
        CREATED = "created", _("Identity created")
        TRAITS_CHANGED = "traits_changed", _("Identity traits changed")
        VALIDATED = "validated", _("Identity validated with a document")
        INS_RETRIEVED = "ins_retrieved", _("INS retrieved from the teleservice")
        ATTRIBUTES_CHANGED = "attributes_changed", _("Identity attributes changed")
        MERGED = "merged", _("Duplicate record merged into this one")
        MERGED_INTO = "merged_into", _("Record merged into another (duplicate)")
        MERGE_UNDONE = "merge_undone", _("Merge undone")
        SPLIT = "split", _("Collision: data split into a new record")

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="identity_changes")
    kind = models.CharField(_("change"), max_length=30, choices=Kind.choices)
    changed_at = models.DateTimeField(_("when"), auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
        verbose_name=_("by"),
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    # {field: [old, new]} for the traits, status and attributes that changed.
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    status_before = models.CharField(_("status before"), max_length=5, blank=True)
    status_after = models.CharField(_("status after"), max_length=5)

    class Meta:
        verbose_name = _("identity change")
        verbose_name_plural = _("identity changes")
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["patient", "-changed_at"], name="identity_change_patient")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.changed_at:%d/%m/%Y %H:%M})"

    def readable_changes(self) -> list[tuple[str, str, str]]:
        """(field label, old, new) in the reader's language, in the form's order.

        Empty values set at creation are left out; the INS itself is not repeated here.
        """
        patient_model = self._meta.get_field("patient").related_model
        rows = []
        for field in patient_model._meta.get_fields():
            if field.name not in self.changes or field.name == "ins_matricule":
                continue
            old, new = self.changes[field.name]
            if old is None and new in ("", False, None):
                continue
            choices = dict(field.flatchoices) if getattr(field, "choices", None) else {}
            rows.append((str(field.verbose_name).capitalize(), shown_value(choices, old), shown_value(choices, new)))
        if self.changes.get("possible_duplicates"):
            files = ", ".join(f"n° {pk}" for pk in self.changes["possible_duplicates"])
            rows.append((str(_("Created despite possible duplicates")), "∅", files))
        return rows

