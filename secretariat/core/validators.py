"""Form and model validators wrapping ``rules`` with messages that say what to fix."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from secretariat.core import rules


def validate_siret(value: str) -> None:
    if not rules.is_valid_siret(value):
        raise ValidationError(
            _("This SIRET is not valid: it has 14 digits and its last digit is a check key. "
              "Copy it again from the Sirene notice."),
            code="invalid_siret",
        )


def validate_finess(value: str) -> None:
    if not rules.is_valid_finess(value):
        raise ValidationError(
            _("This FINESS number is not valid: it has 9 characters and ends with a check key."),
            code="invalid_finess",
        )


def validate_rpps(value: str) -> None:
    if not rules.is_valid_rpps(value):
        raise ValidationError(
            _("This RPPS number is not valid: it has 11 digits and its last digit is a check key."),
            code="invalid_rpps",
        )


def validate_mssante_address(value: str) -> None:
    domain = value.rsplit("@", 1)[-1].lower()
    if not domain.endswith(".mssante.fr"):
        raise ValidationError(
            _("An MSSanté address ends with “.mssante.fr” (for example prenom.nom@medecin.mssante.fr)."),
            code="invalid_mssante",
        )
