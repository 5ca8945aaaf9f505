"""The action category suggested from a recommendation's first verb (UPR Info / McMahon scale 1-5)."""

import pytest
from django.core.management import call_command

from recommendations.action_category import suggest
from recommendations.models import ActionCategoryStatus, Recommendation
from recommendations.row_import import import_thematic_list
from upr.models import Review

from .helpers import CYCLE4, UPR_INFO_SAMPLE


@pytest.mark.parametrize(
    "text, category",
    [
        ("Call on the international community to support Haiti", 1),
        ("Seek technical assistance from OHCHR", 1),
        ("Continue its efforts to combat trafficking (Spain);", 2),
        ("Continues to protect the rights of the child", 2),
        ("Consider ratifying the Convention (Chile);", 3),
        ("That the Government consider acceding to ICRMW", 3),
        ("Ensure that all asylum seekers have access to fair procedures", 4),
        ("Take all necessary measures to end violence against women", 4),
        ("Ratify the Optional Protocol to the ICESCR (Maldives) (Portugal);", 5),
        ("Adopt a national action plan on business and human rights", 5),
        ("Repeal the law criminalizing defamation", 5),  # not McMahon's example: learnt from UPR Info's coding
        ("", 4),
    ],
)
def test_the_first_verb_gives_the_category(text, category):
    assert suggest(text) == category


def test_the_seed_list_alone_uses_only_mcmahons_verbs():
    assert suggest("Repeal the law criminalizing defamation", learned=False) == 4  # the default


@pytest.mark.django_db
def test_imported_ohchr_rows_carry_a_suggestion_that_a_confirmed_choice_survives():
    review = Review.objects.get(state__iso3="SVN", session__number=48)
    import_thematic_list(str(CYCLE4), review=review)
    rows = Recommendation.objects.filter(review=review)
    assert not rows.filter(action_category=None).exists()
    assert set(rows.values_list("action_category_status", flat=True)) == {ActionCategoryStatus.SUGGESTED}
    ratify = rows.get(paragraph="140.7")
    assert ratify.action_category == 5
    Recommendation.objects.filter(pk=ratify.pk).update(action_category=4, action_category_status=ActionCategoryStatus.CONFIRMED)
    import_thematic_list(str(CYCLE4), review=review)
    ratify.refresh_from_db()
    assert (ratify.action_category, ratify.action_category_status) == (4, ActionCategoryStatus.CONFIRMED)


def test_agreement_is_measured_against_upr_infos_coding(capsys):
    call_command("measure_action_categories", str(UPR_INFO_SAMPLE))
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("all coded rows: McMahon's verbs only: ") and lines[0].endswith("%)")
    assert len(lines) == 4
