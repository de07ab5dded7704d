"""Patient screens: find a patient, open their file (every opening is audited)."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from secretariat.core.access import require_capability
from secretariat.core.roles import Capability
from secretariat.patients.permissions import patients_for, records_patient_read
from secretariat.patients.queries import patients_matching

MAX_ROWS = 50
MAX_QUERY_LENGTH = 100


@require_capability(Capability.VIEW_PATIENTS)
@require_GET
def patient_list(request):
    text = " ".join(request.GET.get("q", "").split())[:MAX_QUERY_LENGTH]
    patients = patients_for(request.user)
    if text:
        patients = patients_matching(patients, text).order_by(
            "birth_name", "first_birth_first_name", "birth_date", "pk",
        )
    else:
        patients = patients.order_by("-updated_at", "-pk")
    # One row more than shown tells whether the search should be narrowed, without a COUNT.
    rows = list(patients[: MAX_ROWS + 1])
    return render(request, "patients/patient_list.html", {
        "patients": rows[:MAX_ROWS],
        "truncated": len(rows) > MAX_ROWS,
        "max_rows": MAX_ROWS,
        "query": text,
        "active_area": "patients",
    })


@require_capability(Capability.VIEW_PATIENTS)
@require_GET
@records_patient_read
def patient_detail(request, patient):
    return render(request, "patients/patient_detail.html", {
        "patient": patient,
        "care_teams": patient.care_teams.order_by("name"),
        "active_area": "patients",
    })
