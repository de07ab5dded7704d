"""The real INSi adapter: builds the SOAP request and reads the response document.

Everything that needs the health-professional card (CPS/e-CPS) or the establishment
certificate — signing the request (wsse:Security), the TLS connection, the endpoint — is an
injected `transport`: `transport(soap_action, envelope) -> response document`. Without one
the adapter raises InsiUnavailable: calling INSi needs a card or certificate and a contract
(french-rules.md §1.5), which this installation does not have until configured.

Response codes 00/01/02 and their meaning: french-rules.md §1.5 (e-santé Bretagne).
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext

from .base import (
    InsIdentity,
    InsiOutcome,
    InsiResponse,
    InsiTraits,
    InsiUnavailable,
    verification_response,
)

SOAP_SETTING = "SECRETARIAT_INSI_SOAP"

Transport = Callable[[str, bytes], bytes]

# ---------------------------------------------------------------------------------------------
# INSi XML MAPPING — to check against the GIE SESAM-Vitale INSi integration guide (SEL-MP-043)
# and the service WSDL before any real call. What each part rests on:
# - SOAP 1.2; WS-Addressing Action "urn:ServiceIdentiteCertifiee:1.0.0:<operation>"; the request
#   RECSANSVITALE in http://www.cnamts.fr/INSiRecSans (NomNaissance, Prenom, Sexe,
#   DateNaissance, LieuNaissance); the response RESULTAT > CR > CodeCR/LibelleCR and
#   INDIVIDU > INSACTIF > IdIndividu > NumIdentifiant (13) + Cle (2), OID, and
#   INDIVIDU > TIQ > NomNaissance, ListePrenom, Sexe, DateNaissance, LieuNaissance: seen alike
#   in several independent public implementations and a GIE sample program, NOT read in the
#   guide itself. Responses are read by local names, as their namespace prefixes vary.
# - One Prenom element per birth first name: a published schema binding declares Prenom
#   maxOccurs="unbounded" and the GIE sample passes an array, but public requests only ever
#   send one first name. UNCONFIRMED.
# - ContexteBAM / ContexteLPS headers: shapes copied from the same implementations; the values
#   (IDAM, instance, emitter) come from the CNDA agreement. UNCONFIRMED.
# - Verification: INSi has a verification operation, and a GIE sample names
#   "verifierInsAvecTraitsIdentite" (IndividuVerifie > INSFourni + TraitsIdentiteIndividu), but
#   neither the name nor the schema could be confirmed; verify() therefore searches with the
#   held traits through the operation above and compares the matricule and OID.
# - rechercherInsAvecCarteVitale (body RECVITALE in http://www.cnamts.fr/INSiRecVit) needs the
#   Vitale card read by the card software: listed for reference, not built.
INSI_XML = {
    "soap": "http://www.w3.org/2003/05/soap-envelope",
    "wsa": "http://www.w3.org/2005/08/addressing",
    "ctxbam": "urn:siram:bam:ctxbam",
    "ctxlps": "urn:siram:lps:ctxlps",
    "recsans": "http://www.cnamts.fr/INSiRecSans",
    "action_prefix": "urn:ServiceIdentiteCertifiee:1.0.0:",
    "search_by_traits": "rechercherInsAvecTraitsIdentite",
    "search_with_vitale": "rechercherInsAvecCarteVitale",
    "ctxbam_version": "01_02",
    "ctxlps_version": "01_00",
    "request": "RECSANSVITALE",
    "birth_name": "NomNaissance",
    "first_name": "Prenom",
    "sex": "Sexe",
    "birth_date": "DateNaissance",
    "birthplace": "LieuNaissance",
    "code": "CodeCR",
    "label": "LibelleCR",
    "active_ins": "INSACTIF",
    "number": "NumIdentifiant",
    "key": "Cle",
    "oid": "OID",
    "ins_traits": "TIQ",
    "first_names": "ListePrenom",
    "fault": "Fault",
}
# ---------------------------------------------------------------------------------------------

# Readable prefixes in the documents we build (as in the published examples).
for _prefix in ("soap", "wsa", "ctxbam", "ctxlps"):
    ET.register_namespace(_prefix, INSI_XML[_prefix])
ET.register_namespace("insi_recsans_ins", INSI_XML["recsans"])


def _qname(prefix: str, local: str) -> str:
    return f"{{{INSI_XML[prefix]}}}{local}"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find(element: ET.Element | None, local: str) -> ET.Element | None:
    if element is None:
        return None
    return next((child for child in element.iter() if _local(child.tag) == local), None)


def _text(element: ET.Element | None, local: str) -> str:
    found = _find(element, local)
    return "" if found is None or found.text is None else found.text.strip()


@dataclass(frozen=True)
class LpsContext:
    """Who calls: values of the software's CNDA agreement (setting SECRETARIAT_INSI_SOAP)."""

    idam: str = ""
    version: str = ""
    name: str = ""
    instance: str = ""
    emitter: str = ""


