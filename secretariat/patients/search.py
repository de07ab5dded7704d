"""The patients' group in the global search box."""

from django.urls import reverse
from django.utils.translation import gettext as _

from secretariat.core.roles import Capability
from secretariat.core.search import MAX_HITS_PER_GROUP, SearchGroup, SearchHit, register_provider
from secretariat.patients.permissions import patients_for
from secretariat.patients.queries import patients_matching


def patients_provider(user, text: str) -> SearchGroup | None:
    if not user.has_capability(Capability.VIEW_PATIENTS):
        return None
    found = [hit.patient for hit in patients_matching(patients_for(user), text, limit=MAX_HITS_PER_GROUP)]
    return SearchGroup(
        label=_("Patients"),
        hits=[
            SearchHit(
                title=patient.display_name,
                detail=_("%(birth_date)s · %(age)s y · %(status)s") % {
                    "birth_date": f"{patient.birth_date:%d/%m/%Y}", "age": patient.age,
                    "status": patient.get_identity_status_display(),
                },
                url=reverse("patients:detail", args=[patient.pk]),
            )
            for patient in found
        ],
    )


# Patients first: finding a patient is what the search box is used for most.
register_provider(patients_provider, order=10)
