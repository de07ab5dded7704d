"""Small display helpers shared by every app's templates."""

from django import template

register = template.Library()


@register.filter
def phone(value: str) -> str:
    """A French number stored as 10 digits, shown in pairs: 06 12 34 56 78."""
    if isinstance(value, str) and len(value) == 10 and value.isdigit():
        return " ".join(value[index:index + 2] for index in range(0, 10, 2))
    return value
