"""The word counter (submissions/wordcount.py) and its twin in the browser (static/js/wordcount.js).

The Python tests pin the rules (the reference cases of shared/reference/data, then our own); the
browser test runs the JavaScript counter in real headless Chromium on every one of those texts and
HTML strings, on generated 6,000-word submissions, on 1,500 random HTML trees and on every Unicode
character, and demands the same figures as Python. No database is needed (see the fixture below).
"""

from __future__ import annotations

import html
import json
import random
import time
import unicodedata
from pathlib import Path

import pytest

from submissions.wordcount import BLOCK_ELEMENTS, DASHES, NOT_WORD, HtmlCount, count_html, count_text, words_left

from .browsers import headless_chromium

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "static/js/wordcount.js"
# A copy of shared/reference/data/word_count_test_cases.json (the cases with their sources), shipped
# with the tests so that they run wherever the project is cloned.
REFERENCE = Path(__file__).resolve().parent / "data" / "word_count_test_cases.json"


# ---------------------------------------------------------------------------------------------
# The reference cases: where the file says "verify", the rules of submissions/wordcount.py decide.

VERIFIED_TEXT = {
    # Hyphens and slashes join, spaces separate (LibreOffice's help says 3; Word's hyphen rule agrees).
    "plug-in add-on user/config": 3,
    # "$" is a currency symbol (Sc), not punctuation: a word, as are "abc123", "1.23" and the URL.
    'abc123 1.23 "$" http://www.example.com': 4,
    # Em dashes are word limits (LibreOffice's help), even without spaces.
    "beginning\u2014phrase\u2014end": 3,
    # So are en dashes: a range of years is two numbers.
    "1990\u20132000": 2,
    # A dash between spaces is punctuation alone: not a word.
    "word \u2013 word": 2,
}
# The file writes a footnote as "[footnote: ...]"; the editor writes it as a span where it is anchored.
# Word counts 2 with footnotes excluded, 4 with them: here 2 counted and 2 in footnotes.
VERIFIED_HTML = {
    "Lorem ipsum[footnote: sit amet]": ('Lorem ipsum<span class="footnote">sit amet</span>', 2, 2),
}


def reference_cases() -> list[dict]:
    """The file's cases."""
    return json.loads(REFERENCE.read_text(encoding="utf-8"))["cases"]


def reference_text_cases() -> list[tuple[str, int]]:
    """(text, expected) of every reference case that is plain text."""
    cases = []
    for case in reference_cases():
        text, expected = case["text"], case["expected_word"]
        if text in VERIFIED_HTML:
            continue
        if not isinstance(expected, int):
            assert text in VERIFIED_TEXT, f"new reference case {text!r}: decide its count in VERIFIED_TEXT"
            expected = VERIFIED_TEXT[text]
        cases.append((text, expected))
    return cases


def reference_html_cases() -> list[tuple[str, int, int]]:
    return [VERIFIED_HTML[case["text"]] for case in reference_cases() if case["text"] in VERIFIED_HTML]


def test_reference_cases():
    cases = reference_cases()
    texts = reference_text_cases()
    htmls = reference_html_cases()
    assert cases and len(texts) + len(htmls) == len(cases)
    for text, expected in texts:
        assert count_text(text) == expected, text
    for source, counted, footnotes in htmls:
        assert count_html(source) == HtmlCount(counted, footnotes), source


# ---------------------------------------------------------------------------------------------
# Our own cases: (text, expected words).

