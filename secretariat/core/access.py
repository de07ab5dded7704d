"""Scoping by structure and care team.

Outsiders get ``Http404`` — never a 403 that would reveal that the object
exists. Every app's ``permissions.py`` builds on these helpers.
"""

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from secretariat.core.models import CareTeam, Practitioner
from secretariat.core.roles import Capability, Role


def require_capability(capability: str) -> Callable:
    """View decorator: 403 (a friendly page) when the user's role lacks the capability.

    Areas are not secret, so a 403 is fine here; objects use 404 through ``access_*``.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            if not request.user.has_capability(capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def sees_whole_structure(user) -> bool:
    return user.role == Role.COORDINATOR


def care_teams_of(user) -> QuerySet[CareTeam]:
    if user.structure_id is None:
        return CareTeam.objects.none()
    teams = CareTeam.objects.filter(structure_id=user.structure_id)
    if sees_whole_structure(user):
        return teams
    return teams.filter(Q(members=user) | Q(practitioners__user=user)).distinct()


def practitioners_for(user) -> QuerySet[Practitioner]:
    """Practitioners a user works with: their care teams', or the whole structure for a coordinator."""
    if not user.is_authenticated or user.structure_id is None:
        return Practitioner.objects.none()
    in_structure = Practitioner.objects.filter(structure_id=user.structure_id)
    if sees_whole_structure(user) or user.has_capability(Capability.MANAGE_CASH_BOOK):
        return in_structure
    teams = care_teams_of(user)
    return in_structure.filter(
        Q(care_teams__in=teams) | Q(services__care_teams__in=teams) | Q(user=user)
    ).distinct()


def access_practitioner(user, pk: int) -> Practitioner:
    try:
        return practitioners_for(user).get(pk=pk)
    except Practitioner.DoesNotExist:
        raise Http404 from None
