"""Writes of the desk settings screen: one transaction each, audited ("reception.settings_changed")."""

from django.db import transaction
from django.utils.translation import gettext as _

from secretariat.core import audit
from secretariat.core.models import Practitioner, Site
from secretariat.core.services.errors import ServiceError
from secretariat.reception.models import ConsultingRoom, ReceptionSettings

SETTINGS_FIELDS = ("public_display", "call_chime", "late_after_minutes", "missing_after_minutes",
                   "survey_enabled", "survey_link_after_visit")


@transaction.atomic(durable=True)
def save_desk_settings(structure_id: int, *, values: dict, acting_user) -> ReceptionSettings:
    """Change how the desk works (public screen display, chime, late/missing delays, survey)."""
    row = ReceptionSettings.for_structure(structure_id)
    row = ReceptionSettings.objects.select_for_update().get(pk=row.pk)
    before = {name: getattr(row, name) for name in SETTINGS_FIELDS}
    for name in SETTINGS_FIELDS:
        setattr(row, name, values[name])
    changes = {name: [before[name], values[name]] for name in SETTINGS_FIELDS if before[name] != values[name]}
    if not changes:
        return row
    row.save()
    audit.record("reception.settings_changed", target=row, structure_id=structure_id, acting_user=acting_user,
                 data={"changes": changes})
    return row


@transaction.atomic(durable=True)
def save_consulting_rooms(structure_id: int, *, rooms: dict[tuple[int, int], str], acting_user) -> dict:
    """Set the room of each (site, practitioner); an empty label removes it. Returns the counts."""
    site_ids = {site_id for site_id, _practitioner_id in rooms}
    practitioner_ids = {practitioner_id for _site_id, practitioner_id in rooms}
    if (Site.objects.filter(structure_id=structure_id, pk__in=site_ids).count() != len(site_ids)
            or Practitioner.objects.filter(structure_id=structure_id, pk__in=practitioner_ids).count()
            != len(practitioner_ids)):
        raise ServiceError(_("A site or a practitioner is not in your structure: reload the page."))
    existing = {(room.site_id, room.practitioner_id): room for room in
                ConsultingRoom.objects.select_for_update().filter(site_id__in=site_ids,
                                                                  practitioner_id__in=practitioner_ids)}
    counts = {"added": 0, "changed": 0, "removed": 0}
    for (site_id, practitioner_id), label in sorted(rooms.items()):
        label = label.strip()
        room = existing.get((site_id, practitioner_id))
        if room is None and label:
            ConsultingRoom.objects.create(site_id=site_id, practitioner_id=practitioner_id, label=label)
            counts["added"] += 1
        elif room is not None and not label:
            room.delete()
            counts["removed"] += 1
        elif room is not None and room.label != label:
            room.label = label
            room.save(update_fields=["label"])
            counts["changed"] += 1
    if any(counts.values()):
        audit.record("reception.settings_changed", structure_id=structure_id, acting_user=acting_user,
                     data={"rooms": counts})
    return counts
