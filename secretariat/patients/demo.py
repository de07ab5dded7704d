"""Demo patients for ``manage.py seed_demo``: invented people with coherent identities.

Names come from lists of common names (never real persons), are written under the RNIV rules
like any typed identity, and each status carries what it needs: the document check of a
validated identity, the simulated INS of a retrieved one (demonstration OID).
"""

import random
from datetime import date, timedelta

from django.utils import timezone

from secretariat.patients.insi import OID_INS_NIR_DEMO, InsiTraits
from secretariat.patients.insi.simulation import simulated_matricule
from secretariat.patients.models import Address, AmcCoverage, AmoCoverage, Patient
from secretariat.patients.models.identity import IdentityDocument
from secretariat.patients.rules import names
from secretariat.patients.rules.nir import nir_key
from secretariat.patients.rules.status import status_for
from secretariat.patients.scan import scan_duplicates
from secretariat.patients.services import remember_names

PATIENT_COUNT = 300
SEED = 2026
# Fictitious ranges the ARCEP sets aside for works of fiction (plan national de numérotation,
# décision 2018-0881 annex): unverified here, so only used for the demo.
FICTION_MOBILE_PREFIX = "063998"
FICTION_LANDLINE_PREFIX = "046571"

SURNAMES = [
    "MARTIN", "BERNARDIN", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETITJEAN", "DURAND", "LEFÈVRE",
    "MICHEL", "GARCIA", "DAVID", "BERTRAND", "ROUSSEAU", "VINCENT", "FOURNIER", "MOREL", "GIRARD",
    "ANDRÉ", "MERCIER", "DUPONT", "LAMBERTIN", "BONNET", "FRANÇOIS", "MARTINEZ", "LEGRAND", "GAUTHIER",
    "PERRIN", "ROUSSEL", "MATHIEU", "CLÉMENT", "GAILLARD", "BRUN", "BARBIER", "ARNAUD", "MARCHAND",
    "DUFOUR", "BLANCHARD", "GUÉRIN", "BOYER", "CHEVALIER", "MARTIN-DUBOIS",
    "N'DIAYE", "DIALLO", "BENALI", "NGUYEN", "HADJ-AHMED", "D'ALMEIDA", "DE LA FONTAINE", "LE GALL",
    "LE ROUX", "KERGOAT", "ETCHEVERRY", "OLIVIER", "PÉRIER", "BÉRANGER", "MÉNARD", "CHAUVIN",
    "COLLIN", "RENAUD", "SCHMITT", "MEYER", "MULLER", "FERREIRA", "DA SILVA", "TRAORÉ", "KHELIFI",
    "AUBERT", "LÉGER", "CÔTÉ", "L'HERMITTE", "SAINT-JUST", "DUMONT-LAURENT",
]

FEMALE_FIRST_NAMES = [
    "Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Françoise", "Monique", "Christine",
    "Sophie", "Céline", "Émilie", "Aurélie", "Julie", "Camille", "Léa", "Chloé", "Manon", "Inès",
    "Éloïse", "Zoé", "Anaïs", "Hélène", "Gisèle", "Josiane", "Geneviève", "Marie-Claire",
    "Anne-Sophie", "Marie-Thérèse", "Fatima", "Aïcha", "Awa", "Mélanie", "Clémence", "Margaux",
    "Jeanne", "Louise", "Agnès", "Brigitte", "Odette", "Noémie", "Maëlys", "Lucie", "Lan",
]
MALE_FIRST_NAMES = [
    "Jean", "Pierre", "Michel", "André", "Philippe", "Alain", "Bernard", "Jacques", "Daniel",
    "Christophe", "Stéphane", "Nicolas", "Julien", "Thomas", "Lucas", "Hugo", "Théo", "Nathan",
    "Louis", "Gabriel", "Raphaël", "Mathéo", "Noé", "Jean-Pierre", "Jean-Claude", "Jean-Marc",
    "Pierre-Yves", "François", "Gérard", "René", "Hervé", "Loïc", "Yannick", "Mohamed", "Karim",
    "Youssef", "Mamadou", "Moussa", "Antoine", "Benoît", "Jérôme", "Cédric", "Maël", "Kévin",
]

# Real COG codes: communes (current code) and countries (99 + INSEE country code).
BIRTHPLACES_IN_FRANCE = ["69123", "69123", "69123", "69266", "69266", "69029", "75056", "13055",
                         "33063", "59350", "31555", "69259", "38185", "42218"]
