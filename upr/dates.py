"""Date fields of every form: the browser's own date picker, and a hint that says what it takes.

`<input type="date">` shows the date the reader's way (15/03/2027, 3/15/2027…) and sends it, and must
be given it, as ISO 8601 (2027-03-15) whatever the page's language: Django's DateInput would write the
language's first input format (15/03/2027 in French), which the browser drops, so the widget fixes
ISO. The hint therefore names no pattern of its own (it used to say "Year-month-day" beside a picker
showing 03/15/2027); where a browser has no picker and shows a text box, the ISO example tells what to
type, and the form accepts ISO in every language (Django adds it to every language's input formats).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

ISO = "%Y-%m-%d"
DATE_HELP = gettext_lazy("Choose the day in the calendar (typed by hand: 2027-03-15).")
DATE_ERRORS = {"invalid": gettext_lazy("Enter a real date: choose it in the calendar, or type it as 2027-03-15.")}


class DatePicker(forms.DateInput):
    """The browser's date picker, given and sending ISO 8601."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=ISO)
