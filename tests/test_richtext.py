"""The sanitiser of the editor's HTML (submissions.richtext): the allow-list, the XSS vectors it must
defeat, the mapping of what browsers write to the convention, and the plain text for diffs."""

import pytest

from submissions.richtext import MAX_HTML_CHARS, clean, plain_text


def assert_fixed_point(html: str) -> str:
    cleaned = clean(html)
    assert clean(cleaned) == cleaned
    return cleaned


# --- XSS vectors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "dirty, expected",
    [
        ("<script>alert(1)</script><p>text</p>", "<p>text</p>"),
        ("<p>a<script>document.cookie</script>b</p>", "<p>ab</p>"),
        ("<SCRIPT SRC=//evil.example/x.js></SCRIPT><p>x</p>", "<p>x</p>"),
        ("<style>p{color:red}</style><p>x</p>", "<p>x</p>"),
        ('<img src="x" onerror="alert(1)">caption', "caption"),
        ('<p onclick="alert(1)" onmouseover="alert(2)">x</p>', "<p>x</p>"),
        ('<iframe src="https://evil.example"></iframe><p>x</p>', "<p>x</p>"),
        ("<svg onload=alert(1)><text>t</text></svg>after", "after"),
        ("<math><mi>x</mi></math>after", "after"),
        ('<object data="x.swf"></object><embed src="x">after', "after"),
        ("<p>a<!-- secret comment -->b</p>", "<p>ab</p>"),
        ('<form action="https://evil.example"><input name="x"><button>Send</button></form>', "Send"),
        ('<meta http-equiv="refresh" content="0;url=https://evil.example"><p>x</p>', "<p>x</p>"),
    ],
)
def test_dangerous_markup_is_removed(dirty: str, expected: str) -> None:
    assert assert_fixed_point(dirty) == expected


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "&#106;avascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "data:image/png;base64,AAAA",
        "file:///etc/passwd",
        "/relative/path",
        "#anchor",
        "//evil.example/protocol-relative",
    ],
)
def test_links_keep_only_http_https_and_mailto(href: str) -> None:
    cleaned = assert_fixed_point(f'<p><a href="{href}">link</a></p>')
    assert cleaned == "<p>link</p>"
    assert "href" not in cleaned


@pytest.mark.parametrize("href", ["https://www.ohchr.org/en/hr-bodies/upr", "http://example.org/a?b=1", "mailto:upr@example.org"])
def test_safe_links_are_kept_with_rel(href: str) -> None:
    cleaned = assert_fixed_point(f'<p><a href="{href}" target="_blank" title="t" class="x">link</a></p>')
    expected_href = href.replace("&", "&amp;")
    assert cleaned == f'<p><a href="{expected_href}" rel="noopener noreferrer">link</a></p>'


def test_a_link_rel_cannot_be_chosen_by_the_sender() -> None:
    cleaned = clean('<a href="https://x.org" rel="opener">x</a>')
    assert cleaned == '<a href="https://x.org" rel="noopener noreferrer">x</a>'


def test_ampersands_in_urls_are_escaped() -> None:
    assert (
        clean('<a href="https://x.org/?a=1&b=2">x</a>') == '<a href="https://x.org/?a=1&amp;b=2" rel="noopener noreferrer">x</a>'
    )


@pytest.mark.parametrize(
    "dirty",
    [
        '<p style="background:url(javascript:alert(1))">x</p>',
        '<p style="color:red">x</p>',
        '<p class="evil" id="x" data-x="1" title="t">x</p>',
    ],
)
def test_style_and_other_attributes_are_removed(dirty: str) -> None:
    assert assert_fixed_point(dirty) == "<p>x</p>"


def test_text_is_escaped() -> None:
    cleaned = assert_fixed_point("<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; \"quotes\" 'single'</p>")
    assert cleaned == "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; \"quotes\" 'single'</p>"
    assert "<script" not in cleaned


