"""Identity status state machine of the RNIV.

Four mutually exclusive statuses (HL7 FR Core value set fr-core-vs-identity-reliability-ins-status,
citing RNIV "EXI SI 07"; french-rules.md §1.5):

    PROV   neither INS retrieved nor a high-trust document checked
    RECUP  INS retrieved from INSi, no document checked
    VALI   document checked, no INS retrieved
    QUAL   both

The status is therefore derived from two facts, never set by hand. Changing a trait strict
outside a validation or an INSi retrieval drops both facts (back to PROV): the document and
the INS were checked against the old traits (french-rules.md §1.5, implementation practice).
Doubtful and fictitious identities stay provisional (FR Core invariant).
"""

from django.utils.translation import gettext as _

PROVISIONAL, RETRIEVED, VALIDATED, QUALIFIED = "PROV", "RECUP", "VALI", "QUAL"


def status_for(*, ins_retrieved: bool, document_checked: bool) -> str:
    if ins_retrieved and document_checked:
        return QUALIFIED
    if ins_retrieved:
        return RETRIEVED
    if document_checked:
        return VALIDATED
    return PROVISIONAL


def validation_refusal(*, is_doubtful: bool, is_fictitious: bool) -> str | None:
    """Why an identity cannot be validated or retrieved now, or None."""
    if is_fictitious:
        return _("A fictitious identity (anonymous care) stays provisional: it cannot be validated.")
    if is_doubtful:
        return _("The identity is marked doubtful: clear the doubt (with its reason) before validating it.")
    return None


def missing_for_qualification(*, ins_retrieved: bool, document_checked: bool) -> list[str]:
    """What the secretary still has to do for a qualified identity, in plain words."""
    missing = []
    if not document_checked:
        missing.append(_("check a high-trust identity document (passport, identity card, residence permit)"))
    if not ins_retrieved:
        missing.append(_("retrieve the INS from the INSi teleservice"))
    return missing
