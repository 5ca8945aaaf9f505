"""Statistics of a review (and of its State across cycles) and lobbying targets, on real imported
files: OHCHR's thematic lists of Slovenia's reviews and UPR Info's sample export."""

import csv
import io

import pytest
from django.db import connection, reset_queries
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coalitions.models import Engagement
from recommendations import services
from recommendations.charts import NUMBER_ROOM, WIDTH, bar_chart, shorten, stacked_chart
from recommendations.lobbying import Subject, lobbying_targets
from recommendations.models import SDG, Issue, Recommendation, Response, Source, Theme
from recommendations.row_import import import_thematic_list
from recommendations.selectors import text_search
from recommendations.statistics import TOP_STATES, cycle_statistics, review_statistics
from recommendations.upr_info import import_upr_info
from upr.models import RegionalGroup, Review, Session, State

from .helpers import THEMATIC_LISTS, UPR_INFO_SAMPLE

LGBTI = "Lesbian, gay, bisexual and transgender and intersex persons (LGBTI)"

pytestmark = pytest.mark.django_db


def review(session: int) -> Review:
    return Review.objects.select_related("state", "session").get(state__iso3="SVN", session__number=session)


def url(name: str) -> str:
    return reverse(f"recommendations:{name}", args=["alpha"])


def import_lists(*sessions: int) -> None:
    for session in sessions:
        import_thematic_list(str(THEMATIC_LISTS[session]), review=review(session), source_name=THEMATIC_LISTS[session].name)
    services.refresh_search_vectors(review_ids=[review(s).pk for s in sessions])


def import_sample() -> None:
    """UPR Info's sample: sessions 7 (cycle 1) and 20 (cycle 2, which OHCHR's list also covers)."""
    report = import_upr_info(str(UPR_INFO_SAMPLE))
    services.refresh_search_vectors(review_ids=sorted(report.review_ids))


@pytest.fixture
def cycle4(personas) -> Review:
    import_lists(48)
    return review(48)


@pytest.fixture
def history(cycle4) -> Review:
    import_lists(20, 34)
    import_sample()
    return cycle4


def page(client, name: str, **params):
    return client.get(url(name), params)


# --- statistics of a review ------------------------------------------------------------------------


def test_statistics_open_on_the_engagement_review_with_its_real_figures(personas, cycle4):
    response = page(personas.client_for(personas.member), "statistics")
    assert response.status_code == 200
    stats = response.context["stats"]
    assert stats.review == cycle4 and stats.total == 254
    assert stats.responses == [("Supported", 217), ("Noted", 37)]
    html = response.content.decode()
    assert "Slovenia" in html and "254 recommendations" in html
    # Each bar names itself and its number in text, so the chart reads without colour ...
    assert ">Supported</text>" in html and ">217</text>" in html and ">Noted</text>" in html and ">37</text>" in html
    # ... has a summary for assistive technology ...
    assert 'role="img" aria-label="Recommendations by response. Supported: 217, Noted: 37."' in html
    # ... and the same figures in a table.
    assert '<th scope="row">Supported</th><td class="number">217</td>' in html


def test_review_figures_agree_with_direct_counts(cycle4):
    stats = review_statistics(cycle4)
    received = Recommendation.objects.filter(review=cycle4)
    by_action = dict(received.values_list("action_category").annotate(n=Count("id")))
    assert [n for _label, n in stats.actions] == [by_action[c] for c in (1, 2, 3, 4, 5, None) if c in by_action]
    assert sum(n for _label, n in stats.actions) == 254
    assert stats.actions[0][0].startswith("2 - Continuing action")  # the scale's order, not the largest first
    for name, count in stats.themes:
        assert received.filter(themes__name=name).count() == count, name
    assert [n for _name, n in stats.themes] == sorted((n for _name, n in stats.themes), reverse=True)
    assert len(stats.themes) == Theme.objects.filter(recommendations__review=cycle4).distinct().count()
    for label, count in stats.sdgs:
        assert received.filter(sdgs__number=int(label.split(" - ")[0])).count() == count, label
    states = (
        State.objects.filter(recommendations_made__review=cycle4).annotate(n=Count("recommendations_made")).order_by("-n", "name")
    )
    assert stats.recommending_states == states.count() > TOP_STATES
    assert stats.states == [(s.name, s.n) for s in states[:TOP_STATES]]
    assert stats.other_states == states.count() - TOP_STATES
    assert stats.other_states_count == sum(s.n for s in states[TOP_STATES:])
    for label, count in stats.groups:
        group = next((g for g in RegionalGroup if g.label == label), None)
        expected = received.filter(recommending_states__regional_group=group.value if group else "").distinct().count()
        assert expected == count, label
    assert stats.suggested_actions == received.filter(action_category_status="suggested", action_category__isnull=False).count()
    assert stats.issues == []  # OHCHR's lists have themes, not UPR Info's issues