BIRTHPLACES_ABROAD = ["99350", "99352", "99109", "99134", "99351", "99139", "99127"]

# Fictitious ranges the ARCEP sets aside for works of fiction (plan national de numérotation,
# décision 2018-0881 annex): unverified here, so only used for the demo.


def seed(structure, *, teams: dict, users: dict) -> dict[str, int]:
    rng = random.Random(SEED)
    checked_by = users["accueil"]
    # Three of the 300 are the same people entered twice (see _entered_twice).
    patients = [_synthetic_patient(rng, structure, checked_by) for _ in range(PATIENT_COUNT - 3)]
    for patient in patients:
        patient.refresh_search_keys()  # bulk_create does not call save()
    created = Patient.objects.bulk_create(patients)
    remember_names(created)
    # General practice follows most patients; specialists a share of them.
    team_keys, weights = ["general", "cardiology", "imaging", "physio"], [6, 2, 2, 2]
    through = Patient.care_teams.through
    links = []
    for patient in created:
        chosen = {rng.choices(team_keys, weights)[0] for _ in range(rng.choice([1, 1, 2]))}
        links.extend(through(patient_id=patient.pk, careteam_id=teams[key].pk) for key in sorted(chosen))
    through.objects.bulk_create(links)
    _create_administrative_data(rng, created)
    doubles = _entered_twice(rng, created, teams)
    # The referent's queue is ready for the demo, as the nightly scan would leave it.
    scan_duplicates(structure.pk)
    return {"patients": len(created) + len(doubles)}


def _entered_twice(rng: random.Random, patients: list[Patient], teams: dict) -> list[Patient]:
    """Three people typed again by another desk, with the entry errors seen in real life."""
    errors = [
        lambda p: {"birth_name": p.birth_name[:-2] + p.birth_name[-1] + p.birth_name[-2]},  # two letters swapped
        lambda p: {"birth_date": p.birth_date.replace(day=p.birth_date.month, month=p.birth_date.day)
                   if p.birth_date.day <= 12 else p.birth_date, "birth_first_names": p.first_birth_first_name},
        lambda p: {"birth_name": p.used_name or p.birth_name, "used_name": ""},  # used name typed as birth name
    ]
    doubles = []
    candidates = [patient for patient in patients if len(patient.birth_name) > 4 and patient.used_name]
    for error, original in zip(errors, rng.sample(candidates, len(errors)), strict=True):
        double = Patient(
            structure_id=original.structure_id, birth_name=original.birth_name,
            birth_first_names=original.birth_first_names, first_birth_first_name=original.first_birth_first_name,
            birth_date=original.birth_date, sex=original.sex, birthplace_code=original.birthplace_code,
            used_name=original.used_name, phone=original.phone,
        )
        for name, value in error(original).items():
            setattr(double, name, value)
        double.save()
        double.care_teams.set([teams["general"]])
        doubles.append(double)
    remember_names(doubles)
    return doubles


STREETS = ["rue des Tilleuls", "avenue Roger Salengro", "rue Francis de Pressensé", "cours Émile Zola",
           "rue du 4 Août 1789", "place Charles Hernu", "rue Anatole France", "allée des Coteaux",
           "boulevard Pinel", "rue de la République"]
CITIES = [("69100", "Villeurbanne"), ("69100", "Villeurbanne"), ("69500", "Bron"), ("69003", "Lyon"),
          ("69008", "Lyon"), ("69120", "Vaulx-en-Velin")]
# Invented organisms: no real mutuelle appears in the demo.
AMC_ORGANISMS = [("Mutuelle des Tilleuls", "11223344"), ("Prévoyance du Rhône (fictive)", "22334455"),
                 ("Mutuelle Santé Coteaux", "33445566")]


