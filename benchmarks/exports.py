"""How long the Word and PDF exports take for the longest document the app allows.

The document: a joint stakeholder submission at its word limit (5,630 words in 12 sections), with
150 footnotes, 20 draft recommendations and one annex: a matrix of previous recommendations, a
table of 250 rows by 4 columns. Built in memory as an `Outline`: no database.

Targets: `render_docx` < 2 s, `render_pdf` < 5 s (median of a few runs). The baseline, measured in
the same run so that a slow spell of the machine shows in both: the same function rendering a
one-paragraph outline; the ratio says how much of the time the document itself costs.

    .venv/bin/python benchmarks/exports.py            # --repeats 5

Prints the figures; exits 1 when a median is over its target.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.test")

TARGETS = {"docx": 2.0, "pdf": 5.0}
_WORDS = (
    "the authorities continued to restrict peaceful assembly and detained journalists who reported on "
    "protests while courts rarely reviewed the lawfulness of detention and victims had no effective remedy"
).split()


def _words(count: int, start: int) -> str:
    return " ".join(_WORDS[(start + index) % len(_WORDS)] for index in range(count))


def maximum_outline():
    """The longest joint submission: 5,630 words, 12 sections, 150 footnotes, 20 recommendations,
    a 250 x 4 annex table."""
    from submissions.outline import (
        CoverOrganisation,
        Outline,
        OutlineAnnex,
        OutlineRecommendation,
        OutlineSection,
    )

    # 12 sections x 8 paragraphs x 49 words, headings, lists, the summary and the recommendations:
    # about 5,630 words (`word_count` below counts them); 150 footnotes over the 96 paragraphs.
    sections, footnote, paragraphs_per_section, words_per_paragraph = [], 0, 8, 49
    for s in range(12):
        parts = [f"<h3>Issue {s + 1}.1</h3>"]
        for p in range(paragraphs_per_section):
            notes = ""
            for _n in range(2 if (s * paragraphs_per_section + p) % 3 else 1):
                if footnote < 150:
                    footnote += 1
                    notes += f'<span class="footnote">Report {footnote}, <a href="https://example.org/r/{footnote}">example.org</a>, p. {footnote}.</span>'
            text = _words(words_per_paragraph, s * 31 + p)
            parts.append(f"<p>{text[:40]}<strong>{text[40:80]}</strong>{text[80:]}.{notes}</p>")
        parts.append("<ul><li>" + _words(7, s) + "</li></ul>")
        sections.append(OutlineSection(f"Section {s + 1}: {_words(4, s)}", "".join(parts)))
    rows = "".join(
        f"<tr><td>{140 + r // 20}.{r % 20 + 1} ({_words(1, r).title()})</td><td>{_words(18, r)}</td>"
        f"<td>{'Supported' if r % 3 else 'Noted'}</td><td>{_words(9, r + 5)}</td></tr>"
        for r in range(250)
    )
    matrix = f"<table><tr><th>Recommendation</th><th>Text</th><th>Response</th><th>Implementation</th></tr>{rows}</table>"
    outline = Outline(
        kind="joint_submission",
        kind_label="Joint stakeholder submission",
        language="en",
        title="Civic space and the rule of law",
        review="Slovenia, 48th session of the UPR Working Group (January 2025)",
        organisations=[
            CoverOrganisation(
                f"Organisation {i}", f"ORG{i}", f"https://org{i}.example.org", _words(25, i), dt.date(1990 + i, 1, 1)
            )
            for i in range(6)
        ],
        unnamed_count=4,
        summary_html=f"<p>{_words(120, 3)}.</p>",
        keywords=["assembly", "detention", "press"],
        sections=sections,
        recommendations=[
            OutlineRecommendation(
                f"Amend the law so that {_words(20, r)}.",
                "Ministry of Justice",
                "Law amended",
                "By the next review",
                ("Portugal", "Chile"),
                f"{140 + r}.1 (Portugal), 4th cycle",
            )
            for r in range(20)
        ],
        annexes=[OutlineAnnex("Matrix of recommendations from the previous cycle", matrix)],
        word_limit=5630,
    )
    outline.word_count = word_count(outline)
    return outline


def word_count(outline) -> int:
    """Words of the summary, sections and recommendations, footnotes and annexes excluded."""
    from submissions.export_blocks import Block, Run, prepare

    prepared = prepare(outline)
    blocks = [node for _title, nodes in prepared.sections for node in nodes] + prepared.summary
    texts = [run.text for block in blocks if isinstance(block, Block) for run in block.inlines if isinstance(run, Run)]
    texts += [title for title, _nodes in prepared.sections] + [rec.text for rec in outline.recommendations]
    return sum(len(text.split()) for text in texts)


def baseline_outline():
    from submissions.outline import Outline, OutlineSection

    return Outline(
        kind="joint_submission",
        kind_label="Joint stakeholder submission",
        language="en",
        title="Baseline",
        review="Slovenia",
        sections=[OutlineSection("Only", "<p>One paragraph.</p>")],
    )


def median_seconds(render, outline, repeats: int) -> float:
    render(outline)  # warm-up: imports, fonts, templates
    times = []
    for _run in range(repeats):
        started = time.perf_counter()
        render(outline)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    import django

    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # its progress lines would drown the figures
    from submissions.export_docx import render_docx
    from submissions.export_pdf import render_pdf

    big, small = maximum_outline(), baseline_outline()
    over = False
    print(
        f"Maximum-length joint submission ({big.word_count:,} words, 150 footnotes, 20 recommendations, "
        f"a 250 x 4 annex table), median of {args.repeats} runs:"
    )
    for name, render in (("docx", render_docx), ("pdf", render_pdf)):
        seconds = median_seconds(render, big, args.repeats)
        baseline = median_seconds(render, small, args.repeats)
        verdict = "ok" if seconds < TARGETS[name] else "OVER TARGET"
        over |= seconds >= TARGETS[name]
        print(
            f"  render_{name:<5} {seconds:6.3f} s  (target < {TARGETS[name]:.0f} s: {verdict}); "
            f"one-paragraph baseline {baseline:6.3f} s, ratio {seconds / baseline:5.1f}x"
        )
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
