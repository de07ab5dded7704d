"""The patient's administrative file: where to reach them, what they need, who matters around
them, and who pays (AMO, AMC).

Sources (shared/domain/french-rules.md): §1.1 (the NIR of the insured person who opens the
rights is not the patient's INS: two distinct fields), §2 (NIR and key), §4.2 (opposition to
sharing within the équipe de soins, L1110-4 and L1110-12 CSP), §4.4 (DMP consent, with date and
author), §5.3 and §5.5 (AMO, exonerations, tiers payant), §8 (RPPS).

Every write goes through ``services_administrative`` (one transaction, ``AdministrativeChange``
and an audit row inside). Invariants the database can hold are check constraints; "one home
address" and "one personne de confiance" are kept by the services instead, because a merge of
duplicates moves every row of the merged record to the survivor (``merging.register_attached``)
and must not fail on them: the secretary then removes the extra row, which shows on the file.
"""

import unicodedata

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from secretariat.core.validators import validate_rpps
from secretariat.patients.models.coverage import AmcCoverage, AmoCoverage
from secretariat.patients.models.values import not_after_today, shown_value

validate_language_code = RegexValidator(
    r"^[a-z]{2}$", _("Choose the language in the list (a two-letter ISO 639-1 code, such as fr)."),
    code="invalid_language",
)
validate_french_postal_code = RegexValidator(
    r"^[0-9]{5}$", _("A French postal code has 5 digits."), code="invalid_postal_code",
)

FRANCE = "France"


# ISO 639-1 languages often met in French practices that Django's list lacks (English
# names, translated in the catalogue; the local name helps the patient point at it).
EXTRA_LANGUAGES = {
    "am": (_("Amharic"), "አማርኛ"),
    "bm": (_("Bambara"), "Bamanankan"),
    "ff": (_("Fula"), "Pulaar"),
    "ht": (_("Haitian Creole"), "Kreyòl ayisyen"),
    "ku": (_("Kurdish"), "Kurdî"),
    "ln": (_("Lingala"), "Lingála"),
    "ps": (_("Pashto"), "پښتو"),
    "so": (_("Somali"), "Soomaali"),
    "ti": (_("Tigrinya"), "ትግርኛ"),
    "wo": (_("Wolof"), "Wolof"),
    "zh": (_("Chinese"), "中文"),
}
_CONSTRUCTED = {"eo", "ia", "io"}


def language_choices() -> list[tuple[str, str]]:
    """French first, then every language by its name in the reader's language."""
    names = {code: (_(info["name"]), info["name_local"]) for code, info in LANG_INFO.items()
             if len(code) == 2 and "name" in info and code not in _CONSTRUCTED}
    names.update(EXTRA_LANGUAGES)
    choices = []
    for code, (name, local) in names.items():
        name = str(name)
        label = name if local.casefold() == name.casefold() else f"{name} — {local}"
        choices.append((code, f"{label} ({code})"))
    choices.sort(key=lambda choice: (choice[0] != "fr", _sort_key(choice[1])))
    return choices


def _sort_key(text: str) -> str:
    return "".join(char for char in unicodedata.normalize("NFD", text.casefold())
                   if not unicodedata.combining(char))


def language_label(code: str) -> str:
    """The language's name in the reader's language (and its own), or the code if unknown."""
    return dict(language_choices()).get(code, code)


class LegalProtection(models.TextChoices):
    """Legal protection of an adult (Code civil art. 433 ff., 494-1 ff., 477 ff.)."""

    SAUVEGARDE = "sauvegarde", _("Sauvegarde de justice")
    CURATELLE = "curatelle", _("Curatelle (simple or renforcée)")
    TUTELLE = "tutelle", _("Tutelle")
    HABILITATION_FAMILIALE = "habilitation_familiale", _("Habilitation familiale")
    MANDAT_PROTECTION_FUTURE = "mandat_protection_future", _("Mandat de protection future (in force)")


