"""Template helpers for the recommendations pages, written for speed: the list's filters have
selects of 195 States, and rendering each option through Django's widget templates cost more than
the search itself."""
from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from ..filters import BY_NAME, SELECTS, SearchFilters
from ..rows import escape
from ..vocabulary import options_html

register = template.Library()


def select(search: SearchFilters, name: str) -> str:
    """One filter's <select>, the value sent selected. The options' HTML of fixed and vocabulary
    choices is memoised (vocabulary.options_html); the chosen value is marked by a replacement."""
    spec = BY_NAME[name]
    choices = search.choices(spec)
    key = search.options_key(spec)
    if key:
        options = options_html(choices, key=key)
    else:
        options = "".join(f'<option value="{escape(v)}">{escape(label)}</option>' for v, label in choices)
    if spec.empty is not None:
        options = f'<option value="">{escape(spec.empty)}</option>{options}'
    current = search.raw[name] or (search.sort if name == "sort" else "")
    if current:
        needle = f'<option value="{escape(current)}">'
        options = options.replace(needle, needle[:-1] + " selected>", 1)
    invalid = f' aria-describedby="id_{name}_error" aria-invalid="true"' if name in search.errors else ""
    return f'<select name="{name}" id="id_{name}"{invalid}>{options}</select>'


@register.simple_tag
def filter_selects(search: SearchFilters) -> SafeString:
    """Every select of the list's filters with its label and errors: the loop in Python, as the
    search page renders it on every query."""
    html = []
    for name in SELECTS:
        errors = "".join(f'<p class="error" id="id_{name}_error">{escape(e)}</p>' for e in search.errors.get(name, ()))
        css = "field has-error" if errors else "field"
        label = escape(BY_NAME[name].label)
        html.append(f'<div class="{css}"><label for="id_{name}">{label}</label>{select(search, name)}{errors}</div>')
    return mark_safe("".join(html))  # labels, values and errors escaped above
