"""Whole numbers written each language's way, the same on the server and in the browser.

The live word count writes its figures in the browser with `Intl.NumberFormat(<html lang>)`
(frontend/src/count.js), and the page first comes from the server: both must write 5,630 in English,
5 630 in French (a narrow no-break space, U+202F, as French typography and Unicode's CLDR have it) and
5630 in Spanish, where a number of four digits is not grouped (CLDR's minimum grouping digits, and the
RAE's rule) while 41.066 is. Django's own formats group every number past 999 and use a plain no-break
space in French, so they would disagree with the browser: this is the one rule, for the three languages
(tests/test_languages.py checks it against Chromium's Intl).
"""

from __future__ import annotations

from django.utils import translation

# language: (the group separator, the fewest digits that are grouped)
GROUPING = {"en": (",", 4), "fr": ("\u202f", 4), "es": (".", 5)}


def grouped(value: object, language: str | None = None) -> str:
    """`value` (a whole number) with its thousands grouped the language's way; anything else as it is."""
    if not isinstance(value, int) or isinstance(value, bool):
        return "" if value is None else str(value)
    code = (language or translation.get_language() or "en")[:2]
    separator, fewest = GROUPING.get(code, GROUPING["en"])
    digits = str(abs(value))
    if len(digits) >= fewest:
        digits = f"{abs(value):,}".replace(",", separator)
    return f"-{digits}" if value < 0 else digits
