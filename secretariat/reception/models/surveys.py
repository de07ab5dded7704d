"""The anonymous satisfaction survey. A response keeps only its month, its channel and the
answers: nothing ties it to a person, a visit or an invitation."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SurveyInvitation(models.Model):
    """A single-use link sent after a visit. Only the hash of its secret is stored; once used it
    says so, and nothing else."""

    structure = models.ForeignKey("core.Structure", on_delete=models.CASCADE, related_name="+")
    secret_hash = models.CharField(max_length=64, unique=True)
    visit = models.OneToOneField("reception.Visit", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="survey_invitation")
    expires_at = models.DateTimeField()
    is_used = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")

    def __str__(self) -> str:
        return str(_("Survey invitation"))


class SurveyResponse(models.Model):
    class Channel(models.TextChoices):
        QR_CODE = "qr", _("QR code in the waiting room")
        LINK = "link", _("Link sent after the visit")

    structure = models.ForeignKey("core.Structure", on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey("core.Site", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    month = models.DateField(_("month"), help_text=_("First day of the month of the answer; no finer time is kept."))
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    welcome = models.PositiveSmallIntegerField(_("welcome"))
    waiting = models.PositiveSmallIntegerField(_("waiting time"))
    information = models.PositiveSmallIntegerField(_("information given"))
    overall = models.PositiveSmallIntegerField(_("overall"))
    would_recommend = models.BooleanField(_("would recommend"), null=True, blank=True)
    comment = models.TextField(_("comment"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        indexes = [models.Index(fields=["structure", "month"], name="survey_structure_month")]
        constraints = [
            models.CheckConstraint(
                condition=Q(welcome__range=(1, 5), waiting__range=(1, 5), information__range=(1, 5),
                            overall__range=(1, 5)),
                name="survey_scores_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%m/%Y} · {self.overall}/5"