TEXT_CASES = [
    ("", 0),
    ("   \n\t ", 0),
    ("\u2014 ... !", 0),  # punctuation alone
    ("- -- \u2013 \u2014 \u2015 \u2012 \u2026 \u00b7", 0),
    ("word", 1),
    ("word\u00a0word", 2),  # NBSP separates
    ("word\u202fword\u2007word", 3),  # narrow NBSP, figure space
    ("one\ttwo\nthree\r\nfour\u2028five", 5),
    ("\u201cHello,\u201d she said.", 3),  # curly quotes stay with their word
    ("\u2018word\u2019 \u201c \u201d", 1),
    ("\u00ab\u00a0Bonjour\u00a0\u00bb", 1),  # French guillemets with NBSP: the marks alone are not words
    ("\u00ab Bonjour \u00bb, dit-il.", 2),
    ("l'\u00c9tat aujourd'hui l\u2019\u00c9tat", 3),  # apostrophes join
    ("Qu\u2019est-ce que c\u2019est ?", 3),  # the French "?" after a space is not a word
    ("\u00bfQu\u00e9? \u00a1Hola! \u00bf \u00a1", 2),  # Spanish opening marks
    ("1,000,000 1.23 3,5 %", 3),  # "%" is punctuation (Po)
    ("50\u00a0% de la population", 4),
    ("$ \u20ac 100 + = \u00a9 \u2122", 7),  # symbols (Sc, Sm, So) are words
    ("\u00a7 12 \u00a712", 2),  # "\u00a7" is punctuation (Po): alone it is not a word
    ("someone@example.org first.last+upr@ngo.example", 2),
    ("https://www.ohchr.org/en/hr-bodies/upr/upr-main www.upr-info.org/sites/default/files", 2),
    ("A/HRC/59/15/Add.1 and A/HRC/WG.6/48/SVN/1", 3),
    ("father-in-law real-time vis-a-vis", 3),
    ("state\u2011of\u2011the\u2011art co\u2010operation", 2),  # non-breaking hyphen, hyphen: join
    ("co\u00adoperation", 1),  # soft hyphen is invisible and joins
    ("\u200b \ufeff \u00ad \u200e", 0),  # invisible format characters alone are not words
    ("wait...what", 1),
    ("word\u2014 \u2014word", 2),
    ("\U0001f44d \U0001d400 \u4e2d\u6587", 3),  # emoji (So), astral letter, CJK run (one token)
    ("(2019) [sic] {x}", 3),
    ("06/30/2003, 2003-06-30", 2),
]

# Real French and Spanish prose, as coalitions write it, typed with each language's typography: French
# puts a narrow no-break space (U+202F) before ; : ! ? and inside « », and a no-break space before %;
# Spanish opens its questions and exclamations with ¿ ¡ and sets incises between em dashes. Each piece
# is a short run whose words are easy to check by eye; a mark standing alone is never a word, an
# apostrophe or hyphen joins (l’État, c’est-à-dire, sera-t-il), as Word counts them.
NNBSP, NBSP = "\u202f", "\u00a0"
FRENCH_PROSE = [
    ("Au cours de l’Examen périodique universel,", 6),
    (" l’État examiné a reçu 254 recommandations" + NNBSP + ";", 6),
    (" il en a appuyé 198, c’est-à-dire près de 78" + NBSP + "%,", 9),
    (" et a pris note des autres.", 6),
    (" La coalition salue «" + NNBSP + "l’adoption d’un plan d’action national" + NNBSP + "»", 8),
    (" et demande" + NNBSP + ":", 2),
    (" quand sera-t-il mis en œuvre" + NNBSP + "?", 5),
    (" Aujourd’hui, les organisations de la société civile (OSC)", 8),
    (" rappellent que des milliers de personnes attendent toujours une réponse" + NNBSP + "!", 10),
]
SPANISH_PROSE = [
    ("¿Qué medidas ha adoptado el Estado examinado", 7),
    (" para aplicar las recomendaciones que cuentan con su apoyo?", 9),
    (" ¡Ninguna, según la coalición!", 4),
    (" El informe de mitad de período —presentado en 2024— señala", 10),
    (" que el 40" + NBSP + "% de las recomendaciones", 6),
    (" de las que se tomó nota siguen pendientes;", 8),
    (" la sociedad civil pide «un calendario claro».", 7),
]
PROSE_CASES = [("".join(text for text, _n in prose), sum(n for _t, n in prose)) for prose in (FRENCH_PROSE, SPANISH_PROSE)]


