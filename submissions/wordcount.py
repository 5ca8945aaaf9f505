"""Counting words the way OHCHR's limit is checked: one implementation for the server.

OHCHR limits a stakeholder submission to 2,815 words (individual) or 5,630 words (joint), footnotes
and annexes excluded. Coalitions check that figure in Microsoft Word, so the app counts as Word does.
`static/js/wordcount.js` applies exactly the same rules in the browser (the live counter of the
editor), and `tests/test_wordcount.py` runs both on the same cases in headless Chromium.

Rules of `count_text` (the cases are those of shared/reference/data/word_count_test_cases.json):

* Words are separated by whitespace: every character Python's `str.isspace()` accepts (space, tab,
  newlines, NBSP U+00A0, narrow NBSP U+202F used by French typography, the U+2000 spaces, ideographic
  space...). The browser file lists the same characters explicitly.
* Dashes that are not hyphens also separate words: figure dash U+2012, en dash U+2013, em dash U+2014,
  horizontal bar U+2015. "beginning—phrase—end" = 3 and "1990–2000" = 2: LibreOffice's help says
  dashes are word limits; no cited source settled Word (the file says "verify"), and a range of years
  reads as two numbers. A dash standing between spaces ("word – word") is punctuation, so 2 either way.
* Hyphens and slashes do not separate: "father-in-law", "real-time", "vis-a-vis", "plug-in" and
  "06/30/2003", "user/config", "A/HRC/59/15/Add.1" are one word each (WordTips T009228,
  office-forums.com thread 1655850, LibreOffice help). Neither do apostrophes: "l'État" is one word.
* A token is a word if it holds at least one letter, mark, digit or symbol. Punctuation alone
  (every character in a Unicode P* category: `"`, `...`, `«`, `¿`, a lone `-` or `—`) is not a
  word; neither are invisible control and format characters (Cc, Cf: soft hyphen, zero-width space,
  the U+FEFF an editor may leave as a caret filler), nor lone surrogates (Cs). So "abc123 1.23 "$"
  http://www.example.com" = 4 (LibreOffice help): "$" is a currency symbol (Sc), not punctuation, and
  numbers and URLs are words. "June 30, 2003" = 3.
* Unassigned code points (Cn) count as word characters: a letter or emoji newer than Python's Unicode
  database is still a word, as it is for the browser's newer one. Only punctuation or format
  characters added after Python's Unicode version (14.0 for 3.11) could make the two disagree.

Rules of `count_html` (the sanitised HTML of the editor, see `submissions/outline.py`):

* Block elements (`<p>`, headings, `<li>`, list, table and quotation elements, `<div>`...) and `<br>`
  separate words: "<p>one</p><p>two</p>" = 2 although no space stands between them. Inline elements
  (`<strong>`, `<em>`, `<u>`, `<a>`, `<span>`...) do not: "fa<strong>ther</strong>" = 1.
* A footnote is written where it is anchored, as an element whose class list holds "footnote"
  (`<span class="footnote">`, also `class="footnote x"`). Its words go to `footnotes`, never to
  `counted` (OHCHR excludes them, as Word does with "Include textboxes, footnotes and endnotes" off:
  Aspose.Words' IncludeTextboxesFootnotesEndnotesInStat), and it separates words as a space would:
  "Lorem ipsum<span class="footnote">sit amet</span>" = 2 counted, 2 in footnotes.
* Entities are decoded as a browser does (`html.unescape` follows HTML5: `&nbsp;` is a space,
  `&#8211;` a dash that separates). Comments and the text of `<script>`, `<style>` and `<template>`
  are ignored.
* The input is the sanitiser's output, a serialised tree, so tags nest: a footnote ends at the end
  tag that closes it (nested elements of the same name are followed). The HTML parser's repair of
  broken markup is not re-implemented (implied end tags such as a second <p> closing a first
  `<p class="footnote">`, misnested formatting, an end tag with no open element: a lone "</div>" is
  dropped by browsers, here it separates). On such markup only, the browser's count may differ.

Speed: the server counts a whole joint submission (5,630 words, 12 sections, 150 footnotes) on every
view of the document; `benchmarks/wordcount.py` measures it against a 5 ms target (about 2.3 ms on
this project's 2-vCPU machine, 8x a bare `str.split` of the same HTML). A tag-by-tag Python loop
(or `html.parser`) costs 3 us a tag and took 4 ms (html.parser: 7-9 ms). So the markup is cut out by
one `re.split`, each tag becomes a space or U+0000 through a dict lookup mapped in C, and only the
footnotes are looked at in Python. Words are then `str.split` plus a set test per token, not a
regular expression: one with a 3,000-character class is matched range by range (4x slower).

No Django import here: the benchmark and the tests use this module without settings.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from html import unescape

__all__ = ["HtmlCount", "count_text", "count_html", "words_left", "DASHES", "BLOCK_ELEMENTS"]

# Dashes that separate words as whitespace does (hyphen-minus U+002D and hyphen U+2010 do not).
DASHES = "\u2012\u2013\u2014\u2015"


def _not_word_characters() -> frozenset[str]:
    """Characters that cannot make a token a word: punctuation (P*), controls (Cc), format characters
    (Cf) and surrogates (Cs), except whitespace (which splits before this set is consulted).

    Every such character lies in planes 0 and 1 or in the tag block U+E0000-U+E0FFF (a test checks
    this against the whole Unicode range): scanning 135,000 code points costs about 20 ms once at
    import, where the whole range would cost 130 ms.
    """
    category = unicodedata.category
    code_points = [*range(0x20000), *range(0xE0000, 0xE1000)]
    return frozenset(
        c for c in map(chr, code_points) if (category(c)[0] == "P" or category(c) in ("Cc", "Cf", "Cs")) and not c.isspace()
    )


NOT_WORD = _not_word_characters()
_token_is_not_word = NOT_WORD.issuperset  # True when every character of the token is in the set


def count_text(text: str) -> int:
    """The number of words in plain text, by the rules of the module's docstring."""
    for dash in DASHES:
        if dash in text:  # rare: skip the copy when absent
            text = text.replace(dash, " ")
    tokens = text.split()  # str.split() splits on exactly the str.isspace() characters
    # set.issuperset(str) walks the token in C and stops at its first word character, which for
    # nearly every token is its first: cheaper than any per-token Python code or regular expression.
    return len(tokens) - sum(map(_token_is_not_word, tokens))


