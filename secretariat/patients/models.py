"""A patient's identity as the RNIV defines it: traits stricts, traits complémentaires, status.

Source for the traits and statuses: Référentiel national d'identitovigilance (RNIV), as
summarised in shared/domain/french-rules.md §1.3 and §1.5 (identito-na.fr, HL7 FR Core
value set fr-core-vs-identity-reliability-ins-status).
"""

from datetime import date

from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# COG code of the birthplace: a commune (5 digits, or 2A/2B + 3 digits in Corsica), or
# 99 + 3 digits for a country (RNIV trait strict; french-rules.md §1.3).
validate_birthplace_code = RegexValidator(
    r"^(\d{5}|2[AB]\d{3})$",
    _("Type the INSEE (COG) code of the birthplace: 5 characters, such as 69123 for Lyon "
      "or 99350 for Morocco."),
    code="invalid_birthplace_code",
)


class Patient(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "F", _("Female")
        MALE = "M", _("Male")
        # Held locally only: INSi and the INS DataMatrix know F and M (french-rules.md §1.3).
        UNDETERMINED = "I", _("Undetermined")

    class IdentityStatus(models.TextChoices):
        PROVISIONAL = "PROV", _("Provisional identity")
        RETRIEVED = "RECUP", _("Retrieved identity")
        VALIDATED = "VALI", _("Validated identity")
        QUALIFIED = "QUAL", _("Qualified identity")

    structure = models.ForeignKey("core.Structure", on_delete=models.PROTECT, related_name="patients")
    care_teams = models.ManyToManyField(
        "core.CareTeam", related_name="patients", blank=True, verbose_name=_("care teams"),
        help_text=_("The care teams that follow the patient; their members see the file."),
    )

    # Traits stricts (RNIV): written as on the identity document.
    birth_name = models.CharField(_("birth name"), max_length=100)
    birth_first_names = models.CharField(
        _("birth first names"), max_length=100,
        help_text=_("Every first name of the civil status, separated by spaces."),
    )
    first_birth_first_name = models.CharField(_("first birth first name"), max_length=100)
    birth_date = models.DateField(_("birth date"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birthplace_code = models.CharField(
        _("birthplace code"), max_length=5, validators=[validate_birthplace_code],
        help_text=_("INSEE (COG) code of the birth commune, or 99 + country code for a birth abroad."),
    )

    # Traits complémentaires (RNIV).
    used_name = models.CharField(_("used name"), max_length=100, blank=True)
    used_first_name = models.CharField(_("used first name"), max_length=100, blank=True)

    identity_status = models.CharField(
        _("identity status"), max_length=5, choices=IdentityStatus.choices,
        default=IdentityStatus.PROVISIONAL,
    )

    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("patient")
        verbose_name_plural = _("patients")
        ordering = ["birth_name", "first_birth_first_name", "birth_date"]
        indexes = [
            # Recherche d'antériorité starts from the birth date, then the name (RNIV).
            models.Index(fields=["structure", "birth_date"], name="patient_structure_birth_date"),
            models.Index(fields=["structure", "birth_name"], name="patient_structure_birth_name"),
        ]

    def __str__(self) -> str:
        # Also the label snapshot kept in the audit trail.
        return gettext("%(name)s %(first_name)s (born %(birth_date)s)") % {
            "name": self.birth_name.upper(),
            "first_name": self.first_birth_first_name,
            "birth_date": f"{self.birth_date:%d/%m/%Y}",
        }

    def get_absolute_url(self) -> str:
        return reverse("patients:detail", args=[self.pk])

    @property
    def display_name(self) -> str:
        """The name the patient goes by: used name and first name when known."""
        name = (self.used_name or self.birth_name).upper()
        first_name = self.used_first_name or self.first_birth_first_name
        return f"{name} {first_name}"

    @property
    def has_used_name(self) -> bool:
        return bool(self.used_name) and self.used_name.upper() != self.birth_name.upper()

    def age_on(self, day: date) -> int:
        """Age in whole years on ``day``."""
        had_birthday = (day.month, day.day) >= (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - (0 if had_birthday else 1)

    @property
    def age(self) -> int:
        return self.age_on(timezone.localdate())
