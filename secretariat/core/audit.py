"""Audit trail: registry of action codes, request context and ``record()``.

Each app declares its codes in its own ``audit.py`` (``register(...)`` at import,
loaded by ``CoreConfig.ready``). Codes are ``"<app>.<past participle>"``; labels
are translated when displayed, never stored, so a coordinator reads the trail
in their own language.
"""

import contextvars
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from secretariat.core.models.audit import AuditEvent

_REGISTRY: dict[str, Any] = {}


class UnknownAuditAction(Exception):
    pass


def register(code: str, label) -> None:
    if code in _REGISTRY:
        raise ValueError(f"Audit action {code!r} is registered twice.")
    _REGISTRY[code] = label


def label_for(code: str) -> str:
    return str(_REGISTRY.get(code, code))


def registered_actions() -> list[tuple[str, str]]:
    return sorted(((code, str(label)) for code, label in _REGISTRY.items()), key=lambda item: item[1])


@dataclass
class AuditContext:
    """Who is acting, from where, and which user action groups the rows."""

    user: Any = None
    ip_address: str | None = None
    desk: str = ""
    request_id: uuid.UUID = field(default_factory=uuid.uuid4)


_context: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar(
    "audit_context", default=None
)


def set_context(context: AuditContext) -> contextvars.Token:
    return _context.set(context)


def reset_context(token: contextvars.Token) -> None:
    _context.reset(token)


def current_context() -> AuditContext:
    return _context.get() or AuditContext()


def record(
    action: str,
    *,
    target: models.Model | None = None,
    patient_id: int | None = None,
    structure_id: int | None = None,
    data: dict | None = None,
    acting_user=None,
) -> AuditEvent:
    """Write one audit row. Call it inside the service's transaction."""
    if action not in _REGISTRY:
        raise UnknownAuditAction(f"Audit action {action!r} is not registered.")
    context = current_context()
    user = acting_user if acting_user is not None else context.user
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if structure_id is None:
        structure_id = getattr(target, "structure_id", None) or getattr(user, "structure_id", None)
    return AuditEvent.objects.create(
        action=action,
        acting_user=user,
        actor_label=user.get_username() if user else "",
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:300] if target is not None else "",
        patient_id=patient_id,
        structure_id=structure_id,
        data=data or {},
        request_id=context.request_id,
        ip_address=context.ip_address,
        desk=context.desk,
    )


def changes(before: dict, after: dict) -> dict:
    """The fields whose value differs, as ``{field: [old, new]}`` (JSON-friendly)."""
    return {
        name: [_plain(before.get(name)), _plain(after.get(name))]
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }


def _plain(value):
    if isinstance(value, (list, tuple, set, frozenset)):
        return sorted(_plain(item) for item in value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


# Codes owned by core.
register("core.user_logged_in", _("Logged in"))
register("core.user_logged_out", _("Logged out"))
register("core.login_failed", _("Login failed"))
register("core.user_created", _("User created"))
register("core.user_changed", _("User changed"))
register("core.user_disabled", _("User disabled"))
register("core.user_enabled", _("User enabled"))
register("core.two_factor_enabled", _("Two-factor authentication enabled"))
register("core.two_factor_reset", _("Two-factor authentication reset"))
register("core.care_team_changed", _("Care team changed"))
register("core.care_team_created", _("Care team created"))
register("core.api_token_issued", _("API token issued"))
register("core.api_token_revoked", _("API token revoked"))
register("core.audit_exported", _("Audit trail exported"))
register("core.task_failure_acknowledged", _("Failed task acknowledged"))
register("core.structure_changed", _("Structure changed"))
register("core.site_created", _("Site created"))
register("core.site_changed", _("Site changed"))
register("core.opening_hours_changed", _("Opening hours changed"))
register("core.service_created", _("Service created"))
register("core.service_changed", _("Service changed"))
register("core.practitioner_created", _("Practitioner created"))
register("core.practitioner_changed", _("Practitioner changed"))
register("core.admin_record_added", _("Record added in the support admin"))
register("core.admin_record_changed", _("Record changed in the support admin"))
register("core.admin_record_deleted", _("Record deleted in the support admin"))
