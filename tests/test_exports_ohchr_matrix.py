"""OHCHR's matrix as .docx: A4 landscape (297 × 210 mm), and each recommending State written once,
read back with python-docx."""

from __future__ import annotations

import io

import docx
import pytest

from upr.models import State

from .factories import RecommendationFactory

pytestmark = pytest.mark.django_db


def exported(personas) -> docx.document.Document:
    admin = personas.client_for(personas.admin)
    base = f"/c/alpha/engagements/{personas.engagement.pk}/matrix/"
    assert admin.post(base + "build/", {"scheme": "ohchr"}).status_code == 302
    response = personas.client_for(personas.observer).get(base + "export.docx")
    assert response.status_code == 200
    return docx.Document(io.BytesIO(response.content))


def test_the_ohchr_matrix_is_a4_landscape(personas):
    RecommendationFactory(review=personas.engagement.review)
    section = exported(personas).sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (297, 210)
    assert section.orientation == docx.enum.section.WD_ORIENT.LANDSCAPE
    usable = section.page_width - section.left_margin - section.right_margin
    table_width = sum(cell.width for cell in exported_table_first_row(section))
    assert table_width <= usable


def exported_table_first_row(section):
    return section.part.document.tables[0].rows[0].cells


def test_each_recommending_state_is_written_once(personas):
    spain, chile = State.objects.get(iso3="ESP"), State.objects.get(iso3="CHL")
    RecommendationFactory(
        review=personas.engagement.review,
        paragraph="150.1",
        paragraph_minor=1,
        text="Ratify the Optional Protocol to the Convention against Torture (Spain);",
        states=[spain],
    )
    RecommendationFactory(
        review=personas.engagement.review,
        paragraph="150.2",
        paragraph_minor=2,
        text="Adopt a national action plan on Roma inclusion",
        states=[spain, chile],
    )
    cells = [row.cells[0].text for row in exported(personas).tables[0].rows]
    torture = next(text for text in cells if "Torture" in text)
    assert torture == "150.1 Ratify the Optional Protocol to the Convention against Torture (Spain);"
    roma = next(text for text in cells if "Roma" in text)
    assert roma.count("Spain") == 1 and roma.count("Chile") == 1
    assert roma == "150.2 Adopt a national action plan on Roma inclusion (Chile, Spain)"  # States by name
