"""Template helpers for the recommendations pages, written for speed: the list's filter form has
selects of 195 States, and rendering each option through Django's widget templates cost more than
the search itself."""
from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from ..vocabulary import options_html

register = template.Library()


@register.simple_tag
def select(field: BoundField) -> SafeString:
    """A <select> of a ChoiceField with its options, the bound value selected. Fields with an
    `options_key` (set by the form) reuse their options' HTML from the cache."""
    value = field.data if field.form.is_bound else field.initial
    current = "" if value in (None, "") else str(value)
    key = getattr(field.field, "options_key", None)
    if key:
        options = options_html(field.field.choices, key=key)
    else:
        options = "".join(f'<option value="{escape(v)}">{escape(label)}</option>' for v, label in field.field.choices)
    if current:
        needle = f'<option value="{escape(current)}">'
        options = options.replace(needle, needle[:-1] + " selected>", 1)
    described = f' aria-describedby="{field.auto_id}_error" aria-invalid="true"' if field.errors else ""
    return format_html(
        '<select name="{}" id="{}"{}>{}</select>', field.html_name, field.auto_id, mark_safe(described), mark_safe(options)
    )


@register.simple_tag
def filter_selects(form) -> SafeString:  # type: ignore[no-untyped-def]
    """Every select of the list's filter form with its label and errors: the loop in Python, as the
    search page renders it on every query."""
    html = []
    for name in form.SELECTS:
        field = form[name]
        errors = "".join(f'<p class="error" id="{field.auto_id}_error">{escape(e)}</p>' for e in field.errors)
        css = "field has-error" if errors else "field"
        html.append(f'<div class="{css}"><label for="{field.auto_id}">{escape(field.label)}</label>{select(field)}{errors}</div>')
    return mark_safe("".join(html))  # labels and errors escaped above; select() escapes its own
