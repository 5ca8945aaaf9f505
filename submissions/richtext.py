"""The server-side sanitiser of the rich text that the editor sends, and its plain text.

Everything a browser (or a paste from Word or a web page) sends goes through `clean` before it is
stored; the exports, the counter and the snapshots then trust the convention of
`submissions.outline`:

- blocks: `<p>`, `<h2>`-`<h4>`, `<ul>`/`<ol>`/`<li>`, `<blockquote>`, and tables (`<table>`,
  `<thead>`, `<tbody>`, `<tr>`, `<th>`, `<td>`; cells may keep `colspan`/`rowspan`, digits only);
- inline: `<strong>`, `<em>`, `<u>`, `<br>`, `<a href>` (http, https and mailto only, always with
  `rel="noopener noreferrer"`), and footnotes written where they are anchored as
  `<span class="footnote">the footnote's text</span>` (inline formatting and links only).

The work is done in three steps:

1. a small pre-pass on tag names maps what browsers and word processors write to the convention:
   `<b>` to `<strong>`, `<i>` to `<em>`, `<h1>` to `<h2>`, `<h5>`/`<h6>` to `<h4>`, `<div>` to `<p>`;
2. nh3 (the bindings to Rust's ammonia) parses the fragment as a browser would and keeps only the
   allow-list: scripts, styles, images, frames, event handlers, style attributes, comments and
   unsafe URLs go; the text of other removed tags (`<font>`, `<section>`...) stays;
3. a pass over the (now well-formed) tree tidies the structure: footnotes that are empty or nested in
   another footnote, spans without the footnote class, links without a URL and empty paragraphs,
   headings, list items and formatting go; blocks inside a footnote or a heading are flattened to
   text; formatting around blocks is pushed into them; stray list items get a list; and where a
   fragment has blocks, text left between them gets its own paragraph.

The output is a fixed point: `clean(clean(x)) == clean(x)`. It is `SafeHTML` (submissions.safehtml), the
one type of rich text that templates show without escaping; this module and the model field that stores
it (submissions.fields) are the only makers of it.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3
from django.utils.translation import gettext

from .safehtml import SafeHTML, _seal

# Larger than any real submission (5,630 words is some 40,000 characters of HTML); what is larger
# is refused rather than parsed.
MAX_HTML_CHARS = 500_000

FOOTNOTE_CLASS = "footnote"

BLOCK_TAGS = frozenset({"p", "h2", "h3", "h4", "ul", "ol", "li", "blockquote", "table", "thead", "tbody", "tr", "th", "td"})
INLINE_TAGS = frozenset({"strong", "em", "u", "a", "span", "br"})
ALLOWED_TAGS = BLOCK_TAGS | INLINE_TAGS
# Tags removed with their content (their text is code or markup, not prose).
REMOVED_WITH_CONTENT = frozenset(
    {
        "script",
        "style",
        "template",
        "iframe",
        "noscript",
        "noembed",
        "noframes",
        "object",
        "svg",
        "math",
        "title",
        "xmp",
        "textarea",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href"}, "span": {"class"}, "th": {"colspan", "rowspan"}, "td": {"colspan", "rowspan"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer"

# Elements whose content is text only: blocks inside them are flattened.
_TEXT_ONLY = frozenset({"p", "h2", "h3", "h4"})
_FORMATTING = frozenset({"strong", "em", "u", "a"})
# Elements removed when they hold no text (formatting without text is replaced by its content: a
# space or a line break in it still separates words).
_DROPPED_WHEN_EMPTY = frozenset({"p", "h2", "h3", "h4", "li", "blockquote"})
# The children a table part keeps.
_TABLE_PARTS = {
    "table": frozenset({"thead", "tbody", "tr"}),
    "thead": frozenset({"tr"}),
    "tbody": frozenset({"tr"}),
    "tr": frozenset({"th", "td"}),
}
_SPAN_DIGITS = re.compile(r"[0-9]{1,4}")

# `<b ...>` -> `<strong ...>` and so on; the lookahead keeps `<br>`, `<img>`, `<iframe>`, `<dir>`...
# Other block containers that browsers and word processors write become paragraphs too, so that
# their text does not run into the next block's.
_RENAMES = {
    "b": "strong",
    "i": "em",
    "h1": "h2",
    "h5": "h4",
    "h6": "h4",
    **{
        tag: "p"
        for tag in (
            "div",
            "section",
            "article",
            "header",
            "footer",
            "main",
            "aside",
            "address",
            "center",
            "pre",
            "dt",
            "dd",
            "figcaption",
        )
    },
}
_RENAME_RE = re.compile(r"<(/?)(" + "|".join(_RENAMES) + r")(?=[\s/>])", re.IGNORECASE)


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute not in ALLOWED_ATTRIBUTES.get(tag, ()):  # also ammonia's generic "lang" and "title"
        return value if tag == "a" and attribute == "rel" else None
    if tag == "span" and attribute == "class":
        return value if value == FOOTNOTE_CLASS else None
    if tag in ("th", "td") and attribute in ("colspan", "rowspan"):
        return value if _SPAN_DIGITS.fullmatch(value) and int(value) > 0 else None
    return value


_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(REMOVED_WITH_CONTENT),
    attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    attribute_filter=_attribute_filter,
    strip_comments=True,
    link_rel=LINK_REL,
    url_schemes=set(URL_SCHEMES),
    url_relative="deny",  # a submission is read outside the app: "/x" or "#x" would lead nowhere
)


def clean(html_text: str) -> SafeHTML:
    """The allow-listed, tidied form of `html_text` (see the module's docstring), as SafeHTML.

    Raises ValueError with a message for the user when the text is longer than MAX_HTML_CHARS.
    """
    if html_text is None:
        return _seal("")
    if len(html_text) > MAX_HTML_CHARS:
        raise ValueError(
            gettext(
                "This text is too long to be saved (more than %(limit)s characters of formatted text). "
                "Split it into several sections, or move material into an annex."
            )
            % {"limit": f"{MAX_HTML_CHARS:,}"}
        )
    return _seal(_serialise(_tidy(_parse(_sanitise(html_text)))))


def plain_text(html_text: str) -> str:
    """The text of `html_text` without tags or footnotes, entities decoded, one block a line.

    For diffs and search. Whitespace inside a block is collapsed; `<br>` starts a new line; table
    cells and list items are blocks of their own.
    """
    if not html_text:
        return ""
    lines: list[str] = []
    current: list[str] = []

    def end_line() -> None:
        text = re.sub(r"\s+", " ", "".join(current)).strip()
        if text:
            lines.append(text)
        current.clear()

    def walk(nodes: list[_Node | str]) -> None:
        for node in nodes:
            if isinstance(node, str):
                current.append(node)
            elif node.is_footnote:
                continue
            elif node.tag == "br":
                end_line()
            elif node.tag in BLOCK_TAGS:
                end_line()
                walk(node.children)
                end_line()
            else:
                walk(node.children)

    walk(_tidy(_parse(_sanitise(html_text))))
    end_line()
    return "\n".join(lines)


def _sanitise(html_text: str) -> str:
    renamed = _RENAME_RE.sub(lambda m: f"<{m.group(1)}{_RENAMES[m.group(2).lower()]}", html_text)
    return _CLEANER.clean(renamed)


# --- A minimal tree of the sanitiser's output ---------------------------------------------------


class _Node:
    __slots__ = ("tag", "attrs", "children")

    def __init__(self, tag: str, attrs: list[tuple[str, str]] | None = None, children: list[_Node | str] | None = None):
        self.tag = tag
        self.attrs = attrs or []
        self.children: list[_Node | str] = children if children is not None else []

    @property
    def is_footnote(self) -> bool:
        return self.tag == "span" and ("class", FOOTNOTE_CLASS) in self.attrs

    def copy_empty(self) -> _Node:
        return _Node(self.tag, list(self.attrs))

    def attr(self, name: str) -> str | None:
        for key, value in self.attrs:
            if key == name:
                return value
        return None


# Elements nested deeper than this keep their text only (no real document comes near; it bounds the
# recursion of the tidying).
MAX_DEPTH = 48


class _TreeBuilder(HTMLParser):
    """Builds a tree from nh3's output, which is well-formed; it copes with stray tags anyway."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("#root")
        self.stack = [self.root]
        self.ignored = 0  # open elements below MAX_DEPTH, kept as text only

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = _Node(tag, [(key, value or "") for key, value in attrs])
        if tag == "br":
            self.stack[-1].children.append(node)
        elif len(self.stack) > MAX_DEPTH:
            self.ignored += 1
        else:
            self.stack[-1].children.append(node)
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.stack[-1].children.append(_Node(tag))

    def handle_endtag(self, tag: str) -> None:
        if tag == "br":
            return
        if self.ignored:
            self.ignored -= 1
            return
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        children = self.stack[-1].children
        if children and isinstance(children[-1], str):
            children[-1] += data
        else:
            children.append(data)


def _parse(sanitised: str) -> list[_Node | str]:
    builder = _TreeBuilder()
    builder.feed(sanitised)
    builder.close()
    return builder.root.children


def _has_text(nodes: list[_Node | str]) -> bool:
    for node in nodes:
        if isinstance(node, str):
            if node.strip():
                return True
        elif _has_text(node.children):
            return True
    return False


def _is_blank(node: _Node | str) -> bool:
    return isinstance(node, str) and not node.strip()


def _is_block(node: _Node | str) -> bool:
    return isinstance(node, _Node) and node.tag in BLOCK_TAGS


def _flatten_blocks(nodes: list[_Node | str]) -> list[_Node | str]:
    """The inline content of `nodes`, blocks replaced by their content and a space between them."""
    out: list[_Node | str] = []
    for node in nodes:
        if _is_block(node):
            assert isinstance(node, _Node)
            inner = _flatten_blocks(node.children)
            if out and inner:
                out.append(" ")
            out.extend(inner)
        elif isinstance(node, _Node):
            node.children = _flatten_blocks(node.children)
            out.append(node)
        else:
            out.append(node)
    return out


def _push_into_blocks(element: _Node) -> list[_Node | str]:
    """`<strong>a<p>b</p></strong>` -> `<strong>a</strong><p><strong>b</strong></p>`."""
    out: list[_Node | str] = []
    run: list[_Node | str] = []

    def flush() -> None:
        if run:
            wrapper = element.copy_empty()
            wrapper.children = list(run)
            out.append(wrapper)
            run.clear()

    for child in element.children:
        if _is_block(child):
            assert isinstance(child, _Node)
            flush()
            # Within a table or a list, the tidying pushes it further down, into cells and items.
            wrapper = element.copy_empty()
            wrapper.children = child.children
            child.children = [wrapper]
            out.append(child)
        else:
            run.append(child)
    flush()
    return out


def _wrap_runs(nodes: list[_Node | str], tag: str, keep: frozenset[str]) -> list[_Node | str]:
    """Wraps runs of nodes that are not `keep` elements (blank text aside) into `tag` elements."""
    out: list[_Node | str] = []
    run: list[_Node | str] = []

    def flush() -> None:
        if _has_text(run):
            out.append(_Node(tag, children=list(run)))
        else:  # blank text stays; a line break between blocks goes
            out.extend(n for n in run if isinstance(n, str))
        run.clear()

    for node in nodes:
        if isinstance(node, _Node) and node.tag in keep:
            flush()
            out.append(node)
        else:
            run.append(node)
    flush()
    return out


def _tidy(nodes: list[_Node | str], parent: str = "#root", in_footnote: bool = False) -> list[_Node | str]:
    out: list[_Node | str] = []
    for node in nodes:
        if isinstance(node, str):
            if node:
                out.append(node)
            continue
        tag = node.tag
        if tag == "span" and (not node.is_footnote or in_footnote):
            # A plain span means nothing; a footnote inside a footnote becomes its text.
            out.extend(_tidy(node.children, parent, in_footnote))
            continue
        if tag == "a" and not node.attr("href"):
            out.extend(_tidy(node.children, parent, in_footnote))
            continue
        if node.is_footnote:
            children = _tidy(_flatten_blocks(node.children), "span", in_footnote=True)
            if not _has_text(children):
                continue
            node.children = children
            out.append(node)
            continue
        if in_footnote and tag in BLOCK_TAGS:
            out.extend(_tidy(_flatten_blocks([node]), parent, in_footnote))
            continue
        if tag in _FORMATTING:
            node.children = _tidy(node.children, tag, in_footnote)
            if any(_is_block(child) for child in node.children):
                out.extend(_tidy(_push_into_blocks(node), parent, in_footnote))
            elif _has_text(node.children):
                out.append(node)
            else:
                out.extend(node.children)
            continue
        if tag in _TEXT_ONLY:
            node.children = _flatten_blocks(node.children)
        node.children = _tidy(node.children, tag, in_footnote)
        if tag in ("ul", "ol"):
            node.children = _wrap_runs(node.children, "li", frozenset({"li"}))
        if tag in _TABLE_PARTS:
            # A caption's text or other strays between rows go before the table.
            parts = _TABLE_PARTS[tag]
            out.extend(c for c in node.children if not (_is_blank(c) or (isinstance(c, _Node) and c.tag in parts)))
            node.children = [c for c in node.children if isinstance(c, _Node) and c.tag in parts]
            if not node.children:
                continue
        if tag in ("ul", "ol") and not any(isinstance(c, _Node) and c.tag == "li" for c in node.children):
            out.extend(c for c in node.children if isinstance(c, str))
            continue
        if tag in _DROPPED_WHEN_EMPTY and not _has_text(node.children):
            continue
        out.append(node)
    if parent not in ("ul", "ol") and parent not in _FORMATTING and any(isinstance(n, _Node) and n.tag == "li" for n in out):
        out = _group_stray_items(out)
    if parent in ("#root", "blockquote", "li", "td", "th") and any(_is_block(n) for n in out):
        if parent == "#root" or any(isinstance(n, _Node) and n.tag == "p" for n in out):
            # Text between blocks gets a paragraph of its own.
            out = _wrap_runs(out, "p", BLOCK_TAGS)
    return out


def _group_stray_items(nodes: list[_Node | str]) -> list[_Node | str]:
    out: list[_Node | str] = []
    current: _Node | None = None
    for node in nodes:
        if isinstance(node, _Node) and node.tag == "li":
            if current is None:
                current = _Node("ul")
                out.append(current)
            current.children.append(node)
        elif current is not None and _is_blank(node):
            continue
        else:
            current = None
            out.append(node)
    return out


# --- Serialisation, as html5ever (nh3) writes it, so that the output is a fixed point ------------


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("\xa0", "&nbsp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_attribute(value: str) -> str:
    return value.replace("&", "&amp;").replace("\xa0", "&nbsp;").replace('"', "&quot;")


def _serialise(nodes: list[_Node | str]) -> str:
    parts: list[str] = []

    def write(items: list[_Node | str]) -> None:
        for node in items:
            if isinstance(node, str):
                parts.append(_escape_text(node))
                continue
            attributes = "".join(f' {key}="{_escape_attribute(value)}"' for key, value in node.attrs)
            parts.append(f"<{node.tag}{attributes}>")
            if node.tag == "br":
                continue
            write(node.children)
            parts.append(f"</{node.tag}>")

    write(nodes)
    return "".join(parts)
