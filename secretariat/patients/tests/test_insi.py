"""INSi boundary: data, simulation (00/01/02, folding, keys, outage), adapter choice, SOAP."""

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from stdnum.fr import nir

from secretariat.patients.insi import (
    OID_INS_NIA,
    OID_INS_NIR,
    OID_INS_NIR_DEMO,
    OID_INS_NIR_TEST,
    InsiClient,
    InsIdentity,
    InsiInvalidTraits,
    InsiOutcome,
    InsiResponse,
    InsiTraits,
    InsiUnavailable,
    OidKind,
    fold_insi_text,
    get_insi_client,
    oid_kind,
    production_refuses,
)
from secretariat.patients.insi.simulation import (
    NATIONAL_BASE,
    SimulatedInsi,
    nir_key,
    simulated_matricule,
)
from secretariat.patients.insi.soap import InsiSoapClient, LpsContext

FOUND_ADVICE = (
    "One identity found. Compare the INS traits with the identity document before taking "
    "them over: the identity then becomes retrieved, or qualified if a high-trust identity "
    "document has already been checked.")
NOT_FOUND_ADVICE = (
    "No identity found. Check the birth name, birth date and sex, then search again with "
    "another birth first name or with all of them. Without an answer, the identity stays "
    "provisional.")
SEVERAL_ADVICE = (
    "Several identities found. Search again adding all the birth first names of the identity "
    "document, then the birthplace code if it was not given.")
MISMATCH_ADVICE = (
    "The INS teleservice does not confirm this INS for these traits. Do not use this INS: "
    "check the identity with the patient and the identity document, then search again.")
MALFORMED = ("The INS teleservice sent an answer that cannot be read. Keep the identity "
             "provisional and try again later.")

LEFEVRE = InsiTraits("Lefèvre", "Éloïse Marie", "F", date(1962, 7, 14), "69123")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def search(birth_name, first_names, sex, birth_date, birthplace_code="", client=None):
    client = client or SimulatedInsi()
    return client.search_by_traits(
        InsiTraits(birth_name, first_names, sex, date.fromisoformat(birth_date), birthplace_code))


# --- Simulation: 00 / 01 / 02 -----------------------------------------------------------------

def test_found_returns_the_full_ins_traits_and_a_demonstration_ins():
    response = search("Valmorent", "Marie", "F", "1984-03-12")
    assert response.outcome == InsiOutcome.FOUND == "00"
    assert response.identity == InsIdentity(
        "284036912390841", OID_INS_NIR_DEMO,
        InsiTraits("VALMORENT", "MARIE ELODIE", "F", date(1984, 3, 12), "69123"))
    assert response.advice == FOUND_ADVICE
    assert response.simulated is True


def test_another_first_name_is_not_found_with_the_retry_advice():
    response = search("Valmorent", "Élodie", "F", "1984-03-12")
    assert (response.outcome, response.identity) == (InsiOutcome.NOT_FOUND, None)
    assert response.advice == NOT_FOUND_ADVICE


def test_twins_given_only_the_first_first_name_are_several():
    response = search("Rouvière", "Camille", "F", "2001-09-14", "33063")
    assert (response.outcome, response.identity) == (InsiOutcome.SEVERAL, None)
    assert response.advice == SEVERAL_ADVICE


def test_twins_are_told_apart_by_all_their_first_names():
    response = search("Rouvière", "Camille Louise", "F", "2001-09-14")
    assert response.outcome == InsiOutcome.FOUND
    assert response.identity.traits.first_names == "CAMILLE LOUISE"
    assert response.identity.matricule == "201093306395443"


def test_homonyms_are_told_apart_by_the_birthplace_code():
    assert search("Marchessou", "Lucas", "M", "1975-05-05").outcome == InsiOutcome.SEVERAL
    response = search("Marchessou", "Lucas", "M", "1975-05-05", "13055")
    assert response.outcome == InsiOutcome.FOUND
    assert (response.identity.matricule, response.identity.traits.birthplace_code) == (
        "175051305515717", "13055")


