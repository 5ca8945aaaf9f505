"""Converting a Word document's body (python-docx, with its notes parts read through lxml) into
sections of sanitised HTML. See the package's docstring for the rules."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from typing import Any

from django.utils.translation import gettext

from .. import richtext
from .container import DocxRefused

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
RT_FOOTNOTES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
RT_ENDNOTES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/endnotes"
RT_NUMBERING = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering"
RT_HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
_SEPARATOR_TYPES = frozenset({"separator", "continuationSeparator", "continuationNotice"})
_FALSE_VALUES = frozenset({"0", "false", "off", "none"})
_HYPERLINK_FIELD = re.compile(r"^\s*HYPERLINK\s+(.*)$", re.DOTALL | re.IGNORECASE)
_FIELD_TOKEN = re.compile(r'"([^"]*)"|(\S+)')


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


def _r(tag: str) -> str:
    return f"{{{R_NS}}}{tag}"


@dataclass
class ImportedSection:
    title: str
    html: str
    # The draft's cover: its title page and organisation list, before the first Heading 1. It does
    # not count toward the limit (the app writes its own cover from the submitters).
    cover: bool = False


@dataclass
class ImportedDocument:
    title: str
    sections: list[ImportedSection] = field(default_factory=list)
    footnote_count: int = 0


# --- Converting the document ------------------------------------------------------------------------


@dataclass
class _StyleInfo:
    kind: str = ""  # "title", "heading", "list", "toc" or ""
    level: int = 0  # heading level (1...), or list level (0...)
    list_tag: str = ""  # "ul" or "ol" for list styles by name
    num_id: str = ""  # numbering of the style, if any
    num_level: int = 0
    bold: bool | None = None
    italic: bool | None = None
    underline: bool | None = None


@dataclass
class _Segment:
    kind: str  # "text", "br" or "note"
    text: str = ""
    marks: tuple[bool, bool, bool] = (False, False, False)  # bold, italic, underline
    href: str | None = None


@dataclass
class _Field:
    instruction: str = ""
    separated: bool = False
    href: str | None = None


@dataclass
class _ListItem:
    level: int
    tag: str
    html: str


def _on(element: Any) -> bool | None:
    """The value of an on/off property element (`<w:b/>`, `<w:b w:val="0"/>`); None when absent."""
    if element is None:
        return None
    value = element.get(_w("val"))
    return value is None or value.lower() not in _FALSE_VALUES


def _int(value: str | None, default: int = 0) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


class _Converter:
    def __init__(self, document: Any):
        self.document = document
        self.part = document.part
        self.styles = self._read_styles()
        self.numbering = self._read_numbering()
        self.notes: dict[str, tuple[Any, Any]] = {}  # "f:3" / "e:2" -> (note element, its part)
        self._read_notes(RT_FOOTNOTES, "footnote", "f")
        self._read_notes(RT_ENDNOTES, "endnote", "e")
        self.title = ""
        self.sections: list[tuple[str, list[str], bool]] = []  # title, html parts, started by Title
        self.current_html: list[str] = []
        self.list_items: list[_ListItem] = []
        self.paragraph_numberings: set[str] = set()

    # --- parts

    def _related_parts(self, reltype: str) -> list[Any]:
        return [rel.target_part for rel in self.part.rels.values() if not rel.is_external and rel.reltype == reltype]

    @staticmethod
    def _xml_of(part: Any) -> Any:
        element = getattr(part, "element", None)
        if element is not None:
            return element
        from docx.oxml.parser import parse_xml

        return parse_xml(part.blob)

    def _read_notes(self, reltype: str, tag: str, prefix: str) -> None:
        for part in self._related_parts(reltype):
            for note in self._xml_of(part).iterchildren(_w(tag)):
                note_id = note.get(_w("id"))
                if note_id is None or note.get(_w("type")) in _SEPARATOR_TYPES or note_id in ("-1", "0"):
                    continue
                self.notes[f"{prefix}:{note_id}"] = (note, part)

    def _read_styles(self) -> dict[str, _StyleInfo]:
        try:
            root = self.document.styles.element
        except Exception:
            return {}
        raw: dict[str, Any] = {}
        default_paragraph = ""
        for style in root.iterchildren(_w("style")):
            style_id = style.get(_w("styleId"))
            if style_id:
                raw[style_id] = style
                if style.get(_w("type")) == "paragraph" and style.get(_w("default")) in ("1", "true"):
                    default_paragraph = style_id
        infos: dict[str, _StyleInfo] = {}
        for style_id in raw:
            infos[style_id] = self._style_info(style_id, raw)
        infos[""] = infos.get(default_paragraph, _StyleInfo())
        return infos

    @staticmethod
    def _style_info(style_id: str, raw: dict[str, Any]) -> _StyleInfo:
        info = _StyleInfo()
        seen: set[str] = set()
        current: str | None = style_id
        outline: int | None = None
        while current and current in raw and current not in seen and len(seen) < 20:
            seen.add(current)
            style = raw[current]
            name_element = style.find(_w("name"))
            name = (name_element.get(_w("val")) or "").strip().lower() if name_element is not None else ""
            if not info.kind:
                if name == "title":
                    info.kind = "title"
                elif match := re.fullmatch(r"heading ([1-9])", name):
                    info.kind, info.level = "heading", int(match.group(1))
                elif match := re.fullmatch(r"list (bullet|number)(?: ([2-9]))?", name):
                    info.kind = "list"
                    info.list_tag = "ul" if match.group(1) == "bullet" else "ol"
                    info.level = int(match.group(2) or 1) - 1
                elif re.fullmatch(r"toc (?:[1-9]|heading)", name):
                    info.kind = "toc"
            ppr = style.find(_w("pPr"))
            if ppr is not None:
                if outline is None and (element := ppr.find(_w("outlineLvl"))) is not None:
                    outline = _int(element.get(_w("val")), 9)
                if not info.num_id and (numpr := ppr.find(_w("numPr"))) is not None:
                    num_id = numpr.find(_w("numId"))
                    ilvl = numpr.find(_w("ilvl"))
                    if num_id is not None:
                        info.num_id = num_id.get(_w("val")) or ""
                        info.num_level = _int(ilvl.get(_w("val"))) if ilvl is not None else 0
            rpr = style.find(_w("rPr"))
            if rpr is not None:
                if info.bold is None:
                    info.bold = _on(rpr.find(_w("b")))
                if info.italic is None:
                    info.italic = _on(rpr.find(_w("i")))
                if info.underline is None:
                    info.underline = _on(rpr.find(_w("u")))
            based_on = style.find(_w("basedOn"))
            current = based_on.get(_w("val")) if based_on is not None else None
        if not info.kind and outline is not None and 0 <= outline < 8:
            info.kind, info.level = "heading", outline + 1
        return info

    def _read_numbering(self) -> dict[str, dict[int, str]]:
        """numId -> {level: numFmt}."""
        numbering: dict[str, dict[int, str]] = {}
        parts = self._related_parts(RT_NUMBERING)
        if not parts:
            return numbering
        root = self._xml_of(parts[0])
        abstract: dict[str, dict[int, str]] = {}
        for definition in root.iterchildren(_w("abstractNum")):
            abstract[definition.get(_w("abstractNumId")) or ""] = self._levels(definition)
        for num in root.iterchildren(_w("num")):
            reference = num.find(_w("abstractNumId"))
            formats = dict(abstract.get(reference.get(_w("val")) if reference is not None else "", {}))
            for override in num.iterchildren(_w("lvlOverride")):
                lvl = override.find(_w("lvl"))
                if lvl is not None:
                    formats.update(self._levels(override))
            numbering[num.get(_w("numId")) or ""] = formats
        return numbering

    @staticmethod
    def _levels(element: Any) -> dict[int, str]:
        levels = {}
        for lvl in element.iterchildren(_w("lvl")):
            fmt = lvl.find(_w("numFmt"))
            levels[_int(lvl.get(_w("ilvl")))] = (fmt.get(_w("val")) or "decimal") if fmt is not None else "decimal"
        return levels

    def _list_tag(self, num_id: str, level: int, default: str = "ul") -> str:
        formats = self.numbering.get(num_id)
        if not formats:
            return default
        fmt = formats.get(level, formats.get(0, ""))
        if not fmt:
            return default
        return "ul" if fmt in ("bullet", "none") else "ol"

    # --- classification

    def _paragraph_kind(self, paragraph: Any) -> tuple[str, int, str]:
        """("title"|"heading"|"list"|"toc"|"paragraph", level, list tag)."""
        ppr = paragraph.find(_w("pPr"))
        style_id = ""
        numpr = None
        outline = None
        if ppr is not None:
            pstyle = ppr.find(_w("pStyle"))
            style_id = (pstyle.get(_w("val")) or "") if pstyle is not None else ""
            numpr = ppr.find(_w("numPr"))
            if (element := ppr.find(_w("outlineLvl"))) is not None:
                outline = _int(element.get(_w("val")), 9)
        info = self.styles.get(style_id) or self.styles.get("") or _StyleInfo()
        if info.kind in ("title", "heading", "toc"):
            return info.kind, info.level, ""
        if outline is not None and 0 <= outline < 8:
            return "heading", outline + 1, ""
        if numpr is not None:
            num_id_element = numpr.find(_w("numId"))
            num_id = (num_id_element.get(_w("val")) or "") if num_id_element is not None else info.num_id
            ilvl = numpr.find(_w("ilvl"))
            level = _int(ilvl.get(_w("val"))) if ilvl is not None else info.num_level
            if num_id == "0":  # numbering removed from this paragraph
                return "paragraph", 0, ""
            if num_id:
                if level == 0 and num_id in self.paragraph_numberings and info.kind != "list":
                    return "paragraph", 0, ""
                return "list", level, self._list_tag(num_id, level, info.list_tag or "ul")
        if info.kind == "list":
            tag = info.list_tag or self._list_tag(info.num_id, info.num_level)
            return "list", info.level, tag
        if info.num_id and info.num_id != "0":
            return "list", info.num_level, self._list_tag(info.num_id, info.num_level)
        return "paragraph", 0, ""

    def _find_paragraph_numberings(self, blocks: list[Any]) -> None:
        """Numberings that run on across sections at their first level: paragraph numbers, not lists."""
        sections_of: dict[str, set[int]] = {}
        section = 0
        for block in blocks:
            if block.tag != _w("p"):
                continue
            kind, _level, _tag = self._paragraph_kind(block)
            if kind in ("title", "heading") and _level <= 1:
                section += 1
                continue
            ppr = block.find(_w("pPr"))
            numpr = ppr.find(_w("numPr")) if ppr is not None else None
            if kind != "list" or numpr is None:
                continue
            num_id_element = numpr.find(_w("numId"))
            ilvl = numpr.find(_w("ilvl"))
            num_id = (num_id_element.get(_w("val")) or "") if num_id_element is not None else ""
            level = _int(ilvl.get(_w("val"))) if ilvl is not None else 0
            if num_id and level == 0 and self._list_tag(num_id, 0, "ol") == "ol":
                sections_of.setdefault(num_id, set()).add(section)
        self.paragraph_numberings = {num_id for num_id, sections in sections_of.items() if len(sections) > 1}

    # --- the body

    def _blocks(self, container: Any) -> list[Any]:
        """Paragraphs and tables of `container`, content controls and custom XML opened."""
        blocks = []
        for child in container.iterchildren():
            if child.tag in (_w("p"), _w("tbl")):
                blocks.append(child)
            elif child.tag == _w("sdt"):
                if self._is_table_of_contents(child) or _shows_placeholder(child):
                    continue
                content = child.find(_w("sdtContent"))
                if content is not None:
                    blocks.extend(self._blocks(content))
            elif child.tag == _w("customXml"):
                blocks.extend(self._blocks(child))
        return blocks

    @staticmethod
    def _is_table_of_contents(sdt: Any) -> bool:
        properties = sdt.find(_w("sdtPr"))
        if properties is None:
            return False
        gallery = properties.find(f"{_w('docPartObj')}/{_w('docPartGallery')}")
        return gallery is not None and (gallery.get(_w("val")) or "").lower().startswith("table of contents")

    def convert(self) -> tuple[ImportedDocument, list[str]]:
        body = self.document.element.body
        blocks = self._blocks(body)
        self._find_paragraph_numberings(blocks)
        for block in blocks:
            if block.tag == _w("tbl"):
                self._flush_list()
                self.current_html.append(self._table(block))
            else:
                self._paragraph(block)
        self._flush_list()
        self._end_section()
        return self._result()

    def _start_section(self, title: str, by_title: bool) -> None:
        self._flush_list()
        self._end_section()
        self.sections.append((title, [], by_title))

    def _end_section(self) -> None:
        if not self.current_html:
            return
        if not self.sections:
            self.sections.append(("", [], False))
        self.sections[-1][1].extend(self.current_html)
        self.current_html = []

    def _paragraph(self, paragraph: Any) -> None:
        kind, level, tag = self._paragraph_kind(paragraph)
        if kind == "toc":
            return
        if kind in ("title", "heading") and (kind == "title" or level <= 1):
            segments = self._segments(paragraph, self.part, notes=False)
            text = re.sub(r"\s+", " ", "".join(s.text for s in segments if s.kind == "text")).strip()
            if not text:
                return
            if kind == "title" and not self.title:
                self.title = text
            self._start_section(text, by_title=kind == "title")
            return
        html = self._render(self._segments(paragraph, self.part, notes=True))
        if kind == "list":
            if html.strip():
                self.list_items.append(_ListItem(level, tag, html))
            return
        self._flush_list()
        if not html.strip() or (kind != "heading" and _INSTRUCTION.match(richtext.plain_text(html))):
            return  # empty, or a template's instruction such as "[Describe the methodology here]"
        if kind == "heading":
            heading = "h3" if level == 2 else "h4"
            self.current_html.append(f"<{heading}>{html}</{heading}>")
        else:
            self.current_html.append(f"<p>{html}</p>")

    def _flush_list(self) -> None:
        if not self.list_items:
            return
        out: list[str] = []
        stack: list[tuple[int, str]] = []
        for item in self.list_items:
            while stack and stack[-1][0] > item.level:
                out.append(f"</li></{stack.pop()[1]}>")
            if stack and stack[-1][0] == item.level:
                if stack[-1][1] == item.tag:
                    out.append(f"</li><li>{item.html}")
                    continue
                out.append(f"</li></{stack.pop()[1]}>")
            out.append(f"<{item.tag}><li>{item.html}")
            stack.append((item.level, item.tag))
        while stack:
            out.append(f"</li></{stack.pop()[1]}>")
        self.current_html.append("".join(out))
        self.list_items = []

    def _table(self, table: Any) -> str:
        rows_html: list[str] = []
        cells_by_row: list[list[dict[str, Any]]] = []
        origins: dict[int, dict[str, Any]] = {}
        for row in table.iterchildren(_w("tr")):
            trpr = row.find(_w("trPr"))
            header = trpr is not None and _on(trpr.find(_w("tblHeader"))) is True
            column = 0
            if trpr is not None and (before := trpr.find(_w("gridBefore"))) is not None:
                column = _int(before.get(_w("val")))
            cells: list[dict[str, Any]] = []
            for cell in self._cells(row):
                tcpr = cell.find(_w("tcPr"))
                span = 1
                merge = None
                if tcpr is not None:
                    if (grid_span := tcpr.find(_w("gridSpan"))) is not None:
                        span = max(1, _int(grid_span.get(_w("val")), 1))
                    if (vmerge := tcpr.find(_w("vMerge"))) is not None:
                        merge = vmerge.get(_w("val")) or "continue"
                if merge == "continue" and column in origins:
                    origins[column]["rowspan"] += 1
                    column += span
                    continue
                data: dict[str, Any] = {"html": self._cell_html(cell), "colspan": span, "rowspan": 1, "header": header}
                if merge == "restart":
                    origins[column] = data
                else:
                    origins.pop(column, None)
                cells.append(data)
                column += span
            cells_by_row.append(cells)
        for cells in cells_by_row:
            if not cells:
                continue
            rendered = []
            for data in cells:
                tag = "th" if data["header"] else "td"
                attributes = ""
                if data["colspan"] > 1:
                    attributes += f' colspan="{data["colspan"]}"'
                if data["rowspan"] > 1:
                    attributes += f' rowspan="{data["rowspan"]}"'
                rendered.append(f"<{tag}{attributes}>{data['html']}</{tag}>")
            rows_html.append("<tr>" + "".join(rendered) + "</tr>")
        if not rows_html:
            return ""
        return "<table><tbody>" + "".join(rows_html) + "</tbody></table>"

    def _cells(self, row: Any) -> list[Any]:
        cells = []
        for child in row.iterchildren():
            if child.tag == _w("tc"):
                cells.append(child)
            elif child.tag in (_w("sdt"), _w("customXml")):
                content = child.find(_w("sdtContent")) if child.tag == _w("sdt") else child
                if content is not None:
                    cells.extend(self._cells(content))
        return cells

    def _cell_html(self, cell: Any) -> str:
        lines = []
        for block in self._blocks(cell):
            if block.tag == _w("tbl"):  # a table in a cell: its cells' text, a line each
                for row in block.iterchildren(_w("tr")):
                    for inner in self._cells(row):
                        html = self._cell_html(inner)
                        if html.strip():
                            lines.append(html)
                continue
            html = self._render(self._segments(block, self.part, notes=True))
            if html.strip():
                lines.append(html)
        return "<br>".join(lines)

    # --- runs

    def _segments(self, paragraph: Any, part: Any, notes: bool) -> list[_Segment]:
        segments: list[_Segment] = []
        fields: list[_Field] = []
        self._walk_inline(paragraph, part, notes, None, fields, segments)
        return segments

    def _walk_inline(
        self, element: Any, part: Any, notes: bool, href: str | None, fields: list[_Field], segments: list[_Segment]
    ) -> None:
        for child in element.iterchildren():
            tag = child.tag
            if tag == _w("r"):
                self._run(child, part, notes, href, fields, segments)
            elif tag == _w("hyperlink"):
                self._walk_inline(child, part, notes, self._hyperlink(child, part) or href, fields, segments)
            elif tag == _w("fldSimple"):
                link = self._field_link(child.get(_w("instr")) or "")
                self._walk_inline(child, part, notes, link or href, fields, segments)
            elif tag in (_w("ins"), _w("moveTo"), _w("smartTag"), _w("customXml"), _w("dir"), _w("bdo")):
                self._walk_inline(child, part, notes, href, fields, segments)
            elif tag == _w("sdt"):
                content = child.find(_w("sdtContent"))
                if content is not None and not _shows_placeholder(child):
                    self._walk_inline(content, part, notes, href, fields, segments)
            # w:del, w:moveFrom (deleted text), w:pPr, bookmarks, proofing marks, drawings: nothing

    def _hyperlink(self, element: Any, part: Any) -> str | None:
        relationship_id = element.get(_r("id"))
        anchor = element.get(_w("anchor"))
        if not relationship_id:
            return None  # a link within the document leads nowhere once imported
        try:
            relationship = part.rels[relationship_id]
        except KeyError:
            return None
        if not relationship.is_external:
            return None
        target = relationship.target_ref
        if anchor and "#" not in target:
            target = f"{target}#{anchor}"
        return target

    @staticmethod
    def _field_link(instruction: str) -> str | None:
        """The URL of a `HYPERLINK "url"` field; None for other fields and for links within the
        document (`HYPERLINK \\l "bookmark"`)."""
        match = _HYPERLINK_FIELD.match(instruction)
        if not match:
            return None
        tokens = _FIELD_TOKEN.findall(match.group(1))
        if not tokens:
            return None
        quoted, bare = tokens[0]
        if not quoted and bare.startswith("\\"):
            return None
        return quoted or bare or None

    def _run_marks(self, run: Any) -> tuple[tuple[bool, bool, bool], bool]:
        rpr = run.find(_w("rPr"))
        style = _StyleInfo()
        bold = italic = underline = None
        hidden = False
        if rpr is not None:
            rstyle = rpr.find(_w("rStyle"))
            if rstyle is not None:
                style = self.styles.get(rstyle.get(_w("val")) or "", _StyleInfo())
                # A template's "Click or tap here to enter text": Word's placeholder style, not the draft's text
                hidden = (rstyle.get(_w("val")) or "") == "PlaceholderText"
            bold = _on(rpr.find(_w("b")))
            italic = _on(rpr.find(_w("i")))
            underline = _on(rpr.find(_w("u")))
            hidden = hidden or bool(_on(rpr.find(_w("vanish"))))
        marks = (
            bool(bold if bold is not None else style.bold),
            bool(italic if italic is not None else style.italic),
            bool(underline if underline is not None else style.underline),
        )
        return marks, hidden

    def _run(self, run: Any, part: Any, notes: bool, href: str | None, fields: list[_Field], segments: list[_Segment]) -> None:
        marks, hidden = self._run_marks(run)
        for child in run.iterchildren():
            tag = child.tag
            if tag == _w("fldChar"):
                kind = child.get(_w("fldCharType"))
                if kind == "begin":
                    fields.append(_Field())
                elif kind == "separate" and fields:
                    fields[-1].separated = True
                    fields[-1].href = self._field_link(fields[-1].instruction)
                elif kind == "end" and fields:
                    fields.pop()
                continue
            if tag == _w("instrText"):
                if fields and not fields[-1].separated:
                    fields[-1].instruction += child.text or ""
                continue
            if hidden:
                continue
            if fields and not fields[-1].separated:
                continue  # inside a field's code
            link = next((f.href for f in reversed(fields) if f.href), None) or href
            if tag == _w("t"):
                if child.text:
                    segments.append(_Segment("text", child.text, marks, link))
            elif tag in (_w("tab"), _w("ptab")):
                segments.append(_Segment("text", " ", marks, link))
            elif tag in (_w("br"), _w("cr")):
                if child.get(_w("type")) in ("page", "column"):
                    segments.append(_Segment("text", " ", marks, link))
                else:
                    segments.append(_Segment("br"))
            elif tag == _w("noBreakHyphen"):
                segments.append(_Segment("text", "-", marks, link))
            elif tag in (_w("footnoteReference"), _w("endnoteReference")) and notes:
                prefix = "f" if tag == _w("footnoteReference") else "e"
                note_html = self._note_html(f"{prefix}:{child.get(_w('id'))}")
                if note_html:
                    segments.append(_Segment("note", note_html))

    def _note_html(self, key: str) -> str:
        found = self.notes.get(key)
        if found is None:
            return ""
        note, part = found
        paragraphs = []
        for paragraph in note.iter(_w("p")):
            html = self._render(self._segments(paragraph, part, notes=False)).strip()
            if html:
                paragraphs.append(html)
        return " ".join(paragraphs)

    @staticmethod
    def _render(segments: list[_Segment]) -> str:
        out: list[str] = []
        index = 0
        while index < len(segments):
            segment = segments[index]
            if segment.kind == "br":
                out.append("<br>")
                index += 1
                continue
            if segment.kind == "note":
                out.append(f'<span class="footnote">{segment.text}</span>')
                index += 1
                continue
            # A run of text segments with the same link, then the same marks within it.
            end = index
            while end < len(segments) and segments[end].kind == "text" and segments[end].href == segment.href:
                end += 1
            pieces = []
            position = index
            while position < end:
                marks = segments[position].marks
                text = []
                while position < end and segments[position].marks == marks:
                    text.append(segments[position].text)
                    position += 1
                piece = escape("".join(text), quote=False)
                for flag, element in zip(reversed(marks), ("u", "em", "strong"), strict=True):
                    if flag:
                        piece = f"<{element}>{piece}</{element}>"
                pieces.append(piece)
            joined = "".join(pieces)
            if segment.href:
                joined = f'<a href="{escape(segment.href, quote=True)}">{joined}</a>'
            out.append(joined)
            index = end
        return "".join(out)

    # --- the result

    def _result(self) -> tuple[ImportedDocument, list[str]]:
        sections: list[ImportedSection] = []
        footnotes = 0
        dropped_titles: list[str] = []
        # Before the first Heading 1 stand the title page and the organisation list: the cover, when
        # headings follow it (a draft without headings is all body).
        front = next(
            (i for i, (title, _parts, by_title) in enumerate(self.sections) if title and not by_title), len(self.sections)
        )
        for index, (title, parts, by_title) in enumerate(self.sections):
            try:
                html = richtext.clean("".join(parts))
            except ValueError as exc:
                raise DocxRefused(
                    gettext(
                        "A section of this document (%(title)s) is too long to be imported in one piece. "
                        "Split it with headings (Heading 1) in Word and try again."
                    )
                    % {"title": title or gettext("the text before the first heading")}
                ) from exc
            if by_title and not richtext.plain_text(html) and not footnotes_in(html):
                dropped_titles.append(title)
                continue  # the document's title, followed by a heading: not a section of its own
            footnotes += footnotes_in(html)
            sections.append(ImportedSection(title=title, html=html, cover=index < front < len(self.sections)))
        if not sections and self.title:
            sections.append(ImportedSection(title=self.title, html=""))
            dropped_titles = []
        if not any(section.title or richtext.plain_text(section.html) for section in sections):
            raise DocxRefused(gettext("This Word document has no text to import."))
        return ImportedDocument(title=self.title, sections=sections, footnote_count=footnotes), dropped_titles


_INSTRUCTION = re.compile(r"^\s*\[[^\[\]]*\]\s*$")


def _shows_placeholder(sdt: Any) -> bool:
    """A content control still showing its placeholder ("Click or tap here to enter text.")."""
    properties = sdt.find(_w("sdtPr"))
    return properties is not None and properties.find(_w("showingPlcHdr")) is not None


def footnotes_in(html: str) -> int:
    """The number of footnotes in HTML of the convention."""
    return html.count(f'<span class="{richtext.FOOTNOTE_CLASS}">')