class AdministrativeFile(models.Model):
    """One per patient, created on the first save of one of its blocks.

    The e-mail address stays on ``Patient.email`` (one address per patient, also edited with
    the identity); the phone typed at creation stays on ``Patient.phone`` (used by search).
    """

    patient = models.OneToOneField("patients.Patient", on_delete=models.CASCADE,
                                   related_name="administrative_file", verbose_name=_("patient"))

    # Contact preferences.
    mobile_phone = models.CharField(
        _("mobile phone"), max_length=16, blank=True,
        help_text=_("The number SMS reminders go to: 06 or 07 in France, or an international number "
                    "starting with +."),
    )
    landline = models.CharField(_("landline"), max_length=16, blank=True)
    sms_consent = models.BooleanField(
        _("agrees to SMS"), null=True, blank=True,
        help_text=_("Appointment reminders and practical messages by SMS."),
    )
    sms_consent_recorded_at = models.DateTimeField(_("SMS answer recorded at"), null=True, blank=True)
    sms_consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("SMS answer recorded by"),
    )
    email_consent = models.BooleanField(
        _("agrees to e-mails"), null=True, blank=True,
        help_text=_("Appointment reminders and practical messages by e-mail."),
    )
    email_consent_recorded_at = models.DateTimeField(_("e-mail answer recorded at"), null=True, blank=True)
    email_consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("e-mail answer recorded by"),
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, default="fr", validators=[validate_language_code],
        help_text=_("The language to speak and write to the patient (ISO 639-1 code)."),
    )
    needs_interpreter = models.BooleanField(
        _("needs an interpreter"), default=False,
        help_text=_("Book an interpreter (or a sign-language interpreter) with the appointment."),
    )

    # Accessibility needs: separate columns so the agenda can ask "which rooms, which slots".
    needs_mobility_access = models.BooleanField(
        _("reduced mobility or wheelchair"), default=False,
        help_text=_("Step-free access, ground-floor room, transfer help."),
    )
    needs_hearing_support = models.BooleanField(_("hearing impairment"), default=False)
    needs_sight_support = models.BooleanField(_("visual impairment"), default=False)
    needs_cognitive_support = models.BooleanField(
        _("cognitive impairment"), default=False,
        help_text=_("Memory or understanding difficulties: repeat, write down, call the carer."),
    )
    accessibility_note = models.CharField(
        _("accessibility note"), max_length=300, blank=True,
        help_text=_("What helps in practice (guide dog, stretcher, extra time…). No medical details."),
    )

    # Situations the secretariat adapts to; a minor is told by the birth date, not stored.
    legal_protection = models.CharField(
        _("legal protection"), max_length=30, choices=LegalProtection.choices, blank=True,
        help_text=_("Measure decided for an adult; record the tuteur, curateur or mandataire in the "
                    "people around the patient."),
    )
    is_socially_vulnerable = models.BooleanField(
        _("social vulnerability (précarité)"), default=False,
        help_text=_("Difficulties with income, rights or housing: offer the social worker or the "
                    "PASS, check the rights at each visit."),
    )
    is_homeless = models.BooleanField(
        _("homeless (sans domicile stable)"), default=False,
        help_text=_("The postal address is then the domiciliation (CCAS or approved association)."),
    )

    # Médecin traitant: a practitioner of the structure, or a doctor outside it.
    medecin_traitant = models.ForeignKey(
        "core.Practitioner", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("médecin traitant (of the structure)"),
    )
    outside_medecin_traitant_name = models.CharField(
        _("médecin traitant (outside the structure)"), max_length=150, blank=True,
        help_text=_("Name and town of the declared médecin traitant, when not one of ours."),
    )
    outside_medecin_traitant_rpps = models.CharField(
        _("RPPS of the outside médecin traitant"), max_length=11, blank=True,
        validators=[validate_rpps], help_text=_("11 digits, if known."),
    )

    # Sharing and consents (french-rules.md §4.2, §4.4): what, when, who recorded it.
    opposes_team_sharing = models.BooleanField(
        _("opposes sharing within the care team"), default=False,
        help_text=_("The patient objects to the équipe de soins sharing their information "
                    "(L1110-4 CSP). Sharing outside the team always needs their consent."),
    )
    team_sharing_recorded_at = models.DateTimeField(_("sharing choice recorded at"), null=True, blank=True)
    team_sharing_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("sharing choice recorded by"),
    )
    dmp_consent = models.BooleanField(
        _("consents to DMP access"), null=True, blank=True,
        help_text=_("Consent for the professionals of the structure to open the DMP (Mon espace "
                    "santé)."),
    )
    dmp_consent_recorded_at = models.DateTimeField(_("DMP answer recorded at"), null=True, blank=True)
    dmp_consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("DMP answer recorded by"),
    )

    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("administrative file")
        verbose_name_plural = _("administrative files")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(medecin_traitant__isnull=True)
                | models.Q(outside_medecin_traitant_name="", outside_medecin_traitant_rpps=""),
                name="administrative_one_medecin_traitant",
            ),
            models.CheckConstraint(
                condition=models.Q(outside_medecin_traitant_rpps="")
                | ~models.Q(outside_medecin_traitant_name=""),
                name="administrative_outside_rpps_has_name",
            ),
        ]

    def __str__(self) -> str:
        return gettext("Administrative file of patient n° %(number)s") % {"number": self.patient_id}

    def clean(self):
        super().clean()
        errors: dict = {}
        if self.sms_consent and not self.mobile_phone:
            errors["sms_consent"] = [gettext("Add the mobile phone the SMS will go to.")]
        if self.mobile_phone.startswith("0") and self.mobile_phone[:2] not in ("06", "07"):
            errors["mobile_phone"] = [gettext(
                "This is not a mobile number (French mobiles start with 06 or 07): type it as the "
                "landline.")]
        if self.medecin_traitant_id and self.outside_medecin_traitant_name:
            errors["outside_medecin_traitant_name"] = [gettext(
                "Choose either a doctor of the structure or a doctor outside it, not both.")]
        if self.outside_medecin_traitant_rpps and not self.outside_medecin_traitant_name:
            errors["outside_medecin_traitant_name"] = [gettext("Type the name of the doctor with this RPPS.")]
        if errors:
            raise ValidationError(errors)

    @property
    def accessibility_needs(self) -> list[str]:
        """Labels of the needs ticked, in the form's order."""
        return [str(self._meta.get_field(name).verbose_name) for name in ACCESSIBILITY_FIELDS
                if getattr(self, name)]

    @property
    def preferred_language_label(self) -> str:
        return language_label(self.preferred_language)

    @property
    def medecin_traitant_label(self) -> str:
        if self.medecin_traitant_id:
            return self.medecin_traitant.display_name
        return self.outside_medecin_traitant_name


