"""Who pays: the AMO coverage (the insured person, the rights, the exonerations) and the AMC.

Sources: shared/domain/french-rules.md §1.1 (the insured person's NIR is not the patient's INS),
§2 (NIR and key), §5.3 and §5.5 (AMO, exonerations, tiers payant).
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from secretariat.patients.models.values import dated_pair, in_order, not_after_today
from secretariat.patients.rules.nir import clean_nir, nir_problem

validate_caisse_code = RegexValidator(
    r"^[0-9]{3}$", _("The caisse code has 3 digits (for example 691), as on the attestation de droits."),
    code="invalid_caisse_code",
)

validate_centre_code = RegexValidator(
    r"^[0-9]{4}$", _("The centre code has 4 digits, as on the attestation de droits."),
    code="invalid_centre_code",
)

validate_amc_number = RegexValidator(
    r"^[0-9]{1,10}$", _("The AMC number is made of digits only, as printed on the complementary card."),
    code="invalid_amc_number",
)


class AmoCoverage(models.Model):
    """Assurance maladie obligatoire: the régime, the caisse, the insured person (ouvrant droit)
    and the rights as read on the carte Vitale or the attestation de droits.

    The NIR here is the insured person's, used for billing; the patient's own INS is on
    ``Patient`` (french-rules.md §1.1): for a child ayant droit they differ.
    """

    class Regime(models.TextChoices):
        GENERAL = "general", _("Régime général (CPAM), including the former indépendants")
        SLM = "slm", _("Régime général through a section locale mutualiste (civil servants: MGEN, MNH…)")
        AGRICULTURAL = "agricultural", _("Régime agricole (MSA)")
        MILITARY = "military", _("Military (CNMSS)")
        SNCF = "sncf", _("SNCF")
        RATP = "ratp", _("RATP")
        SEAFARERS = "seafarers", _("Seafarers (ENIM)")
        ABROAD = "abroad", _("French people abroad (CFE)")
        OTHER_SPECIAL = "other_special", _("Other special régime (mines, clergy, notaries, IEG, parliament…)")

    class Card(models.TextChoices):
        VITALE = "vitale", _("Carte Vitale")
        VITALE_APP = "vitale_app", _("Carte Vitale app (apCV)")
        RIGHTS_CERTIFICATE = "attestation", _("Attestation de droits (paper or PDF)")
        AME = "ame", _("AME card")

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="amo_coverages",
                                verbose_name=_("patient"))
    regime = models.CharField(_("régime"), max_length=20, choices=Regime.choices, default=Regime.GENERAL)
    caisse_code = models.CharField(
        _("caisse code"), max_length=3, blank=True, validators=[validate_caisse_code],
        help_text=_("3 digits, after the régime code on the attestation de droits."),
    )
    centre_code = models.CharField(
        _("centre code"), max_length=4, blank=True, validators=[validate_centre_code],
        help_text=_("4 digits, if the attestation gives one."),
    )
    patient_is_insured = models.BooleanField(
        _("the patient is the insured person"), default=True,
        help_text=_("Untick for an ayant droit (for example a child on a parent's carte Vitale)."),
    )
    insured_last_name = models.CharField(_("insured person's last name"), max_length=100, blank=True)
    insured_first_name = models.CharField(_("insured person's first name"), max_length=100, blank=True)
    insured_nir = models.CharField(
        _("insured person's NIR"), max_length=15, blank=True, db_index=True,
        help_text=_("The 15 characters on the carte Vitale of the insured person (ouvrant droit), "
                    "key included. For an ayant droit it is not the patient's own number."),
    )
    twin_rank = models.PositiveSmallIntegerField(
        _("rang gémellaire"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
        help_text=_("Only for twins of the same sex on the same insured person: 1, 2…"),
    )
    rights_from = models.DateField(_("rights from"), null=True, blank=True)
    rights_until = models.DateField(_("rights until"), null=True, blank=True,
                                    help_text=_("Empty when no end date is known."))
    has_ald = models.BooleanField(
        _("ALD"), default=False,
        help_text=_("Affection de longue durée: care for it is covered at 100 % (protocole de soins)."),
    )
    ald_until = models.DateField(_("ALD until"), null=True, blank=True)
    ald_label = models.CharField(_("ALD label"), max_length=200, blank=True,
                                 help_text=_("As written on the attestation; no more detail."))
    maternity = models.BooleanField(
        _("maternity insurance"), default=False,
        help_text=_("From the 1st day of the 6th month of pregnancy to 12 days after delivery."),
    )
    at_mp_number = models.CharField(
        _("AT/MP number"), max_length=20, blank=True,
        help_text=_("Accident du travail or maladie professionnelle: the number on the feuille d'accident."),
    )
    at_mp_date = models.DateField(_("AT/MP date"), null=True, blank=True)
    has_c2s = models.BooleanField(_("C2S"), default=False,
                                  help_text=_("Complémentaire santé solidaire: full tiers payant, no dépassement."))
    c2s_until = models.DateField(_("C2S until"), null=True, blank=True)
    has_ame = models.BooleanField(_("AME"), default=False, help_text=_("Aide médicale de l'État."))
    ame_until = models.DateField(_("AME until"), null=True, blank=True)
    card_seen = models.CharField(_("document seen"), max_length=20, choices=Card.choices, blank=True)
    card_seen_on = models.DateField(_("seen on"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("AMO coverage")
        verbose_name_plural = _("AMO coverages")
        ordering = ["-rights_from", "-pk"]
        indexes = [models.Index(fields=["patient", "rights_until"], name="amo_patient_until")]
        constraints = [
            dated_pair("rights_from", "rights_until", "amo_rights_in_order"),
            models.CheckConstraint(condition=models.Q(patient_is_insured=True) | ~models.Q(insured_nir=""),
                                   name="amo_ayant_droit_has_insured_nir"),
            models.CheckConstraint(condition=~models.Q(has_c2s=True, has_ame=True),
                                   name="amo_not_both_c2s_and_ame"),
            models.CheckConstraint(condition=models.Q(has_ald=True) | models.Q(ald_until__isnull=True, ald_label=""),
                                   name="amo_ald_details_only_with_ald"),
        ]

    def __str__(self) -> str:
        text = gettext("AMO %(regime)s") % {"regime": self.get_regime_display()}
        if self.rights_until:
            text += " " + gettext("until %(date)s") % {"date": f"{self.rights_until:%d/%m/%Y}"}
        return text

    def clean_fields(self, exclude=None):
        # nir_problem (in clean) says what is wrong with a NIR better than a length check.
        super().clean_fields(exclude={*(exclude or ()), "insured_nir"})

    def clean(self):
        super().clean()
        self.insured_nir = clean_nir(self.insured_nir)
        if self.patient_is_insured:
            self.insured_last_name, self.insured_first_name, self.twin_rank = "", "", None
        if not self.has_ald:
            self.ald_until, self.ald_label = None, ""
        if not self.has_c2s:
            self.c2s_until = None
        if not self.has_ame:
            self.ame_until = None
        errors: dict = {}
        if self.insured_nir:
            problem = nir_problem(self.insured_nir)
            if problem:
                errors["insured_nir"] = [problem]
        if not self.patient_is_insured:
            if not self.insured_last_name.strip():
                errors["insured_last_name"] = [gettext("Type the name of the insured person.")]
            if not self.insured_first_name.strip():
                errors["insured_first_name"] = [gettext("Type the first name of the insured person.")]
            if not self.insured_nir:
                errors.setdefault("insured_nir", []).append(gettext(
                    "Type the insured person's NIR: an ayant droit is billed under it."))
        if self.has_c2s and self.has_ame:
            errors["has_ame"] = [gettext("C2S and AME do not go together: keep the one on the document.")]
        in_order(errors, "rights_from", self.rights_from, "rights_until", self.rights_until)
        if self.card_seen_on and not self.card_seen:
            errors["card_seen"] = [gettext("Say which document was seen.")]
        not_after_today(errors, "card_seen_on", self.card_seen_on)
        not_after_today(errors, "at_mp_date", self.at_mp_date)
        if errors:
            raise ValidationError(errors)

    def is_valid_on(self, day) -> bool:
        return ((self.rights_from is None or self.rights_from <= day)
                and (self.rights_until is None or day <= self.rights_until))


class AmcCoverage(models.Model):
    """Assurance maladie complémentaire (mutuelle, insurer, institution de prévoyance)."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="amc_coverages",
                                verbose_name=_("patient"))
    organism_name = models.CharField(_("organism"), max_length=100,
                                     help_text=_("The mutuelle or insurer, as on the card."))
    amc_number = models.CharField(
        _("AMC number"), max_length=10, blank=True, validators=[validate_amc_number],
        help_text=_("The organism's number on the card (usually 8 or 9 digits); used for tiers payant."),
    )
    member_number = models.CharField(_("adherent or contract number"), max_length=30, blank=True)
    tiers_payant = models.BooleanField(
        _("tiers payant agreement"), default=False,
        help_text=_("The card shows a tiers payant agreement: the patient does not advance the AMC share."),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("AMC coverage")
        verbose_name_plural = _("AMC coverages")
        ordering = ["-valid_from", "-pk"]
        indexes = [models.Index(fields=["patient", "valid_until"], name="amc_patient_until")]
        constraints = [dated_pair("valid_from", "valid_until", "amc_validity_in_order")]

    def __str__(self) -> str:
        text = gettext("AMC %(organism)s") % {"organism": self.organism_name}
        if self.valid_until:
            text += " " + gettext("until %(date)s") % {"date": f"{self.valid_until:%d/%m/%Y}"}
        return text

    def clean(self):
        super().clean()
        errors: dict = {}
        in_order(errors, "valid_from", self.valid_from, "valid_until", self.valid_until)
        if errors:
            raise ValidationError(errors)

    def is_valid_on(self, day) -> bool:
        return ((self.valid_from is None or self.valid_from <= day)
                and (self.valid_until is None or day <= self.valid_until))