HTML_CASES = [
    # (html, counted, footnotes)
    ("", 0, 0),
    ("<p></p>", 0, 0),
    ("<p>one</p><p>two</p>", 2, 0),  # blocks separate even without whitespace
    ("<p>\n  one\n</p>\n<p>two</p>", 2, 0),
    ("<P>one</P><P>two</P>", 2, 0),
    ("<p>one<p>two", 2, 0),  # optional end tags
    ("<div>one</div><div>two</div>", 2, 0),  # what contenteditable makes on Enter
    ("<h2>Title</h2><p>Body text</p><h3>Sub</h3><h4>Subsub</h4>", 5, 0),
    ("<p>fa<strong>ther</strong>-in-<em>law</em></p>", 1, 0),  # inline elements do not separate
    ('<p><b>bo</b><i>ld</i><u>er</u><a href="/x">ed</a><span>ly</span></p>', 1, 0),
    ('<p><strong><em><u>deeply</u></em> nested</strong> inline <a href="https://x.org/a-b">link <b>text</b></a></p>', 5, 0),
    ("<p>one<br>two<br/>three<br />four</p>", 4, 0),
    ("<p>a</br>b</p>", 2, 0),
    ("a<hr>b</hr>c", 2, 0),  # browsers drop the end tag of a void element ("</br>" is a <br>)
    ("a</p>b", 2, 0),  # a lone "</p>" makes an empty paragraph
    ("<ul><li>one</li><li>two</li></ul><ol><li>three</li></ol>", 3, 0),
    ("<ul><li>one<ul><li>two</li></ul></li></ul>", 2, 0),
    ("<blockquote>quoted</blockquote>text", 2, 0),
    ("<table><tr><td>a</td><td>b</td></tr><tr><th>c</th></tr></table>", 3, 0),
    ("<table><tbody><tr><td>a</td><td>b c</td></tr></tbody></table>", 3, 0),
    ("<p>AT&amp;T&nbsp;and&#160;R&amp;D &#8211; 1990&ndash;2000&mdash;2010</p>", 6, 0),
    ("<p>&amp; &quot; &hellip; &laquo; &raquo;</p>", 0, 0),
    ("<p>a &lt; b &gt; c</p>", 5, 0),  # "<" and ">" are symbols (Sm)
    ("AT&amp;T a&nbsp;b", 3, 0),  # no tags at all
    ("<p>x&#x2014;y &#xA0;z&#8212;</p>", 3, 0),
    # footnotes
    ('Lorem ipsum<span class="footnote">sit amet</span>', 2, 2),
    ('<p>word<span class="footnote">n</span>word</p>', 2, 1),  # a footnote separates like a space
    ('<p>a<span class="footnote"></span>b</p>', 2, 0),
    ('<p><strong>bold<span class="footnote">note here</span>text</strong></p>', 2, 2),
    (
        '<p>First claim<span class="footnote">Source one.</span> and second<span class="footnote">Source two, p.&nbsp;4.</span>.</p>',
        4,
        6,
    ),
    ('<p>x<span class="footnote">a</span><span class="footnote">b</span></p>', 1, 2),
    ('<p>Text<span class="footnote extra">A note</span> more</p>', 2, 2),
    ("<p>Text<span class='x footnote'>A note</span> more</p>", 2, 2),
    ('<p>Text<span class="x\tfootnote\ny">A note</span> more</p>', 2, 2),
    ("<p>Text<span class=footnote>A note</span> more</p>", 2, 2),
    ('<p>Text <span class="footnotes">counted</span> <span class="no-footnote">too</span></p>', 3, 0),
    ('<p>Text <span class="FOOTNOTE">counted</span></p>', 2, 0),  # class names are case-sensitive
    ('<p>Text <span data-class="footnote" title="footnote">counted</span></p>', 2, 0),
    ('<p><a href="/footnote">counted</a></p>', 1, 0),
    ('<p>See<span class="footnote">See <a href="https://x.org/a-b">the <em>report</em></a>, p.&nbsp;3</span></p>', 1, 5),
    ('<p>a<span class="footnote">one<br>two<span class="footnote">inner</span>three</span>b</p>', 2, 4),
    ('<p>a<span class="footnote">fa<strong>ther</strong></span>b</p>', 2, 1),
    ('<p>a<span class="footnote">note</span>, b</p>', 2, 1),  # the comma after a footnote is not a word
    ('<span class="footnote">only a note</span>', 0, 3),
    ('<p>a<span class="footnote">one <span>two</span> three</span>b</p>', 2, 3),  # nested span: the right end
    ('<p>a<span class="footnote">one<span class="footnote">two</span>three</span>b</p>', 2, 3),
    ('<p>a<span class="footnote">left open', 1, 2),
    ('<p>a<img class="footnote" src="x.png">b</p>', 2, 0),  # an empty footnote still separates
    ('<p>a<img class="footnote">b</img>c</p>', 2, 0),  # "</img>" is dropped: "bc" is outside the footnote
    ('<p>a<span class="footnote">one<template>two</template>three</span>b</p>', 2, 1),
    ('<p>a<template><span class="footnote">one</span></template>b</p>', 1, 0),
    ('<p>a<!-- <span class="footnote">not one</span> -->b</p>', 1, 0),
    ('<p>a<span title="x > y" class="footnote">one</span>b</p>', 2, 1),
    # ignored
    ("<p>a</p><script>var a = 'b c </p>';</script><style>p { color: red }</style>", 1, 0),
    ("<p>a<!-- hidden words -->b</p><!---->", 1, 0),
    ("<p>a<template><p>hidden</p></template>b</p>", 1, 0),
    ("<p>x<sup>1</sup>st</p>", 1, 0),
    ('<p><a href="x>y" title="a > b">link</a> text</p>', 2, 0),  # ">" inside a quoted attribute
    ("a <b", 1, 0),  # a tag cut off by the end of the text is dropped, as the browser drops it
]


