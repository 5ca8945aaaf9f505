"""Template helpers for the recommendations pages, written for speed: the list's filter form has
selects of 195 States, and rendering each option through Django's widget templates cost more than
the search itself."""
from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def select(field: BoundField) -> SafeString:
    """A <select> of a ChoiceField with its options, the bound value selected."""
    value = field.data if field.form.is_bound else field.initial
    current = "" if value in (None, "") else str(value)
    options = []
    for choice, label in field.field.choices:
        key = str(getattr(choice, "value", choice))
        chosen = " selected" if key == current else ""
        options.append(f'<option value="{conditional_escape(key)}"{chosen}>{conditional_escape(label)}</option>')
    described = f' aria-describedby="{field.auto_id}_error" aria-invalid="true"' if field.errors else ""
    return format_html(
        '<select name="{}" id="{}"{}>{}</select>', field.html_name, field.auto_id, mark_safe(described), mark_safe("".join(options))
    )
