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


class AdministrativeFileFactory(factory.django.DjangoModelFactory):
    """A patient's contact preferences: agrees to e-mails and SMS unless told otherwise (the
    e-mail address itself is ``Patient.email``)."""

    class Meta:
        model = "patients.AdministrativeFile"

    patient = factory.SubFactory(PatientFactory, email=factory.Sequence(lambda n: f"patient{n}@example.org"))
    mobile_phone = "0612345678"
    sms_consent = True
    email_consent = True


def _in_two_months():
    from datetime import timedelta

    from django.utils import timezone

    return timezone.localdate() + timedelta(days=60)


class WaitingListEntryFactory(factory.django.DjangoModelFactory):
    """A patient waiting for an earlier consultation with any practitioner, until ``latest``."""

    class Meta:
        model = "agenda.WaitingListEntry"

    patient = factory.SubFactory(PatientFactory)
    structure = factory.SelfAttribute("patient.structure")
    appointment_type = factory.SubFactory(AppointmentTypeFactory, structure=factory.SelfAttribute("..structure"))
    latest = factory.LazyFunction(_in_two_months)


class ExternalAppointmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "agenda.ExternalAppointment"

    patient = factory.SubFactory(PatientFactory)
    structure = factory.SelfAttribute("patient.structure")
    title = "Échographie cardiaque"
    place = "Centre d'imagerie du Parc"


def online_practice(practitioner, *, other_practitioner=None, days: int = 30):
    """``practice_with_schedule`` with online booking open (``days`` ahead): the consultation is
    bookable online, with preparation and documents; ``other_practitioner`` also works Monday
    09:00–12:00 at the same site."""
    from secretariat.agenda.models import AgendaSettings

    practice = practice_with_schedule(practitioner)
    AgendaSettings.objects.update_or_create(structure=practitioner.structure, defaults={
        "online_booking_enabled": True, "online_booking_days": days, "reminder_hours": [48]})
    practice.consultation.bookable_online = True
    practice.consultation.preparation_instructions = "Venir à jeun."
    practice.consultation.documents_to_bring = "Ordonnance et derniers résultats."
    practice.consultation.save()
    if other_practitioner is not None:
        WeeklyPeriodFactory(practitioner=other_practitioner, site=practice.site, weekday=0, start=time(9),
                            end=time(12))
    return practice