def test_accents_case_and_hyphens_of_the_request_are_folded_like_insi():
    response = search("étienne-brissac", "Noël", "M", "1957-11-25", "2a004")
    assert response.outcome == InsiOutcome.FOUND
    assert response.identity.traits == InsiTraits(
        "ETIENNE-BRISSAC", "NOEL FRANCOIS", "M", date(1957, 11, 25), "2A004")


@pytest.mark.parametrize(("typed", "folded"), [
    ("Œillet Cœur", "OEILLET COEUR"),
    ("d’Arvieu", "D'ARVIEU"),
    ("  Lætitia   Anne ", "LAETITIA ANNE"),
    ("Zoé-Ñuria Ÿvette", "ZOE-NURIA YVETTE"),
])
def test_fold_insi_text(typed, folded):
    assert fold_insi_text(typed) == folded


def test_characters_insi_refuses_are_reported_not_dropped():
    with pytest.raises(InsiInvalidTraits) as refused:
        search("Dupont2/B", "Jean", "M", "1970-01-01", "69123")
    assert refused.value.message == (
        "The birth name contains characters that the INS teleservice does not accept: / 2. "
        "Correct it as written on the identity document.")


def test_a_sex_other_than_female_or_male_cannot_be_sent():
    with pytest.raises(InsiInvalidTraits) as refused:
        search("Lefèvre", "Éloïse", "I", "1962-07-14", "69123")
    assert refused.value.message == (
        "The INS teleservice only knows the sexes female and male: it cannot be called for "
        "this identity.")


# --- Simulation: keys, the rule, the closed base, verification ----------------------------------

@pytest.mark.parametrize("record", NATIONAL_BASE, ids=lambda record: record.first_names)
def test_every_simulated_matricule_has_a_valid_nir_key(record):
    matricule = SimulatedInsi().identity_of(record).matricule
    body = matricule[:5] + {"2A": "19", "2B": "18"}.get(matricule[5:7], matricule[5:7])
    body += matricule[7:13]
    assert len(matricule) == 15
    assert (int(body) + int(matricule[13:])) % 97 == 0  # key = 97 - (N mod 97)
    assert nir.is_valid(matricule)  # python-stdnum, an independent implementation


def test_simulated_matricules_are_all_different():
    matricules = {SimulatedInsi().identity_of(record).matricule for record in NATIONAL_BASE}
    assert len(matricules) == len(NATIONAL_BASE) == 9


@pytest.mark.parametrize(("body", "key"), [  # french-rules.md §2.3 worked examples
    ("1850578006084", "91"), ("253072A073004", "43"), ("253072B073004", "70"),
    ("2951099126111", "93"), ("1780297120123", "03"), ("1602099350012", "53"),
])
def test_nir_key_of_the_worked_examples(body, key):
    assert nir_key(body) == key


def test_the_rule_finds_a_complete_identity_outside_the_base():
    response = SimulatedInsi().search_by_traits(LEFEVRE)
    assert response.outcome == InsiOutcome.FOUND
    assert response.identity.traits == InsiTraits(
        "LEFEVRE", "ELOISE MARIE", "F", date(1962, 7, 14), "69123")
    # The same traits give the same matricule through the rule and through a closed base.
    closed = SimulatedInsi.from_identities([LEFEVRE]).search_by_traits(LEFEVRE)
    assert response.identity == closed.identity
    assert response.identity.matricule == simulated_matricule(LEFEVRE.normalised())


def test_the_rule_needs_the_birthplace_code():
    assert search("Lefèvre", "Éloïse", "F", "1962-07-14").outcome == InsiOutcome.NOT_FOUND


def test_names_of_the_base_are_answered_by_the_base_only():
    response = search("Valmorent", "Marie", "F", "1984-03-13", "69123")
    assert response.outcome == InsiOutcome.NOT_FOUND


def test_inconnu_is_never_found():
    assert search("Inconnu", "Jean", "M", "1970-01-01", "69123").outcome == InsiOutcome.NOT_FOUND


