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
* The input is the sanitiser's output, a serialised tree, so tags nest. The counter tracks open
  elements to know when a footnote ends, but does not re-implement the HTML parser's repair of
  broken markup (implied end tags, misnested formatting): on such input the browser may differ.

Speed: the server counts a whole joint submission (5,630 words, 12 sections, 150 footnotes) on every
page view of the document; `benchmarks/wordcount.py` measures it (target < 5 ms). Hence one regular
expression over the tags, and `str.split` plus a set test over the tokens rather than a regular
expression with a 3,000-character class, which Python's `re` matches range by range (4x slower).

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
        c for c in map(chr, code_points)
        if (category(c)[0] == "P" or category(c) in ("Cc", "Cf", "Cs")) and not c.isspace()
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
BLOCK_ELEMENTS = frozenset({
    "address", "article", "aside", "blockquote", "br", "caption", "center", "dd", "details", "dialog",
    "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
    "h4", "h5", "h6", "header", "hgroup", "hr", "legend", "li", "main", "menu", "nav", "ol", "p", "pre",
    "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
# Elements that have no end tag: never pushed on the stack of open elements.
_VOID_ELEMENTS = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param",
    "source", "track", "wbr",
})
# Their text is not content (the browser keeps <template>'s in a separate fragment).
_RAW_TEXT_IGNORED = ("script", "style")
_IGNORED = "template"

# One match per markup construct; the text is what lies between matches. Attribute values may hold
# ">" when quoted, hence the atomic groups (which also keep matching linear on malformed input).
# A tag left open at the end of the input is dropped, as the browser drops it.
_MARKUP = re.compile(
    r"""<(?:
        !--(?:-?>|.*?--!?>|.*\Z)                                # comment, also <!--> and unclosed
      | [!?][^>]*(?:>|\Z)                                       # doctype, <?...>, bogus comment
      | (/?)([a-zA-Z][^\t\n\f\r />]*)                           # start or end tag, and its name
        ((?>=[\t\n\f\r ]*(?:"[^"]*"|'[^']*')|[^>])*)(?:>|\Z)    # its attributes
    )""",
    re.S | re.X,
)
_ATTRIBUTE = re.compile(
    r"""([^\t\n\f\r />"'=][^\t\n\f\r />=]*)(?:[\t\n\f\r ]*=[\t\n\f\r ]*("[^"]*"|'[^']*'|[^\t\n\f\r >]*))?"""
)
_ASCII_WHITESPACE = re.compile(r"[\t\n\f\r ]+")
_RAW_TEXT_END = {name: re.compile(rf"</{name}(?=[\t\n\f\r />])[^>]*(?:>|\Z)|\Z", re.I) for name in _RAW_TEXT_IGNORED}


def _is_footnote(attributes: str) -> bool:
    """Whether the element's class list (its first class attribute, as in a browser) holds "footnote"."""
    if "footnote" not in attributes:  # the usual case: no parsing at all
        return False
    for match in _ATTRIBUTE.finditer(attributes):
        if match.group(1).lower() == "class":
            value = match.group(2) or ""
            if value[:1] in ("'", '"'):
                value = value[1:-1]
            if "&" in value:
                value = unescape(value)
            return "footnote" in _ASCII_WHITESPACE.split(value)  # class lists split on ASCII whitespace
    return False


def count_html(html: str) -> HtmlCount:
    """Words of sanitised editor HTML: those that count, and those in footnotes (excluded)."""
    if "<" not in html:
        return HtmlCount(count_text(unescape(html) if "&" in html else html), 0)
    counted: list[str] = []  # text outside footnotes
    notes: list[str] = []  # text inside footnotes
    stack: list[tuple[str, bool, bool]] = []  # open elements: (name, is a footnote, is ignored)
    footnote_depth = ignored_depth = 0
    position, end = 0, len(html)
    search = _MARKUP.search
    while position < end:
        match = search(html, position)
        start = match.start() if match else end
        if start > position and not ignored_depth:
            text = html[position:start]
            if "&" in text:  # decode each text run on its own: an entity never spans a tag
                text = unescape(text)
            (notes if footnote_depth else counted).append(text)
        if match is None:
            break
        position = match.end()
        raw_name = match.group(2)
        if raw_name is None:  # comment, doctype, processing instruction
            continue
        name = raw_name.lower()
        if match.group(1) and name != "br":  # an end tag ("</br>" is a <br> for browsers)
            # Close the most recent open element of that name, and whatever was left open inside it.
            # Browsers drop an end tag with no open element ("</div>", "</hr>"), except "</p>",
            # which makes an empty paragraph.
            separates = name == "p"
            for index in range(len(stack) - 1, -1, -1):
                if stack[index][0] == name:
                    separates = name in BLOCK_ELEMENTS
                    for _name, footnote, ignored in stack[index:]:
                        footnote_depth -= footnote
                        ignored_depth -= ignored
                        separates = separates or footnote  # a footnote's end separates like a space
                    del stack[index:]
                    break
        elif name in _RAW_TEXT_END:  # <script>, <style>: skip their text up to the end tag
            position = _RAW_TEXT_END[name].search(html, position).end()
            continue
        else:
            separates = name in BLOCK_ELEMENTS
            if name not in _VOID_ELEMENTS:
                footnote = _is_footnote(match.group(3))
                ignored = name == _IGNORED
                separates = separates or footnote  # a footnote's start separates like a space
                stack.append((name, footnote, ignored))
                footnote_depth += footnote
                ignored_depth += ignored
        if separates and not ignored_depth:
            counted.append(" ")
            notes.append(" ")
    return HtmlCount(count_text("".join(counted)), count_text("".join(notes)))


def words_left(count: int, limit: int | None) -> int | None:
    """Words still available under the limit: negative when over it, None when there is no limit."""
    if limit is None:
        return None
    return limit - count