def test_the_states_chart_draws_the_top_25_and_summarises_the_rest(personas, cycle4):
    response = page(personas.client_for(personas.member), "statistics")
    stats, chart = response.context["stats"], response.context["charts"]["states"]
    assert len(chart.rows) == TOP_STATES
    assert chart.table_rows[-1] == (f"Other States ({stats.other_states})", stats.other_states_count)
    html = response.content.decode()
    top_name, top_count = stats.states[0]
    assert f">{top_name}</text>" in html and f">{top_count}</text>" in html
    assert f"the other {stats.other_states} States made {stats.other_states_count} between them" in html


def test_a_review_chosen_by_state_and_session_or_by_id(personas, history):
    client = personas.client_for(personas.observer)
    by_choice = page(client, "statistics", state="SVN", session=34)
    assert by_choice.status_code == 200 and by_choice.context["review"] == review(34)
    assert by_choice.context["stats"].responses == [("Supported", 182), ("Noted", 33)]
    assert page(client, "statistics", state="SVN").context["review"] == review(48)  # its latest review with data
    by_id = page(client, "statistics", review=review(20).pk)
    assert by_id.status_code == 200 and by_id.context["review"] == review(20)
    # The form is set to the review shown, so that changing only the session works.
    assert by_id.context["form"]["state"].value() == "SVN" and str(by_id.context["form"]["session"].value()) == "20"


def test_a_review_imported_from_both_sources_is_counted_once(history):
    both = review(20)
    assert set(Recommendation.objects.filter(review=both).values_list("source", flat=True)) == {Source.OHCHR, Source.UPR_INFO}
    ohchr = Recommendation.objects.filter(review=both, source=Source.OHCHR)
    stats = review_statistics(both)
    assert stats.total == ohchr.count() == 163
    assert stats.responses == [("Supported", 142), ("Noted", 21)]
    # Issues come only from UPR Info's rows: they are still counted.
    for name, count in stats.issues:
        assert Recommendation.objects.filter(review=both, source=Source.UPR_INFO, issues__name=name).count() == count


def test_across_cycles_every_review_of_the_state_in_our_data(personas, history):
    cycles = cycle_statistics(history.state)
    assert [(c.session, c.cycle) for c in cycles] == [(7, 1), (20, 2), (34, 3), (48, 4)]
    for c in cycles:
        rows = Recommendation.objects.filter(review_id=c.review_id)
        if c.session == 20:
            rows = rows.filter(source=Source.OHCHR)
        assert c.total == rows.count()
        assert c.responses == dict(rows.values_list("response").annotate(n=Count("id")))
        assert c.actions == dict(rows.values_list("action_category").annotate(n=Count("id")))
    assert cycles[-1].responses == {"supported": 217, "noted": 37}

    html = page(personas.client_for(personas.member), "statistics").content.decode()
    assert "Slovenia across cycles" in html
    # Each stacked bar says its parts in words; the parts also differ by pattern, not by colour alone.
    assert ">Session 48 (cycle 4): 254 (Supported 217, Noted 37)</text>" in html
    assert ">Session 7 (cycle 1): 106</text>" in html  # too long for one line: its parts go on a second
    assert ">(Category 1 1, Category 2 19, Category 3 4, Category 4 59, Category 5 23)</text>" in html
    assert ">Session 20 (cycle 2): 163 (Supported 142, Noted 21)</text>" in html
    assert 'fill="url(#chart-cycle-responses-p1)"' in html and '<pattern id="chart-cycle-responses-p1"' in html
    assert '<th scope="row">Session 7 (cycle 1)</th>' in html