@pytest.mark.parametrize(("text", "expected"), TEXT_CASES)
def test_count_text(text, expected):
    assert count_text(text) == expected


@pytest.mark.parametrize("prose", [FRENCH_PROSE, SPANISH_PROSE], ids=["french", "spanish"])
def test_french_and_spanish_prose_counts_as_word_does(prose):
    for piece, expected in prose:  # each run alone, then the whole paragraph, as text and as the editor's HTML
        assert count_text(piece) == expected, piece
    text, expected = "".join(t for t, _n in prose), sum(n for _t, n in prose)
    assert count_text(text) == expected
    assert count_html(f"<p>{html.escape(text)}</p>").counted == expected
    assert (
        count_html(f'<p>{html.escape(text)}<span class="footnote">A/HRC/59/15, par.\u00a0{expected}.</span></p>').counted
        == expected
    )


@pytest.mark.parametrize(("source", "counted", "footnotes"), HTML_CASES)
def test_count_html(source, counted, footnotes):
    assert count_html(source) == HtmlCount(counted, footnotes)


def test_html_without_markup_counts_as_text():
    for text, expected in TEXT_CASES:
        if "<" not in text and "&" not in text:
            assert count_html(html.escape(text, quote=False)) == HtmlCount(expected, 0), text
            assert count_html(f"<p>{html.escape(text)}</p>") == HtmlCount(expected, 0), text


def test_fast_entity_decoding_is_html_unescape():
    """count_html replaces the common entities with str.replace before calling html.unescape:
    the result must be unescape's, whatever surrounds them."""
    from html import unescape

    from submissions.wordcount import _decode

    pieces = [
        "&nbsp;",
        "&lt;",
        "&gt;",
        "&amp;",
        "&quot;",
        "&#39;",
        "&",
        "&amp",
        "&not",
        "&no",
        "&copy",
        "&#38",
        "&#x26;",
        "&eacute;",
        "&ndash;",
        "it;",
        "a",
        " ",
        ";",
        "#",
        "x",
        "\xa0",
        "<",
        "'",
    ]
    rng = random.Random(3)
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 8)))
        assert _decode(text) == unescape(text), text


def test_words_left():
    assert words_left(2800, 2815) == 15
    assert words_left(2815, 2815) == 0
    assert words_left(5700, 5630) == -70  # over the limit
    assert words_left(10, None) is None


def test_not_word_set_covers_the_whole_unicode_range():
    """The set is built from planes 0-1 and the tag block only (for speed at import): check that no
    punctuation, control or format character lies elsewhere, in this Python's Unicode database."""
    expected = {
        chr(c)
        for c in range(0x110000)
        if (unicodedata.category(chr(c))[0] == "P" or unicodedata.category(chr(c)) in ("Cc", "Cf", "Cs")) and not chr(c).isspace()
    }
    assert NOT_WORD == frozenset(expected)
    assert not any(d in NOT_WORD for d in " \t\u00a0")
    assert all(d in NOT_WORD for d in DASHES)  # they split first, but alone they are punctuation too


def test_malformed_markup_stays_linear():
    """Text that was not sanitised (a section title pasted into <p>...</p>) must not blow up the
    tag expression: unclosed tags, quotes and comments, many times over."""
    nasty = '<a href="x ' * 5000 + "<!-- " * 5000 + "<p class='" * 5000 + "a < b " * 5000
    started = time.perf_counter()
    count_html(nasty)
    count_html("<" * 50000)
    assert time.perf_counter() - started < 1.0


