"""Writes of a practitioner's schedule and directives: one transaction per screen section, audited.

The forms are validated by the view; saving them and the audit row share one transaction so
a schedule is never half-changed.
"""

from django.db import transaction

from secretariat.core import audit


def _changed_fields(*forms) -> list[str]:
    return sorted({name for form in forms for name in form.changed_data})


@transaction.atomic(durable=True)
def save_directives(practitioner, *, directives_form, type_formset, acting_user) -> None:
    directives = directives_form.save(commit=False)
    directives.practitioner = practitioner
    directives.updated_by = acting_user
    directives.save()
    for rule in type_formset.save(commit=False):
        rule.practitioner = practitioner
        rule.save()
    for rule in type_formset.deleted_objects:
        rule.delete()
    audit.record("agenda.directives_changed", target=practitioner, structure_id=practitioner.structure_id,
                 acting_user=acting_user,
                 data={"fields": _changed_fields(directives_form, *type_formset.forms)})


@transaction.atomic(durable=True)
def save_weekly_periods(practitioner, *, formset, acting_user) -> None:
    for period in formset.save(commit=False):
        period.practitioner = practitioner
        period.save()
    formset.save_m2m()
    for period in formset.deleted_objects:
        period.delete()
    audit.record("agenda.schedule_changed", target=practitioner, structure_id=practitioner.structure_id,
                 acting_user=acting_user, data={"periods": len(formset.forms)})


@transaction.atomic(durable=True)
def add_schedule_exception(practitioner, *, form, acting_user):
    exception = form.save(commit=False)
    exception.practitioner = practitioner
    exception.save()
    audit.record("agenda.schedule_exception_added", target=practitioner, structure_id=practitioner.structure_id,
                 acting_user=acting_user, data={"day": exception.day.isoformat(), "open": exception.is_open})
    return exception


@transaction.atomic(durable=True)
def delete_schedule_exception(exception, *, acting_user) -> None:
    practitioner = exception.practitioner
    audit.record("agenda.schedule_exception_deleted", target=practitioner, structure_id=practitioner.structure_id,
                 acting_user=acting_user, data={"day": exception.day.isoformat(), "open": exception.is_open})
    exception.delete()
