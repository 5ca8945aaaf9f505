"""The model field of sanitised rich text: what it reads is SafeHTML, because it writes nothing else.

Why (security-relevant, see submissions.safehtml): a section's text is shown unescaped on the document
page, so its column must hold only `richtext.clean` output. Rather than trust every writer (the live
store, the services, an import, a data fix in a shell, a fixture, the admin), the field sanitises on
write whatever is not SafeHTML already, at the ORM's one door for writes, `get_db_prep_save`: `save()`,
`create()`, `bulk_create()`, `update()` and `bulk_update()` all pass through it, raw saves (loaddata)
too. The sanitiser's own output (the live store renders every text through it) is SafeHTML and is
written as it is, so the hot paths pay nothing. What bypasses the ORM (raw SQL, an expression such as
`Value()` without this field as its output field) is not covered; the migration that made these columns
SanitisedHTMLFields sanitised the rows already there (0008).

A text too long for the sanitiser (richtext.MAX_HTML_CHARS) raises its ValueError on save; the
services refuse it with a message before (live.store.sanitised).
"""

from __future__ import annotations

from typing import Any

from django.db import models

from . import richtext
from .safehtml import SafeHTML, _seal


def sanitised(value: Any) -> Any:
    """`value` as the column may hold it: None, an expression and SafeHTML as they are, anything else
    through the sanitiser."""
    if value is None or isinstance(value, SafeHTML) or hasattr(value, "resolve_expression"):
        return value
    return richtext.clean(str(value))


class SanitisedHTMLField(models.TextField):
    """A TextField of `richtext.clean` output: read as SafeHTML, sanitised on every write that is not."""

    description = "HTML sanitised by submissions.richtext"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> SafeHTML | None:
        return None if value is None else _seal(value)  # only sanitised HTML is written (get_db_prep_save)

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        # The instance holds what the row holds after the save (not the text it was given).
        value = sanitised(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value

    def get_db_prep_save(self, value: Any, connection: Any) -> Any:
        return super().get_db_prep_save(sanitised(value), connection)
