from django import template

from notifications import catalogue

register = template.Library()


@register.filter
def shown(text: str) -> str:
    """A catalogue word (a type's name, ...) in the active language (catalogue.shown)."""
    return catalogue.shown(text)
