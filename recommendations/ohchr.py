"""Read OHCHR's "thematic list of recommendations" Word files, as OHCHR publishes them.

One table: a header row; "Theme: …" rows that open a thematic cluster (every cell the same); then
one row per recommendation: the text with its recommending States in brackets and a "Source of
position" line; the position (Supported / Noted); the themes with "Affected persons" or "Groups of
Persons" (and, in the third cycle, "SDGs"); and in the fourth cycle the SDGs in a column of their own.
The three cycles' layouts differ in these details, and this reader takes all three.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import IO

PARAGRAPH = re.compile(r"^\s*(\d+)\.(\d+)\s+")
SOURCE = re.compile(r"\n\s*Source of position\s*:\s*(.+)\s*$", re.IGNORECASE | re.DOTALL)
SDG = re.compile(r"^(\d{1,2})\s*-\s*(.+)$")
SECTION_HEADERS = {"affected persons": "groups", "groups of persons": "groups", "sdgs": "sdgs"}
# The page header of every cycle's list: "UPR of Slovenia (4th Cycle - 48th Session)",
# "UPR of Slovenia (2nd Cycle – 20th session)".
HEADING = re.compile(
    r"UPR of (?P<state>[^()]+?)\s*\(\s*(?P<cycle>\d+)\s*(?:st|nd|rd|th)?\s+cycle\s*[-\u2013\u2014,]\s*"
    r"(?P<session>\d+)\s*(?:st|nd|rd|th)?\s+session\s*\)",
    re.IGNORECASE,
)
# A Working Group report's symbol as the "Source of position" lines cite it: A/HRC/59/15(/Add.1).
SYMBOL = re.compile(r"\bA/HRC/(\d+)/(\d+)\b")


class NotAThematicList(ValueError):
    """The file is not a Word document of OHCHR's thematic list."""


@dataclass
class ParsedRecommendation:
    row: int  # 1-based row of the table, for error reports
    paragraph: str
    text: str
    state_groups: list[tuple[str, bool]]
    position: str
    source: str
    cluster: str
    themes: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    sdgs: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Identity:
    """What an OHCHR list says it is: the State under Review, cycle and session of its page header,
    and the Working Group report symbols its "Source of position" lines cite (A/HRC/59/15)."""

    state: str = ""
    cycle: int | None = None
    session: int | None = None
    symbols: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        parts = []
        if self.state:
            parts.append(self.state)
        if self.session is not None:
            parts.append(f"session {self.session}" + (f" (cycle {self.cycle})" if self.cycle else ""))
        if self.symbols:
            parts.append(", ".join(self.symbols))
        return ", ".join(parts)


@dataclass
class ThematicList:
    recommendations: list[ParsedRecommendation]
    identity: Identity


def read_thematic_list(file: str | IO[bytes]) -> list[ParsedRecommendation]:
    """Every recommendation in the file, in the file's order."""
    return read_document(file).recommendations


def _identity(document, recommendations: list[ParsedRecommendation]) -> Identity:
    identity = Identity()
    for section in document.sections:
        for part in (section.header, section.first_page_header):
            text = " ".join(p.text for p in part.paragraphs) if part is not None else ""
            match = HEADING.search(text)
            if match:
                identity.state = " ".join(match.group("state").split())
                identity.cycle, identity.session = int(match.group("cycle")), int(match.group("session"))
                break
        if identity.state:
            break
    if not identity.state:  # a copy saved without its header: the heading may be the first paragraphs
        match = HEADING.search(" ".join(p.text for p in document.paragraphs[:10]))
        if match:
            identity.state = " ".join(match.group("state").split())
            identity.cycle, identity.session = int(match.group("cycle")), int(match.group("session"))
    cited = {f"A/HRC/{m.group(1)}/{m.group(2)}" for r in recommendations for m in SYMBOL.finditer(r.source)}
    identity.symbols = sorted(cited)
    return identity