def test_a_review_without_recommendations_says_so_and_still_shows_earlier_cycles(personas, history):
    later = Review.objects.filter(state=history.state, session__number__gt=48).first() or Review.objects.create(
        state=history.state, session=Session.objects.create(number=62, cycle=5)
    )
    response = page(personas.client_for(personas.member), "statistics", review=later.pk)
    assert response.status_code == 200
    assert "None of this review's recommendations is in our data yet" in response.content.decode()
    assert len(response.context["cycles"]) == 4


def test_without_an_engagement_the_page_offers_a_choice_of_reviews(personas):
    Engagement.objects.filter(coalition=personas.coalition).delete()
    response = page(personas.client_for(personas.member), "statistics")
    assert response.status_code == 200 and response.context["review"] is None
    html = response.content.decode()
    assert "Choose a review" in html and '<label for="id_state">State under Review' in html
    assert '<option value="SVN">Slovenia</option>' in html


def test_names_from_imported_files_are_escaped_in_charts_and_tables(personas, cycle4):
    theme = Theme.objects.create(name='<script>alert("x")</script> & co')
    for recommendation in Recommendation.objects.filter(review=cycle4)[:50]:
        recommendation.themes.add(theme)
    html = page(personas.client_for(personas.member), "statistics").content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co</text>" in html