def test_from_identities_builds_a_closed_base():
    client = SimulatedInsi.from_identities([LEFEVRE, LEFEVRE])
    assert client.records == (LEFEVRE.normalised(),)  # the same person given twice counts once
    assert client.search_by_traits(LEFEVRE).outcome == InsiOutcome.FOUND
    assert search("Lefèvre", "Éloïse", "F", "1962-07-14", client=client).outcome == "00"
    assert search("Martin", "Paul", "M", "1980-01-01", "69123",
                  client=client).outcome == InsiOutcome.NOT_FOUND
    assert search("Valmorent", "Marie", "F", "1984-03-12",
                  client=client).outcome == InsiOutcome.NOT_FOUND
    with_builtin = SimulatedInsi.from_identities([LEFEVRE], include_builtin=True)
    assert search("Valmorent", "Marie", "F", "1984-03-12",
                  client=with_builtin).outcome == InsiOutcome.FOUND


def test_verify_confirms_the_same_ins_and_refuses_another():
    client = SimulatedInsi()
    held = client.search_by_traits(NATIONAL_BASE[6]).identity  # the twin CAMILLE LOUISE
    assert client.verify(held) == InsiResponse(InsiOutcome.FOUND, held, FOUND_ADVICE, True)
    other = InsIdentity("201093306380496", OID_INS_NIR_DEMO, held.traits)
    assert client.verify(other) == InsiResponse(InsiOutcome.NOT_FOUND, None, MISMATCH_ADVICE,
                                                True)


# --- Outage, OIDs, data invariants ------------------------------------------------------------

def test_simulated_outage_by_flag_or_birth_name():
    message = ("Simulated outage: the INS teleservice does not answer. Keep the identity "
               "provisional and try again later.")
    with pytest.raises(InsiUnavailable) as outage:
        SimulatedInsi(unavailable=True).search_by_traits(NATIONAL_BASE[0])
    assert outage.value.message == str(outage.value) == message
    with pytest.raises(InsiUnavailable) as outage:
        search("Indisponible", "Jean", "M", "1970-01-01", "69123")
    assert outage.value.message == message


@pytest.mark.parametrize(("oid", "kind", "is_nia", "test_or_demo"), [
    (OID_INS_NIR, OidKind.NIR, False, False),
    (OID_INS_NIA, OidKind.NIA, True, False),
    (OID_INS_NIR_TEST, OidKind.TEST, False, True),
    (OID_INS_NIR_DEMO, OidKind.DEMO, False, True),
])
def test_oid_kinds(oid, kind, is_nia, test_or_demo):
    identity = InsIdentity("284036912390841", oid, NATIONAL_BASE[0])
    assert (oid_kind(oid), identity.is_nia, identity.is_test_or_demo) == (
        kind, is_nia, test_or_demo)


def test_an_unknown_oid_or_a_short_matricule_is_no_ins():
    with pytest.raises(ValueError, match="Unknown INS OID"):
        oid_kind("1.2.250.1.71.4.2.1")
    with pytest.raises(ValueError, match="15 characters, not 13"):
        InsIdentity("2840369123908", OID_INS_NIR, NATIONAL_BASE[0])


def test_production_refuses_test_and_demonstration_oids(settings):
    del settings.SECRETARIAT_INSI_ALLOW_TEST_OIDS
    assert not any(production_refuses(oid) for oid in (OID_INS_NIR_TEST, OID_INS_NIR_DEMO))
    settings.SECRETARIAT_INSI_ALLOW_TEST_OIDS = False
    assert [production_refuses(oid) for oid in (
        OID_INS_NIR, OID_INS_NIA, OID_INS_NIR_TEST, OID_INS_NIR_DEMO)] == [
        False, False, True, True]


def test_a_response_carries_an_identity_exactly_when_found():
    with pytest.raises(ValueError, match="exactly when it is FOUND"):
        InsiResponse(InsiOutcome.FOUND, None, "", simulated=True)


# --- Adapter selection --------------------------------------------------------------------------

def test_the_simulation_is_the_default_adapter(settings):
    del settings.SECRETARIAT_INSI_ADAPTER
    client = get_insi_client()
    assert isinstance(client, SimulatedInsi)
    assert isinstance(client, InsiClient)
    assert (client.name, client.simulated) == (
        "INSi simulation (no call to the Assurance Maladie)", True)


