"""The hot fragments written as Jinja2 templates (templates/jinja2/, upr.jinja2): the rows of the people
list, the recommendations list and the matrix, the priority flag and the list's filter selects.

What they must keep from the code they replaced: whatever a person typed is shown escaped, on every
page and in every cell; a value outside its choices (a role, a response, a light that the code does not
know) is shown as it is, escaped, never a server error; and their words are translated, found by
`makemessages` like those of every other template.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.template import engines
from django.template.backends.jinja2 import Jinja2
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation.template import templatize
from jinja2 import UndefinedError

from coalitions.models import Membership, WorkingGroup
from implementation import services as matrix_services
from implementation.models import Assessment, Cluster, MatrixRow
from recommendations.models import Recommendation, Theme
from upr.models import State

from .factories import RecommendationFactory

pytestmark = pytest.mark.django_db

NASTY = '<script>alert(1)</script> "quotes" & ampersands'
SHOWN = escape(NASTY)  # &lt;script&gt;alert(1)&lt;/script&gt; &quot;quotes&quot; &amp; ampersands
SHORT = '<i>&"'  # fits the short columns (a role, a light, a paragraph number)
JINJA2_TEMPLATES = Path(settings.BASE_DIR) / "templates" / "jinja2"


def assert_escaped(html: str, raw: str = NASTY) -> None:
    assert escape(raw) in html
    assert raw not in html


# --- the people list -------------------------------------------------------------------------------


def test_the_people_list_shows_names_and_organisations_escaped_in_every_cell(personas):
    personas.member.name = NASTY
    personas.member.save()
    personas.organisation.name = NASTY
    personas.organisation.save()
    page = personas.client_for(personas.admin).get("/c/alpha/members/").content.decode()
    membership = Membership.objects.get(user=personas.member)
    row = re.search(rf'<tr id="member-{membership.pk}">.*?</tr>', page, re.S).group(0)
    assert row.count(SHOWN) == 2  # the name, the organisation
    assert_escaped(row)
    assert f'hx-get="/c/alpha/members/{membership.pk}/"' in row and "Change" in row and "Remove" in row


def test_a_person_changed_with_htmx_gets_their_row_back_escaped_and_saved(personas):
    personas.member.name = NASTY
    personas.member.save()
    membership = Membership.objects.get(user=personas.member)
    response = personas.client_for(personas.admin).post(
        f"/c/alpha/members/{membership.pk}/", {"role": "editor", "organisation": personas.organisation.pk}, HTTP_HX_REQUEST="true"
    )
    row = response.content.decode()
    assert response.status_code == 200 and row.strip().startswith(f'<tr id="member-{membership.pk}">')
    assert_escaped(row)
    assert '<span role="status" class="saved">saved</span>' in row and "Editor" in row


def test_the_people_list_shows_a_change_at_once_though_its_rows_are_kept(personas):
    """The rows' HTML is kept under exactly what they show (upr.jinja2.kept_fragment): a change is a new key."""
    client = personas.client_for(personas.admin)
    assert "Renamed Person" not in client.get("/c/alpha/members/").content.decode()
    personas.member.name = "Renamed Person"
    personas.member.save()
    assert "Renamed Person" in client.get("/c/alpha/members/").content.decode()
    Membership.objects.filter(user=personas.member).update(role="observer")
    row = re.search(r'<tr id="member-\d+"><td>Renamed Person.*?</tr>', client.get("/c/alpha/members/").content.decode()).group(0)
    assert "Observer" in row
    french = personas.client_for(personas.admin)  # the same rows, kept in English above, in French
    french.post("/i18n/language/", {"language": "fr", "next": "/"})
    page = french.get("/c/alpha/members/").content.decode()
    assert "Renamed Person" in page and f"{escape(french_of('Change'))}<span" in page and ">Change<" not in page
    assert 'class="actions"' not in personas.client_for(personas.member).get("/c/alpha/members/").content.decode()


def test_a_role_the_code_does_not_know_shows_as_it_is_escaped(personas):
    Membership.objects.filter(user=personas.member).update(role=SHORT)
    response = personas.client_for(personas.admin).get("/c/alpha/members/")
    assert response.status_code == 200
    assert_escaped(response.content.decode(), SHORT)


