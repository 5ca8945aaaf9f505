"""The Jinja2 engine of the hot fragments: the rows of the people list, of the recommendations list and
of the matrix, and the recommendations list's filter selects (their templates are in templates/jinja2/).

Why Jinja2 there: those fragments are rendered on every visit (up to 50 rows, or 12 selects with 500
options) and Django's template engine cost several times the rest of the page for them (about 0.14 ms
a row: variable resolution, localisation, an include per row). Jinja2 compiles a template to Python
once per process and renders the same markup at a fraction of that; the pages around them stay Django
templates, which show the fragment through `fragment()`.

Why these options (security-relevant):
- autoescape is always on, whatever the settings say: every value a template prints (a member's name,
  a recommendation's text, a choice value read from the database) is HTML-escaped unless it is
  already markup (Jinja2's Markup or Django's SafeString: another fragment, a macro's output).
- StrictUndefined: a variable a view forgot to pass is an error the tests see, not a blank in a page.
- gettext and ngettext through Jinja2's i18n extension, old style: `_("...")` returns plain text that
  is escaped like any other value (as Django's {% translate %} does), and placeholders are filled
  with `|format(name=value)` before the whole is escaped. Write `_("...")` with a literal string in a
  `{{ }}` or `{% set %}` tag: Django's makemessages (templatize) reads exactly those from .html files,
  and tests/test_rows_templates.py checks that it finds every message of these templates. Jinja2's
  `{% trans %}` blocks are not read by makemessages: do not use them.
"""

from __future__ import annotations

from collections.abc import Hashable
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

from django.template import engines
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, ngettext
from jinja2 import Environment, StrictUndefined

if TYPE_CHECKING:
    from django.template.backends.jinja2 import Jinja2

ENGINE = "jinja2"  # the alias of the engine in settings.TEMPLATES


def environment(**options: Any) -> Environment:
    """The environment of Django's Jinja2 backend (settings.TEMPLATES, OPTIONS["environment"])."""
    options.update(autoescape=True, undefined=StrictUndefined)
    options["extensions"] = [*options.get("extensions", ()), "jinja2.ext.i18n"]
    env = Environment(**options)
    env.install_gettext_callables(gettext, ngettext, newstyle=False)  # type: ignore[attr-defined]  # added by the i18n extension
    return env


def fragment(template_name: str, context: dict[str, Any]) -> SafeString:
    """A template of templates/jinja2/ rendered for a Django template or a response to show as it is. The
    Jinja2 engine escaped every value it printed (autoescape is always on, see `environment`), so its
    output is marked safe here, in this one place.

    Jinja2's escaping (markupsafe) writes " and ' as &#34; and &#39;, Django's as &quot; and &#x27;:
    the same characters, respelled here as the rest of the page (and the code these fragments replaced)
    spells them. Two replacements of the whole fragment cost far less than escaping each value in
    Python (a finalize doubled the time of a page of rows); no fragment holds a script or a style,
    the only places where the two spellings would not read the same."""
    html = engines[ENGINE].get_template(template_name).render(context)
    return mark_safe(html.replace("&#34;", "&quot;").replace("&#39;", "&#x27;"))  # escaped by the engine


def reloading() -> bool:
    """Whether the templates are read again when they change (DEBUG): then no render is kept."""
    engine = cast("Jinja2", engines[ENGINE])  # settings.TEMPLATES names it with Jinja2's backend
    return bool(engine.env.auto_reload)


def kept_fragment(template_name: str, **context: Hashable) -> SafeString:
    """`fragment()`, kept in this process's memory under everything it shows: the template, every value
    of its context (all hashable: rows as tuples, labels as pairs) and the language of its words.

    Why: the rows of the hot pages are shown again and again as they are (a list read page after page,
    a matrix open in several browsers), and Jinja2 escaping each of their values cost two to three
    times what the hand-escaped Python strings it replaced did (0.5 ms for the 50 rows of a matrix
    page). The key is the content itself, so an entry is never stale: a changed row is another key,
    and entries not used for a while are dropped (the least recently used past 128). Values equal but
    printed differently (1 and True) would share an entry: give each column one type. Nothing is kept
    while templates are read again as they change (DEBUG): an edited template shows at once."""
    if reloading():
        return fragment(template_name, context)
    return _kept(template_name, tuple(context.items()), get_language())


@lru_cache(maxsize=128)
def _kept(template_name: str, context: tuple[tuple[str, Hashable], ...], language: str | None) -> SafeString:
    return fragment(template_name, dict(context))
