"""Template filters available in every template (TEMPLATES' "builtins")."""

from datetime import datetime

from django import template

register = template.Library()


@register.filter
def isodatetime(value: datetime | None) -> str:
    """For <time datetime=…>: ISO 8601 to the second, which HTML accepts (no microseconds)."""
    return value.isoformat(timespec="seconds") if value else ""
