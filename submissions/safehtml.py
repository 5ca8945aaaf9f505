"""`SafeHTML`: rich text that has been through the sanitiser, as a type of its own.

Why a type (security-relevant). The text of a section, the executive summary and the versions of a
section come from browsers, pastes from Word and web pages, Word imports and the API; members are
human-rights defenders, and a script in a section would run in every co-author's session.
`submissions.richtext.clean` keeps an allow-list of markup, and only its output may reach a page
unescaped. A template cannot tell a sanitised `str` from any other, and "it was sanitised when it was
saved" was a promise every code path had to keep (`|safe` and `mark_safe` on the text, trusted). Now:

- `SafeHTML` is a `str` that templates print as it is: Django's engine (and Jinja2's, through the same
  `__html__` protocol of markupsafe) calls `__html__` instead of escaping. Any other `str` is escaped,
  including one made from a SafeHTML by slicing, `+`, `replace` or `strip` (Python returns a plain
  `str` from those): what was changed after the sanitiser is no longer trusted.
- It is made in two places only: `richtext.clean` (the sanitiser) and `fields.SanitisedHTMLField`, for
  values read from the database, whose columns hold only the sanitiser's output because the field
  sanitises every write that is not already SafeHTML. `SafeHTML(text)` raises TypeError, and
  tests/test_safehtml.py checks that no other module calls `_seal`.

It is deliberately not Django's `SafeString`: `mark_safe` makes those from anything, and
`SafeString + SafeString` stays safe, so "safe" would again mean "someone said so".
"""

from __future__ import annotations

from typing import Any


class SafeHTML(str):
    """HTML as `richtext.clean` wrote it (see the module's docstring); templates print it unescaped."""

    __slots__ = ()

    def __new__(cls, *args: Any, **kwargs: Any) -> SafeHTML:  # never returns: see `_seal`
        raise TypeError("SafeHTML is made by submissions.richtext.clean only (or read from a SanitisedHTMLField)")

    def __html__(self) -> SafeHTML:
        return self

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        # Unpickled (a cached model instance) as what was pickled: only our own caches hold pickles,
        # and whoever can write one there can run code anyway.
        return _seal, (str(self),)

    def __repr__(self) -> str:
        return f"SafeHTML({str.__repr__(self)})"


def _seal(html: str) -> SafeHTML:
    """`html` as SafeHTML, unchecked: for `richtext.clean` and `fields.SanitisedHTMLField` only."""
    return str.__new__(SafeHTML, html)
