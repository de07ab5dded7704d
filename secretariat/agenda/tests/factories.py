"""Factories for the agenda: a practitioner working at a site with weekly periods."""

from datetime import time
from types import SimpleNamespace

import factory

from secretariat.agenda.models import Appointment, AppointmentType, ScheduleException, WeeklyPeriod
from secretariat.core.tests.factories import PractitionerFactory, SiteFactory, StructureFactory
from secretariat.patients.tests.factories import PatientFactory


class AppointmentTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AppointmentType

    structure = factory.SubFactory(StructureFactory)
    code = factory.Sequence(lambda n: f"consultation-{n}")
    label = factory.Sequence(lambda n: f"Consultation {n}")
    duration_minutes = 20


class WeeklyPeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WeeklyPeriod
        skip_postgeneration_save = True

    practitioner = factory.SubFactory(PractitionerFactory)
    site = factory.SubFactory(SiteFactory, structure=factory.SelfAttribute("..practitioner.structure"))
    weekday = 0
    start = time(9)
    end = time(12)

    @factory.post_generation
    def appointment_types(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.appointment_types.set(extracted)


class ScheduleExceptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScheduleException

    practitioner = factory.SubFactory(PractitionerFactory)
    start = time(0)
    end = time(23, 59)
    is_open = False


class AppointmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appointment

    practitioner = factory.SubFactory(PractitionerFactory)
    structure = factory.SelfAttribute("practitioner.structure")
    site = factory.SubFactory(SiteFactory, structure=factory.SelfAttribute("..practitioner.structure"))
    patient = factory.SubFactory(PatientFactory, structure=factory.SelfAttribute("..practitioner.structure"))
    appointment_type = factory.SubFactory(AppointmentTypeFactory,
                                          structure=factory.SelfAttribute("..practitioner.structure"))
    end = factory.LazyAttribute(lambda a: a.start + a.appointment_type.duration)


def practice_with_schedule(practitioner, *, postal_code: str = "69100"):
    """A site of the practitioner's structure, a 20-minute consultation and a 30-minute
    ultrasound, and two weekly periods: Monday 09:00–12:00 (any type) and Tuesday
    14:00–17:00 (consultations only)."""
    structure = practitioner.structure
    site = SiteFactory(structure=structure, postal_code=postal_code)
    consultation = AppointmentTypeFactory(structure=structure, code="consultation", label="Consultation",
                                          duration_minutes=20)
    ultrasound = AppointmentTypeFactory(structure=structure, code="echographie", label="Échographie",
                                        duration_minutes=30)
    monday = WeeklyPeriodFactory(practitioner=practitioner, site=site, weekday=0, start=time(9), end=time(12))
    tuesday = WeeklyPeriodFactory(practitioner=practitioner, site=site, weekday=1, start=time(14),
                                  end=time(17), appointment_types=[consultation])
    return SimpleNamespace(site=site, consultation=consultation, ultrasound=ultrasound, monday=monday,
                           tuesday=tuesday)