ACCESSIBILITY_FIELDS = ("needs_mobility_access", "needs_hearing_support", "needs_sight_support",
                        "needs_cognitive_support")


class Address(models.Model):
    class Kind(models.TextChoices):
        HOME = "home", pgettext_lazy("address kind", "Home")
        OTHER = "other", _("Other (holiday, work, sent to a relative…)")

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="addresses",
                                verbose_name=_("patient"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.HOME,
                            help_text=_("One home address per patient: letters and invoices go there."))
    recipient_line = models.CharField(
        _("care of"), max_length=100, blank=True,
        help_text=_("“Chez…”, “c/o…”, or the domiciliation organisation."),
    )
    building_line = models.CharField(_("apartment, floor, building"), max_length=100, blank=True)
    street_line = models.CharField(_("number and street"), max_length=100)
    locality_line = models.CharField(_("lieu-dit or post-office box"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=60, default=FRANCE)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["kind", "pk"]
        indexes = [models.Index(fields=["patient", "kind"], name="address_patient_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {', '.join(self.lines())}"

    def clean(self):
        super().clean()
        if self.is_in_france:
            try:
                validate_french_postal_code(self.postal_code)
            except ValidationError as error:
                raise ValidationError({"postal_code": error.messages}) from None

    @property
    def is_in_france(self) -> bool:
        return self.country.strip().casefold() in ("", "france", "fr")

    def lines(self) -> list[str]:
        """The lines of the address as they go on an envelope (French postal order)."""
        lines = [self.recipient_line, self.building_line, self.street_line, self.locality_line,
                 f"{self.postal_code} {self.city.upper()}".strip()]
        if not self.is_in_france:
            lines.append(self.country.upper())
        return [line for line in lines if line]


class ContactPerson(models.Model):
    """Someone to call or who acts for the patient: emergency contact, personne de confiance
    (L1111-6 CSP, one at a time), or legal representative of a minor or a protected adult."""

    class Role(models.TextChoices):
        EMERGENCY = "emergency", _("Emergency contact")
        TRUSTED_PERSON = "trusted_person", _("Personne de confiance")
        PARENT = "parent", _("Legal representative: parent")
        TUTEUR = "tuteur", _("Legal representative: tuteur")
        CURATEUR = "curateur", _("Legal representative: curateur")
        MANDATAIRE = "mandataire", _("Legal representative: mandataire")

    class LegalBasis(models.TextChoices):
        PARENTAL_AUTHORITY = "parental_authority", _("Parental authority")
        COURT_DECISION = "court_decision", _("Court decision")
        PROTECTION_MANDATE = "protection_mandate", _("Mandat de protection future")

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="contact_people",
                                verbose_name=_("patient"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    last_name = models.CharField(_("last name"), max_length=100)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    relationship = models.CharField(
        _("relationship"), max_length=60, blank=True,
        help_text=_("Daughter, spouse, neighbour, MJPM service…"),
    )
    phone = models.CharField(_("phone"), max_length=16, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    legal_basis = models.CharField(
        _("legal basis"), max_length=20, choices=LegalBasis.choices, blank=True,
        help_text=_("For a legal representative: what gives them the power to act."),
    )
    decision_date = models.DateField(
        _("date of the decision"), null=True, blank=True,
        help_text=_("Date of the court decision, or of the mandate coming into force."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("person around the patient")
        verbose_name_plural = _("people around the patient")
        ordering = ["role", "last_name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=["parent", "tuteur", "curateur", "mandataire"])
                | models.Q(legal_basis="", decision_date__isnull=True),
                name="contact_person_legal_basis_only_for_representatives",
            ),
            models.CheckConstraint(
                condition=~models.Q(legal_basis="court_decision") | models.Q(decision_date__isnull=False),
                name="contact_person_court_decision_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.full_name}"

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.last_name.upper(), self.first_name) if part)

    @property
    def is_legal_representative(self) -> bool:
        return self.role in LEGAL_BASES

    def clean(self):
        super().clean()
        errors: dict = {}
        allowed = LEGAL_BASES.get(self.role)
        if allowed is None:
            self.legal_basis, self.decision_date = "", None
        elif not self.legal_basis:
            errors["legal_basis"] = [gettext("Say what gives a legal representative the power to act.")]
        elif self.legal_basis not in allowed:
            errors["legal_basis"] = [gettext("This legal basis does not fit this role: %(allowed)s.") % {
                "allowed": ", ".join(str(self.LegalBasis(basis).label) for basis in allowed)}]
        if self.legal_basis == self.LegalBasis.COURT_DECISION and self.decision_date is None:
            errors["decision_date"] = [gettext("Type the date of the court decision.")]
        not_after_today(errors, "decision_date", self.decision_date)
        if self.role == self.Role.EMERGENCY and not self.phone:
            errors["phone"] = [gettext("An emergency contact needs a phone number.")]
        if errors:
            raise ValidationError(errors)


# Which legal bases fit each legal representative (Code civil: art. 371-1 parental authority;
# tutelle, curatelle and habilitation familiale by the juge des contentieux de la protection;
# art. 477 mandat de protection future).
LEGAL_BASES = {
    ContactPerson.Role.PARENT: (ContactPerson.LegalBasis.PARENTAL_AUTHORITY,
                                ContactPerson.LegalBasis.COURT_DECISION),
    ContactPerson.Role.TUTEUR: (ContactPerson.LegalBasis.COURT_DECISION,),
    ContactPerson.Role.CURATEUR: (ContactPerson.LegalBasis.COURT_DECISION,),
    ContactPerson.Role.MANDATAIRE: (ContactPerson.LegalBasis.PROTECTION_MANDATE,
                                    ContactPerson.LegalBasis.COURT_DECISION),
}


class AdministrativeChange(models.Model):
    """The history of the administrative file shown on it: which block, old → new, who, when."""

    class Block(models.TextChoices):
        CONTACT = "contact", _("Contact preferences")
        NEEDS = "needs", _("Needs and situation")
        MEDECIN_TRAITANT = "medecin_traitant", _("Médecin traitant")
        SHARING = "sharing", _("Sharing and consents")
        ADDRESS = "address", _("Address")
        CONTACT_PERSON = "contact_person", _("Person around the patient")
        AMO = "amo", _("AMO coverage")
        AMC = "amc", _("AMC coverage")

    class Action(models.TextChoices):
        ADDED = "added", _("added")
        CHANGED = "changed", _("changed")
        REMOVED = "removed", _("removed")

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT,
                                related_name="administrative_changes", verbose_name=_("patient"))
    block = models.CharField(_("block"), max_length=20, choices=Block.choices)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    item_id = models.PositiveBigIntegerField(_("row"), null=True, blank=True)
    changed_at = models.DateTimeField(_("when"), auto_now_add=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   related_name="+", verbose_name=_("by"))
    # {field: [old, new]}; a practitioner is kept by name, dates as ISO text.
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("administrative change")
        verbose_name_plural = _("administrative changes")
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["patient", "-changed_at"], name="administrative_change_patient")]

    def __str__(self) -> str:
        return f"{self.get_block_display()} {self.get_action_display()} ({self.changed_at:%d/%m/%Y %H:%M})"

    def readable_changes(self) -> list[tuple[str, str, str]]:
        """(field label, old, new) in the reader's language, in the model's field order."""
        model = BLOCK_MODELS[self.block]
        rows = []
        for field in model._meta.get_fields():
            if field.name not in self.changes:
                continue
            old, new = self.changes[field.name]
            choices = dict(field.flatchoices) if getattr(field, "choices", None) else {}
            rows.append((capfirst(field.verbose_name), shown_value(choices, old), shown_value(choices, new)))
        if "email" in self.changes and model is AdministrativeFile:
            old, new = self.changes["email"]
            rows.append((gettext("E-mail"), shown_value({}, old), shown_value({}, new)))
        return rows


BLOCK_MODELS = {
    AdministrativeChange.Block.CONTACT: AdministrativeFile,
    AdministrativeChange.Block.NEEDS: AdministrativeFile,
    AdministrativeChange.Block.MEDECIN_TRAITANT: AdministrativeFile,
    AdministrativeChange.Block.SHARING: AdministrativeFile,
    AdministrativeChange.Block.ADDRESS: Address,
    AdministrativeChange.Block.CONTACT_PERSON: ContactPerson,
    AdministrativeChange.Block.AMO: AmoCoverage,
    AdministrativeChange.Block.AMC: AmcCoverage,
}
