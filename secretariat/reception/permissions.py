"""Who sees what at the desk. Everything is scoped to the user's structure; visits and calls about
patients follow the practitioners the user works with (``core.access.practitioners_for``);
messages about a patient's care need ``READ_MEDICAL_MESSAGES``. The public waiting-room screen
has no user: it reads only ``queries_public`` (tickets, rooms, delays)."""

from django.db.models import Q, QuerySet
from django.http import Http404

from secretariat.core.access import practitioners_for
from secretariat.core.models import Site
from secretariat.reception.models import Visit


def sites_for(user) -> QuerySet[Site]:
    return Site.objects.filter(structure_id=user.structure_id)


def visits_for(user) -> QuerySet[Visit]:
    """Visits for the practitioners the user works with, and walk-ins not yet given to anyone."""
    return Visit.objects.filter(structure_id=user.structure_id).filter(
        Q(practitioner__in=practitioners_for(user)) | Q(practitioner__isnull=True))


def access_visit(user, pk) -> Visit:
    try:
        return visits_for(user).select_related("patient", "practitioner", "appointment", "site").get(pk=pk)
    except (Visit.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
