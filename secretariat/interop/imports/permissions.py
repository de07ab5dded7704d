"""Who may import patients: secretaries and coordinators who may create identities."""

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied

from secretariat.core.access import require_capability
from secretariat.core.roles import Capability, Role

IMPORTING_ROLES = frozenset({Role.SECRETARY, Role.COORDINATOR})


def can_import_patients(user) -> bool:
    """Creating files in bulk is a secretariat's or a coordinator's work, not the desk's."""
    return (user.is_authenticated and user.structure_id is not None
            and user.role in IMPORTING_ROLES and user.has_capability(Capability.EDIT_PATIENTS))


def require_import_permission(view: Callable) -> Callable:
    """View decorator: log in first, then a 403 (friendly page) for anyone else."""

    @require_capability(Capability.EDIT_PATIENTS)
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_import_patients(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
