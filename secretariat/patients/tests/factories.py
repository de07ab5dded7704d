"""Factories for patients: synthetic identities only."""

import datetime

import factory

from secretariat.core.tests.factories import StructureFactory
from secretariat.patients.models import Patient


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient
        skip_postgeneration_save = True

    structure = factory.SubFactory(StructureFactory)
    birth_name = factory.Sequence(lambda n: f"LEFÈVRE{n}")
    first_birth_first_name = "Éloïse"
    birth_first_names = factory.LazyAttribute(lambda p: f"{p.first_birth_first_name} Marie")
    birth_date = datetime.date(1962, 7, 14)
    sex = Patient.Sex.FEMALE
    birthplace_code = "69123"

    @factory.post_generation
    def care_teams(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.care_teams.set(extracted)
