"""Synthetic French patient identities with labelled duplicates and look-alikes.

Every person is invented: names and first names are drawn from lists of common French and
immigrant-origin names and combined at random, dates and NIR are random (NIR keys are computed so
they are valid). Deterministic for a given seed. Used by bench/duplicates.py.

Ground truth: each identity belongs to a person; two identities of the same person are a true
duplicate (labelled with the entry errors of the copy); pairs of persons that look alike on
purpose (twins, siblings, parent and child with the same names, namesakes) are labelled too.
"""

import random
import re
import unicodedata
from bisect import bisect
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from itertools import accumulate

from secretariat.patients.rules.keys import fold
from secretariat.patients.rules.matching import Identity

REFERENCE_DATE = date(2026, 1, 1)
DUPLICATE_KINDS = (
    "name_typo", "first_name_typo", "accents_punctuation", "phonetic_spelling", "inverted_names",
    "used_name_as_birth_name", "missing_second_first_name", "day_month_swapped", "year_digit",
    "same_nir",
)
LOOKALIKE_KINDS = ("twins", "siblings", "parent_child", "namesakes")
# Share of the records of each injected kind (the rest are distinct people).
DUPLICATE_RATE = 0.03
LOOKALIKE_RATES = {"twins": 0.01, "siblings": 0.01, "parent_child": 0.005, "namesakes": 0.01}
TWO_ERRORS_RATE = 0.25
# Which part of the identity each error touches: two errors of one copy touch different parts.
_FIELDS = {"name_typo": "N", "phonetic_spelling": "N", "used_name_as_birth_name": "N",
           "first_name_typo": "P", "missing_second_first_name": "P", "inverted_names": "NP",
           "day_month_swapped": "D", "year_digit": "D", "accents_punctuation": ""}

