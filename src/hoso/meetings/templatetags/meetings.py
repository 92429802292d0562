"""Template helpers of the meetings pages."""

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`mapping|get_item:key`, with the key as text (JSON keys are text)."""
    if not isinstance(mapping, dict):
        return ""
    return mapping.get(str(key), mapping.get(key, ""))