def _malformed() -> InsiUnavailable:
    return InsiUnavailable(gettext(
        "The INS teleservice sent an answer that cannot be read. Keep the identity "
        "provisional and try again later."))


class InsiSoapClient:
    """INSi through SOAP; the card/certificate and network part is the injected transport."""

    simulated = False

    def __init__(self, transport: Transport | None = None, *, lps: LpsContext | None = None,
                 now: Callable[[], datetime] = timezone.now,
                 new_id: Callable[[], str] = lambda: str(uuid.uuid4())) -> None:
        config = getattr(settings, SOAP_SETTING, {})
        if transport is None and config.get("TRANSPORT"):
            transport = import_string(config["TRANSPORT"])
        self.transport = transport
        self.lps = lps or LpsContext(
            idam=config.get("LPS_IDAM", ""), version=config.get("LPS_VERSION", ""),
            name=config.get("LPS_NAME", ""), instance=config.get("LPS_INSTANCE", ""),
            emitter=config.get("EMITTER", ""))
        self.now = now
        self.new_id = new_id

    @property
    def name(self) -> str:
        return gettext("INS teleservice of the Assurance Maladie")

    @property
    def search_action(self) -> str:
        return INSI_XML["action_prefix"] + INSI_XML["search_by_traits"]

    def build_request(self, traits: InsiTraits) -> bytes:
        """The SOAP envelope of a search by traits (without wsse:Security: the transport signs)."""
        traits = traits.normalised()
        sent_at = self.now().astimezone(UTC).isoformat(timespec="milliseconds")
        sent_at = sent_at.replace("+00:00", "Z")
        envelope = ET.Element(_qname("soap", "Envelope"))
        header = ET.SubElement(envelope, _qname("soap", "Header"))

        bam = ET.SubElement(header, _qname("ctxbam", "ContexteBAM"),
                            Version=INSI_XML["ctxbam_version"])
        for local, value in (("Id", self.new_id()), ("Temps", sent_at),
                             ("Emetteur", self.lps.emitter), ("COUVERTURE", "")):
            ET.SubElement(bam, _qname("ctxbam", local)).text = value or None

        lps = ET.SubElement(header, _qname("ctxlps", "ContexteLPS"), Nature="CTXLPS",
                            Version=INSI_XML["ctxlps_version"])
        for local, value in (("Id", self.new_id()), ("Temps", sent_at),
                             ("Emetteur", self.lps.emitter)):
            ET.SubElement(lps, _qname("ctxlps", local)).text = value
        software = ET.SubElement(lps, _qname("ctxlps", "LPS"))
        ET.SubElement(software, _qname("ctxlps", "IDAM"), R="4").text = self.lps.idam
        for local, value in (("Version", self.lps.version), ("Instance", self.lps.instance),
                             ("Nom", self.lps.name)):
            ET.SubElement(software, _qname("ctxlps", local)).text = value

        ET.SubElement(header, _qname("wsa", "Action")).text = self.search_action
        ET.SubElement(header, _qname("wsa", "MessageID")).text = f"uuid:{self.new_id()}"

        body = ET.SubElement(envelope, _qname("soap", "Body"))
        request = ET.SubElement(body, _qname("recsans", INSI_XML["request"]))
        ET.SubElement(request, _qname("recsans", INSI_XML["birth_name"])).text = traits.birth_name
        for first_name in traits.first_names.split():
            ET.SubElement(request, _qname("recsans", INSI_XML["first_name"])).text = first_name
        ET.SubElement(request, _qname("recsans", INSI_XML["sex"])).text = traits.sex
        ET.SubElement(request, _qname("recsans", INSI_XML["birth_date"])).text = (
            traits.birth_date.isoformat())
        if traits.birthplace_code:
            ET.SubElement(request, _qname("recsans", INSI_XML["birthplace"])).text = (
                traits.birthplace_code)
        return ET.tostring(envelope, encoding="utf-8", xml_declaration=True)

    def parse_response(self, document: bytes) -> InsiResponse:
        """An InsiResponse from the response document, or InsiUnavailable if unusable."""
        try:
            # The answer comes from the teleservice through the transport; expat >= 2.4.1
            # bounds entity expansion and ElementTree never fetches external entities.
            root = ET.fromstring(document)  # noqa: S314
        except ET.ParseError:
            raise _malformed() from None
        fault = _find(root, INSI_XML["fault"])
        if fault is not None:
            reason = " ".join(" ".join(fault.itertext()).split())
            raise InsiUnavailable(
                gettext("The INS teleservice refused the request (%(reason)s). Keep the "
                        "identity provisional.") % {"reason": reason})
        try:
            outcome = InsiOutcome(_text(root, INSI_XML["code"]))
        except ValueError:
            raise _malformed() from None
        if outcome != InsiOutcome.FOUND:
            return InsiResponse.of(outcome, simulated=False)
        return InsiResponse.of(outcome, self._identity(root), simulated=False)

    def _identity(self, root: ET.Element) -> InsIdentity:
        active = _find(root, INSI_XML["active_ins"])  # INSHISTO (former INS) is not read
        ins_traits = _find(root, INSI_XML["ins_traits"])
        if active is None or ins_traits is None:
            raise _malformed()
        raw_date = _text(ins_traits, INSI_XML["birth_date"])
        try:
            birth_date = date.fromisoformat(raw_date)
        except ValueError:
            # National bases hold "lunar" dates (unknown day or month, e.g. 1980-00-00).
            raise InsiUnavailable(
                gettext("The INS teleservice returned a birth date that is not a calendar "
                        "date (%(date)s): follow the identitovigilance procedure for this "
                        "identity.") % {"date": raw_date}) from None
        traits = InsiTraits(
            birth_name=_text(ins_traits, INSI_XML["birth_name"]),
            first_names=_text(ins_traits, INSI_XML["first_names"]),
            sex=_text(ins_traits, INSI_XML["sex"]),
            birth_date=birth_date,
            birthplace_code=_text(ins_traits, INSI_XML["birthplace"]),
        )
        try:
            return InsIdentity(
                _text(active, INSI_XML["number"]) + _text(active, INSI_XML["key"]),
                _text(active, INSI_XML["oid"]), traits)
        except ValueError:
            raise _malformed() from None

    def _send(self, action: str, document: bytes) -> bytes:
        try:
            return self.transport(action, document)
        except OSError:  # network down, timeout, TLS failure
            raise InsiUnavailable() from None

    def search_by_traits(self, traits: InsiTraits) -> InsiResponse:
        if self.transport is None:
            raise InsiUnavailable(gettext(
                "The INS teleservice needs a health professional card (CPS or e-CPS) or an "
                "establishment certificate, and it is not configured on this installation."))
        document = self.build_request(traits)
        return self.parse_response(self._send(self.search_action, document))

    def verify(self, identity: InsIdentity) -> InsiResponse:
        """Search with the held traits and confirm only the same matricule and OID."""
        return verification_response(identity, self.search_by_traits(identity.traits))