def test_the_adapter_is_chosen_by_setting(settings):
    settings.SECRETARIAT_INSI_ADAPTER = "secretariat.patients.insi.soap.InsiSoapClient"
    client = get_insi_client()
    assert isinstance(client, InsiSoapClient)
    assert isinstance(client, InsiClient)
    assert (client.name, client.simulated) == ("INS teleservice of the Assurance Maladie", False)
    settings.SECRETARIAT_INSI_ADAPTER = "secretariat.patients.insi.nowhere.Client"
    with pytest.raises(ImproperlyConfigured, match="SECRETARIAT_INSI_ADAPTER"):
        get_insi_client()


# --- SOAP adapter -------------------------------------------------------------------------------

def insi_answer(result: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            '<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>'
            '<RESULTAT xmlns="http://www.cnamts.fr/INSiResultat">' + result
            + "</RESULTAT></soap:Body></soap:Envelope>").encode()


FOUND_ANSWER = insi_answer(
    "<CR><CodeCR>00</CodeCR><LibelleCR>OK</LibelleCR></CR><INDIVIDU>"
    "<INSACTIF><IdIndividu><NumIdentifiant>2920699350120</NumIdentifiant><Cle>43</Cle>"
    "</IdIndividu><OID>1.2.250.1.213.1.4.8</OID></INSACTIF>"
    "<INSHISTO><IdIndividu><NumIdentifiant>2920699350999</NumIdentifiant><Cle>11</Cle>"
    "</IdIndividu><OID>1.2.250.1.213.1.4.8</OID></INSHISTO>"
    "<TIQ><NomNaissance>BENSALEM</NomNaissance><ListePrenom>YASMINE NOOR</ListePrenom>"
    "<Sexe>F</Sexe><DateNaissance>1992-06-30</DateNaissance>"
    "<LieuNaissance>99350</LieuNaissance></TIQ></INDIVIDU>")
BENSALEM = InsIdentity("292069935012043", OID_INS_NIR,
                       InsiTraits("BENSALEM", "YASMINE NOOR", "F", date(1992, 6, 30), "99350"))


class FakeTransport:
    """Stands for the card/certificate and network part: records the call, returns a canned answer."""

    def __init__(self, answer: bytes) -> None:
        self.answer = answer
        self.calls: list[tuple[str, bytes]] = []

    def __call__(self, action: str, document: bytes) -> bytes:
        self.calls.append((action, document))
        return self.answer


def canned_transport(action: str, document: bytes) -> bytes:
    return FOUND_ANSWER


def soap_client(answer: bytes = FOUND_ANSWER) -> InsiSoapClient:
    return InsiSoapClient(
        FakeTransport(answer), lps=LpsContext("IDAM0001", "1.0", "secretariat", "inst-1", "emitter-1"),
        now=lambda: datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), new_id=lambda: "fixed-id")


def texts(document: bytes, local: str) -> list[str]:
    root = ET.fromstring(document)  # noqa: S314 - a document built by the test itself
    return [element.text or "" for element in root.iter() if element.tag.endswith("}" + local)]


def test_soap_search_builds_the_request_and_reads_the_answer():
    client = soap_client()
    response = client.search_by_traits(
        InsiTraits("Bensalem", "Yasmine Noor", "F", date(1992, 6, 30), "99350"))
    assert response == InsiResponse(InsiOutcome.FOUND, BENSALEM, FOUND_ADVICE, simulated=False)
    [(action, document)] = client.transport.calls
    assert action == "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite"
    assert texts(document, "Action") == [action]
    assert texts(document, "MessageID") == ["uuid:fixed-id"]
    assert texts(document, "Temps") == ["2026-01-02T03:04:05.000Z"] * 2
    assert texts(document, "IDAM") == ["IDAM0001"]
    assert texts(document, "Emetteur") == ["emitter-1"] * 2
    assert [element.tag for element in ET.fromstring(document).iter()  # noqa: S314
            if element.tag.endswith("}RECSANSVITALE")] == [
        "{http://www.cnamts.fr/INSiRecSans}RECSANSVITALE"]
    assert texts(document, "NomNaissance") == ["BENSALEM"]
    assert texts(document, "Prenom") == ["YASMINE", "NOOR"]
    assert texts(document, "Sexe") == ["F"]
    assert texts(document, "DateNaissance") == ["1992-06-30"]
    assert texts(document, "LieuNaissance") == ["99350"]


