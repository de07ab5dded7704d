"""The append-only audit trail: every write of domain data and every read about a patient."""

import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditTrailIsAppendOnly(Exception):
    """Raised when code tries to change or remove an audit row."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditTrailIsAppendOnly("Audit events cannot be updated.")

    def delete(self):
        raise AuditTrailIsAppendOnly("Audit events cannot be deleted.")

    def for_patient(self, patient_id: int):
        return self.filter(patient_id=patient_id)


class AuditEvent(models.Model):
    action = models.CharField(_("action"), max_length=100, db_index=True)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    # No database constraint: the trail must outlive the accounts and objects it names.
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False,
        null=True, blank=True, related_name="+",
    )
    actor_label = models.CharField(_("who"), max_length=200, blank=True)
    target_type = models.ForeignKey(
        ContentType, on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True,
        related_name="+",
    )
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(_("what"), max_length=300, blank=True)
    # A plain id, not a foreign key: core sits below the patients app, and the
    # trail of a merged or destroyed record must stay readable.
    patient_id = models.BigIntegerField(_("patient"), null=True, blank=True)
    structure_id = models.BigIntegerField(null=True, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    request_id = models.UUIDField(default=uuid.uuid4, db_index=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    desk = models.CharField(_("desk"), max_length=100, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["patient_id", "-occurred_at"], name="audit_patient_history"),
            models.Index(fields=["acting_user", "-occurred_at"], name="audit_user_actions"),
            models.Index(fields=["structure_id", "-occurred_at"], name="audit_structure_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.target_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AuditTrailIsAppendOnly("Audit events cannot be changed once written.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditTrailIsAppendOnly("Audit events cannot be deleted.")

    @property
    def action_label(self) -> str:
        from secretariat.core.audit import label_for

        return label_for(self.action)
