"""Who sees which patient: same structure, and a shared care team (coordinators see all).

Outsiders get ``Http404``, never a 403 that would reveal that the patient exists.
"""

from collections.abc import Callable
from functools import wraps

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from secretariat.core import audit
from secretariat.core.access import care_teams_of, sees_whole_structure
from secretariat.core.roles import Capability
from secretariat.patients.models import Patient


def patients_for(user) -> QuerySet[Patient]:
    """The patients whose file ``user`` may open."""
    if (
        not user.is_authenticated
        or user.structure_id is None
        or not user.has_capability(Capability.VIEW_PATIENTS)
    ):
        return Patient.objects.none()
    # A merged duplicate is reached only through its survivor (see ``access_patient``).
    in_structure = Patient.objects.filter(structure_id=user.structure_id, merged_into__isnull=True)
    if sees_whole_structure(user):
        return in_structure
    # EXISTS rather than a join: no DISTINCT on lists of a million patients.
    shared_team = Patient.care_teams.through.objects.filter(
        patient_id=OuterRef("pk"), careteam_id__in=care_teams_of(user).values("pk"),
    )
    return in_structure.filter(Exists(shared_team))


def access_patient(user, pk: int) -> Patient:
    try:
        return patients_for(user).get(pk=pk)
    except Patient.DoesNotExist:
        raise Http404 from None


def records_patient_read(view: Callable) -> Callable:
    """View decorator: open the patient ``pk`` in scope (404 otherwise) and audit the read.

    The view receives ``patient`` instead of ``pk``. Every screen that shows a patient's
    file goes through here, so no read escapes the trail.
    """

    @wraps(view)
    def wrapped(request, pk: int, *args, **kwargs):
        patient = access_patient(request.user, pk)
        audit.record(
            "patients.file_viewed", target=patient, patient_id=patient.pk, acting_user=request.user,
        )
        return view(request, *args, patient=patient, **kwargs)

    return wrapped