def test_breaking_out_of_an_attribute_fails() -> None:
    cleaned = clean('<a href="https://x.org/" onmouseover="alert(1)"">x</a><p title="a"><script>alert(1)</script>">y</p>')
    assert "onmouseover" not in cleaned and "<script" not in cleaned and "alert(1)</" not in cleaned


# --- footnotes ------------------------------------------------------------------------------------------


def test_a_footnote_is_kept_with_inline_formatting_and_links() -> None:
    html = '<p>Text.<span class="footnote">See <em>the report</em>, <a href="https://x.org">online</a>.</span></p>'
    assert assert_fixed_point(html) == (
        '<p>Text.<span class="footnote">See <em>the report</em>, '
        '<a href="https://x.org" rel="noopener noreferrer">online</a>.</span></p>'
    )


@pytest.mark.parametrize(
    "dirty",
    [
        '<p>a<span class="footnote"></span>b</p>',
        '<p>a<span class="footnote">   </span>b</p>',
        '<p>a<span class="footnote">&nbsp;<br></span>b</p>',
        '<p>a<span class="footnote"><strong></strong></span>b</p>',
    ],
)
def test_empty_footnotes_are_removed(dirty: str) -> None:
    cleaned = assert_fixed_point(dirty)
    assert "footnote" not in cleaned
    assert cleaned.startswith("<p>a") and cleaned.endswith("b</p>")


def test_a_footnote_in_a_footnote_becomes_its_text() -> None:
    cleaned = assert_fixed_point('<p>x<span class="footnote">outer <span class="footnote">inner</span> end</span></p>')
    assert cleaned == '<p>x<span class="footnote">outer inner end</span></p>'
    assert cleaned.count("<span") == 1


def test_blocks_in_a_footnote_are_flattened() -> None:
    cleaned = assert_fixed_point('<span class="footnote"><p>one</p><ul><li>two</li></ul></span>')
    assert cleaned == '<span class="footnote">one two</span>'


@pytest.mark.parametrize(
    "dirty",
    [
        '<p><span class="note">x</span></p>',
        '<p><span class="footnote extra">x</span></p>',
        '<p><span class="Footnote">x</span></p>',
        '<p><span style="color:red" class="highlight" id="s">x</span></p>',
        "<p><span>x</span></p>",
    ],
)
def test_spans_other_than_footnotes_are_unwrapped(dirty: str) -> None:
    assert assert_fixed_point(dirty) == "<p>x</p>"


def test_a_footnote_keeps_only_its_class() -> None:
    cleaned = clean('<p><span class="footnote" style="x" data-id="3" onclick="alert(1)">n</span></p>')
    assert cleaned == '<p><span class="footnote">n</span></p>'


# --- mapping to the convention -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "dirty, expected",
    [
        ("<p><b>bold</b> and <i>italic</i></p>", "<p><strong>bold</strong> and <em>italic</em></p>"),
        ("<p><B>bold</B> <I>it</I></p>", "<p><strong>bold</strong> <em>it</em></p>"),
        ('<p><b class="x" style="y">bold</b></p>', "<p><strong>bold</strong></p>"),
        ("<h1>Title</h1><p>x</p>", "<h2>Title</h2><p>x</p>"),
        ("<h5>Deep</h5><h6>Deeper</h6>", "<h4>Deep</h4><h4>Deeper</h4>"),
        ("<div>one</div><div>two</div>", "<p>one</p><p>two</p>"),
        ("first line<div>second line</div><div><br></div><div>third</div>", "<p>first line</p><p>second line</p><p>third</p>"),
        ("<div><p>a</p><p>b</p></div>", "<p>a</p><p>b</p>"),
        ('<div class="x"><div>nested</div></div>', "<p>nested</p>"),
        ('<p><font face="Arial">kept</font> <s>struck</s> <sup>1</sup></p>', "<p>kept struck 1</p>"),
        ("<section><h2>T</h2>text</section>", "<h2>T</h2><p>text</p>"),
        ("<p>a</p><p></p><p>&nbsp;</p><p><br></p><p>b</p>", "<p>a</p><p>b</p>"),
        ("<p><u>under</u> <em></em>x</p>", "<p><u>under</u> x</p>"),
        ("<li>stray</li><li>items</li>", "<ul><li>stray</li><li>items</li></ul>"),
        ("<strong><p>a</p><ul><li>b</li></ul></strong>", "<p><strong>a</strong></p><ul><li><strong>b</strong></li></ul>"),
        ("<h2><p>one</p><p>two</p></h2>", "<h2>one two</h2>"),
        ("<p>a<br/>b<br>c</p>", "<p>a<br>b<br>c</p>"),
        ("<blockquote>quoted</blockquote>", "<blockquote>quoted</blockquote>"),
    ],
)
def test_browser_markup_is_mapped_to_the_convention(dirty: str, expected: str) -> None:
    assert assert_fixed_point(dirty) == expected


