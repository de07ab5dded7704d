"""Writes about the organisation: structure, sites and their hours, services, practitioners.

Each public function is one transaction that validates the model, saves it and
records the old → new values in the audit trail.
"""

from datetime import time

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from secretariat.core import audit
from secretariat.core.models import OpeningHours, Practitioner, Service, Site, Structure, User
from secretariat.core.services.errors import ServiceError


def _snapshot(instance: models.Model, fields, m2m=()) -> dict:
    values = {name: getattr(instance, name) for name in fields}
    if instance.pk:
        for name in m2m:
            values[name] = [str(item) for item in getattr(instance, name).all()]
    return values


def _save(instance, *, values: dict, m2m: dict | None = None, created: str, changed: str,
          acting_user: User):
    """Validate, save and audit one organisation record of the acting user's structure."""
    m2m = m2m or {}
    if acting_user.structure_id is None:
        raise ServiceError(_("Your account is not attached to a structure."))
    structure_id = instance.pk if isinstance(instance, Structure) else instance.structure_id
    if instance.pk is None and not isinstance(instance, Structure):
        instance.structure_id = structure_id = acting_user.structure_id
    if structure_id != acting_user.structure_id:
        raise ServiceError(_("This record belongs to another structure."))
    for related in m2m.values():
        if any(item.structure_id != acting_user.structure_id for item in related):
            raise ServiceError(_("Only sites and services of your structure can be linked."))
    is_new = instance.pk is None
    before = {} if is_new else _snapshot(type(instance).objects.get(pk=instance.pk), values, m2m)
    for name, value in values.items():
        setattr(instance, name, value)
    try:
        instance.full_clean()
    except ValidationError as error:
        raise ServiceError(" ".join(error.messages)) from None
    instance.save()
    for name, related in m2m.items():
        getattr(instance, name).set(related)
    diff = audit.changes(before, _snapshot(instance, values, m2m))
    if is_new or diff:
        audit.record(created if is_new else changed, target=instance, data={"changes": diff},
                     structure_id=acting_user.structure_id, acting_user=acting_user)
    return instance


@transaction.atomic(durable=True)
def save_structure(structure: Structure, *, values: dict, acting_user: User) -> Structure:
    if structure.pk is None:
        raise ServiceError(_("Structures are created by the support team."))
    return _save(structure, values=values, created="core.structure_changed",
                 changed="core.structure_changed", acting_user=acting_user)


@transaction.atomic(durable=True)
def save_site(site: Site, *, values: dict, acting_user: User) -> Site:
    return _save(site, values=values, created="core.site_created", changed="core.site_changed",
                 acting_user=acting_user)


@transaction.atomic(durable=True)
def save_service(service: Service, *, values: dict, acting_user: User) -> Service:
    site = values.get("site")
    if site is not None and site.structure_id != acting_user.structure_id:
        raise ServiceError(_("Only sites of your structure can be linked."))
    return _save(service, values=values, created="core.service_created",
                 changed="core.service_changed", acting_user=acting_user)


@transaction.atomic(durable=True)
def save_practitioner(practitioner: Practitioner, *, values: dict, sites, services,
                      acting_user: User) -> Practitioner:
    user = values.get("user")
    if user is not None and user.structure_id != acting_user.structure_id:
        raise ServiceError(_("Only an account of your structure can be linked."))
    return _save(practitioner, values=values, m2m={"sites": list(sites), "services": list(services)},
                 created="core.practitioner_created", changed="core.practitioner_changed",
                 acting_user=acting_user)


@transaction.atomic(durable=True)
def set_opening_hours(site: Site, *, periods: list[tuple[int, time, time]], acting_user: User) -> Site:
    """Replace the site's opening hours by ``(weekday, opens_at, closes_at)`` periods."""
    if site.structure_id != acting_user.structure_id:
        raise ServiceError(_("This record belongs to another structure."))
    for weekday, opens_at, closes_at in periods:
        if closes_at <= opens_at:
            raise ServiceError(_("On {day}, the closing time must come after the opening time.").format(
                day=OpeningHours.Weekday(weekday).label))
    by_day: dict[int, list[tuple[time, time]]] = {}
    for weekday, opens_at, closes_at in sorted(periods):
        previous = by_day.setdefault(weekday, [])
        if previous and opens_at < previous[-1][1]:
            raise ServiceError(_("On {day}, two opening periods overlap.").format(
                day=OpeningHours.Weekday(weekday).label))
        previous.append((opens_at, closes_at))

    def describe(rows):
        return [f"{OpeningHours.Weekday(d).label} {o:%H:%M}–{c:%H:%M}" for d, o, c in rows]

    before = describe(site.opening_hours.values_list("weekday", "opens_at", "closes_at"))
    site.opening_hours.all().delete()
    OpeningHours.objects.bulk_create(
        OpeningHours(site=site, weekday=d, opens_at=o, closes_at=c) for d, o, c in sorted(periods)
    )
    after = describe(sorted(periods))
    if before != after:
        audit.record("core.opening_hours_changed", target=site,
                     data={"changes": {"opening_hours": [before, after]}}, acting_user=acting_user)
    return site
