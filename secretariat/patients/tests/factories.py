"""Factories for patients: synthetic identities only."""

import datetime

import factory

from secretariat.core.tests.factories import StructureFactory
from secretariat.patients.models import Patient
from secretariat.patients.services import remember_names


def _letters(number: int) -> str:
    """0 → A, 25 → Z, 26 → BA…: a sequence number written with letters only."""
    letters = ""
    while True:
        number, rest = divmod(number, 26)
        letters = chr(ord("A") + rest) + letters
        if number == 0:
            return letters


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient
        skip_postgeneration_save = True

    structure = factory.SubFactory(StructureFactory)
    # Names as the RNIV writes them: capitals without accents; a letter suffix keeps them unique.
    birth_name = factory.Sequence(lambda n: f"LEFEVRE-{_letters(n)}")
    first_birth_first_name = "ELOISE"
    birth_first_names = factory.LazyAttribute(lambda p: f"{p.first_birth_first_name} MARIE")
    birth_date = datetime.date(1962, 7, 14)
    sex = Patient.Sex.FEMALE
    birthplace_code = "69123"

    @factory.post_generation
    def name_vocabulary(obj, create, extracted, **kwargs):
        # As the services do on every identity write.
        if create:
            remember_names([obj])

    @factory.post_generation
    def care_teams(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.care_teams.set(extracted)
