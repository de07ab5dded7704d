"""Create the demo structure "Maison de santé des Tilleuls" with synthetic people only.

Every person is invented: names drawn from lists of common French names, identifiers
built with valid check keys on made-up bodies. Running it twice changes nothing, and it
refuses to run on a database holding real structures.
"""

import unicodedata
from dataclasses import dataclass
from datetime import time
from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import module_has_submodule
from stdnum import luhn

from secretariat.core.models import (
    CareTeam,
    OpeningHours,
    Practitioner,
    Service,
    Site,
    Structure,
    User,
)
from secretariat.core.roles import Role

DEMO_NAME = "Maison de santé des Tilleuls"
DEMO_PASSWORD = "demo"  # noqa: S105 (synthetic demo accounts, printed on start-up)


def with_luhn_key(body: str) -> str:
    return body + luhn.calc_check_digit(body)


# Made-up bodies; the keys are computed so that the numbers pass the same checks as real ones.
FINESS = with_luhn_key("69099901")
SIREN = with_luhn_key("90099901")
SIRET = with_luhn_key(SIREN + "0001")

WEEKDAYS = [OpeningHours.Weekday.MONDAY, OpeningHours.Weekday.TUESDAY, OpeningHours.Weekday.WEDNESDAY,
            OpeningHours.Weekday.THURSDAY, OpeningHours.Weekday.FRIDAY]

FICTION_MOBILE_PREFIX = "06 39 98"
FICTION_LANDLINE_PREFIX = "04 65 71"


@dataclass(frozen=True)
class StaffAccount:
    username: str
    first_name: str
    last_name: str
    role: str
    description: str


STAFF = [
    StaffAccount("secretaire", "Nathalie", "Petit", Role.SECRETARY,
                 "secrétaire médicale, travaille pour tous les praticiens"),
    StaffAccount("secretaire2", "Camille", "Roux", Role.SECRETARY,
                 "secrétaire médicale, cardiologie et imagerie"),
    StaffAccount("accueil", "Lucas", "Fontaine", Role.RECEPTION, "agent d'accueil"),
    StaffAccount("coordination", "Isabelle", "Garnier", Role.COORDINATOR,
                 "coordinatrice (administration, journal d'audit)"),
    StaffAccount("comptable", "Marc", "Lambert", Role.ACCOUNTANT, "comptable"),
    StaffAccount("dr.bernard", "Hélène", "Bernard", Role.PRACTITIONER, "médecin généraliste"),
    StaffAccount("dr.haddad", "Karim", "Haddad", Role.PRACTITIONER, "cardiologue"),
]


