"""Failures of background tasks, kept so coordinators can see and act on them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskFailure(models.Model):
    task_name = models.CharField(_("task"), max_length=200)
    task_id = models.CharField(max_length=64)
    # Tasks take ids, never patient data, so the arguments are safe to keep.
    arguments = models.CharField(_("arguments"), max_length=500, blank=True)
    error = models.TextField(_("error"))
    occurred_at = models.DateTimeField(_("occurred at"), auto_now_add=True, db_index=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    class Meta:
        verbose_name = _("failed task")
        verbose_name_plural = _("failed tasks")
        ordering = ["-occurred_at"]

    def __str__(self) -> str:
        return f"{self.task_name} ({self.occurred_at:%Y-%m-%d %H:%M})"