def read_document(file: str | IO[bytes]) -> ThematicList:
    """The file's recommendations, in the file's order, and what the file says it is."""
    import zipfile
    from contextlib import nullcontext

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    from upr.uploads import WORD, UnsafeArchive, check_zip

    try:
        with open(file, "rb") if isinstance(file, str) else nullcontext(file) as handle:
            check_zip(handle, limits=WORD)  # bounded by streaming before python-docx unpacks it
        document = docx.Document(file)
    except UnsafeArchive as error:
        raise NotAThematicList(error.message) from error
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise NotAThematicList("This is not a Word (.docx) file.") from error
    table = next((t for t in document.tables if len(t.columns) >= 3), None)
    if table is None:
        raise NotAThematicList("The document has no table of recommendations.")
    recommendations, cluster = [], ""
    for number, row in enumerate(table.rows, start=1):
        cells = [cell.text for cell in row.cells]
        first = cells[0].strip()
        if first.startswith("Theme:"):
            cluster = _strip_code(first.removeprefix("Theme:").strip())
            continue
        match = PARAGRAPH.match(first)
        if not match:
            continue  # the header row, or an empty one
        body = first[match.end() :]
        source_match = SOURCE.search(body)
        source = source_match.group(1).strip() if source_match else ""
        text = (body[: source_match.start()] if source_match else body).strip()
        themes, groups, sdgs = _classify(cells[2] if len(cells) > 2 else "")
        if len(cells) > 3 and not sdgs:
            sdgs = _sdgs(cells[3])
        recommendations.append(
            ParsedRecommendation(
                row=number,
                paragraph=f"{match.group(1)}.{match.group(2)}",
                text=" ".join(text.split()),
                state_groups=bracket_groups(text),
                position=cells[1].strip() if len(cells) > 1 else "",
                source=source,
                cluster=cluster,
                themes=themes,
                groups=groups,
                sdgs=sdgs,
            )
        )
    if not recommendations:
        raise NotAThematicList("No numbered recommendation (such as 140.12) was found in the table.")
    return ThematicList(recommendations, _identity(document, recommendations))


def _strip_code(name: str) -> str:
    """'A12 Acceptance of international norms' (cycle 2's index codes) -> 'Acceptance of international norms'."""
    return re.sub(r"^[A-Z]\d{1,2}\s+", "", name.strip())


def _classify(cell: str) -> tuple[list[str], list[str], list[tuple[int, str]]]:
    """Themes, groups of persons and SDGs from the themes cell."""
    section = "themes"
    themes: list[str] = []
    groups: list[str] = []
    sdg_lines: list[str] = []
    for raw in cell.splitlines():
        line = raw.strip()
        if not line:
            continue
        header = line.rstrip(":").strip().lower()
        if line.endswith(":") and header in SECTION_HEADERS:
            section = SECTION_HEADERS[header]
            continue
        item = line.removeprefix("-").strip()
        if not item:
            continue
        {"themes": themes, "groups": groups, "sdgs": sdg_lines}[section].append(item)
    return [_strip_code(t) for t in themes], groups, _sdgs("\n".join(sdg_lines))


def _sdgs(cell: str) -> list[tuple[int, str]]:
    found = []
    for raw in cell.splitlines():
        match = SDG.match(raw.strip().removeprefix("-").strip())
        if match and 1 <= int(match.group(1)) <= 17:
            found.append((int(match.group(1)), match.group(2).strip()))
    return found


def bracket_groups(text: str) -> list[tuple[str, bool]]:
    """The top-level parenthesised groups of `text` (nested brackets kept inside), each with whether it
    ends a clause: followed by another group, ";", "." or the end, where OHCHR names the States."""
    groups, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char == "(":
            if depth == 0:
                start = index + 1
            depth += 1
        elif char == ")" and depth:
            depth -= 1
            if depth == 0:
                after = text[index + 1 :].lstrip()
                trailing = not after or after[0] in "(;.,"
                groups.append((" ".join(text[start:index].split()), trailing))
    return groups