class Command(BaseCommand):
    help = "Crée la structure de démonstration « Maison de santé des Tilleuls » (personnes fictives)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true",
            help="Ne fait rien si la base contient déjà une structure (utilisé au démarrage).",
        )

    def handle(self, *args, if_empty: bool = False, **options):
        with transaction.atomic():
            if if_empty and Structure.objects.exists():
                self.stdout.write("Données existantes conservées (démonstration non rechargée).")
                return
            if Structure.objects.filter(is_demo=False).exists():
                raise CommandError("La base contient des données réelles : seed_demo refuse de s'exécuter.")
            if Structure.objects.filter(name=DEMO_NAME, is_demo=True).exists():
                self.stdout.write(f"La structure de démonstration « {DEMO_NAME} » existe déjà : rien à faire.")
                return
            counts = self._create_demo()
        # At start-up (--if-empty) bin/run prints the logins itself once the server is up.
        self._print_summary(counts, with_logins=not if_empty)

    # --- creation -------------------------------------------------------------------------

    def _create_demo(self) -> dict[str, int]:
        structure = Structure.objects.create(
            name=DEMO_NAME, kind=Structure.Kind.MSP, finess=FINESS, siret=SIRET, is_demo=True,
        )
        centre = Site.objects.create(
            structure=structure, name="Site Centre", address="12 rue des Tilleuls",
            postal_code="69100", city="Villeurbanne", phone=f"{FICTION_LANDLINE_PREFIX} 10 00",
        )
        coteaux = Site.objects.create(
            structure=structure, name="Site des Coteaux", address="4 allée des Coteaux",
            postal_code="69500", city="Bron", phone=f"{FICTION_LANDLINE_PREFIX} 20 00",
        )
        self._create_opening_hours(centre, saturday=True)
        self._create_opening_hours(coteaux, saturday=False)

        general, cardiology, imaging, physio = (
            Service.objects.create(structure=structure, site=site, name=name)
            for name, site in [
                ("Médecine générale", centre), ("Cardiologie", centre),
                ("Imagerie médicale", coteaux), ("Kinésithérapie", coteaux),
            ]
        )

        users = {account.username: self._create_user(structure, account) for account in STAFF}

        bernard = self._create_practitioner(
            structure, "Dr", "Hélène", "Bernard", "1009990001", "Médecine générale",
            Practitioner.ConventionSector.SECTOR_1, "helene.bernard@medecin.mssante.fr",
            user=users["dr.bernard"], sites=[centre], services=[general],
        )
        haddad = self._create_practitioner(
            structure, "Dr", "Karim", "Haddad", "1009990002", "Cardiologie et maladies vasculaires",
            Practitioner.ConventionSector.OPTAM, "karim.haddad@medecin.mssante.fr",
            user=users["dr.haddad"], sites=[centre], services=[cardiology],
        )
        leroy = self._create_practitioner(
            structure, "Dr", "Sophie", "Leroy", "1009990003", "Radiodiagnostic et imagerie médicale",
            Practitioner.ConventionSector.SECTOR_1, "sophie.leroy@medecin.mssante.fr",
            sites=[coteaux], services=[imaging],
        )
        moreau = self._create_practitioner(
            structure, "M.", "Julien", "Moreau", "1009990004", "Masseur-kinésithérapeute",
            Practitioner.ConventionSector.SECTOR_1, "julien.moreau@kine.mssante.fr",
            sites=[centre, coteaux], services=[physio],
        )

        everyone = [users["secretaire"], users["accueil"]]
        teams = {
            "general": self._create_team(structure, "Médecine générale", bernard, general, everyone),
            "cardiology": self._create_team(structure, "Cardiologie", haddad, cardiology,
                                            [*everyone, users["secretaire2"]]),
            "imaging": self._create_team(structure, "Imagerie", leroy, imaging,
                                         [*everyone, users["secretaire2"]]),
            "physio": self._create_team(structure, "Kinésithérapie", moreau, physio, everyone),
        }
        # Each app built on core adds its own demo data (patients, later appointments…).
        patients = 0
        for config in apps.get_app_configs():
            if module_has_submodule(config.module, "demo"):
                demo = import_module(f"{config.name}.demo")
                patients += demo.seed(structure, teams=teams, users=users).get("patients", 0)
        return {"sites": 2, "services": 4, "practitioners": 4, "users": len(users),
                "care_teams": len(teams), "patients": patients}

    def _create_opening_hours(self, site: Site, *, saturday: bool) -> None:
        periods = [
            OpeningHours(site=site, weekday=day, opens_at=opens, closes_at=closes)
            for day in WEEKDAYS
            for opens, closes in [(time(8), time(12, 30)), (time(13, 30), time(19))]
        ]
        if saturday:
            periods.append(OpeningHours(site=site, weekday=OpeningHours.Weekday.SATURDAY,
                                        opens_at=time(8, 30), closes_at=time(12)))
        OpeningHours.objects.bulk_create(periods)

    def _create_user(self, structure: Structure, account: StaffAccount) -> User:
        user = User(
            username=account.username, first_name=account.first_name, last_name=account.last_name,
            email=f"{_ascii_slug(account.first_name)}.{_ascii_slug(account.last_name)}@tilleuls.example",
            role=account.role, structure=structure,
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        return user

    def _create_practitioner(self, structure, title, first_name, last_name, rpps_body, specialty,
                             sector, mssante, *, sites, services, user=None) -> Practitioner:
        practitioner = Practitioner.objects.create(
            structure=structure, user=user, title=title, first_name=first_name, last_name=last_name,
            rpps=with_luhn_key(rpps_body), specialty=specialty, convention_sector=sector,
            mssante_address=mssante,
        )
        practitioner.sites.set(sites)
        practitioner.services.set(services)
        return practitioner

    def _create_team(self, structure, name, practitioner, service, members) -> CareTeam:
        team = CareTeam.objects.create(structure=structure, name=name)
        team.practitioners.set([practitioner])
        team.services.set([service])
        team.members.set(members)
        return team

    # --- output ---------------------------------------------------------------------------

    def _print_summary(self, counts: dict[str, int], *, with_logins: bool) -> None:
        self.stdout.write(self.style.SUCCESS(f"Structure de démonstration « {DEMO_NAME} » créée :"))
        self.stdout.write(
            f"  {counts['sites']} sites, {counts['services']} services, "
            f"{counts['practitioners']} praticiens, {counts['care_teams']} équipes de soins, "
            f"{counts['users']} comptes, {counts['patients']} patients fictifs."
        )
        if not with_logins:
            return
        self.stdout.write(f"Comptes de démonstration (mot de passe : {DEMO_PASSWORD}) :")
        for account in STAFF:
            self.stdout.write(f"  {account.username:<14} {account.description}")


def _ascii_slug(text: str) -> str:
    """Lower-case ASCII for e-mail addresses: "Hélène" → "helene", "N'DIAYE" → "ndiaye"."""
    plain = unicodedata.normalize("NFKD", text.replace("Œ", "OE").replace("œ", "oe"))
    return "".join(char for char in plain.lower() if char.isascii() and char.isalnum())
