"""Reading what a client sends: ids and whole numbers, JSON bodies, text. One place for each, so that
bad input gets a clear 400 (or the page's own message) everywhere and never a server error.

Why each exists:
- `str.isdigit()` is true of "²" and "①", which `int()` refuses; `int()` accepts " 7", "٧" (an Arabic
  digit) and 4,000-digit numbers. An id is 1 to 2^63-1 (a BigAutoField): a larger one overflows the
  database when it is written. `parse_id` and `parse_int` accept ASCII digits only, within range.
- DRF's JSONParser lets any JSON through: a view that reads `request.data.get(...)` fails on a list
  or a string, and JSON nested 2,000 levels deep raises RecursionError. `JSONObjectParser` refuses
  both with a 400 that says why.
- JSON can carry a lone surrogate ("\\ud800"): Python decodes it to a str that cannot be encoded to
  UTF-8, so the database write fails. Form posts cannot carry one (Django decodes them with
  replacement); JSON bodies are the one way in, so `JSONObjectParser` refuses them too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_ID = 2**63 - 1  # the largest value of a BigAutoField (PostgreSQL's bigint, SQLite's integer)
# Nineteen digits cover every id; more can only be out of range, and are refused before int() is called.
_INTEGER = re.compile(r"-?[0-9]{1,19}")
# JSON nesting deeper than this is refused: no body of this API nests more than three levels.
MAX_JSON_DEPTH = 32
_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_int(value: Any, *, minimum: int, maximum: int) -> int | None:
    """`value` (a str of ASCII digits, optionally signed, or an int) as an int within
    minimum..maximum, else None. Booleans, floats, "²", " 7" and "7.0" are not whole numbers here."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _INTEGER.fullmatch(value):
        number = int(value)
    else:
        return None
    return number if minimum <= number <= maximum else None


def parse_id(value: Any) -> int | None:
    """`value` as a database id (1 to 2^63-1), else None."""
    return parse_int(value, minimum=1, maximum=MAX_ID)


def parse_ids(values: Any) -> list[int] | None:
    """A list of ids, or None when `values` is not a list or any of them is not an id."""
    if not isinstance(values, list | tuple):
        return None
    ids = [parse_id(value) for value in values]
    found = [pk for pk in ids if pk is not None]
    return None if len(found) != len(ids) else found


def has_surrogate(text: str) -> bool:
    return _SURROGATE.search(text) is not None


def _check_json(data: Any) -> None:
    """Refuse nesting deeper than MAX_JSON_DEPTH and strings with a lone surrogate (iteratively: the
    check itself must not recurse)."""
    pending: list[tuple[Any, int]] = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if has_surrogate(value):
                raise ParseError(_("The text contains a character that is not valid Unicode (a lone surrogate)."))
        elif isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise ParseError(_("The JSON is nested more than %(depth)d levels deep.") % {"depth": MAX_JSON_DEPTH})
            items = [*value.keys(), *value.values()] if isinstance(value, dict) else value
            pending.extend((item, depth + 1) for item in items)


class JSONObjectParser(JSONParser):
    """The API's JSON parser (the REST_FRAMEWORK default): a body must be a JSON object, nested at
    most MAX_JSON_DEPTH levels, without lone surrogates. A view that takes a list at the top level
    says so with `json_top_level = (dict, list)` (none does today)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding) if stream is not None else ""
            data = json.loads(text)
        except RecursionError:
            raise ParseError(_("The JSON is nested too deeply.")) from None
        except ValueError as error:  # also UnicodeDecodeError
            raise ParseError(_("The body is not valid JSON: %(error)s") % {"error": error}) from None
        allowed = getattr(parser_context.get("view"), "json_top_level", (dict,))
        if not isinstance(data, allowed):
            raise ParseError(_("The body must be a JSON object ({...}) of the fields to set."))
        _check_json(data)
        return data