# ---------------------------------------------------------------------------------------------
# A generated maximum-length submission whose counts are known by construction.

# (text, words): hyphens, slashes, dashes, punctuation, numbers, URLs, French and Spanish.
VOCABULARY = [
    ("the", 1),
    ("State", 1),
    ("should", 1),
    ("ensure", 1),
    ("human-rights", 1),
    ("defenders", 1),
    ("father-in-law", 1),
    ("A/HRC/59/15/Add.1", 1),
    ("06/30/2003", 1),
    ("user/config", 1),
    ("1,000,000", 1),
    ("1.23", 1),
    ("2019", 1),
    ("(2019)", 1),
    ("$", 1),
    ("\u20ac", 1),
    ("+", 1),
    ("https://www.ohchr.org/en/hr-bodies/upr/upr-main", 1),
    ("www.upr-info.org", 1),
    ("ngo@example.org", 1),
    ("l'\u00c9tat", 1),
    ("aujourd\u2019hui", 1),
    ("\u00ab", 0),
    ("\u00bb", 0),
    ("\u00bfQu\u00e9?", 1),
    ("\u00a1Hola!", 1),
    ("\u2014", 0),
    ("\u2013", 0),
    ("...", 0),
    ("\u2026", 0),
    ("-", 0),
    ("!", 0),
    ("\u201c", 0),
    ('"', 0),
    ("%", 0),
    ("beginning\u2014phrase\u2014end", 3),
    ("1990\u20132000", 2),
    ("word\u2014", 1),
    ("\u201cquoted,\u201d", 1),
    ("co\u00adoperation", 1),
    ("AT&T", 1),
    ("a<b", 1),
    ("\U0001f44d", 1),
    ("\u00a712", 1),
    ("\u00a7", 0),
]
SEPARATORS = [" "] * 12 + ["\u00a0", "\n", "\t", "\u202f", " \u2013 ", "\u2014", "  ", "\r\n"]


def generated_text(words: int = 6000, seed: int = 59) -> tuple[str, int]:
    rng = random.Random(seed)
    parts, total = [], 0
    while total < words:
        text, count = rng.choice(VOCABULARY)
        parts.append(text)
        parts.append(rng.choice(SEPARATORS))
        total += count
    return "".join(parts), total


def generated_html(words: int = 6000, seed: int = 48) -> tuple[str, int, int]:
    """Paragraphs, headings and lists; words split by inline tags; footnotes; escaped text."""
    rng = random.Random(seed)
    out: list[str] = []
    counted = notes = 0

    def item() -> tuple[str, int]:
        text, count = rng.choice(VOCABULARY)
        if count == 1 and len(text) > 3 and rng.random() < 0.2:  # split a word by inline tags
            cut = rng.randrange(1, len(text) - 1)
            tag = rng.choice(["strong", "em", "u", "b", "i", "span"])
            return f"{html.escape(text[:cut])}<{tag}>{html.escape(text[cut:])}</{tag}>", 1
        if rng.random() < 0.1:
            return f'<a href="https://example.org/{rng.randrange(100)}?a=1&amp;b=2">{html.escape(text)}</a>', count
        return html.escape(text), count

    while counted < words:
        block = rng.choice(["p", "p", "p", "h2", "li"])
        body = []
        for _ in range(rng.randrange(1, 40)):
            text, count = item()
            body.append(text)
            counted += count
            if rng.random() < 0.05:  # a footnote anchored here, with no space before it
                note_text, note_count = item()
                body.append(f'<span class="footnote{rng.choice(["", " extra"])}">See {note_text}, p.&nbsp;4.</span>')
                notes += note_count + 3  # "See", "p.", "4."
            body.append(rng.choice([" ", "&nbsp;", "\n", " &ndash; ", "<br>"]))
        inner = "".join(body)
        out.append(f"<ul><li>{inner}</li></ul>" if block == "li" else f"<{block}>{inner}</{block}>")
    return "".join(out), counted, notes