@pytest.mark.parametrize(
    "params, message",
    [
        ({"review": "abc"}, "There is no such review"),
        ({"review": "-1"}, "There is no such review"),
        ({"review": "99999999"}, "There is no such review"),
        ({"review": "9" * 30}, "There is no such review"),
        ({"review": "\u0661\u0662"}, "There is no such review"),  # Arabic-Indic digits: not an id
        ({"state": "XXX"}, "Select a valid choice"),
        ({"state": "SVN", "session": "abc"}, "Select a valid choice"),
        ({"state": "SVN", "session": "9999"}, "Select a valid choice"),
        ({"state": "SVN", "session": "49"}, "Slovenia was not reviewed in session 49"),
        ({"session": "48"}, "Choose the State under Review as well"),
    ],
)
def test_bad_review_choices_are_explained_on_the_form(personas, cycle4, params, message):
    response = page(personas.client_for(personas.member), "statistics", **params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "stats" not in response.context


# --- charts ----------------------------------------------------------------------------------------


def test_bars_are_proportional_and_the_longest_leaves_room_for_its_number():
    chart = bar_chart([("A", 200), ("B", 50), ("C", 0)], chart_id="c", title="T", label_header="L", value_header="V")
    widths = [row.bar_width for row in chart.rows]
    assert widths == [WIDTH - NUMBER_ROOM, (WIDTH - NUMBER_ROOM) / 4, 0]
    assert all(row.value_x > row.bar_width for row in chart.rows)
    assert chart.summary == "T. A: 200, B: 50, C: 0."
    assert len({row.bar_y for row in chart.rows}) == 3 and chart.height >= chart.rows[-1].bar_y + 14


def test_a_limited_chart_draws_the_first_items_and_tables_them_all():
    items = [(f"Theme {i}", 100 - i) for i in range(40)]
    chart = bar_chart(items, chart_id="c", title="T", label_header="L", value_header="V", limit=30, remainder=("Rest", 9))
    assert len(chart.rows) == 30 and chart.table_rows == [*items, ("Rest", 9)]
    assert "and 33 more in the table" in chart.summary


def test_long_labels_are_shortened_on_the_chart_only():
    name = "Budget & resources (for human rights implementation) " * 3
    chart = bar_chart([(name, 3)], chart_id="c", title="T", label_header="L", value_header="V")
    assert chart.rows[0].short_label.endswith("…") and len(chart.rows[0].short_label) == 90
    assert chart.rows[0].label == name and chart.table_rows == [(name, 3)]
    assert shorten("short") == "short"


def test_stacked_parts_have_distinct_patterns_and_skip_zero_parts():
    chart = stacked_chart(
        [("S20", [142, 21, 0]), ("S48", [217, 37, 4])],
        series=["Supported", "Noted", "Pending"],
        chart_id="x",
        title="T",
        label_header="Review",
    )
    assert len({entry.pattern for entry in chart.legend}) == 3
    assert [s.series for s in chart.rows[0].segments] == ["Supported", "Noted"]
    first, second = chart.rows[1].segments[:2]
    assert second.x == pytest.approx(first.x + first.width, abs=0.1)
    assert chart.rows[1].caption == "S48: 258 (Supported 217, Noted 37, Pending 4)"
    assert chart.summary == "T. S20: 163 (Supported 142, Noted 21); S48: 258 (Supported 217, Noted 37, Pending 4)."
    assert [len(row.lines) for row in chart.rows] == [1, 1] and chart.rows[1].lines[0].text == chart.rows[1].caption


def test_a_long_stacked_caption_goes_on_two_lines_instead_of_being_cut():
    series = [f"Category {n}" for n in range(1, 6)] + ["No category"]
    chart = stacked_chart(
        [("Session 7 (cycle 1)", [1, 19, 4, 59, 23, 12]), ("Session 9 (cycle 1)", [0, 0, 0, 0, 0, 3])],
        series=series,
        chart_id="x",
        title="T",
        label_header="Review",
    )
    long, short = chart.rows
    assert [line.text for line in long.lines] == [
        "Session 7 (cycle 1): 118",
        "(Category 1 1, Category 2 19, Category 3 4, Category 4 59, Category 5 23, No category 12)",
    ]
    assert long.bar_y > long.lines[1].y and short.lines[0].y > long.bar_y + 14
    assert chart.height >= short.bar_y + 14


# --- lobbying targets ------------------------------------------------------------------------------


def expected_targets(recommendations) -> dict[str, dict]:
    """Each recommending State's record, counted one recommendation at a time (no aggregation)."""
    expected: dict[str, dict] = {}
    for r in recommendations.select_related("review__session").prefetch_related("recommending_states"):
        for state in r.recommending_states.all():
            e = expected.setdefault(
                state.iso3,
                {
                    "n": 0,
                    "reviews": set(),
                    "under_review": set(),
                    "latest": 0,
                    "supported": 0,
                    "noted": 0,
                    "actions": [0] * 5,
                    "none": 0,
                },
            )
            e["n"] += 1
            e["reviews"].add(r.review_id)
            e["under_review"].add(r.review.state_id)
            e["latest"] = max(e["latest"], r.review.session.number)
            e["supported"] += r.response == Response.SUPPORTED
            e["noted"] += r.response == Response.NOTED
            if r.action_category:
                e["actions"][r.action_category - 1] += 1
            else:
                e["none"] += 1
    return expected


def assert_targets_match(targets, recommendations) -> None:
    expected = expected_targets(recommendations)
    assert {t.iso3 for t in targets} == set(expected)
    for t in targets:
        e = expected[t.iso3]
        assert (t.recommendations, t.reviews, t.states_under_review, t.latest_session) == (
            e["n"],
            len(e["reviews"]),
            len(e["under_review"]),
            e["latest"],
        ), t.state
        assert (t.supported, t.noted, list(t.actions), t.uncategorised) == (e["supported"], e["noted"], e["actions"], e["none"])
    assert [t.recommendations for t in targets] == sorted((t.recommendations for t in targets), reverse=True)


def test_lobbying_on_a_theme_finds_the_states_that_recommended_on_it_across_cycles(personas, history):
    theme = Theme.objects.get(name=LGBTI)
    response = page(personas.client_for(personas.member), "lobbying", theme=theme.pk)
    assert response.status_code == 200
    targets = response.context["targets"]
    on_theme = Recommendation.objects.filter(themes=theme)
    assert response.context["matched"] == on_theme.count() > 0
    assert_targets_match(targets, on_theme)
    html = response.content.decode()
    assert f"{on_theme.count()} recommendations on this subject, made by {len(targets)} States" in html
    assert (
        f'<th scope="row"><a href="/c/alpha/recommendations/?state={targets[0].iso3}&amp;theme={theme.pk}">{targets[0].state}</a></th>'
        in html
    )


def test_lobbying_on_a_upr_info_issue_counts_its_rows_with_their_action_categories(personas, history):
    issue = Issue.objects.get(name="Sexual Orientation and Gender Identity")
    targets = page(personas.client_for(personas.member), "lobbying", issue=issue.pk).context["targets"]
    tagged = Recommendation.objects.filter(issues=issue)
    assert tagged.filter(review=review(20)).exists()  # a review OHCHR's list covers too: the issue's rows still count
    assert_targets_match(targets, tagged)
    assert sum(sum(t.actions) for t in targets) > 0 and all(t.uncategorised == 0 for t in targets)


def test_lobbying_on_words_counts_a_review_imported_twice_once(history):
    targets = lobbying_targets(Subject(q="Roma"))
    matching = text_search(Recommendation.objects.all(), "Roma")
    assert matching.filter(review=review(20), source=Source.UPR_INFO).exists()
    assert_targets_match(targets, matching.exclude(review=review(20), source=Source.UPR_INFO))
    assert {t.latest_session for t in targets} <= {7, 20, 34, 48}


def test_lobbying_within_one_regional_group(personas, history):
    theme = Theme.objects.get(name=LGBTI)
    targets = page(personas.client_for(personas.member), "lobbying", theme=theme.pk, group="WEOG").context["targets"]
    everyone = lobbying_targets(Subject(theme=theme))
    assert targets and {t.group for t in targets} == {str(RegionalGroup.WEOG.label)}
    assert targets == [t for t in everyone if t.group == str(RegionalGroup.WEOG.label)]


def test_the_lobbying_export_parses_back_to_the_same_list(personas, history):
    theme = Theme.objects.get(name=LGBTI)
    client = personas.client_for(personas.editor)
    targets = page(client, "lobbying", theme=theme.pk).context["targets"]
    response = page(client, "lobbying_export", theme=theme.pk)
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="lobbying-targets-')
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:])))
    assert rows[0][:4] == ["Recommending State", "ISO code", "Regional group", "Recommendations"]
    assert len(rows) == len(targets) + 1
    for row, t in zip(rows[1:], targets, strict=True):
        assert row == [
            t.state,
            t.iso3,
            t.group,
            str(t.recommendations),
            str(t.reviews),
            str(t.states_under_review),
            *map(str, t.actions),
            str(t.uncategorised),
            str(t.supported),
            str(t.noted),
            str(t.other),
            "" if t.supported_percent is None else str(t.supported_percent),
            str(t.latest_session),
        ]
    # The page links to the same list.
    assert (
        f'href="/c/alpha/recommendations/lobbying/export.csv?theme={theme.pk}"'
        in page(client, "lobbying", theme=theme.pk).content.decode()
    )


