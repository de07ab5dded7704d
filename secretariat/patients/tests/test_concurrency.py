"""Two desks at once on one identity: the second correction is refused, nothing is lost."""

import threading
from datetime import date

import pytest
from django.db import connection

from secretariat.core.services.errors import ServiceError
from secretariat.patients import services
from secretariat.patients.models import IdentityChange, Patient
from secretariat.patients.tests.factories import PatientFactory


def correction(current: Patient, **changes) -> services.Identity:
    traits = {name: getattr(current, name) for name in services.Identity.__dataclass_fields__}
    return services.Identity(**(traits | changes))


@pytest.mark.django_db(transaction=True)
def test_two_desks_correcting_one_identity_the_second_is_told_to_reload(personas):
    patient = PatientFactory(structure=personas.structure, birth_name="NDIAYE", birth_first_names="AWA",
                             first_birth_first_name="AWA", birth_date=date(1962, 7, 14))
    shown = Patient.objects.get(pk=patient.pk)  # both desks opened the form on this version
    start = threading.Barrier(2)
    outcomes = []

    def desk(user, **changes):
        start.wait()
        try:
            services.change_identity(shown, identity=correction(shown, **changes), reason="",
                                     read_at=shown.updated_at, acting_user=user)
            outcomes.append(("saved", changes))
        except ServiceError as refusal:
            outcomes.append(("refused", str(refusal)))
        finally:
            connection.close()

    threads = [threading.Thread(target=desk, args=(personas.secretary,), kwargs={"used_name": "MARTIN"}),
               threading.Thread(target=desk, args=(personas.reception,), kwargs={"used_first_name": "AWAH"})]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(kind for kind, _detail in outcomes) == ["refused", "saved"]
    saved = next(detail for kind, detail in outcomes if kind == "saved")
    patient.refresh_from_db()
    name, value = next(iter(saved.items()))
    assert getattr(patient, name) == value
    assert IdentityChange.objects.filter(patient=patient, kind="traits_changed").count() == 1