# Random well-formed trees, as the sanitiser serialises them: every kind of element the counter
# distinguishes, footnotes nested in anything (and in footnotes), templates, comments, entities.
TREE_TEXT = [
    "word",
    "fa",
    "ther",
    "-in-",
    "law",
    "\u2014",
    "\u2013",
    "...",
    "\u00ab",
    "l'\u00c9tat",
    "1,000",
    "$",
    "&amp;",
    "&nbsp;",
    "&lt;",
    "&#8212;",
    "&eacute;t&eacute;",
    "&quot;",
    "&#39;",
    "&notit;",
    "&amp",
    "<!-- c -->",
    "\u200b",
    "\u00a0",
    " ",
    " ",
    "\n",
]
TREE_CLASSES = ["footnote", "footnote x", "x footnote", "footnotes", "FOOTNOTE"]


def random_inline(rng: random.Random, depth: int = 0, in_link: bool = False) -> str:
    out = []
    for _ in range(rng.randrange(0, 4)):
        roll = rng.random()
        if roll < 0.5 or depth > 3:
            out.append("".join(rng.choice(TREE_TEXT) for _ in range(rng.randrange(0, 4))))
        elif roll < 0.7:
            # no <a> in an <a>: HTML forbids it, and the browser's parser splits them
            tag = rng.choice(["strong", "em", "b", "i", "u", "span", "sup"] + ([] if in_link else ["a"]))
            attributes = ' href="https://x.org/a?b=1&amp;c=2"' if tag == "a" else ""
            out.append(f"<{tag}{attributes}>{random_inline(rng, depth + 1, in_link or tag == 'a')}</{tag}>")
        elif roll < 0.85:
            out.append(f'<span class="{rng.choice(TREE_CLASSES)}">{random_inline(rng, depth + 1, in_link)}</span>')
        elif roll < 0.93:
            out.append("<br>")
        elif roll < 0.96:
            out.append(f"<template>{random_inline(rng, depth + 1, in_link)}</template>")
        else:
            out.append('<img src="x.png">')
    return "".join(out)


def random_block(rng: random.Random, depth: int = 0) -> str:
    roll = rng.random()
    if roll < 0.6 or depth > 2:
        tag = rng.choice(["p", "h2", "h3", "blockquote", "div"])
        return f"<{tag}>{random_inline(rng)}</{tag}>"
    if roll < 0.8:
        items = (
            f"<li>{random_inline(rng)}{random_block(rng, depth + 1) if rng.random() < 0.3 else ''}</li>"
            for _ in range(rng.randrange(1, 4))
        )
        tag = rng.choice(["ul", "ol"])
        return f"<{tag}>{''.join(items)}</{tag}>"
    if roll < 0.9:
        rows = ("<tr>" + "".join(f"<td>{random_inline(rng)}</td>" for _ in range(2)) + "</tr>" for _ in range(2))
        return "<table><tbody>" + "".join(rows) + "</tbody></table>"
    return f'<p class="footnote">{random_inline(rng)}</p>'


def random_trees(count: int = 1500, seed: int = 20) -> list[str]:
    rng = random.Random(seed)
    return [
        "".join(random_block(rng) if rng.random() < 0.8 else random_inline(rng) for _ in range(rng.randrange(1, 5)))
        for _ in range(count)
    ]


def test_generated_submission_counts_as_constructed():
    text, expected = generated_text()
    assert expected >= 6000
    assert count_text(text) == expected
    source, counted, notes = generated_html()
    assert count_html(source) == HtmlCount(counted, notes)


# ---------------------------------------------------------------------------------------------
# The browser's counter must give the same figures.


@pytest.fixture(scope="module")
def page():
    """One page of headless Chromium for the module, holding the browser's counter."""
    with headless_chromium() as browser:
        tab = browser.new_page()
        tab.set_content("<html><body></body></html>")
        tab.add_script_tag(path=str(SCRIPT))
        yield tab


def all_text_cases() -> list[str]:
    texts = [t for t, _ in reference_text_cases()] + [t for t, _ in TEXT_CASES] + [t for t, _ in PROSE_CASES]
    texts += [generated_text()[0], generated_text(6000, seed=1)[0]]
    return texts


def all_html_cases() -> list[str]:
    sources = [h for h, _, _ in reference_html_cases()] + [h for h, _, _ in HTML_CASES]
    sources += [generated_html()[0], generated_html(6000, seed=2)[0]]
    # every text case as HTML too, and the block elements one by one
    sources += [f"<p>{html.escape(t)}</p>" for t, _ in TEXT_CASES]
    sources += random_trees()
    sources += [
        f"a<{name}>b</{name}>c"
        for name in sorted(BLOCK_ELEMENTS - {"table", "tr", "tbody", "thead", "tfoot", "td", "th", "caption"})
    ]
    return sources


