"""Reads of core beyond a filter: staff accounts, care teams, the audit trail, failed tasks.

Every query takes the reading user and keeps to their structure.
"""

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice

from secretariat.core.models import AuditEvent, CareTeam, Practitioner, TaskFailure, User
from secretariat.core.roles import Role


def staff_accounts_for(user, *, role: str | None = None, is_active: bool | None = None) -> QuerySet[User]:
    """Accounts of the user's structure, with what the users screen shows, in a fixed number of queries."""
    if user.structure_id is None:
        return User.objects.none()
    accounts = (
        User.objects.filter(structure_id=user.structure_id)
        .annotate(
            active_token_count=Count("api_tokens", filter=Q(api_tokens__revoked_at__isnull=True)),
            has_two_factor=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
        )
        .prefetch_related(Prefetch("care_teams", queryset=CareTeam.objects.order_by("name")))
        .order_by("last_name", "first_name", "username")
    )
    if role:
        accounts = accounts.filter(role=role)
    if is_active is not None:
        accounts = accounts.filter(is_active=is_active)
    return accounts


def care_teams_with_people(user) -> QuerySet[CareTeam]:
    """Care teams of the user's structure with their members and practitioners."""
    if user.structure_id is None:
        return CareTeam.objects.none()
    return CareTeam.objects.filter(structure_id=user.structure_id).prefetch_related(
        Prefetch("members", queryset=User.objects.order_by("last_name", "first_name", "username")),
        Prefetch("practitioners", queryset=Practitioner.objects.order_by("last_name", "first_name")),
    ).order_by("name")


def audit_events_for(
    user,
    *,
    username: str | None = None,
    patient_id: int | None = None,
    action: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEvent]:
    """Audit events of the user's structure, newest first; dates are local days, both included."""
    if user.structure_id is None:
        return AuditEvent.objects.none()
    events = AuditEvent.objects.filter(structure_id=user.structure_id)
    if username:
        # The label is the username at the time of the event: it survives renamed accounts.
        events = events.filter(actor_label__iexact=username.strip())
    if patient_id is not None:
        events = events.filter(patient_id=patient_id)
    if action:
        events = events.filter(action=action)
    if date_from is not None:
        events = events.filter(occurred_at__gte=_start_of_local_day(date_from))
    if date_to is not None:
        events = events.filter(occurred_at__lt=_start_of_local_day(date_to + timedelta(days=1)))
    return events.order_by("-occurred_at", "-id")


def _start_of_local_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def task_failures_to_review() -> QuerySet[TaskFailure]:
    """Failed background tasks, those nobody has acknowledged first, then newest first."""
    return TaskFailure.objects.order_by(F("acknowledged_at").asc(nulls_first=True), "-occurred_at", "-id")


FIELD_LABELS = {
    "username": gettext_lazy("username"),
    "first_name": gettext_lazy("first name"),
    "last_name": gettext_lazy("last name"),
    "email": gettext_lazy("e-mail"),
    "role": gettext_lazy("role"),
    "is_active": gettext_lazy("active"),
    "care_teams": gettext_lazy("care teams"),
    "members": gettext_lazy("members"),
    "practitioners": gettext_lazy("practitioners"),
    "devices": gettext_lazy("authenticators removed"),
    "token": gettext_lazy("token"),
    "name": gettext_lazy("name"),
    "rows": gettext_lazy("rows"),
    "task": gettext_lazy("task"),
}


def readable_details(data: dict) -> list[str]:
    """The JSON details of an audit event as lines in the reader's language.

    ``{"changes": {"role": ["secretary", "coordinator"]}}`` becomes
    ``role: Medical secretary → Coordinator``.
    """
    lines = []
    for key, value in (data or {}).items():
        if key == "changes" and isinstance(value, dict):
            for field, pair in value.items():
                old, new = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
                lines.append(f"{_label(field)}: {_value(field, old)} → {_value(field, new)}")
        elif isinstance(value, dict):
            lines.extend(f"{_label(field)}: {_value(field, inner)}" for field, inner in value.items())
        else:
            lines.append(f"{_label(key)}: {_value(key, value)}")
    return lines


def _label(field: str) -> str:
    return str(FIELD_LABELS.get(field, field.replace("_", " ")))


def _value(field: str, value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if field == "role" and value in Role.values:
        return str(Role(value).label)
    return str(value)
