"""The UPR calendar: every State, the sessions, the reviews; loaded idempotently."""

import datetime as dt
from collections import Counter

import pytest
from django.core.management import call_command

from upr.models import RegionalGroup, Review, Session, State
from upr.reference import load_reference
from upr.rules import GENEVA

from .factories import corrected_reference_data

pytestmark = pytest.mark.django_db


def snapshot() -> tuple:
    return (
        list(State.objects.order_by("iso3").values_list("iso3", "name", "regional_group", "is_member_state", "aliases")),
        list(Session.objects.order_by("number").values_list("number", "cycle", "start_date", "end_date", "stakeholder_deadline")),
        list(
            Review.objects.order_by("session__number", "state__iso3").values_list(
                "pk", "state__iso3", "session__number", "review_date", "position", "report_symbol"
            )
        ),
    )


def test_every_un_member_state_and_the_two_observer_states_are_loaded():
    assert State.objects.filter(is_member_state=True).count() == 193
    observers = set(State.objects.filter(is_member_state=False).values_list("name", flat=True))
    assert observers == {"Holy See", "State of Palestine"}
    assert State.objects.get(iso3="VEN").name == "Venezuela (Bolivarian Republic of)"
    assert State.objects.get(iso3="TUR").name == "Türkiye"
    groups = Counter(State.objects.filter(is_member_state=True).values_list("regional_group", flat=True))
    assert set(groups) == set(RegionalGroup.values)
    assert groups[RegionalGroup.AFRICAN] == 54 and groups[RegionalGroup.EASTERN_EUROPEAN] == 23
    assert groups[RegionalGroup.GRULAC] == 33


def test_sessions_of_all_four_cycles_exist_with_known_dates_and_deadlines():
    assert Session.objects.count() == 54
    assert list(Session.objects.filter(number__in=[12, 13, 27, 41]).values_list("cycle", flat=True)) == [1, 2, 3, 4]
    s48 = Session.objects.get(number=48)
    assert (s48.start_date, s48.end_date) == (dt.date(2025, 1, 20), dt.date(2025, 1, 31))
    deadline = Session.objects.get(number=42).stakeholder_deadline.astimezone(GENEVA)
    assert (deadline.date(), deadline.hour, deadline.minute) == (dt.date(2022, 7, 14), 15, 0)
    # "11 Octo[ber] (excerpt truncated...)" is not a date: left empty rather than guessed.
    assert Session.objects.get(number=46).stakeholder_deadline is None


def test_slovenia_reviews_in_every_cycle_with_report_and_troika():
    sessions = list(
        Review.objects.filter(state__iso3="SVN").values_list("session__number", flat=True).order_by("session__number")
    )
    assert sessions == [7, 20, 34, 48]
    review = Review.objects.get(state__iso3="SVN", session__number=48)
    assert review.review_date == dt.date(2025, 1, 28)
    assert review.report_symbol == "A/HRC/59/15"
    assert review.position == 12
    assert {s.iso3 for s in review.troika.all()} == {"DOM", "ZAF", "THA"}


def test_loading_twice_changes_nothing(capsys):
    before = snapshot()
    call_command("load_upr_reference")
    assert snapshot() == before
    assert "0 created, 0 updated" in capsys.readouterr().out


def test_a_corrected_file_updates_rows_in_place(tmp_path):
    data = corrected_reference_data(
        tmp_path, "upr_cycle4_state_reviews.csv", {"state_under_review": "Italy"}, {"review_date": "2025-01-21"}
    )
    italy = Review.objects.get(state__iso3="ITA", session__number=48)
    report = load_reference(data)
    assert report.updated["reviews"] == 1 and report.created["reviews"] == 0
    italy_after = Review.objects.get(state__iso3="ITA", session__number=48)
    assert italy_after.pk == italy.pk and italy_after.review_date == dt.date(2025, 1, 21)


def test_every_state_named_in_the_shipped_files_is_matched():
    report = load_reference()
    assert report.unmatched == []
