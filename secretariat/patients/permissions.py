"""Who sees which patient: same structure, and a shared care team (coordinators see all).

Outsiders get ``Http404``, never a 403 that would reveal that the patient exists.
"""

from collections.abc import Callable
from functools import wraps

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.shortcuts import redirect

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


def access_patient(user, pk: int, *, follow_merges: bool = False) -> Patient:
    """The patient ``pk`` if ``user`` may open it, else 404.

    With ``follow_merges``, the number of a merged duplicate leads to the record it was merged
    into (the old number keeps resolving, RNIV), still within the user's scope.
    """
    try:
        return patients_for(user).get(pk=pk)
    except Patient.DoesNotExist:
        if follow_merges and user.is_authenticated and user.structure_id is not None:
            survivor_pk = _survivor_of(pk, structure_id=user.structure_id)
            if survivor_pk is not None:
                return access_patient(user, survivor_pk)
        raise Http404 from None


def _survivor_of(pk: int, *, structure_id: int) -> int | None:
    """Follow merged_into links to the record still in use (bounded: merges rarely chain)."""
    seen = set()
    current = pk
    while current not in seen and len(seen) < 20:
        seen.add(current)
        row = Patient.objects.filter(pk=current, structure_id=structure_id).values_list(
            "merged_into_id", flat=True).first()
        if row is None:
            return current if current != pk else None
        current = row
    return None


def records_patient_read(view: Callable) -> Callable:
    """View decorator: open the patient ``pk`` in scope (404 otherwise) and audit the read.

    The view receives ``patient`` instead of ``pk``. Every screen that shows a patient's
    file goes through here, so no read escapes the trail.
    """

    @wraps(view)
    def wrapped(request, pk: int, *args, **kwargs):
        patient = access_patient(request.user, pk, follow_merges=request.method == "GET")
        if patient.pk != pk:
            # The number of a merged duplicate: show the record it was merged into.
            return redirect(request.resolver_match.view_name, pk=patient.pk, **kwargs)
        audit.record(
            "patients.file_viewed", target=patient, patient_id=patient.pk, acting_user=request.user,
        )
        return view(request, *args, patient=patient, **kwargs)

    return wrapped