@dataclass(frozen=True)
class HtmlCount:
    counted: int  # words that count toward OHCHR's limit
    footnotes: int  # words inside footnotes: shown, never counted toward the limit


# Elements that separate words (the browser file has the same list). Everything else is inline.
BLOCK_ELEMENTS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "legend",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
# Elements that have no end tag: their end tags are dropped ("</hr>"), except "</br>", a <br>.
_VOID_ELEMENTS = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "keygen",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    }
)
_SEPARATING_END_TAGS = (BLOCK_ELEMENTS - _VOID_ELEMENTS) | {"br"}

# Every piece of markup, for one re.split of the whole HTML (the work happens in C). Only a tag has
# groups: "/" or "" (end or start tag), its name, its attributes. Quoted attribute values may hold
# ">" (atomic groups keep the scan linear on broken input). <script> and <style> are matched with
# their text, which is not content. A tag cut off by the end of the input is dropped, as browsers do.
_ATTRIBUTES = r"""(?>=[\t\n\f\r ]*(?:"[^"]*"|'[^']*')|[^>])*"""
_RAW_TEXT = r"(?i:{name})(?=[\t\n\f\r />])" + _ATTRIBUTES + r"(?:>.*?(?:</(?i:{name})(?=[\t\n\f\r />])[^>]*(?:>|\Z)|\Z)|\Z)"
_MARKUP = re.compile(
    r"""<(?:
        !--(?:-?>|.*?--!?>|.*\Z)        # comment, also "<!-->" and one left open
      | [!?][^>]*(?:>|\Z)               # doctype, "<?...>", bogus comment
      | /(?![a-zA-Z])[^>]*(?:>|\Z)      # "</>", "</ x>": dropped
      | """
    + _RAW_TEXT.format(name="script")
    + r"""
      | """
    + _RAW_TEXT.format(name="style")
    + r"""
      | (/?)([a-zA-Z][^\t\n\f\r />]*)("""
    + _ATTRIBUTES
    + r""")(?:>|\Z)
    )""",
    re.S | re.X,
)
_TEMPLATE = re.compile(r"<template(?=[\t\n\f\r />])", re.I)
_ATTRIBUTE = re.compile(r"""([^\t\n\f\r />"'=][^\t\n\f\r />=]*)(?:[\t\n\f\r ]*=[\t\n\f\r ]*("[^"]*"|'[^']*'|[^\t\n\f\r >]*))?""")
_ASCII_WHITESPACE = re.compile(r"[\t\n\f\r ]+")