def test_soap_request_omits_the_birthplace_when_not_given():
    document = soap_client().build_request(InsiTraits("Bensalem", "Yasmine", "F",
                                                      date(1992, 6, 30)))
    assert texts(document, "LieuNaissance") == []


@pytest.mark.parametrize(("code", "outcome", "advice"), [
    ("01", InsiOutcome.NOT_FOUND, NOT_FOUND_ADVICE),
    ("02", InsiOutcome.SEVERAL, SEVERAL_ADVICE),
])
def test_soap_reads_not_found_and_several(code, outcome, advice):
    answer = insi_answer(f"<CR><CodeCR>{code}</CodeCR><LibelleCR>x</LibelleCR></CR>")
    assert soap_client(answer).search_by_traits(BENSALEM.traits) == InsiResponse(
        outcome, None, advice, simulated=False)


@pytest.mark.parametrize(("answer", "message"), [
    (b"<not xml", MALFORMED),
    (insi_answer("<CR><CodeCR>03</CodeCR></CR>"), MALFORMED),
    (insi_answer("<CR><CodeCR>00</CodeCR></CR>"), MALFORMED),
    (FOUND_ANSWER.replace(b"1992-06-30", b"1992-00-00"),
     "The INS teleservice returned a birth date that is not a calendar date (1992-00-00): "
     "follow the identitovigilance procedure for this identity."),
    (b'<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>'
     b"<soap:Fault><soap:Reason><soap:Text>Assertion invalide</soap:Text></soap:Reason>"
     b"</soap:Fault></soap:Body></soap:Envelope>",
     "The INS teleservice refused the request (Assertion invalide). Keep the identity "
     "provisional."),
])
def test_soap_unusable_answers_are_unavailability(answer, message):
    with pytest.raises(InsiUnavailable) as unavailable:
        soap_client(answer).search_by_traits(BENSALEM.traits)
    assert unavailable.value.message == message


def test_soap_network_failure_is_unavailability():
    def broken(action, document):
        raise TimeoutError

    with pytest.raises(InsiUnavailable) as unavailable:
        InsiSoapClient(broken).search_by_traits(BENSALEM.traits)
    assert unavailable.value.message == (
        "The INS teleservice cannot be reached at the moment. Keep the identity provisional "
        "and try again later.")


def test_soap_without_transport_says_a_card_or_certificate_is_needed(settings):
    del settings.SECRETARIAT_INSI_SOAP
    with pytest.raises(InsiUnavailable) as unavailable:
        InsiSoapClient().search_by_traits(BENSALEM.traits)
    assert unavailable.value.message == (
        "The INS teleservice needs a health professional card (CPS or e-CPS) or an "
        "establishment certificate, and it is not configured on this installation.")


def test_soap_transport_and_context_from_setting(settings):
    settings.SECRETARIAT_INSI_SOAP = {
        "TRANSPORT": "secretariat.patients.tests.test_insi.canned_transport",
        "LPS_IDAM": "IDAM0002", "EMITTER": "emitter-2"}
    client = InsiSoapClient()
    assert client.lps == LpsContext(idam="IDAM0002", emitter="emitter-2")
    assert client.search_by_traits(BENSALEM.traits).identity == BENSALEM


def test_soap_verify_compares_the_matricule_and_oid():
    client = soap_client()
    assert client.verify(BENSALEM).outcome == InsiOutcome.FOUND
    demo = InsIdentity(BENSALEM.matricule, OID_INS_NIR_DEMO, BENSALEM.traits)
    assert client.verify(demo) == InsiResponse(InsiOutcome.NOT_FOUND, None, MISMATCH_ADVICE,
                                               simulated=False)