# Lists in rough order of frequency; "_" stands for a space inside a name.
_FAMILY = {
    "fr": """MARTIN BERNARD THOMAS PETIT ROBERT RICHARD DURAND DUBOIS MOREAU LAURENT SIMON MICHEL
        LEFEBVRE LEROY ROUX DAVID BERTRAND MOREL FOURNIER GIRARD BONNET DUPONT LAMBERT FONTAINE
        ROUSSEAU VINCENT MULLER LEFÈVRE FAURE ANDRÉ MERCIER BLANC GUÉRIN BOYER GARNIER CHEVALIER
        FRANÇOIS LEGRAND GAUTHIER PERRIN ROBIN CLÉMENT MORIN NICOLAS HENRY ROUSSEL MATHIEU GAUTIER
        MASSON MARCHAND DUVAL DENIS DUMONT MARIE LEMAIRE NOËL MEYER DUFOUR MEUNIER BRUN BLANCHARD
        GIRAUD JOLY RIVIÈRE LUCAS BRUNET GAILLARD BARBIER ARNAUD GÉRARD ROCHE RENARD SCHMITT ROY
        LEROUX COLIN VIDAL CARON PICARD ROGER FABRE AUBERT LEMOINE RENAUD DUMAS LACROIX OLIVIER
        PHILIPPE BOURGEOIS PIERRE BENOÎT REY LECLERC PAYET ROLLAND LECLERCQ GUILLAUME LECOMTE JEAN
        DUPUY GUILLOT HUBERT BERGER CARPENTIER DUPUIS MOULIN LOUIS DESCHAMPS HUET VASSEUR BOUCHER
        FLEURY ROYER KLEIN JACQUET ADAM PARIS POIRIER MARTY AUBRY GUYOT CARRÉ CHARLES RENAULT
        CHARPENTIER MÉNARD MAILLARD BARON BERTIN BAILLY HERVÉ SCHNEIDER LE_GALL COLLET LÉGER
        BOUVIER JULIEN PRÉVOST MILLET PERROT DANIEL LE_ROUX COUSIN GERMAIN BRETON BESSON LANGLOIS
        RÉMY LE_GOFF PELLETIER LÉVÊQUE PERRIER LEBLANC BARRÉ LEBRUN MARCHAL WEBER MALLET HAMON
        BOULANGER JACOB MONNIER MICHAUD GUICHARD GILLET ÉTIENNE GRONDIN POULAIN TESSIER CHEVALLIER
        COLLIN CHAUVIN BOUCHET GAY LEMAÎTRE BÉNARD MARÉCHAL HUMBERT REYNAUD ANTOINE HOARAU PERRET
        BARTHÉLEMY CORDIER PICHON LEJEUNE GILBERT LAMY DELAUNAY PASQUIER CARLIER LAPORTE D'ARCY
        DE_LA_FONTAINE THIBAULT N'GUYEN_VAN LE_BRIS KERVELLA QUÉMÉNER GUILLOU TANGUY""",
    "mg": """BENALI BENAMAR BOUAZIZ BOUZID BRAHIMI CHERIF DJELLOUL HADDAD HAMIDI KACI KHELIFI
        MANSOURI MEDDAH MEZIANE MOKRANI NACERI OUALI RAHMANI SAADI SAIDI SLIMANI TAHRI ZERROUKI
        AMRANI BELKACEM BENSAID BOUDJEMA CHAOUI EL_AMRANI EL_IDRISSI BENNANI TAZI ALAOUI BERRADA
        CHERKAOUI EL_FASSI ZIANI HAMDI TRABELSI BEN_AMOR GHARBI JEBALI MEJRI AYARI BOUGHANMI
        AIT_AHMED AIT_ALI BELHADJ MEBARKI BOUKHALFA""",
    "ib": """DA_SILVA DOS_SANTOS FERREIRA PEREIRA RODRIGUES GONÇALVES MARTINS OLIVEIRA FERNANDES
        LOPES ALVES SOUSA CARVALHO RIBEIRO GOMES TEIXEIRA MOREIRA CORREIA SANTOS COSTA GARCIA
        MARTINEZ LOPEZ SANCHEZ PEREZ GONZALEZ HERNANDEZ FERNANDEZ RODRIGUEZ RUIZ JIMENEZ MORENO
        ROSSI RUSSO FERRARI ESPOSITO BIANCHI ROMANO COLOMBO RICCI MARINO GRECO BRUNO GALLO CONTI
        DE_LUCA""",
    "af": """DIALLO TRAORÉ DIOP N'DIAYE KONÉ COULIBALY CISSÉ SYLLA CAMARA KEITA DIARRA SOW BA
        FALL FOFANA SANGARÉ TOURÉ DIAKITÉ DIABY SISSOKO KANTÉ MBAYE SARR GUEYE FAYE MENDY GOMIS
        KOUASSI KOFFI YAO N'GUESSAN MBALA NKOUKA MBEMBA""",
    "as": """NGUYEN TRAN LE PHAM HOANG HUYNH PHAN VU VO DANG BUI DO HO NGO DUONG LY CHEN WANG
        ZHANG LI LIU HUANG LIN WU CHAN LAM TAN SOK CHHAY""",
    "tr": """YILMAZ KAYA DEMIR ŞAHIN ÇELIK YILDIZ ÖZTÜRK AYDIN ARSLAN DOĞAN KOWALSKI NOWAK
        WIŚNIEWSKI POPESCU POPA IONESCU PETROV IVANOV KOVAČ""",
}
_FEMALE = {
    "fr": """Marie Nathalie Isabelle Sylvie Catherine Françoise Christine Monique Valérie Sandrine
        Sophie Stéphanie Véronique Nicole Céline Patricia Chantal Jacqueline Julie Aurélie Anne
        Émilie Camille Léa Manon Chloé Emma Sarah Laura Inès Jade Louise Alice Lina Zoé Lucie
        Pauline Élodie Caroline Virginie Laurence Martine Brigitte Danielle Hélène Christiane
        Michèle Annie Josiane Claire Marine Mathilde Justine Charlotte Juliette Margaux Clara
        Anaïs Océane Audrey Mélanie Karine Corinne Florence Agnès Dominique Éliane Colette Simone
        Yvette Odette Denise Paulette Jeanne Suzanne Madeleine Geneviève Marie-Claire
        Marie-Christine Anne-Marie Marie-Thérèse Marie-France Rose Ambre Mila Romane Agathe
        Louna Margot Elsa Eva Nina Léna Victoire Gabrielle Constance Noémie Estelle Gaëlle Solène
        Fanny Amandine Jessica Laetitia Muriel Béatrice Joëlle Evelyne Ginette Lucienne Bernadette
        Thérèse Germaine Marcelle Raymonde Huguette Arlette Mireille Régine Sabine Élise Capucine
        Héloïse Apolline Maëlle Clémence Noëlle""",
    "mg": """Fatima Amina Khadija Yasmina Nadia Samira Leïla Malika Rachida Karima Naïma Souad
        Meriem Sonia Farida Zohra Hanane Imane Salma Nour Yasmine Aïcha Latifa Houria Sabrina""",
    "ib": """Maria Ana Isabel Carla Sofia Lucia Paula Rosa Teresa Beatriz Francesca Giulia
        Chiara Elena Valentina Sara Inês Fernanda""",
    "af": """Aminata Fatoumata Mariama Awa Kadiatou Aïssatou Oumou Fanta Mariam Adama Binta
        Ramatoulaye Coumba Nafissatou Grâce Esther Prisca Ornella""",
    "as": """Thi_Lan Thi_Hoa Mai Linh Lan Huong Ngoc Thu Mei Ling Xiao Yan Sophea Chanthou""",
    "tr": """Ayşe Fatma Emine Elif Zeynep Merve Anna Katarzyna Agnieszka Ioana Elena Irina""",
}
_MALE = {
    "fr": """Jean Pierre Michel Philippe Alain Nicolas Christophe Patrick Daniel Bernard Christian
        Éric Frédéric Laurent Stéphane David Pascal Sébastien Julien Thierry Olivier Jacques
        Thomas Alexandre Vincent Dominique Didier François Bruno Gérard Franck Guillaume Marc
        Jérôme Romain Lucas Hugo Louis Gabriel Arthur Jules Raphaël Léo Maël Nathan Adam Paul
        Mathis Ethan Noah Tom Théo Enzo Clément Maxime Antoine Kevin Anthony Benjamin Florian
        Mickaël Cédric Fabrice Hervé Yves Gilles Serge Claude André René Roger Robert Henri
        Georges Marcel Maurice Lucien Raymond Gaston Jean-Pierre Jean-Claude Jean-Luc Jean-Marc
        Jean-Michel Jean-François Jean-Paul Pierre-Yves Louis-Marie Baptiste Valentin Quentin
        Adrien Matthieu Damien Jonathan Loïc Yannick Jérémy Ludovic Benoît Emmanuel Sylvain
        Arnaud Xavier Rémi Victor Martin Timéo Axel Noé Sacha Aaron Gaspard Augustin Côme Eliott
        Bastien Corentin Grégory Joël Bertrand Hubert Gérald Roland Fernand Albert Émile Léon""",
    "mg": """Mohamed Ahmed Karim Rachid Samir Nordine Farid Mustapha Abdelkader Youssef Ali Said
        Hakim Mehdi Bilal Yassine Sofiane Nabil Kamel Omar Amine Ibrahim Malik Rayan Adel""",
    "ib": """José Manuel Antonio João Carlos Paulo Luis Miguel Francisco Pedro Giuseppe Marco
        Luca Alessandro Giovanni Mario Fernando Rui""",
    "af": """Mamadou Moussa Ibrahima Abdoulaye Boubacar Ousmane Souleymane Amadou Seydou Cheikh
        Modibo Issa Lamine Bakary Yao Kouamé Serge Emmanuel""",
    "as": """Van_Minh Van_Hung Duc Quang Tuan Minh Long Wei Jun Hao Lei Sokha Dara Vanna""",
    "tr": """Mehmet Mustafa Ahmet Ali Hüseyin Hasan Ibrahim Piotr Krzysztof Andrzej Ion Mihai
        Dmitri Nikola""",
}
_ORIGINS = ("fr", "mg", "ib", "af", "as", "tr")
_ORIGIN_WEIGHTS = (0.80, 0.09, 0.05, 0.03, 0.015, 0.015)
_COUNTRIES = {"fr": ("99109", "99131", "99132"), "mg": ("99350", "99352", "99351"),
              "ib": ("99139", "99134", "99127"), "af": ("99341", "99335", "99326", "99322"),
              "as": ("99243", "99216", "99234"), "tr": ("99208", "99122", "99114")}

