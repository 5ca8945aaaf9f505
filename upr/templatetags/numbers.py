"""`{{ n|grouped }}`: a whole number written the reader's way (upr/numbers.py)."""

from django import template

from upr.numbers import grouped as _grouped

register = template.Library()


@register.filter
def grouped(value: object) -> str:
    return _grouped(value)
