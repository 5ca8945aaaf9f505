"""Importing UPR Info's database export (CSV): matched to our reviews and States, idempotent, fast."""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from recommendations.models import Recommendation, Response, ResponseRecord, Source
from recommendations.upr_info import NotAnUprInfoExport, import_upr_info
from upr.models import Review

from .helpers import UPR_INFO_SAMPLE

pytestmark = pytest.mark.django_db


def rows() -> list[dict]:
    return list(csv.DictReader(UPR_INFO_SAMPLE.open(encoding="utf-8")))


def as_file(data: list[dict]) -> io.StringIO:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=data[0].keys())
    writer.writeheader()
    writer.writerows(data)
    out.seek(0)
    return out


def test_each_row_goes_to_its_review_with_state_response_action_and_issues():
    report = import_upr_info(str(UPR_INFO_SAMPLE), source_name=UPR_INFO_SAMPLE.name)
    assert report.created == 286 and report.summary() == "286 recommendations: 250 supported, 36 noted, 0 pending"
    assert [str(p) for p in report.problems] == ["line 288: unknown recommending State: '&#40;Unknown&#41;'"]
    cycle2 = Review.objects.get(state__iso3="SVN", session__number=20)
    assert Recommendation.objects.filter(review=cycle2, source=Source.UPR_INFO).count() == 180
    r = Recommendation.objects.filter(review=cycle2, text__startswith="Ratify the Optional Protocol").first()
    assert r.recommending_states.count() == 1 and r.action_category in {1, 2, 3, 4, 5}
    assert r.action_category_status == "imported" and r.issues.exists()
    assert not Recommendation.objects.filter(source=Source.UPR_INFO, recommending_states=None).exists()


def test_reimporting_changes_nothing_and_a_corrected_row_updates_in_place_with_history():
    import_upr_info(str(UPR_INFO_SAMPLE))
    ids = set(Recommendation.objects.values_list("pk", flat=True))
    report = import_upr_info(str(UPR_INFO_SAMPLE))
    assert (report.created, report.updated, report.unchanged) == (0, 0, 286)
    data = rows()
    target = next(r for r in data if r["Response"] == "Noted")
    target["Response"] = "Accepted"
    target["Issue"] = "Women's rights"
    report = import_upr_info(as_file(data))
    assert (report.created, report.updated, report.response_changes) == (0, 1, 1)
    assert set(Recommendation.objects.values_list("pk", flat=True)) == ids
    from django.db.models import Count

    changed = Recommendation.objects.annotate(n=Count("response_history")).get(n=2)
    assert changed.text == " ".join(target["Text"].split()) and changed.response == Response.SUPPORTED
    assert list(changed.response_history.values_list("response", flat=True)) == ["noted", "supported"]
    assert [i.name for i in changed.issues.all()] == ["Women's rights"]


def test_only_the_given_review_and_all_or_nothing():
    report = import_upr_info(str(UPR_INFO_SAMPLE), review=Review.objects.get(state__iso3="SVN", session__number=7))
    assert report.created == 106
    assert report.saved and Recommendation.objects.count() == 106
    Recommendation.objects.all().delete()
    report = import_upr_info(str(UPR_INFO_SAMPLE), mode="all_or_nothing")
    assert not report.saved and not Recommendation.objects.exists() and ResponseRecord.objects.count() == 0


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"Session": "x"}, "session 'x' is not a number"),
        ({"To": "Atlantis"}, "unknown State under Review: 'Atlantis'"),
        ({"Session": "3"}, "no review of Slovenia in session 3 in the UPR calendar"),
        ({"Response": "Maybe"}, "unknown response 'Maybe' (expected Accepted, Noted or Pending)"),
        ({"Action": "9"}, "action category '9' is not 1 to 5"),
        ({"Text": "  "}, "the recommendation has no text"),
    ],
)
def test_bad_rows_are_reported_by_line_and_the_rest_imports(change, reason):
    data = rows()[:5]
    data[2].update(change)
    report = import_upr_info(as_file(data))
    assert [str(p) for p in report.problems] == [f"line 4: {reason}"]
    assert report.created == 4


def test_a_file_that_is_not_an_upr_info_export_gets_a_clear_error(tmp_path):
    with pytest.raises(NotAnUprInfoExport, match="Missing columns for UPR Info's format: Session, To"):
        import_upr_info(io.StringIO("name,email\na,b\n"))
    binary = tmp_path / "upload.csv"
    binary.write_bytes(b"\xff\xfe\x00garbage\x00\xff")
    with pytest.raises(CommandError, match="upload.csv"):
        call_command("import_recommendations", str(binary))
    with pytest.raises(CommandError, match="give --review"):
        call_command(
            "import_recommendations",
            str(
                Path(__file__).resolve().parent.parent
                / "recommendations"
                / "reference_data"
                / "upr48-slovenia-thematic-list-of-recommendatio.docx"
            ),
        )
    assert not Recommendation.objects.exists()


def test_the_command_places_each_row_in_its_review_and_prints_the_summary(capsys):
    call_command("import_recommendations", str(UPR_INFO_SAMPLE))
    out = capsys.readouterr()
    assert out.out.strip().splitlines()[-1] == "286 recommendations: 250 supported, 36 noted, 0 pending"
    assert "line 288: unknown recommending State" in out.err