def _create_administrative_data(rng: random.Random, patients: list[Patient]) -> None:
    """Addresses and coverage, a few of them out of date so the desk has something to check."""
    today = timezone.localdate()
    addresses, amo, amc = [], [], []
    for patient in patients:
        if rng.random() < 0.9:
            postal_code, city = rng.choice(CITIES)
            addresses.append(Address(patient=patient, street_line=f"{rng.randrange(1, 120)} {rng.choice(STREETS)}",
                                     postal_code=postal_code, city=city))
        if rng.random() < 0.85:
            adult = patient.age_on(today) >= 18
            coverage = AmoCoverage(
                patient=patient, caisse_code="691", patient_is_insured=adult,
                rights_from=today - timedelta(days=rng.randrange(60, 700)),
                rights_until=today + timedelta(days=rng.randrange(-40, 500)),
                card_seen=AmoCoverage.Card.VITALE, card_seen_on=today - timedelta(days=rng.randrange(0, 400)),
            )
            if not adult:
                parent_body = f"{rng.choice('12')}{rng.randrange(70, 99)}{rng.randrange(1, 13):02d}69123{rng.randrange(1, 999):03d}"
                coverage.insured_last_name = patient.birth_name
                coverage.insured_first_name = rng.choice(["CLAIRE", "NICOLAS", "FATIMA", "JULIEN"])
                coverage.insured_nir = parent_body + nir_key(parent_body)
            if patient.age_on(today) >= 60 and rng.random() < 0.25:
                coverage.has_ald, coverage.ald_until = True, today + timedelta(days=rng.randrange(10, 900))
            amo.append(coverage)
        if rng.random() < 0.65:
            organism, number = rng.choice(AMC_ORGANISMS)
            amc.append(AmcCoverage(
                patient=patient, organism_name=organism, amc_number=number,
                member_number=str(rng.randrange(10**7, 10**8)), tiers_payant=rng.random() < 0.7,
                valid_from=date(today.year, 1, 1), valid_until=date(today.year, 12, 31)
                if rng.random() < 0.9 else today - timedelta(days=rng.randrange(1, 60)),
            ))
    Address.objects.bulk_create(addresses)
    AmoCoverage.objects.bulk_create(amo)
    AmcCoverage.objects.bulk_create(amc)


def _synthetic_patient(rng: random.Random, structure, checked_by) -> Patient:
    sex = rng.choice([Patient.Sex.FEMALE, Patient.Sex.MALE])
    first_name_pool = FEMALE_FIRST_NAMES if sex == Patient.Sex.FEMALE else MALE_FIRST_NAMES
    first_names = names.normalise_first_names(" ".join(rng.sample(first_name_pool, rng.choice([1, 2, 2, 3]))))
    birth_name = names.normalise_birth_name(rng.choice(SURNAMES))
    birth_date = date(1930, 1, 1) + timedelta(days=rng.randrange((date(2024, 12, 31) - date(1930, 1, 1)).days + 1))
    age = (date(2026, 1, 1) - birth_date).days // 365

    used_name = ""
    if sex == Patient.Sex.FEMALE and age >= 25 and rng.random() < 0.35:
        used_name = names.normalise_used_name(rng.choice([name for name in SURNAMES if name != birth_name]))
    listed = first_names.split()
    used_first_name = listed[1] if len(listed) > 1 and rng.random() < 0.05 else ""
    birthplace = rng.choice(BIRTHPLACES_ABROAD if rng.random() < 0.12 else BIRTHPLACES_IN_FRANCE)

    phone = ""
    if rng.random() < 0.85:
        prefix = FICTION_MOBILE_PREFIX if rng.random() < 0.8 else FICTION_LANDLINE_PREFIX
        phone = f"{prefix}{rng.randrange(100):02d}{rng.randrange(100):02d}"
    email = ""
    if age >= 16 and rng.random() < 0.5:
        email = f"{first_names.split()[0].lower()}.{(used_name or birth_name).lower()}{rng.randrange(100)}@example.org"
        email = "".join(char for char in email if char.isalnum() or char in ".@")

    patient = Patient(
        structure=structure, birth_name=birth_name, birth_first_names=first_names,
        first_birth_first_name=names.first_of(first_names), birth_date=birth_date, sex=sex,
        birthplace_code=birthplace, used_name=used_name, used_first_name=used_first_name,
        phone=phone, email=email,
    )
    # About 40 % provisional, 40 % validated, 15 % qualified, 5 % retrieved.
    draw = rng.random()
    document_checked, ins_retrieved = draw >= 0.40 and draw < 0.95, draw >= 0.80
    now = timezone.now()
    if document_checked:
        patient.document_type = rng.choice([IdentityDocument.NATIONAL_ID_CARD, IdentityDocument.PASSPORT,
                                            IdentityDocument.RESIDENCE_PERMIT])
        patient.document_checked_by, patient.document_checked_at = checked_by, now
    if ins_retrieved:
        traits = InsiTraits(birth_name=birth_name, first_names=first_names, sex=sex,
                            birth_date=birth_date, birthplace_code=birthplace)
        patient.ins_matricule, patient.ins_oid = simulated_matricule(traits), OID_INS_NIR_DEMO
        patient.ins_retrieved_at = now
    patient.identity_status = status_for(ins_retrieved=ins_retrieved, document_checked=document_checked)
    return patient