# What a piece of markup leaves in the text: a space where it separates words, else U+0000, which
# joins ("fa<b>ther</b>" is one word): it is neither whitespace nor a word character, and it keeps
# an entity from forming across a tag once the text is decoded.
_SEPARATE, _JOIN = " ", "\x00"
_JOINS: dict[tuple[str | None, str | None], str] = {}  # (closer, name as written) -> its text


def _markup_text(closer: str | None, name: str | None) -> str:
    if name is None:  # comment, <script>, ...
        return _JOIN
    lowered = name.lower()
    separates = lowered in _SEPARATING_END_TAGS if closer and lowered != "br" else lowered in BLOCK_ELEMENTS
    text = _SEPARATE if separates else _JOIN
    if len(_JOINS) < 4096:  # the names written in practice are few; never grow without bound
        _JOINS[closer, name] = text
    return text


_FOOTNOTE_ATTRIBUTES: dict[str, bool] = {}  # attributes as written -> is a footnote (nearly always ' class="footnote"')


def _is_footnote(attributes: str) -> bool:
    """Whether the element's class list (its first class attribute, as in a browser) holds "footnote"."""
    known = _FOOTNOTE_ATTRIBUTES.get(attributes)
    if known is None:
        known = _class_holds_footnote(attributes)
        if len(_FOOTNOTE_ATTRIBUTES) < 1024:
            _FOOTNOTE_ATTRIBUTES[attributes] = known
    return known


def _class_holds_footnote(attributes: str) -> bool:
    for match in _ATTRIBUTE.finditer(attributes):
        if match.group(1).lower() == "class":
            value = match.group(2) or ""
            if value[:1] in ("'", '"'):
                value = value[1:-1]
            if "&" in value:
                value = unescape(value)
            return "footnote" in _ASCII_WHITESPACE.split(value)  # class lists split on ASCII whitespace
    return False


def _decode(text: str) -> str:
    """html.unescape, with the entities the sanitiser writes (NBSP, <, >, &) replaced in C: unescape
    calls a Python function per entity, and French text has an NBSP before every ";:!?»".
    Replacing these first gives the same result: what they become cannot extend an entity name."""
    if "&" in text:
        text = text.replace("&nbsp;", "\xa0")
        if "&" in text:
            text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&#39;", "'")
            if text.count("&") == text.count("&amp;"):
                text = text.replace("&amp;", "&")
            else:
                text = unescape(text)
    return text


