"""The practitioners' urgency triage protocols (short question trees) and what each use of one
reached. The desk applies the protocol; it does not make a medical decision."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .desk import Priority


class TriageProtocol(models.Model):
    """A question tree, stored as JSON checked by ``rules_triage.tree_problems``:

    ``{"start": "q1", "questions": {"q1": {"text": …, "help": …, "answers": [{"label": …,
    "next": "q2"} | {"label": …, "outcome": "emergency"}]}}, "outcomes": {"emergency":
    {"priority": 1, "title": …, "instructions": …, "script": …}}}``
    """

    class Context(models.TextChoices):
        PHONE = "phone", _("On the phone")
        DESK = "desk", _("At the desk")
        BOTH = "both", _("On the phone and at the desk")

    structure = models.ForeignKey("core.Structure", on_delete=models.PROTECT, related_name="triage_protocols")
    name = models.CharField(_("name"), max_length=150)
    context = models.CharField(_("used"), max_length=10, choices=Context.choices, default=Context.BOTH)
    tree = models.JSONField(_("questions and outcomes"))
    sources = models.TextField(_("sources"), blank=True,
                               help_text=_("The public references the practitioners based the protocol on."))
    version = models.PositiveIntegerField(_("version"), default=1)
    is_active = models.BooleanField(_("in use"), default=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("triage protocol")
        verbose_name_plural = _("triage protocols")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["structure", "name"], name="triage_protocol_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class TriageRecord(models.Model):
    """One use of a protocol: the answers given, the outcome reached, with the version's words
    copied so the record stays readable after the protocol changes."""

    structure = models.ForeignKey("core.Structure", on_delete=models.PROTECT, related_name="+")
    protocol = models.ForeignKey(TriageProtocol, on_delete=models.PROTECT, related_name="records")
    protocol_version = models.PositiveIntegerField()
    path = models.JSONField(_("questions and answers"), default=list)
    outcome_key = models.CharField(max_length=40)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices)
    outcome_title = models.CharField(_("outcome"), max_length=200)
    instructions = models.TextField(_("what to do"), blank=True)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="triage_records")
    appointment = models.ForeignKey("agenda.Appointment", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("triage")
        verbose_name_plural = _("triages")
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"{self.recorded_at:%d/%m/%Y %H:%M} · {self.outcome_title}"
