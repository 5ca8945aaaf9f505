"""One way of writing dates per language, across the app (settings.FORMAT_MODULE_PATH).

Templates use the named formats (`|date:"DATE_FORMAT"`, `|date:"DATETIME_FORMAT"`), never a pattern
of their own, so that a page never shows "Dec. 1, 2026, 11:45 p.m." beside "1 Dec 2026". The UN's
own style: the day, the month in words, the year; times on 24 hours. Machine-readable values
(`<time datetime>`, `<input type="date">`) stay ISO 8601.
"""
