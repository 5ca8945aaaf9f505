"""Importing a review's recommendations from OHCHR's own Word files (the three real Slovenian files)."""

from pathlib import Path

import docx
import pytest
from django.core.management import CommandError, call_command

from recommendations.models import Recommendation, Response, ResponseRecord
from recommendations.ohchr import NotAThematicList
from recommendations.row_import import import_thematic_list
from upr.models import Review

from .helpers import CYCLE2, CYCLE3, CYCLE4

pytestmark = pytest.mark.django_db


def review(session: int) -> Review:
    return Review.objects.get(state__iso3="SVN", session__number=session)


@pytest.mark.parametrize(
    "path, session, total, supported, noted",
    [
        (CYCLE4, 48, 254, 217, 37),
        (CYCLE3, 34, 215, 182, 33),
        (CYCLE2, 20, 163, 142, 21),
    ],
)
def test_each_real_file_imports_every_recommendation_with_its_states(path, session, total, supported, noted):
    report = import_thematic_list(str(path), review=review(session), source_name=path.name)
    assert report.problems == []
    assert (report.created, report.summary()) == (
        total,
        f"{total} recommendations: {supported} supported, {noted} noted, 0 pending",
    )
    recommendations = Recommendation.objects.filter(review=review(session))
    assert recommendations.count() == total
    assert not recommendations.filter(recommending_states=None).exists()
    assert recommendations.filter(response=Response.NOTED).count() == noted


def test_cycle_4_paragraphs_positions_sources_themes_and_sdgs():
    import_thematic_list(str(CYCLE4), review=review(48))
    paragraphs = sorted(Recommendation.objects.filter(review=review(48)).values_list("paragraph_minor", flat=True))
    assert paragraphs == list(range(1, 255))
    r = Recommendation.objects.get(review=review(48), paragraph="140.7")
    assert {s.iso3 for s in r.recommending_states.all()} == {"MDV", "PRT"}
    assert r.response_source == "A/HRC/59/15/Add.1 - Para.3"
    assert r.thematic_cluster == "Ratification of & accession to international instruments"
    assert "Economic, social & cultural rights - general measures of implementation" in {t.name for t in r.themes.all()}
    assert {g.name for g in r.affected_groups.all()} == {"Public officials"}
    assert [s.number for s in r.sdgs.all()] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert not r.text.endswith("Source of Position: A/HRC/59/15/Add.1 - Para.3")


def test_ohchr_spellings_are_matched_to_the_state_records():
    import_thematic_list(str(CYCLE4), review=review(48))
    made_by = {s.iso3 for r in Recommendation.objects.filter(review=review(48)) for s in r.recommending_states.all()}
    assert {"VEN", "TUR", "GBR", "IRN"} <= made_by


def test_cycle_2_joins_clauses_with_their_own_states_and_drops_non_state_brackets():
    import_thematic_list(str(CYCLE2), review=review(20))
    r = Recommendation.objects.get(review=review(20), paragraph="115.6")
    assert {s.iso3 for s in r.recommending_states.all()} == {"IRN"}  # "(ICRMW)" is a treaty, not a State
    joined = Recommendation.objects.filter(review=review(20), text__contains="(Egypt)").get(text__contains="(Peru)")
    assert {s.name for s in joined.recommending_states.all()} >= {"Egypt", "Peru", "Azerbaijan"}


def test_reimporting_the_same_file_changes_nothing(capsys):
    call_command("import_recommendations", str(CYCLE4), "--review", "SVN-48")
    before = list(Recommendation.objects.order_by("pk").values_list("pk", "updated_at"))
    call_command("import_recommendations", str(CYCLE4), "--review", "svn-48")
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-2:] == [
        "0 created, 0 updated, 254 unchanged, 0 skipped",
        "254 recommendations: 217 supported, 37 noted, 0 pending",
    ]
    assert list(Recommendation.objects.order_by("pk").values_list("pk", "updated_at")) == before
    assert ResponseRecord.objects.count() == 254


def edited_copy(tmp_path, row: int, column: int, text: str) -> Path:
    document = docx.Document(str(CYCLE4))
    cell = document.tables[0].rows[row].cells[column]
    for paragraph in cell.paragraphs[1:]:
        paragraph._element.getparent().remove(paragraph._element)
    cell.paragraphs[0].text = text
    path = tmp_path / "corrected.docx"
    document.save(str(path))
    return path


def test_a_corrected_file_updates_in_place_and_records_the_change_of_response(tmp_path):
    import_thematic_list(str(CYCLE4), review=review(48))
    noted = Recommendation.objects.filter(review=review(48), response=Response.NOTED).first()
    row = next(
        i for i, r in enumerate(docx.Document(str(CYCLE4)).tables[0].rows) if r.cells[0].text.startswith(noted.paragraph + " ")
    )
    report = import_thematic_list(str(edited_copy(tmp_path, row, 1, "Supported")), review=review(48))
    assert (report.created, report.updated, report.response_changes) == (0, 1, 1)
    changed = Recommendation.objects.get(pk=noted.pk)
    assert changed.response == Response.SUPPORTED
    assert list(changed.response_history.values_list("response", flat=True)) == ["noted", "supported"]


def test_an_unknown_state_is_reported_by_row_and_the_rest_imports_or_nothing_does(tmp_path):
    path = edited_copy(tmp_path, 2, 0, "140.7 Ratify the Optional Protocol (Atlantis) (Portugal);")
    report = import_thematic_list(str(path), review=review(48), mode="all_or_nothing")
    assert not report.saved and str(report.problems[0]) == "row 3 (140.7): unknown recommending State: Atlantis"
    assert not Recommendation.objects.filter(review=review(48)).exists()
    report = import_thematic_list(str(path), review=review(48), mode="skip")
    assert report.created == 253 and not Recommendation.objects.filter(review=review(48), paragraph="140.7").exists()


def test_a_file_that_is_not_a_thematic_list_gets_a_clear_error(tmp_path):
    text = tmp_path / "notes.docx"
    text.write_text("not a word file")
    with pytest.raises(NotAThematicList, match="not a Word"):
        import_thematic_list(str(text), review=review(48))
    empty = tmp_path / "empty.docx"
    docx.Document().save(str(empty))
    with pytest.raises(NotAThematicList, match="no table"):
        import_thematic_list(str(empty), review=review(48))
    with pytest.raises(CommandError, match="not a Word"):
        call_command("import_recommendations", str(text), "--review", "SVN-48")
    with pytest.raises(CommandError, match="ISO code and the session"):
        call_command("import_recommendations", str(CYCLE4), "--review", "Slovenia")
    with pytest.raises(CommandError, match="No review XXX-48"):
        call_command("import_recommendations", str(CYCLE4), "--review", "XXX-48")
    assert not Recommendation.objects.exists()
