from secretariat.core.models.audit import AuditEvent
from secretariat.core.models.organisation import (
    CareTeam,
    OpeningHours,
    Practitioner,
    Service,
    Site,
    Structure,
    Weekday,
)
from secretariat.core.models.tasks import TaskFailure
from secretariat.core.models.users import ApiToken, User

__all__ = [
    "ApiToken",
    "AuditEvent",
    "CareTeam",
    "OpeningHours",
    "Practitioner",
    "Service",
    "Site",
    "Structure",
    "TaskFailure",
    "User",
    "Weekday",
]
