"""The PDF export's blocks are written by templates (submissions/export/blocks.html and its includes),
not Python strings. These are the exact HTML the f-strings wrote before the move, for each kind of
block: the PDF (its text, numbers and footnotes) must not change with where the HTML is written."""

import pytest

from submissions.export_blocks import Block, parse
from submissions.export_pdf import _nodes

CASES = [
    (
        "<p>Plain &amp; <strong>bold <em>both</em></strong> and <u>under</u> <a href=\"https://x.org/?a=1&amp;b='2'\">link</a><br>next</p><p>second</p>",
        '<p class="numbered"><span class="n">7.&nbsp;</span>Plain &amp; <strong>bold </strong><em><strong>both</strong></em> and <u>under</u> <a href="https://x.org/?a=1&amp;b=&#x27;2&#x27;">link</a><br>next</p><p>second</p>',
    ),
    (
        '<h2>Head</h2><h4>Four</h4><p>text<span class="footnote">note <strong>bold</strong></span> after</p>',
        '<h3>Head</h3><h4>Four</h4><p>text<span class="footnote" data-n="0">note <strong>bold</strong></span> after</p>',
    ),
    (
        "<ul><li>a<ol><li>b</li><li>b2<ul><li>c</li></ul></li></ol></li><li>d</li></ul><ol><li>x</li></ol>",
        "<ul><li>a<ol><li>b</li><li>b2<ul><li>c</li></ul></li></ol></li><li>d</li></ul><ol><li>x</li></ol>",
    ),
    (
        "<table><tr><th>H1</th><th>H2 &amp;</th></tr><tr><td>a<br>b</td><td><p>p1</p><p>p2 <em>e</em></p></td></tr></table><table><tr><td>no head</td></tr></table>",
        '<table><colgroup><col style="width: 31.6%"><col style="width: 68.4%"></colgroup><thead><tr><th><strong>H1</strong></th><th><strong>H2 &amp;</strong></th></tr></thead><tbody><tr><td>a<br>b</td><td>p1<br>p2 <em>e</em></td></tr></tbody></table><table><colgroup><col style="width: 100.0%"></colgroup><tbody><tr><td>no head</td></tr></tbody></table>',
    ),
]


@pytest.mark.parametrize(("html", "expected"), CASES)
def test_blocks_are_written_as_before(html: str, expected: str) -> None:
    nodes = parse(html)
    if isinstance(nodes[0], Block) and nodes[0].kind == "p":
        nodes[0].number = 7  # a numbered paragraph, as a section's first one is
    assert str(_nodes(nodes)) == expected
