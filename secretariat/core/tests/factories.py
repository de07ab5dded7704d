"""Factories for core objects. Identifiers are synthetic but valid (Luhn keys computed)."""

import factory
from stdnum import luhn

from secretariat.core.models import CareTeam, Practitioner, Service, Site, Structure, User
from secretariat.core.roles import Role


def rpps_from_sequence(n: int) -> str:
    body = f"1{n:09d}"
    return body + luhn.calc_check_digit(body)


class StructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure

    name = factory.Sequence(lambda n: f"Maison de santé n°{n}")
    kind = Structure.Kind.MSP


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    structure = factory.SubFactory(StructureFactory)
    name = factory.Sequence(lambda n: f"Site {n}")
    address = "12 rue des Tilleuls"
    postal_code = "69100"
    city = "Villeurbanne"
    phone = "04 78 00 00 00"


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    structure = factory.SubFactory(StructureFactory)
    name = factory.Sequence(lambda n: f"Service {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Claire"
    last_name = factory.Sequence(lambda n: f"Durand{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    role = Role.SECRETARY
    structure = factory.SubFactory(StructureFactory)
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class PractitionerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practitioner

    structure = factory.SubFactory(StructureFactory)
    title = "Dr"
    last_name = factory.Sequence(lambda n: f"Martin{n}")
    first_name = "Paul"
    rpps = factory.Sequence(rpps_from_sequence)
    specialty = "Médecine générale"


class CareTeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareTeam
        skip_postgeneration_save = True

    structure = factory.SubFactory(StructureFactory)
    name = factory.Sequence(lambda n: f"Équipe {n}")

    @factory.post_generation
    def members(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.members.set(extracted)

    @factory.post_generation
    def practitioners(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.practitioners.set(extracted)