# Long tail of family names: pieces of common names recombined (BEAU + LI + CHARD, BEN + SAAD).
_TAIL = {part: text.split() for part, text in {
    "prefix": """BEAU BER BOU BRI CHA CHAR DE DU FA FER GAR GI GRAN LA LAN LE MA MAR MON MOU PE PER PON
        RI RO SAIN TOU VAL VER VIL BAR BLA CAR CLA COR DAR FOU GAU GOU JOU LOU MAU NO PA PI QUE RE
        SA SE TA TI VA""",
    "middle": "LI RO NE TE VE GE DE MA CHE BE LA RI NI SE BO CA FO GA MO PO SI TO VI ZE",
    "suffix": """CHARD LIN MONT RET DET NAUD VILLE LOT NET REAU GEON TIN TIER VIER ZIN CHON LARD GNON
        BERT MIER DIN GEOT QUET SSON THIER BAUD RAND LAIN NIER CHET DOUX VAL GUET""",
    "arabic": """ABBES ACHOUR AISSA AMARA AZZOUZ BAKIR CHAIB DAOUD DJEBBAR FERHAT GHALI HACHEM HAMMOU
        KADDOUR KHALED LARBI MADANI MAHDI MANSOUR MESSAOUD MOKHTAR MOUSSA NACER OMAR RABAH SALAH
        SLIMANE TAYEB YAHIA YOUCEF ZAID ZITOUNI HAMOU SAAD AMAR KHEIR HADJ HAMDAN TALEB""",
}.items()}
_ARABIC_PARTS = ("BEN", "BEL", "BOU", "AIT ", "EL ", "")
_DEPARTMENTS = [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B"]
_OVERSEAS = ("971", "972", "973", "974", "976")
_NEIGHBOURS = dict(zip("AZERTYUIOPQSDFGHJKLMWXCVBN", (
    "ZQ", "AES", "ZRD", "ETF", "RYG", "TUH", "YIJ", "UOK", "IPL", "OM", "AWS", "QZDX", "SEFC",
    "DRGV", "FTHB", "GYJN", "HUK", "JIL", "KOM", "LP", "QX", "WCS", "XVD", "CBF", "VNG", "BH"),
    strict=True))


def _table(text: str, exponent: float) -> tuple[list[str], list[float]]:
    """Names with Zipf-like cumulative weights: the first names of a list are the commonest."""
    names = [name.replace("_", " ") for name in text.split()]
    return names, list(accumulate(1.0 / (rank + 1) ** exponent for rank in range(len(names))))


# Exponents and the share of listed names keep the commonest name near its real share (MARTIN
# is about 0.4 % of the French, a popular first name a few per cent of a generation): too
# concentrated a population would fill a benchmark with namesakes born on the same day.
_FAMILY_T = {origin: _table(text, 0.6) for origin, text in _FAMILY.items()}
_FIRST_T = {("F", origin): _table(text, 0.5) for origin, text in _FEMALE.items()}
_FIRST_T |= {("M", origin): _table(text, 0.5) for origin, text in _MALE.items()}
_LISTED_SHARE = {"fr": 0.12, "mg": 0.35}
COMMON_FAMILY_NAMES = frozenset(_FAMILY_T["fr"][0][:30] + _FAMILY_T["as"][0][:5])


def _pick(rng: random.Random, table: tuple[list[str], list[float]]) -> str:
    names, cumulative = table
    return names[bisect(cumulative, rng.random() * cumulative[-1])]


@dataclass
class Population:
    identities: list[Identity] = field(default_factory=list)
    person_of: dict[int, int] = field(default_factory=dict)  # identity id → person
    error_kind: dict[int, str] = field(default_factory=dict)  # copy's id → "kind" or "kind+kind"
    lookalikes: dict[tuple[int, int], str] = field(default_factory=dict)  # persons → kind

    def duplicate_pairs(self) -> dict[tuple[int, int], str]:
        """Pairs of identity ids (smaller first) of one person, with the errors of the copy."""
        records: dict[int, list[int]] = {}
        for identity_id, person in self.person_of.items():
            records.setdefault(person, []).append(identity_id)
        pairs = {}
        for ids in records.values():
            for i, left in enumerate(sorted(ids)):
                for right in sorted(ids)[i + 1:]:
                    pairs[left, right] = self.error_kind.get(right) or self.error_kind.get(left, "")
        return pairs


class _Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.records: list[tuple[int, str, Identity]] = []  # (person, origin, provisional identity)
        self.error_kind: dict[int, str] = {}
        self.lookalikes: dict[tuple[int, int], str] = {}
        self.issued_nirs: set[str] = set()

    def _birth_date(self) -> date:
        # Flat up to 65 years, then fewer and fewer up to 100 (rough French age pyramid).
        age = self.rng.uniform(0, 100)
        while age > 65 and self.rng.random() > (100 - age) / 35:
            age = self.rng.uniform(0, 100)
        return REFERENCE_DATE - timedelta(days=int(age * 365.25) + 1)

    def family_name(self, origin: str) -> str:
        rng = self.rng
        if rng.random() > _LISTED_SHARE.get(origin, 1.0):
            if origin == "mg":
                root = rng.choice(_TAIL["arabic"])
                return rng.choice(_ARABIC_PARTS) + root + rng.choice(("", "I"))
            middle = rng.choice(_TAIL["middle"]) if rng.random() < 0.6 else ""
            return rng.choice(_TAIL["prefix"]) + middle + rng.choice(_TAIL["suffix"])
        return _pick(rng, _FAMILY_T[origin])

    def first_names(self, sex: str, origin: str) -> str:
        rng = self.rng
        key = sex if sex in ("F", "M") else rng.choice("FM")
        table = _FIRST_T[key, origin if rng.random() < 0.7 else "fr"]
        names = [_pick(rng, table)]
        for _ in range(rng.choices((0, 1, 2), (0.35, 0.45, 0.2))[0]):
            # Marie and Jean are the commonest middle names.
            extra = ("Marie" if key == "F" else "Jean") if rng.random() < 0.2 else _pick(
                rng, _FIRST_T[key, "fr"])
            if extra not in names:
                names.append(extra)
        return " ".join(names)

    def place(self, origin: str, birth_date: date) -> str:
        rng = self.rng
        age = (REFERENCE_DATE - birth_date).days / 365.25
        abroad = 0.03 if origin == "fr" else 0.1 if age < 18 else 0.4 if age < 40 else 0.7
        if rng.random() < abroad:
            return rng.choice(_COUNTRIES[origin])
        if rng.random() < 0.03:
            return rng.choice(_OVERSEAS) + f"{rng.randint(1, 34):02d}"
        return rng.choice(_DEPARTMENTS) + f"{rng.randint(1, 700):03d}"

    def nir(self, sex: str, born: date, place: str) -> str:
        """A valid NIR no one else has: sex, year, month, COG code of the birthplace, order, key."""
        while True:
            body = f"{'1' if sex == 'M' else '2'}{born:%y%m}{place}{self.rng.randint(1, 999):03d}"
            number = int(body[:5] + {"2A": "19", "2B": "18"}.get(body[5:7], body[5:7]) + body[7:])
            if (nir := f"{body}{97 - number % 97:02d}") not in self.issued_nirs:
                self.issued_nirs.add(nir)
                return nir

    def person(self, origin: str, *, birth_name: str = "", first_names: str = "", sex: str = "",
               birth_date: date | None = None, birthplace_code: str = "") -> Identity:
        """A new person; the traits given are kept, the others drawn."""
        rng = self.rng
        sex = sex or rng.choices("FMI", (0.51, 0.489, 0.001))[0]
        born = birth_date or self._birth_date()
        place = birthplace_code or self.place(origin, born)
        first_names = first_names or self.first_names(sex, origin)
        adult = (REFERENCE_DATE - born).days > 22 * 365
        married = adult and rng.random() < (0.45 if sex == "F" else 0.02)
        spouse_origin = rng.choices(_ORIGINS, _ORIGIN_WEIGHTS)[0]
        second = first_names.split()[1:]
        return Identity(
            id=0, birth_name=birth_name or self.family_name(origin), first_names=first_names,
            birth_date=born, sex=sex, used_name=self.family_name(spouse_origin) if married else "",
            used_first_name=second[0] if second and rng.random() < 0.05 else "",
            birthplace_code=place if rng.random() > 0.03 else "",
            nir=self.nir(sex, born, place) if sex != "I" and rng.random() < 0.7 else "",
        )

    def add(self, person: int, origin: str, identity: Identity) -> int:
        self.records.append((person, origin, identity))
        return len(self.records) - 1

    # --- look-alikes: other people built from a source person ------------------------------

    def lookalike(self, kind: str, origin: str, source: Identity) -> Identity:
        rng, born, name = self.rng, source.birth_date, source.birth_name
        same_place = source.birthplace_code if rng.random() < 0.6 else ""
        if kind == "parent_child":
            shift = timedelta(days=int(rng.uniform(20, 40) * 365.25))
            other = born + shift if born + shift < REFERENCE_DATE else born - shift
            names = source.first_names.split()
            if rng.random() < 0.4:  # same first name, other first names of their own
                names = [names[0], *self.first_names(source.sex, origin).split()[1:]]
            return self.person(origin, birth_name=name, sex=source.sex, first_names=" ".join(names),
                               birth_date=other, birthplace_code=same_place)
        if kind == "namesakes":
            return self.person(origin, birth_name=name, sex=source.sex,
                               first_names=source.first_names)
        sex = rng.choice("FM")
        # Brothers and sisters may share a middle name, not the name they are called by.
        called = source.first_names.split()[0]
        first_names = self.first_names(sex, origin)
        while called in first_names.split() or first_names.split()[0] == source.used_first_name:
            first_names = self.first_names(sex, origin)
        if kind == "twins":
            return self.person(origin, birth_name=name, birth_date=born, sex=sex,
                               first_names=first_names, birthplace_code=source.birthplace_code)
        other = born + timedelta(days=rng.choice((-1, 1)) * rng.randint(300, 12 * 365))
        return self.person(origin, birth_name=name, sex=sex, first_names=first_names,
                           birth_date=min(other, REFERENCE_DATE - timedelta(days=1)),
                           birthplace_code=same_place)

    # --- copies of a person with entry errors ----------------------------------------------

    def eligible(self, kind: str, identity: Identity) -> bool:
        born = identity.birth_date
        return {
            "year_digit": (born.month, born.day) != (2, 29),
            "used_name_as_birth_name": bool(identity.used_name),
            "missing_second_first_name": len(identity.first_names.split()) > 1,
            "day_month_swapped": born.day <= 12 and born.day != born.month,
            "same_nir": bool(identity.nir),
            "phonetic_spelling": bool(_spellings(identity.birth_name.upper())),
        }.get(kind, True)

    def typo(self, text: str) -> str:
        """One keyboard slip: a neighbouring key, a letter missed, doubled or two letters swapped."""
        rng = self.rng
        positions = [i for i, char in enumerate(text) if char.isalpha()]
        i = rng.choices(positions, [0.3 if i == positions[0] else 1.0 for i in positions])[0]
        char = text[i]
        neighbour = rng.choice(_NEIGHBOURS.get(fold(char)[:1], "E"))
        neighbour = neighbour.lower() if char.islower() else neighbour
        slip = rng.choices(("key", "miss", "swap", "extra"), (0.4, 0.2, 0.2, 0.2))[0]
        if slip == "key":
            return text[:i] + neighbour + text[i + 1:]
        if slip == "miss" and len(positions) > 3:
            return text[:i] + text[i + 1:]
        if slip == "swap" and i + 1 < len(text) and text[i + 1].isalpha() and text[i + 1] != char:
            return text[:i] + text[i + 1] + char + text[i + 2:]
        return text[:i] + rng.choice((neighbour, char)) + text[i:]

    def apply(self, kind: str, copy: Identity) -> Identity:
        rng, born, names = self.rng, copy.birth_date, copy.first_names.split()
        if kind == "name_typo":
            return replace(copy, birth_name=self.typo(copy.birth_name))
        if kind == "first_name_typo":
            return replace(copy, first_names=" ".join([self.typo(names[0]), *names[1:]]))
        if kind == "accents_punctuation":
            changes = [c for c in (_plain(copy.birth_name), copy.birth_name.replace(" ", ""),
                                   copy.birth_name.replace("'", rng.choice(("", " "))))
                       if c != copy.birth_name]
            first = [c for c in (_plain(copy.first_names), copy.first_names.replace("-", " "))
                     if c != copy.first_names]
            if first and (not changes or rng.random() < 0.5):
                return replace(copy, first_names=rng.choice(first))
            return replace(copy, birth_name=rng.choice(changes or [copy.birth_name.title()]))
        if kind == "phonetic_spelling":
            pattern, spelling = rng.choice(_spellings(copy.birth_name.upper()))
            found = rng.choice(list(re.finditer(pattern, copy.birth_name.upper())))
            name = copy.birth_name.upper()
            return replace(copy, birth_name=name[:found.start()] + spelling + name[found.end():])
        if kind == "inverted_names":
            return replace(copy, birth_name=names[0].upper(), first_names=copy.birth_name.title())
        if kind == "used_name_as_birth_name":
            return replace(copy, birth_name=copy.used_name, used_name=rng.choice(("", copy.used_name)))
        if kind == "missing_second_first_name":
            return replace(copy, first_names=names[0])
        if kind == "day_month_swapped":
            return replace(copy, birth_date=date(born.year, born.day, born.month))
        if kind == "year_digit":
            while True:
                digits = list(f"{born.year:04d}")
                position = rng.choices((3, 2), (0.6, 0.4))[0]
                old = int(digits[position])
                new = old + rng.choice((-1, 1)) if rng.random() < 0.6 else rng.randrange(10)
                digits[position] = str(new)
                year = int("".join(digits)) if 0 <= new <= 9 and new != old else 0
                if 1900 < year < REFERENCE_DATE.year:
                    return replace(copy, birth_date=born.replace(year=year))
        assert kind == "same_nir"  # the birth date was typed from another document
        other = born + timedelta(days=rng.choice((-1, 1)) * rng.randint(30, 3 * 365))
        return replace(copy, birth_date=min(other, REFERENCE_DATE - timedelta(days=1)))

    def copy_kinds(self) -> tuple[str, ...]:
        rng = self.rng
        first = rng.choice(DUPLICATE_KINDS)
        if first == "same_nir" or rng.random() > TWO_ERRORS_RATE:
            return (first,)
        others = [kind for kind, part in _FIELDS.items()
                  if kind != first and not set(part) & set(_FIELDS[first])]
        return (first, rng.choice(others))


_SPELLINGS = ((r"PH", "F"), (r"(?<=[AEIOU])F(?=[AEIOU])", "PH"), (r"Y", "I"), (r"LL", "L"),
              (r"(?<=[AEIOU])L(?=[AEIOU])", "LL"), (r"TT", "T"), (r"(?<=[AEIOU])T(?=[AEIOU])", "TT"),
              (r"NN", "N"), (r"(?<=[AEIOU])N(?=[AEIOU])", "NN"), (r"RR", "R"), (r"SS", "S"),
              (r"EAU", "O"), (r"(?<!E)AU", "O"), (r"T$", "D"), (r"D$", "T"), (r"C(?=[AOU])", "K"),
              (r"QU", "K"), (r"EZ$", "ES"), (r"ES$", "EZ"), (r"AIN$", "IN"), (r"IN$", "AIN"),
              (r"TH", "T"), (r"(?<=[AEIOU])I(?=[AEIOU])", "Y"), (r"CK", "K"), (r"(?<=[AEIOU])S$", "Z"))


def _spellings(name: str) -> list[tuple[str, str]]:
    """Other spellings that sound the same and are seen in civil status (Lefebvre / Lefèvre)."""
    return [(pattern, spelling) for pattern, spelling in _SPELLINGS if re.search(pattern, name)]


def _plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def generate(size: int, *, seed: int = 2026) -> Population:
    """size identities: distinct people, ~3 % copies with entry errors, labelled look-alikes."""
    gen = _Generator(seed)
    injected = {kind: int(size * rate) for kind, rate in LOOKALIKE_RATES.items()}
    copies = int(size * DUPLICATE_RATE)
    base = size - copies - sum(injected.values())
    for pid in range(base):
        origin = gen.rng.choices(_ORIGINS, _ORIGIN_WEIGHTS)[0]
        gen.add(pid, origin, gen.person(origin))
    everyone = range(base)
    common = [i for i in everyone if gen.records[i][2].birth_name in COMMON_FAMILY_NAMES]
    next_person = base
    # One look-alike per source person: two twins of one person would be triplets, unlabelled.
    sources = set()
    for kind, count in injected.items():
        for _ in range(count):
            pool = common if kind == "namesakes" and common else everyone
            while (index := gen.rng.choice(pool)) in sources:
                pass
            sources.add(index)
            source_person, origin, source = gen.records[index]
            gen.add(next_person, origin, gen.lookalike(kind, origin, source))
            gen.lookalikes[source_person, next_person] = kind
            next_person += 1
    unused = set(range(base))
    for _ in range(copies):
        kinds = gen.copy_kinds()
        while True:
            index = gen.rng.randrange(base)
            person, origin, original = gen.records[index]
            if index in unused and all(gen.eligible(kind, original) for kind in kinds):
                break
        unused.discard(index)
        copy = original
        # Accents and punctuation last: an error that removes a first name removes it whole.
        for kind in sorted(kinds, key=lambda kind: kind == "accents_punctuation"):
            copy = gen.apply(kind, copy)
        keep_nir = "same_nir" in kinds or gen.rng.random() < 0.2
        place = copy.birthplace_code
        if gen.rng.random() < 0.15:  # older or provisional record: birthplace not typed
            place = ""
        elif place[:2] not in ("", "97", "99") and gen.rng.random() < 0.03:
            place = place[:-3] + f"{gen.rng.randint(1, 700):03d}"  # a neighbouring commune
        copy = replace(copy, nir=copy.nir if keep_nir else "", birthplace_code=place)
        gen.error_kind[gen.add(person, origin, copy)] = "+".join(sorted(kinds))
    order = list(range(len(gen.records)))
    gen.rng.shuffle(order)
    population = Population(lookalikes=gen.lookalikes)
    for new_id, index in enumerate(order, start=1):
        person, _origin, identity = gen.records[index]
        population.identities.append(replace(identity, id=new_id))
        population.person_of[new_id] = person
        if index in gen.error_kind:
            population.error_kind[new_id] = gen.error_kind[index]
    return population