def test_the_export_cannot_carry_a_formula_from_an_imported_name(personas, cycle4):
    state = State.objects.create(iso3="ZZZ", name='=HYPERLINK("http://x")', regional_group="")
    recommendation = Recommendation.objects.filter(review=cycle4).first()
    recommendation.recommending_states.add(state)
    theme = Theme.objects.create(name="A test theme")
    recommendation.themes.add(theme)
    body = b"".join(page(personas.client_for(personas.member), "lobbying_export", theme=theme.pk).streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body[1:])))
    assert [r[0] for r in rows[1:] if r[1] == "ZZZ"] == ['\'=HYPERLINK("http://x")']


def test_the_export_without_a_subject_is_only_its_header(personas):
    response = page(personas.client_for(personas.member), "lobbying_export")
    assert response.status_code == 200
    assert len(list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode()[1:])))) == 1


def test_the_lobbying_page_without_a_subject_shows_the_form_only(personas):
    response = page(personas.client_for(personas.member), "lobbying")
    assert response.status_code == 200 and "targets" not in response.context
    html = response.content.decode()
    for field in ("theme", "issue", "q", "group"):
        assert f'<label for="id_{field}">' in html


@pytest.mark.parametrize("name", ["lobbying", "lobbying_export"])
@pytest.mark.parametrize(
    "params, message",
    [
        ({"theme": "abc"}, "Select a valid choice"),
        ({"theme": "99999999"}, "Select a valid choice"),
        ({"theme": "9" * 30}, "Select a valid choice"),
        ({"issue": "HIV"}, "Select a valid choice"),
        ({"q": "x" * 201}, "at most 200 characters"),
        ({"q": "HIV\x00"}, "Null characters are not allowed"),
        ({"group": "NOPE", "q": "HIV"}, "Select a valid choice"),
        ({"group": "WEOG"}, "Choose a theme or an issue, or type words"),
        ({"q": "   "}, "Choose a theme or an issue, or type words"),
    ],
)
def test_bad_lobbying_input_is_explained_on_the_form(personas, cycle4, name, params, message):
    response = page(personas.client_for(personas.member), name, **params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_search_syntax_in_words_is_no_error(personas, cycle4):
    for q in ('"unclosed', "-", "or or", "a & b | !c", "'); drop table x; --"):
        assert page(personas.client_for(personas.member), "lobbying", q=q).status_code == 200, q


# --- who may see them ------------------------------------------------------------------------------


def test_every_member_role_reads_the_insights_and_outsiders_see_nothing(personas, cycle4):
    theme = Theme.objects.filter(recommendations__review=cycle4).first()
    for user in (personas.admin, personas.editor, personas.member, personas.observer):
        client = personas.client_for(user)
        assert page(client, "statistics").status_code == 200
        assert page(client, "lobbying", theme=theme.pk).status_code == 200
        assert page(client, "lobbying_export", theme=theme.pk).status_code == 200
    outsider = personas.client_for(personas.outsider)
    for name in ("statistics", "lobbying", "lobbying_export"):
        assert page(outsider, name).status_code == 404
        assert page(outsider, name, theme=theme.pk, review=cycle4.pk).status_code == 404
    assert personas.client_for(None).get(url("statistics")).status_code == 302


def test_the_insights_only_answer_reads(personas):
    client = personas.client_for(personas.admin)
    for name in ("statistics", "lobbying", "lobbying_export"):
        assert client.post(url(name)).status_code == 405


# --- query counts do not grow with the data ----------------------------------------------------------


def grow(review_: Review, extra: int) -> None:
    """`extra` more recommendations on the review, each from three of every State in turn, with themes and SDGs."""
    states = list(State.objects.order_by("pk"))
    themes = list(Theme.objects.order_by("pk")) or [Theme.objects.create(name="Grown theme")]
    sdgs = list(SDG.objects.order_by("pk"))
    start = Recommendation.objects.count()
    created = Recommendation.objects.bulk_create(
        [
            Recommendation(
                review=review_,
                source=Source.TEMPLATE,
                source_key=f"grow-{start + i}",
                text=f"Protect Roma rights {i}",
                response=(Response.SUPPORTED, Response.NOTED, Response.PENDING)[i % 3],
                action_category=i % 6 or None,
            )
            for i in range(extra)
        ]
    )
    through = Recommendation.recommending_states.through
    through.objects.bulk_create(
        [through(recommendation=r, state=states[(3 * i + k) % len(states)]) for i, r in enumerate(created) for k in range(3)]
    )
    Recommendation.themes.through.objects.bulk_create(
        [Recommendation.themes.through(recommendation=r, theme=themes[i % len(themes)]) for i, r in enumerate(created)]
    )
    Recommendation.sdgs.through.objects.bulk_create(
        [Recommendation.sdgs.through(recommendation=r, sdg=sdgs[i % len(sdgs)]) for i, r in enumerate(created)]
    )
    services.refresh_search_vectors(review_ids=[review_.pk])


def queries_of(client, name: str, **params) -> int:
    reset_queries()  # the request clears the log it starts with: capture from an empty one
    with CaptureQueriesContext(connection) as queries:
        response = page(client, name, **params)
        if name.endswith("export"):
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "name, params",
    [
        ("statistics", {}),
        ("lobbying", {"q": "Roma"}),
        ("lobbying", {"q": "Roma", "group": "WEOG"}),
        ("lobbying_export", {"q": "Roma"}),
    ],
)
def test_queries_do_not_grow_with_recommendations_states_or_reviews(
    personas, cycle4, django_assert_max_num_queries, name, params
):
    client = personas.client_for(personas.member)
    small = queries_of(client, name, **params)
    import_lists(20, 34)
    import_sample()
    grow(cycle4, 600)
    assert Recommendation.objects.count() > 1500
    with django_assert_max_num_queries(small):
        response = page(client, name, **params)
        if name.endswith("export"):
            b"".join(response.streaming_content)
    assert small <= 15, f"{name}: {small} queries"
