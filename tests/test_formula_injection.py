"""CSV/XLSX formula injection: a text that a spreadsheet would run (=HYPERLINK(...), +, -, @, a tab, a
carriage return, the fullwidth ＝＋－＠) is stored in every exported text field, and every export is
read back: in CSV (the csv module) each such cell starts with an apostrophe, in XLSX (openpyxl) each is
a string cell with the exact text, never a formula. One writer does it: upr.cells."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from coalitions.models import WorkingGroup
from implementation.models import Cluster, Indicator, Matrix, MatrixRow, SupportAction
from recommendations.models import AffectedGroup, CoalitionRecommendation, Issue, Theme
from upr.cells import FORMULA_STARTS, csv_lines, neutralised, xlsx_book
from upr.models import State

from .factories import RecommendationFactory

pytestmark = pytest.mark.django_db
PAYLOAD = '=HYPERLINK("http://x","y")'
FULLWIDTH = '＝HYPERLINK("http://x","y")'  # Excel and LibreOffice fold it to "="


def csv_cells(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_cells(content: bytes) -> list:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    return [cell for row in sheet.iter_rows() for cell in row]


def assert_csv_neutralised(content: bytes, expected: int) -> None:
    found = [cell for row in csv_cells(content) for cell in row if "HYPERLINK" in cell]
    assert len(found) >= expected
    assert all(cell.startswith("'") and not cell.startswith(FORMULA_STARTS) for cell in found), found


def assert_xlsx_text(content: bytes, expected: int) -> None:
    found = [cell for cell in xlsx_cells(content) if isinstance(cell.value, str) and "HYPERLINK" in cell.value]
    assert len(found) >= expected
    assert all(cell.data_type == "s" for cell in found), [(c.coordinate, c.data_type) for c in found]
    assert any(cell.value == PAYLOAD for cell in found)  # the exact text, kept


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠"])
def test_every_formula_start_is_neutralised_in_csv_and_text_in_xlsx(start):
    value = f"{start}1+cmd|' /C calc'!A0"
    assert neutralised(value) == "'" + value
    assert neutralised("Ratify the Convention") == "Ratify the Convention" and neutralised(12) == 12
    read = csv_cells("".join(csv_lines(["Text"], [[value], ["plain"], [3]])).encode())
    assert read[1] == ["'" + value] and read[2] == ["plain"] and read[3] == ["3"]
    cells = xlsx_cells(xlsx_book(["Text"], [[value], [3]], title="T"))
    assert cells[1].data_type == "s" and cells[1].value in (value, value.replace("\r", "\n"))  # XML reads CR as LF
    assert cells[2].value == 3


def test_the_recommendations_export_neutralises_every_text_column(personas):
    recommendation = RecommendationFactory(
        review=personas.engagement.review, text=FULLWIDTH, response_source=PAYLOAD, thematic_cluster=PAYLOAD
    )
    recommendation.themes.add(Theme.objects.create(name=PAYLOAD))
    recommendation.affected_groups.add(AffectedGroup.objects.create(name=PAYLOAD))
    recommendation.issues.add(Issue.objects.create(name=PAYLOAD))
    WorkingGroup.objects.filter(pk=personas.group.pk).update(name=PAYLOAD)
    CoalitionRecommendation.objects.create(
        coalition=personas.coalition, recommendation=recommendation, notes=PAYLOAD, working_group=personas.group
    )
    member = personas.client_for(personas.member)
    exported = member.get("/c/alpha/recommendations/export.csv")
    assert exported.status_code == 200
    assert_csv_neutralised(b"".join(exported.streaming_content), expected=8)
    workbook = member.get("/c/alpha/recommendations/export.xlsx")
    assert workbook.status_code == 200
    assert_xlsx_text(workbook.content, expected=8)


def test_the_matrix_exports_neutralise_every_text_column(personas):
    RecommendationFactory(review=personas.engagement.review, text=FULLWIDTH, thematic_cluster="Right to health")
    admin = personas.client_for(personas.admin)
    assert admin.post(f"/c/alpha/engagements/{personas.engagement.pk}/matrix/build/", {"scheme": "ohchr"}).status_code == 302
    row = MatrixRow.objects.get(matrix=Matrix.objects.get(engagement=personas.engagement))
    MatrixRow.objects.filter(pk=row.pk).update(
        lead_body=PAYLOAD, supporting_bodies=PAYLOAD, actions_expected=PAYLOAD, national_plan=PAYLOAD, related_mechanisms=PAYLOAD
    )
    Cluster.objects.filter(pk=row.cluster_id).update(name=PAYLOAD, working_group=personas.group)
    WorkingGroup.objects.filter(pk=personas.group.pk).update(name=PAYLOAD)
    Indicator.objects.create(coalition=personas.coalition, row=row, measure=PAYLOAD)
    SupportAction.objects.create(coalition=personas.coalition, row=row, what=PAYLOAD)
    assessed = admin.post(
        f"/c/alpha/engagements/{personas.engagement.pk}/matrix/rows/{row.pk}/assess/",
        {
            "assessed_on": "2027-06-30",
            "law": "full",
            "policy": "partial",
            "practice": "not",
            "narrative": PAYLOAD,
            "shared": "on",
        },
    )
    assert assessed.status_code == 302
    base = f"/c/alpha/engagements/{personas.engagement.pk}/matrix/export."
    exported = personas.client_for(personas.member).get(base + "csv")
    assert exported.status_code == 200
    assert_csv_neutralised(exported.content, expected=11)
    workbook = personas.client_for(personas.member).get(base + "xlsx")
    assert workbook.status_code == 200
    assert_xlsx_text(workbook.content, expected=11)


def test_the_lobbying_targets_csv_neutralises_state_names(personas):
    state = State.objects.create(iso3="ZZZ", name=PAYLOAD, regional_group="WEOG")
    theme = Theme.objects.create(name="Rights of the child")
    recommendation = RecommendationFactory(review=personas.engagement.review, states=[state])
    recommendation.themes.add(theme)
    exported = personas.client_for(personas.member).get(f"/c/alpha/recommendations/lobbying/export.csv?theme={theme.pk}")
    assert exported.status_code == 200
    assert_csv_neutralised(b"".join(exported.streaming_content), expected=1)