def test_image_and_other_tags_do_not_match_the_renames() -> None:
    # <i> -> <em>, but <img>, <iframe>, <ins>; <b> -> <strong>, but <br>, <blockquote>, <body>.
    assert clean("<p>a<br>b<ins>c</ins><img src=x><iframe></iframe></p><blockquote>q</blockquote>") == (
        "<p>a<br>bc</p><blockquote>q</blockquote>"
    )


def test_inline_fragments_stay_inline() -> None:
    assert clean("plain <b>text</b>") == "plain <strong>text</strong>"
    assert clean("") == ""


def test_lists_are_kept() -> None:
    html = "<ul><li>one</li><li>two<ol><li>a</li></ol></li></ul>"
    assert assert_fixed_point(html) == html


def test_tables_are_kept_with_digit_spans() -> None:
    cleaned = assert_fixed_point(
        '<table border="1" style="x"><thead><tr><th colspan="2" scope="col">Head</th></tr></thead>'
        '<tbody><tr><td rowspan="2" width="10">a</td><td colspan="x2">b</td></tr>'
        '<tr><td colspan="0">c</td></tr></tbody></table>'
    )
    assert cleaned == (
        '<table><thead><tr><th colspan="2">Head</th></tr></thead>'
        '<tbody><tr><td rowspan="2">a</td><td>b</td></tr><tr><td>c</td></tr></tbody></table>'
    )


def test_tables_get_a_body_and_their_strays_go_before_them() -> None:
    cleaned = assert_fixed_point("<table><caption>Annex 1</caption><tr><td>x</td></tr></table>")
    assert cleaned == "<p>Annex 1</p><table><tbody><tr><td>x</td></tr></tbody></table>"


def test_deep_nesting_is_bounded() -> None:
    html = "<ul><li>" * 2000 + "deep" + "</li></ul>" * 2000
    cleaned = clean(html)
    assert "deep" in cleaned
    assert clean(cleaned) == cleaned


def test_too_long_text_is_refused_with_a_message() -> None:
    clean("x" * MAX_HTML_CHARS)  # at the limit: accepted
    with pytest.raises(ValueError, match="too long"):
        clean("x" * (MAX_HTML_CHARS + 1))


# --- plain text ---------------------------------------------------------------------------------------


def test_plain_text_separates_blocks_and_drops_footnotes() -> None:
    html = (
        '<h2>Title</h2><p>One  <strong>two</strong>\nthree<span class="footnote">a note</span> four<br>five</p>'
        "<ul><li>item one</li><li>item two</li></ul>"
        "<table><tbody><tr><td>cell 1</td><td>cell 2</td></tr></tbody></table>"
        "<p>&amp; &lt;tag&gt; caf&eacute;&nbsp;au lait</p>"
    )
    assert plain_text(html) == "Title\nOne two three four\nfive\nitem one\nitem two\ncell 1\ncell 2\n& <tag> café au lait"


def test_plain_text_of_unclean_html_has_no_script() -> None:
    assert plain_text("<p>a</p><script>alert(1)</script><div>b</div>") == "a\nb"
    assert plain_text("") == ""
