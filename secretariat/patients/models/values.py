"""Small date rules shared by the administrative models, and how a stored value is shown."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext


def today():
    return timezone.localdate()


def not_after_today(errors: dict, field: str, value) -> None:
    if value is not None and value > today():
        errors.setdefault(field, []).append(gettext("This date is in the future."))


def in_order(errors: dict, start_field: str, start, end_field: str, end) -> None:
    if start is not None and end is not None and end < start:
        errors.setdefault(end_field, []).append(gettext(
            "The end date is before the start date: check both dates."))


def dated_pair(start: str, end: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(**{f"{start}__isnull": True}) | models.Q(**{f"{end}__isnull": True})
        | models.Q(**{f"{end}__gte": models.F(start)}),
        name=name,
    )


def shown_value(choices: dict, value) -> str:
    """A value of a history row in the reader's language: ∅, yes/no, dd/mm/yyyy, a choice label."""
    if value in (None, ""):
        return "∅"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        return f"{value[8:10]}/{value[5:7]}/{value[:4]}"
    return str(choices.get(value, value))