def french_of(message: str) -> str:
    translated = polib.pofile(str(Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po")).find(message).msgstr
    assert translated and translated != message
    return translated


def test_the_people_list_speaks_the_readers_language(personas):
    client = personas.client_for(personas.admin)
    client.post("/i18n/language/", {"language": "fr", "next": "/"})  # the chooser at the foot of every page
    page = client.get("/c/alpha/members/").content.decode()
    assert f'{escape(french_of("Change"))}<span class="visually-hidden">' in page
    assert escape(french_of("Remove this person? Their access ends at once.")) in page  # the form's confirmation


# --- the recommendations list ----------------------------------------------------------------------


def nasty_recommendation(personas) -> Recommendation:
    state = State.objects.create(name=NASTY, iso3="ZZZ")
    return RecommendationFactory.create(review=personas.engagement.review, paragraph=SHORT, text=NASTY, states=[state])


def test_the_recommendations_list_shows_text_paragraph_and_states_escaped(personas):
    recommendation = nasty_recommendation(personas)
    page = personas.client_for(personas.editor).get(reverse("recommendations:list", args=["alpha"])).content.decode()
    row = re.search(rf'<tr><td>[^<]*<br><span class="muted">{re.escape(escape(SHORT))}</span>.*?</tr>', page, re.S).group(0)
    assert row.count(SHOWN) == 2  # the text, the recommending State
    assert_escaped(row)
    assert_escaped(row, SHORT)
    assert f'formaction="/c/alpha/recommendations/{recommendation.pk}/priority/"' in row
    assert f'<span class="visually-hidden"> {escape(SHORT)}</span>' in row  # which recommendation the button flags


def test_the_priority_flag_toggled_with_htmx_names_its_recommendation_escaped(personas):
    recommendation = RecommendationFactory(review=personas.engagement.review, paragraph="", text=NASTY)
    response = personas.client_for(personas.editor).post(
        reverse("recommendations:priority", args=["alpha", recommendation.pk]), HTTP_HX_REQUEST="true"
    )
    cell = response.content.decode()
    assert cell.startswith('<span class="priority">') and 'aria-pressed="true"' in cell and "Flagged" in cell
    assert escape('<script>alert(1)</script> "quotes" & ampersands') in cell and "<script>" not in cell


def test_a_response_the_code_does_not_know_shows_as_it_is_escaped(personas):
    recommendation = RecommendationFactory(review=personas.engagement.review)
    Recommendation.objects.filter(pk=recommendation.pk).update(response=SHORT)
    response = personas.client_for(personas.member).get(reverse("recommendations:list", args=["alpha"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<span class="response response-{escape(SHORT)}">{escape(SHORT)}</span>' in page
    assert SHORT not in page


def test_the_filters_show_themes_working_groups_and_refused_values_escaped(personas):
    theme = Theme.objects.create(name=NASTY)
    WorkingGroup.objects.filter(pk=personas.group.pk).update(name=NASTY)
    response = personas.client_for(personas.member).get(
        reverse("recommendations:list", args=["alpha"]), {"state": NASTY, "theme": theme.pk}
    )
    page = response.content.decode()
    assert f'<option value="{theme.pk}" selected>{SHOWN}</option>' in page
    assert f'<option value="{personas.group.pk}">{SHOWN}</option>' in page
    assert 'id="id_state" aria-describedby="id_state_error" aria-invalid="true"' in page
    error = re.search(r'<p class="error" id="id_state_error">(.*?)</p>', page).group(1)
    assert SHOWN in error
    assert NASTY not in page


# --- the matrix ------------------------------------------------------------------------------------


def matrix_url(personas) -> str:
    return f"/c/alpha/engagements/{personas.engagement.pk}/matrix/"


def nasty_matrix(personas):
    RecommendationFactory(review=personas.engagement.review, paragraph=SHORT, text=NASTY, thematic_cluster="Roma")
    matrix = matrix_services.matrix_build(engagement=personas.engagement, actor=personas.admin, scheme="ohchr")
    WorkingGroup.objects.filter(pk=personas.group.pk).update(name=NASTY)
    Cluster.objects.filter(matrix=matrix).update(name=NASTY, working_group=personas.group)
    MatrixRow.objects.filter(matrix=matrix).update(lead_body=NASTY)
    return matrix


def test_the_matrix_shows_recommendation_cluster_group_and_body_escaped(personas):
    nasty_matrix(personas)
    page = personas.client_for(personas.admin).get(matrix_url(personas)).content.decode()
    row = re.search(r'<tr><td><input type="checkbox".*?</tr>', page, re.S).group(0)
    assert row.count(SHOWN) == 4  # the text, the cluster, its working group, the body responsible
    assert_escaped(row)
    assert f'aria-label="Select {escape(SHORT)}"' in row  # the box, named after the paragraph
    assert_escaped(row, SHORT)


def test_a_light_and_a_response_the_code_does_not_know_show_as_they_are_escaped(personas):
    matrix = nasty_matrix(personas)
    row = MatrixRow.objects.get(matrix=matrix)
    admin = personas.client_for(personas.admin)
    admin.post(
        f"{matrix_url(personas)}rows/{row.pk}/assess/",
        {
            "assessed_on": "2027-06-30",
            "law": "full",
            "policy": "partial",
            "practice": "not",
            "narrative": "A law passed",
            "shared": "on",
        },
    )
    assert Assessment.objects.filter(row=row).exists()
    Assessment.objects.filter(row=row).update(light=SHORT)
    MatrixRow.objects.filter(pk=row.pk).update(previous_light="red")
    Recommendation.objects.filter(pk=row.recommendation_id).update(response="bogus")
    response = admin.get(matrix_url(personas))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<span class="light light-{escape(SHORT)}"><span aria-hidden="true">●</span> {escape(SHORT)}</span>' in page
    assert "<td>bogus</td>" in page and 'class="move"' not in page  # no movement from or to an unknown light
    assert SHORT not in page


# --- the engine ------------------------------------------------------------------------------------


def test_the_jinja2_engine_escapes_everything_and_refuses_a_missing_variable():
    engine = engines["jinja2"]
    assert engine.env.autoescape is True
    assert engine.from_string("{{ x }}|{{ n }}").render({"x": NASTY, "n": 3}) == escape(NASTY).replace("&quot;", "&#34;") + "|3"
    with pytest.raises(UndefinedError):
        engine.from_string("{{ forgotten }}").render({})


def jinja2_messages(source: str) -> set[str]:
    """The messages Jinja2 itself finds in a template (gettext and ngettext calls with literal strings)."""
    found: set[str] = set()
    engine = engines["jinja2"]
    assert isinstance(engine, Jinja2)
    for _line, _function, message in engine.env.extract_translations(source):
        found.update([message] if isinstance(message, str) else [m for m in message if m])
    return found


def makemessages_messages(source: str, origin: str) -> set[str]:
    """The messages Django's makemessages reads from the same file: templatize turns a template into the
    Python that xgettext reads, the messages as _("...") calls."""
    python = templatize(source, origin=origin)
    return {
        ast.literal_eval(literal)
        for literal in re.findall(r'\b(?:_|gettext)\(\s*("(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\')\s*\)', python)
    }


def test_makemessages_finds_every_message_of_the_jinja2_templates_and_each_is_translated():
    catalogues = {
        language: polib.pofile(str(Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.po"))
        for language in ("fr", "es")
    }
    templates = sorted(JINJA2_TEMPLATES.rglob("*.html"))
    assert len(templates) >= 6
    everything: set[str] = set()
    for path in templates:
        source = path.read_text(encoding="utf-8")
        assert "{% trans" not in source and "{%- trans" not in source, f"{path.name}: makemessages cannot read {{% trans %}}"
        messages = jinja2_messages(source)
        missed = messages - makemessages_messages(source, str(path))
        assert not missed, f"{path.relative_to(settings.BASE_DIR)}: makemessages would not find {sorted(missed)}"
        everything |= messages
    assert {"Change", "Priority", "Not assessed", "Select %(paragraph)s", "your coalition's reading"} <= everything
    for language, po in catalogues.items():
        untranslated = sorted(m for m in everything if po.find(m) is None or not po.find(m).msgstr)
        assert not untranslated, f"not translated in {language}: {untranslated}"