def count_html(html: str) -> HtmlCount:
    """Words of sanitised editor HTML: those that count, and those in footnotes (excluded)."""
    if "<" not in html:
        return HtmlCount(count_text(_decode(html)), 0)
    # parts = [text, closer, name, attributes, text, closer, name, attributes, ..., text]: markup k
    # is at 4k+1..4k+3, the text after it at 4k+4.
    parts = _MARKUP.split(html)
    closers, names = parts[1::4], parts[2::4]
    specials = []  # start tags of footnotes and templates: the only markup that needs a closer look
    if "footnote" in html:
        specials = [
            k
            for k, attributes in enumerate(parts[3::4])
            if attributes and "footnote" in attributes and not closers[k] and _is_footnote(attributes)
        ]
    footnotes = set(specials)
    if _TEMPLATE.search(html):
        specials += [k for k, name in enumerate(names) if name and not closers[k] and name.lower() == "template"]
        specials.sort()
    # Each piece of markup becomes a space or U+0000; the text between stays as written.
    joins = list(map(_JOINS.get, zip(closers, names, strict=True)))  # map: the loop runs in C
    if None in joins:  # names not seen before, comments
        joins = [join or _markup_text(closer, name) for join, closer, name in zip(joins, closers, names, strict=True)]
    parts[1::4] = joins
    parts[2::4] = parts[3::4] = [""] * len(closers)
    if not specials:
        return HtmlCount(count_text(_decode("".join(parts))), 0)

    counted: list[str] = []  # the text outside footnotes, in segments
    notes: list[str] = []  # the text of each footnote
    segment_start = 0
    handled = -1  # the last markup inside a footnote or template already dealt with
    for start in specials:
        if start <= handled:
            continue  # nested in one dealt with
        end = _element_end(parts, closers, names, start, footnotes)
        handled = end
        if start in footnotes:
            counted.append("".join(parts[segment_start : 4 * start + 1]))
            notes.append("".join(parts[4 * start + 2 : 4 * end + 1]))
            segment_start = 4 * end + 4  # after the footnote's end tag (past the end when left open)
        else:  # a template: its content is not text (the browser keeps it in a separate fragment)
            parts[4 * start + 2 : 4 * end + 1] = [""] * (4 * (end - start) - 1)
    counted.append("".join(parts[segment_start:]))
    # Segments and footnotes are joined by a space: a footnote separates words like a space.
    return HtmlCount(count_text(_decode(" ".join(counted))), count_text(_decode(" ".join(notes))))


def _element_end(parts: list[str], closers: list[str | None], names: list[str | None], start: int, footnotes: set[int]) -> int:
    """The index of the markup that ends the element started by markup `start` (the number of
    markups when nothing does), with what is inside seen to on the way: a nested footnote separates
    like a space (its text is already a footnote's), a nested template loses its content."""
    name = names[start].lower()  # type: ignore[union-attr]  # `start` is an element's start markup: it has a name
    if name in _VOID_ELEMENTS:  # no content ("</img>" is dropped)
        return start
    if start + 1 < len(names) and closers[start + 1] and names[start + 1] == names[start]:
        return start + 1  # the usual footnote: its text, then its end tag
    stack = [(name, False)]  # open elements: (name, is a footnote)
    k, count = start + 1, len(names)
    while k < count:
        raw = names[k]
        if raw is not None:
            lowered = raw.lower()
            if closers[k] and lowered != "br":
                # Close the most recent open element of that name and whatever is open inside it.
                for index in range(len(stack) - 1, -1, -1):
                    if stack[index][0] == lowered:
                        if any(footnote for _name, footnote in stack[index:]):
                            parts[4 * k + 1] = _SEPARATE
                        del stack[index:]
                        break
                if not stack:
                    return k
            elif k in footnotes:
                parts[4 * k + 1] = _SEPARATE
                if lowered not in _VOID_ELEMENTS:
                    stack.append((lowered, True))
            elif lowered == "template":
                end = _element_end(parts, closers, names, k, footnotes)
                parts[4 * k + 2 : 4 * end + 1] = [""] * (4 * (end - k) - 1)
                k = end
            elif lowered not in _VOID_ELEMENTS:
                stack.append((lowered, False))
        k += 1
    return count


def words_left(count: int, limit: int | None) -> int | None:
    """Words still available under the limit: negative when over it, None when there is no limit."""
    if limit is None:
        return None
    return limit - count
