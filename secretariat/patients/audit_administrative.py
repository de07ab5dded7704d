"""Audit action codes of the administrative file (labels translated when displayed).

Imported at the end of ``patients.audit``, so at start-up.
"""

from django.utils.translation import gettext_lazy as _

from secretariat.core.audit import register

register("patients.contact_preferences_changed", _("Contact preferences changed"))
register("patients.needs_changed", _("Needs and situation changed"))
register("patients.medecin_traitant_changed", _("Médecin traitant changed"))
register("patients.sharing_choices_changed", _("Sharing choices and consents changed"))
register("patients.address_added", _("Address added"))
register("patients.address_changed", _("Address changed"))
register("patients.address_removed", _("Address removed"))
register("patients.contact_person_added", _("Person around the patient added"))
register("patients.contact_person_changed", _("Person around the patient changed"))
register("patients.contact_person_removed", _("Person around the patient removed"))
register("patients.amo_coverage_added", _("AMO coverage added"))
register("patients.amo_coverage_changed", _("AMO coverage changed"))
register("patients.amo_coverage_removed", _("AMO coverage removed"))
register("patients.amc_coverage_added", _("AMC coverage added"))
register("patients.amc_coverage_changed", _("AMC coverage changed"))
register("patients.amc_coverage_removed", _("AMC coverage removed"))

