"""Patient record ↔ FHIR R4 Patient, following HL7 France FR Core where it says something.

Sources: HL7 France FR Core IG (hl7.fhir.fr.core, profiles fr-core-patient and
fr-core-patient-ins, read in the Interop-Sante/hl7.fhir.fr.core sources, 2.x), and
shared/domain/french-rules.md §1.2 (OIDs), §1.3 (traits), §1.5 (statuses).

Out (what a reader receives):

- ``name[0]`` use official: birth name (family) and every birth first name (given, one
  entry per first name), plus the FR Core extension ``fr-core-patient-birth-list-given-name``
  carrying the list as one string. NOTE: fr-core-patient-ins restricts ``given`` to the first
  first name only (1..1); we send the whole list in ``given`` as asked for this API, and the
  list extension lets an FR Core reader find it the FR Core way.
- ``name[1]`` use usual, only when a used name or a used first name is recorded.
- ``gender``: F → female, M → male, I (undetermined, held locally only) → unknown.
- birthplace: the standard ``patient-birthPlace`` extension (which FR Core slices as
  ``birthPlace``) holding an Address whose FR Core extension ``fr-core-address-insee-code``
  carries the COG code as a Coding, and the commune's or country's name in city / country.
- identity status (RNIV): FR Core complex extension ``fr-core-identity-reliability``, sub-
  extension ``identityStatus`` with a Coding PROV | RECUP | VALI | QUAL, plus
  ``validationDate`` when a high-trust document was checked.
- ``identifier``: the local record number (use usual, type v2-0203#PI, as FR Core's PI slice),
  under a system URL of this installation (see ``local_system``); the INS only when the
  identity is qualified (RNIV: the INS travels only then), with its OID as system and the FR
  Core identifier type.

In (create, update, $match): the traits are written under the INSi rules by
``patients.rules.names``; what cannot be written is refused (400) naming the element. The
INS of an incoming resource is ignored, always: it is never typed nor imported, only taken
from an INSi answer (french-rules.md §1.5). So are other identifiers.

Uncertain points (checked against the FR Core sources, still to confirm with a validator):
``IDENTITY_STATUS_SYSTEM`` (FR Core's value set fr-core-vs-identity-reliability-ins-status
takes the four codes from fr-core-cs-v2-0445, while newer builds define
fr-core-cs-identity-status), ``COUNTRY_SYSTEM`` for a birth abroad, and
``IDENTIFIER_TYPE_SYSTEM`` (FR Core's INS slices use fr-core-cs-v2-0203; the code system
fr-core-cs-identifier-type only holds VN and MN).
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from secretariat.interop.fhir.errors import invalid
from secretariat.patients import birthplaces
from secretariat.patients.insi.base import (
    OID_INS_NIA,
    OID_INS_NIR,
    OID_INS_NIR_DEMO,
    OID_INS_NIR_TEST,
)
from secretariat.patients.models import Patient
from secretariat.patients.rules import names
from secretariat.patients.rules.dates import birth_date_problem, parse_search_text
from secretariat.patients.services import Identity

FR_CORE = "https://hl7.fr/ig/fhir/core"
BIRTH_PLACE_URL = "http://hl7.org/fhir/StructureDefinition/patient-birthPlace"
INSEE_CODE_URL = f"{FR_CORE}/StructureDefinition/fr-core-address-insee-code"
# Read only: FR Core 2.0.0-ballot's own birthplace extension, the COG code in Address.district.
LEGACY_BIRTH_PLACE_URL = f"{FR_CORE}/StructureDefinition/fr-core-patient-birth-place"
COMMUNE_SYSTEM = "https://mos.esante.gouv.fr/NOS/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM"
# ANS terminology for countries, included with TRE_R13 in FR Core's value set "COG commune
# pays"; that it holds the 99xxx COG country codes is not confirmed.
COUNTRY_SYSTEM = "https://mos.esante.gouv.fr/NOS/TRE_R20-Pays/FHIR/TRE-R20-Pays"
BIRTH_LIST_GIVEN_NAME_URL = f"{FR_CORE}/StructureDefinition/fr-core-patient-birth-list-given-name"
IDENTITY_RELIABILITY_URL = f"{FR_CORE}/StructureDefinition/fr-core-identity-reliability"
IDENTITY_STATUS_SYSTEM = f"{FR_CORE}/CodeSystem/fr-core-cs-v2-0445"
IDENTIFIER_TYPE_SYSTEM = f"{FR_CORE}/CodeSystem/fr-core-cs-v2-0203"
V2_0203_SYSTEM = "http://terminology.hl7.org/CodeSystem/v2-0203"

# Displays are those of the FR Core code system (French), not interface text.
_STATUS_DISPLAYS = {
    Patient.IdentityStatus.PROVISIONAL: "Identité provisoire",
    Patient.IdentityStatus.RETRIEVED: "Identité récupérée",
    Patient.IdentityStatus.VALIDATED: "Identité validée",
    Patient.IdentityStatus.QUALIFIED: "Identité qualifiée",
}

# OID of the INS → (FR Core identifier type, identifier use); french-rules.md §1.2.
INS_IDENTIFIER_TYPES = {
    OID_INS_NIR: ("INS-NIR", "official"),
    OID_INS_NIA: ("INS-NIA", "temp"),
    OID_INS_NIR_TEST: ("INS-NIR-TEST", "official"),
    OID_INS_NIR_DEMO: ("INS-NIR-DEMO", "official"),
}

GENDERS = {Patient.Sex.FEMALE: "female", Patient.Sex.MALE: "male", Patient.Sex.UNDETERMINED: "unknown"}
SEXES = {gender: sex for sex, gender in GENDERS.items()}


def local_system(base_url: str) -> str:
    """System URL of this installation's record numbers, e.g. https://host/fhir/sid/patient.

    No national system exists for a local record number (an IPP has the establishment's own
    OID, which a practice does not have): the URL is built from the address the caller used,
    so it names this installation without any set-up.
    """
    return f"{base_url}sid/patient"


def ins_system(oid: str) -> str:
    return f"urn:oid:{oid}"


# --- out -------------------------------------------------------------------------------------


def patient_resource(patient: Patient, *, base_url: str) -> dict:
    """The FHIR Patient of a record (a dict; the response writer validates it)."""
    resource = {
        "resourceType": "Patient",
        "id": str(patient.pk),
        "meta": {"lastUpdated": patient.updated_at.isoformat()},
        "extension": [_identity_reliability(patient), _birth_place(patient.birthplace_code)],
        "identifier": [_local_identifier(patient, base_url), *_ins_identifiers(patient)],
        "active": True,
        "name": _names(patient),
        "gender": GENDERS[patient.sex],
        "birthDate": patient.birth_date.isoformat(),
    }
    telecom = [{"system": "phone", "value": patient.phone}] if patient.phone else []
    if patient.email:
        telecom.append({"system": "email", "value": patient.email})
    if telecom:
        resource["telecom"] = telecom
    return resource


def _names(patient: Patient) -> list[dict]:
    official = {
        "extension": [{"url": BIRTH_LIST_GIVEN_NAME_URL, "valueString": patient.birth_first_names}],
        "use": "official",
        "family": patient.birth_name,
        "given": patient.birth_first_names.split(),
    }
    found = [official]
    if patient.used_name or patient.used_first_name:
        usual = {"use": "usual"}
        if patient.used_name:
            usual["family"] = patient.used_name
        if patient.used_first_name:
            usual["given"] = [patient.used_first_name]
        found.append(usual)
    return found


def _identity_reliability(patient: Patient) -> dict:
    parts = [{"url": "identityStatus", "valueCoding": {
        "system": IDENTITY_STATUS_SYSTEM, "code": patient.identity_status,
        "display": _STATUS_DISPLAYS[patient.identity_status],
    }}]
    if patient.document_checked_at:
        parts.append({"url": "validationDate",
                      "valueDate": timezone.localdate(patient.document_checked_at).isoformat()})
    return {"url": IDENTITY_RELIABILITY_URL, "extension": parts}


def _birth_place(code: str) -> dict:
    place = birthplaces.lookup(code)
    is_country = code.startswith("99")
    address = {"extension": [{"url": INSEE_CODE_URL, "valueCoding": {
        "system": COUNTRY_SYSTEM if is_country else COMMUNE_SYSTEM, "code": code,
    }}]}
    if place is not None:
        address["country" if is_country else "city"] = place.name
    return {"url": BIRTH_PLACE_URL, "valueAddress": address}


def _local_identifier(patient: Patient, base_url: str) -> dict:
    return {
        "use": "usual",
        "type": {"coding": [{"system": V2_0203_SYSTEM, "code": "PI"}]},
        "system": local_system(base_url),
        "value": str(patient.pk),
    }


def _ins_identifiers(patient: Patient) -> list[dict]:
    # RNIV: the INS is shown, printed and transmitted only for a qualified identity.
    if not patient.ins_may_be_shown or patient.ins_oid not in INS_IDENTIFIER_TYPES:
        return []
    kind, use = INS_IDENTIFIER_TYPES[patient.ins_oid]
    return [{
        "use": use,
        "type": {"coding": [{"system": IDENTIFIER_TYPE_SYSTEM, "code": kind}]},
        "system": ins_system(patient.ins_oid),
        "value": patient.ins_matricule,
    }]


# --- in --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IncomingPatient:
    identity: Identity
    phone: str
    email: str


def incoming_patient(resource) -> IncomingPatient:
    """Traits and contact details of a Patient sent to be created or updated.

    Every trait strict is required, as on the creation screen (RNIV): 400 otherwise.
    """
    birth_name, first_names, used_name, used_first_name = _incoming_names(resource)
    birth_date = _incoming_birth_date(resource, required=True)
    problem = birth_date_problem(birth_date, today=timezone.localdate())
    if problem:
        raise invalid(problem, expression="Patient.birthDate")
    sex = _incoming_sex(resource, required=True)
    birthplace_code = _incoming_birthplace(resource)
    if not birthplace_code:
        raise invalid(_("Give the birthplace: the INSEE (COG) code in the patient-birthPlace "
                        "extension (fr-core-address-insee-code)."), expression="Patient.extension")
    if not birthplaces.is_known(birthplace_code):
        raise invalid(_("“%(code)s” is not an INSEE (COG) code of a commune or a country we know.")
                      % {"code": birthplace_code}, expression="Patient.extension")
    phone, email = _incoming_telecom(resource)
    identity = Identity(
        birth_name=birth_name, birth_first_names=first_names,
        first_birth_first_name=names.first_of(first_names), birth_date=birth_date, sex=sex,
        birthplace_code=birthplace_code, used_name=used_name, used_first_name=used_first_name,
    )
    return IncomingPatient(identity=identity, phone=phone, email=email)


def identity_to_match(resource) -> Identity:
    """The traits of a Patient given to $match: names and birth date required, the rest optional.

    A missing sex is "undetermined" (it then neither confirms nor contradicts); a missing
    birthplace is left out of the comparison.
    """
    birth_name, first_names, used_name, used_first_name = _incoming_names(resource)
    birth_date = _incoming_birth_date(resource, required=True)
    sex = _incoming_sex(resource, required=False) or Patient.Sex.UNDETERMINED
    return Identity(
        birth_name=birth_name, birth_first_names=first_names,
        first_birth_first_name=names.first_of(first_names), birth_date=birth_date, sex=sex,
        birthplace_code=_incoming_birthplace(resource), used_name=used_name,
        used_first_name=used_first_name,
    )


def _normalised(normalise, text: str, expression: str) -> str:
    try:
        return normalise(text)
    except names.InvalidName as error:
        raise invalid(f"{expression}: {error.message}", expression=expression) from None


def _incoming_names(resource) -> tuple[str, str, str, str]:
    entries = list(resource.name or [])
    official = next((i for i, name in enumerate(entries) if name.use == "official"), None)
    if official is None:
        official = next((i for i, name in enumerate(entries) if name.use is None), None)
    if official is None:
        raise invalid(_("Give the birth name and first names: a name with use “official”."),
                      expression="Patient.name")
    name, path = entries[official], f"Patient.name[{official}]"
    if not name.family:
        raise invalid(_("Give the birth name (family of the official name)."), expression=f"{path}.family")
    birth_name = _normalised(names.normalise_birth_name, name.family, f"{path}.family")
    listed = next((extension.valueString for extension in name.extension or []
                   if extension.url == BIRTH_LIST_GIVEN_NAME_URL and extension.valueString), None)
    given = _normalised(names.normalise_first_names, " ".join(name.given), f"{path}.given") \
        if name.given else ""
    if listed:
        first_names = _normalised(names.normalise_first_names, listed, f"{path}.extension")
        # FR Core puts the first first name alone in given, we put them all: either agrees.
        if given and given not in (first_names, names.first_of(first_names)):
            raise invalid(_("The given names and the list of birth first names (extension "
                            "fr-core-patient-birth-list-given-name) disagree: change both, or "
                            "send only one of them."), expression=f"{path}.given")
    elif given:
        first_names = given
    else:
        raise invalid(_("Give the birth first names (given of the official name)."),
                      expression=f"{path}.given")

    used_name = used_first_name = ""
    usual = next((i for i, entry in enumerate(entries) if entry.use == "usual"), None)
    if usual is not None:
        entry, path = entries[usual], f"Patient.name[{usual}]"
        if entry.family:
            used_name = _normalised(names.normalise_used_name, entry.family, f"{path}.family")
        if entry.given:
            used_first_name = _normalised(names.normalise_first_name, entry.given[0], f"{path}.given[0]")
    if used_name == birth_name:
        used_name = ""  # the used name is kept only when it differs (as on the identity screen)
    return birth_name, first_names, used_name, used_first_name


def _incoming_birth_date(resource, *, required: bool) -> date | None:
    value = resource.birthDate
    if value is None and not required:
        return None
    if not isinstance(value, date):
        raise invalid(_("Give the full birth date (YYYY-MM-DD)."), expression="Patient.birthDate")
    return value


def _incoming_sex(resource, *, required: bool) -> str:
    gender = resource.gender
    if gender is None and not required:
        return ""
    if gender not in SEXES:
        raise invalid(_("Give the gender: female, male or unknown (“other” cannot be recorded "
                        "as an identity trait)."), expression="Patient.gender")
    return SEXES[gender]


def _incoming_birthplace(resource) -> str:
    for extension in resource.extension or []:
        address = extension.valueAddress
        if extension.url not in (BIRTH_PLACE_URL, LEGACY_BIRTH_PLACE_URL) or address is None:
            continue
        for inner in address.extension or []:
            if inner.url == INSEE_CODE_URL and inner.valueCoding and inner.valueCoding.code:
                return birthplaces.normalise_code(inner.valueCoding.code)
        if address.district:
            return birthplaces.normalise_code(address.district)
    return ""


def _incoming_telecom(resource) -> tuple[str, str]:
    """The first phone and the first e-mail; phones are kept in the screens' form (10 digits)."""
    phone = email = ""
    for index, point in enumerate(resource.telecom or []):
        path = f"Patient.telecom[{index}].value"
        if point.system == "phone" and point.value and not phone:
            phone = parse_search_text(point.value, today=timezone.localdate()).phone or ""
            if not phone:
                raise invalid(_("Give a French phone number: 06 12 34 56 78 or +33 6 12 34 56 78."),
                              expression=path)
        elif point.system == "email" and point.value and not email:
            try:
                validate_email(point.value)
            except ValidationError:
                raise invalid(_("Give a valid e-mail address."), expression=path) from None
            email = point.value
    return phone, email
