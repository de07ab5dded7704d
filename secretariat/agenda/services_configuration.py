"""Writes of the structure's agenda configuration, each in one transaction with its audit row."""

from django.db import transaction

from secretariat.core import audit


@transaction.atomic(durable=True)
def save_appointment_type(form, *, acting_user):
    created = form.instance.pk is None
    appointment_type = form.save()
    audit.record("agenda.type_created" if created else "agenda.type_changed", target=appointment_type,
                 structure_id=appointment_type.structure_id, acting_user=acting_user,
                 data={"fields": sorted(form.changed_data)})
    return appointment_type


@transaction.atomic(durable=True)
def save_resource(form, *, acting_user):
    created = form.instance.pk is None
    resource = form.save()
    audit.record("agenda.resource_created" if created else "agenda.resource_changed", target=resource,
                 structure_id=resource.structure_id, acting_user=acting_user,
                 data={"fields": sorted(form.changed_data)})
    return resource


@transaction.atomic(durable=True)
def save_agenda_settings(form, *, acting_user):
    settings = form.save()
    audit.record("agenda.settings_changed", target=settings, structure_id=settings.structure_id,
                 acting_user=acting_user, data={"fields": sorted(form.changed_data)})
    return settings
