from django.conf import settings

from secretariat.core.navigation import areas_for
from secretariat.core.shell_notices import LazyNotices


def shell(request) -> dict:
    user = getattr(request, "user", None)
    return {
        "nav_areas": areas_for(user) if user is not None and user.is_authenticated else [],
        "inactivity_seconds": int(settings.INACTIVITY_TIMEOUT.total_seconds()),
        "shell_notices": LazyNotices(request),
    }