@pytest.mark.browser
def test_browser_counts_as_python(page):
    texts, sources = all_text_cases(), all_html_cases()
    browser = page.evaluate(
        """([texts, sources]) => ({
            texts: texts.map(t => UPRWordCount.countText(t)),
            html: sources.map(h => UPRWordCount.countHtml(h)),
        })""",
        [texts, sources],
    )
    assert len(browser["texts"]) == len(texts) and len(browser["html"]) == len(sources)
    python_texts = [count_text(t) for t in texts]
    assert [(t[:80], b, p) for t, b, p in zip(texts, browser["texts"], python_texts, strict=True) if b != p] == []
    python_html = [{"counted": c.counted, "footnotes": c.footnotes} for c in map(count_html, sources)]
    assert [(h[:80], b, p) for h, b, p in zip(sources, browser["html"], python_html, strict=True) if b != p] == []
    # the generated documents really are a maximum-length submission
    assert max(browser["texts"]) >= 6000
    assert max(c["counted"] for c in browser["html"]) >= 6000


@pytest.mark.browser
def test_browser_classifies_every_character_as_python(page):
    """Each code point alone and between two letters: a separator (0 and 2 words), not a word (0
    and 1) or a word character (1 and 1). Code points unassigned in Python's Unicode database (14.0)
    are left out: the browser's newer database may have given them any category."""
    assigned = [c for c in range(0x110000) if unicodedata.category(chr(c)) != "Cn"]
    ranges, start = [], assigned[0]
    for previous, current in zip(assigned, assigned[1:] + [None], strict=True):
        if current != previous + 1:
            ranges.append([start, previous])
            start = current

    def kind(character: str) -> str:
        return {(0, 2): "s", (0, 1): "n", (1, 1): "w"}[(count_text(character), count_text(f"a{character}b"))]

    python = "".join(kind(chr(c)) for c in assigned)
    browser = page.evaluate(
        """ranges => {
            const kinds = {"0,2": "s", "0,1": "n", "1,1": "w"};
            const out = [];
            for (const [first, last] of ranges) {
                for (let c = first; c <= last; c++) {
                    const ch = String.fromCodePoint(c);
                    out.push(kinds[UPRWordCount.countText(ch) + "," + UPRWordCount.countText("a" + ch + "b")] || "?");
                }
            }
            return out.join("");
        }""",
        ranges,
    )
    assert len(browser) == len(python)
    differences = [
        f"U+{c:04X} {unicodedata.name(chr(c), '?')} python={p} browser={b}"
        for c, p, b in zip(assigned, python, browser, strict=True)
        if p != b
    ]
    assert differences == []


@pytest.mark.browser
def test_browser_counts_a_live_editor(page):
    """countElement walks the live DOM of a contenteditable, as the editor calls it on every input."""
    source, counted, notes = generated_html(3000, seed=7)
    result = page.evaluate(
        """source => {
            const editor = document.createElement("div");
            editor.contentEditable = "true";
            editor.innerHTML = source;
            document.body.appendChild(editor);
            const whole = UPRWordCount.countElement(editor);
            // the person types a word and a footnote at the end of the last paragraph
            const last = editor.lastElementChild;
            last.appendChild(document.createTextNode(" added"));
            const note = document.createElement("span");
            note.className = "footnote";
            note.textContent = "A new note";
            last.appendChild(note);
            const after = UPRWordCount.countElement(editor);
            const footnote = UPRWordCount.countElement(note);
            editor.remove();
            return {whole, after, footnote, left: UPRWordCount.wordsLeft(after.counted, 5630),
                    noLimit: UPRWordCount.wordsLeft(10, null)};
        }""",
        source,
    )
    assert result["whole"] == {"counted": counted, "footnotes": notes}
    assert result["after"] == {"counted": counted + 1, "footnotes": notes + 3}
    assert result["footnote"] == {"counted": 0, "footnotes": 3}  # the element itself may be the footnote
    assert result["left"] == words_left(counted + 1, 5630)
    assert result["noLimit"] is None
