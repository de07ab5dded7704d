"""A patient's identity as the RNIV defines it: traits stricts, traits complémentaires, status.

Source for the traits, statuses and attributes: Référentiel national d'identitovigilance
(RNIV), as summarised in shared/domain/french-rules.md §1.3 to §1.6 (identito-na.fr; HL7 FR
Core value set fr-core-vs-identity-reliability-ins-status).
"""

from datetime import date

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from secretariat.patients.rules.keys import fold, phonetic_key

# COG code of the birthplace: a commune (5 digits, or 2A/2B + 3 digits in Corsica), or
# 99 + 3 digits for a country (RNIV trait strict; french-rules.md §1.3).
validate_birthplace_code = RegexValidator(
    r"^(\d{5}|2[AB]\d{3})$",
    _("Type the INSEE (COG) code of the birthplace: 5 characters, such as 69123 for Lyon "
      "or 99350 for Morocco."),
    code="invalid_birthplace_code",
)

STRICT_TRAITS = ("birth_name", "birth_first_names", "first_birth_first_name", "birth_date", "sex",
                 "birthplace_code")
COMPLEMENTARY_TRAITS = ("used_name", "used_first_name")


class IdentityDocument(models.TextChoices):
    """High-trust identity devices accepted to validate an identity (RNIV volet 1 §3.3.3).

    A carte Vitale or a driving licence is not one: it may be used to call INSi, never to
    validate (french-rules.md §1.6).
    """

    PASSPORT = "passport", _("Passport")
    NATIONAL_ID_CARD = "id_card", _("National identity card (France, EU, EEA, Switzerland…)")
    RESIDENCE_PERMIT = "residence_permit", _("Residence permit (titre de séjour)")
    MINOR_BIRTH_RECORD_AND_PARENT_ID = "minor_birth_record", _(
        "Minor: birth certificate or livret de famille with a parent's identity document"
    )
    MINOR_TRAVEL_DOCUMENT = "minor_travel_document", _(
        "Minor: travel document for foreign minors (with photo)"
    )
    EHPAD_FAMILY_BOOK_AND_VITALE = "ehpad_family_book", _(
        "Direct admission to an EHPAD: livret de famille or birth certificate with a carte "
        "Vitale bearing a photo"
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

    # Traits stricts (RNIV), written under the INSi rules (patients.rules.names).
    birth_name = models.CharField(_("birth name"), max_length=100)
    birth_first_names = models.CharField(
        _("birth first names"), max_length=100,
        help_text=_("Every first name of the civil status, in order, separated by spaces."),
    )
    first_birth_first_name = models.CharField(_("first birth first name"), max_length=100)
    birth_date = models.DateField(_("birth date"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birthplace_code = models.CharField(
        _("birthplace"), max_length=5, validators=[validate_birthplace_code],
        help_text=_("INSEE (COG) code of the birth commune, or 99 + country code for a birth abroad."),
    )

    # Traits complémentaires (RNIV).
    used_name = models.CharField(_("used name"), max_length=100, blank=True)
    used_first_name = models.CharField(_("used first name"), max_length=100, blank=True)

    identity_status = models.CharField(
        _("identity status"), max_length=5, choices=IdentityStatus.choices,
        default=IdentityStatus.PROVISIONAL,
    )
    # Attributes, not statuses; doubtful and fictitious only coexist with PROV (FR Core).
    is_doubtful = models.BooleanField(_("doubtful identity"), default=False)
    is_fictitious = models.BooleanField(_("fictitious identity"), default=False)
    is_homonym = models.BooleanField(_("homonym identity"), default=False)

    # Validation: the high-trust document seen, by whom and when.
    document_type = models.CharField(
        _("identity document checked"), max_length=30, choices=IdentityDocument.choices, blank=True,
    )
    document_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("document checked by"),
    )
    document_checked_at = models.DateTimeField(_("document checked at"), null=True, blank=True)

    # INS: only ever written from an INSi answer (never typed), shown only when qualified.
    ins_matricule = models.CharField(_("INS number"), max_length=15, blank=True)
    ins_oid = models.CharField(_("INS OID"), max_length=32, blank=True)
    ins_retrieved_at = models.DateTimeField(_("INS retrieved at"), null=True, blank=True)

    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    # A merged duplicate stays, pointing to the record that carries on (its number resolves).
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_records",
        verbose_name=_("merged into"),
    )

    # Search keys derived from the names on every save (accent-, case- and typo-tolerant
    # search). Single-column indexes: on PostgreSQL Django adds the varchar_pattern_ops twin
    # that prefix searches need.
    birth_name_key = models.CharField(max_length=100, editable=False, default="", db_index=True)
    used_name_key = models.CharField(max_length=100, editable=False, default="", db_index=True)
    first_name_key = models.CharField(max_length=100, editable=False, default="", db_index=True)
    birth_name_sound = models.CharField(max_length=100, editable=False, default="", db_index=True)
    used_name_sound = models.CharField(max_length=100, editable=False, default="", db_index=True)
    first_name_sound = models.CharField(max_length=100, editable=False, default="", db_index=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("patient")
        verbose_name_plural = _("patients")
        ordering = ["birth_name", "first_birth_first_name", "birth_date"]
        indexes = [
            # Recherche d'antériorité starts from the birth date, then the name (RNIV).
            models.Index(fields=["structure", "birth_date"], name="patient_structure_birth_date"),
            models.Index(fields=["structure", "phone"], name="patient_phone"),
            # Name and first name typed together; the pattern operator classes let PostgreSQL
            # answer LIKE 'KEY%' from them (other databases ignore opclasses).
            models.Index(fields=["birth_name_key", "first_name_key"], name="patient_name_first_name",
                         opclasses=["varchar_pattern_ops", "varchar_pattern_ops"]),
            models.Index(fields=["used_name_key", "first_name_key"], name="patient_used_name_first_name",
                         opclasses=["varchar_pattern_ops", "varchar_pattern_ops"]),
            models.Index(fields=["structure", "ins_matricule"], name="patient_ins"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(identity_status="PROV")
                | models.Q(is_doubtful=False, is_fictitious=False),
                name="patient_doubtful_or_fictitious_only_provisional",
            ),
            models.CheckConstraint(
                condition=models.Q(identity_status__in=["VALI", "QUAL"], document_checked_at__isnull=False)
                | models.Q(identity_status__in=["PROV", "RECUP"], document_checked_at__isnull=True),
                name="patient_validated_status_has_document_check",
            ),
            models.CheckConstraint(
                condition=models.Q(identity_status__in=["RECUP", "QUAL"], ins_retrieved_at__isnull=False)
                | models.Q(identity_status__in=["PROV", "VALI"], ins_retrieved_at__isnull=True),
                name="patient_retrieved_status_has_ins",
            ),
        ]

    def __str__(self) -> str:
        # Also the label snapshot kept in the audit trail.
        return gettext("%(name)s %(first_name)s (born %(birth_date)s)") % {
            "name": self.birth_name,
            "first_name": self.first_birth_first_name,
            "birth_date": f"{self.birth_date:%d/%m/%Y}",
        }

    def save(self, *args, **kwargs):
        self.refresh_search_keys()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("patients:detail", args=[self.pk])

    def refresh_search_keys(self) -> None:
        """Derive the search keys from the names (also called before bulk_create)."""
        self.birth_name_key = fold(self.birth_name)
        self.used_name_key = fold(self.used_name)
        self.first_name_key = fold(self.birth_first_names)
        self.birth_name_sound = phonetic_key(self.birth_name)
        self.used_name_sound = phonetic_key(self.used_name)
        self.first_name_sound = phonetic_key(self.first_birth_first_name)

    @property
    def display_name(self) -> str:
        """The name the patient goes by: used name and first name when known."""
        name = self.used_name or self.birth_name
        first_name = self.used_first_name or self.first_birth_first_name
        return f"{name} {first_name.title()}"

    @property
    def has_used_name(self) -> bool:
        return bool(self.used_name) and self.used_name != self.birth_name

    @property
    def is_qualified(self) -> bool:
        return self.identity_status == self.IdentityStatus.QUALIFIED

    @property
    def ins_may_be_shown(self) -> bool:
        """The INS is shown, printed and transmitted only for a qualified identity (RNIV)."""
        return self.is_qualified and bool(self.ins_matricule)

    def strict_traits(self) -> dict:
        return {name: getattr(self, name) for name in STRICT_TRAITS}

    def age_on(self, day: date) -> int:
        """Age in whole years on ``day``."""
        had_birthday = (day.month, day.day) >= (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - (0 if had_birthday else 1)

    @property
    def age(self) -> int:
        return self.age_on(timezone.localdate())


class NameKey(models.Model):
    """The distinct folded names of a structure: the vocabulary typo-tolerant search corrects to.

    Tens of thousands of rows where the patients are a million, so "which known names are one
    or two letters away from what was typed" reads a few thousand keys, never the patients.
    Filled on every identity write (``services``), by bulk loaders, and rebuilt nightly.
    """

    structure = models.ForeignKey("core.Structure", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["structure", "key"], name="name_key_once")]

    def __str__(self) -> str:
        return self.key
