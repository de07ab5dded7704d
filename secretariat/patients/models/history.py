"""The identity history shown on the patient file: every change, who, when, why.

The audit trail (core) records the same events for coordinators; this history is the
identitovigilance view of one patient, readable by the team that follows them.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IdentityChange(models.Model):
    class Kind(models.TextChoices):
        CREATED = "created", _("Identity created")
        TRAITS_CHANGED = "traits_changed", _("Identity traits changed")
        VALIDATED = "validated", _("Identity validated with a document")
        INS_RETRIEVED = "ins_retrieved", _("INS retrieved from the teleservice")
        ATTRIBUTES_CHANGED = "attributes_changed", _("Identity attributes changed")

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
        """(field label, old, new) in the reader's language; the INS itself is not repeated."""
        patient_model = self._meta.get_field("patient").related_model
        patient_fields = {field.name: field for field in patient_model._meta.get_fields()}
        rows = []
        for name, (old, new) in self.changes.items():
            field = patient_fields.get(name)
            if field is None or name == "ins_matricule":
                continue
            choices = dict(field.flatchoices) if getattr(field, "choices", None) else {}
            rows.append((str(field.verbose_name).capitalize(),
                         str(choices.get(old, old if old not in (None, "") else "∅")),
                         str(choices.get(new, new if new not in (None, "") else "∅"))))
        return rows
