"""Comments anchored to a passage, through the document page and the services: who comments, replies,
resolves and reopens (by role and by section), the anchor's checks, the quote kept once the passage
is gone, the emails to the people mentioned (once each, in their language, no text), the withheld
organisation's name kept from observers, the page's freshness and queries, escaping, and comments
never reaching the count or an export."""

import base64
import io
import zipfile
import zoneinfo

import docx
import pycrdt
import pypdf
import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coalitions.models import MemberOrganisation, Membership, Role
from submissions import selectors, services
from submissions.comment_emails import mention_emails_send
from submissions.export_docx import render_docx
from submissions.export_pdf import render_pdf
from submissions.live import broadcast
from submissions.models import Comment
from upr.celery import TASK_QUEUES

from .factories import MembershipFactory, UserFactory
from .helpers import joint_submission

pytestmark = pytest.mark.django_db
SECRET_TITLE = "Joint submission on the Dob prison"
SECRET_BODY = "Testimonies of beatings in cell block C"
SECRET_COMMENT = "Name the guard who did it"
SECRET_QUOTE = "beatings in cell block C"
FRENCH_MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
ENGLISH_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def url(name: str, *args) -> str:
    return reverse(f"documents:{name}", args=("alpha", *args))


def yjs_anchor(at: int = 14, to: int = 38) -> dict[str, str]:
    """Two real Yjs relative positions, base64 (pycrdt's StickyIndex encodes as Y.encodeRelativePosition)."""
    doc: pycrdt.Doc = pycrdt.Doc()
    text = doc.get("t", type=pycrdt.Text)
    text += SECRET_BODY
    encode = lambda i: base64.b64encode(text.sticky_index(i, pycrdt.Assoc.AFTER).encode()).decode()  # noqa: E731
    return {"start": encode(at), "end": encode(to)}


@pytest.fixture
def joint(personas):
    """A joint submission: its first section is the Equality group's (the editor's), the second nobody's."""
    return joint_submission(personas, title=SECRET_TITLE, body=f"<p>{SECRET_BODY}.</p>")


def sections(document):
    return list(document.sections.order_by("position")[:2])


def page_of(client, document) -> str:
    response = client.get(url("detail", document.pk))
    assert response.status_code == 200
    return response.content.decode()


def thread_html(html: str, comment: Comment) -> str:
    """The <article> of one thread on the page (up to the next thread)."""
    start = html.index(f'<article class="comment" id="comment-{comment.pk}"')
    ends = [
        html.find(marker, start + 10)
        for marker in ('<article class="comment" ', 'class="comments', "<summary>Resolved", '<label for="new-comment-')
    ]
    return html[start : min([end for end in ends if end != -1], default=len(html))]


def add(personas, section, user=None, text="Add the 2023 figures", **extra):
    return services.comment_add(section=section, membership=personas.membership(user or personas.member), text=text, **extra)


# --- comments on a passage, by role --------------------------------------------------------------


def test_a_member_comments_on_a_passage_and_the_page_marks_it_for_the_margin(personas, joint):
    first, _second = sections(joint)
    anchor = yjs_anchor()
    member = personas.client_for(personas.member)
    posted = member.post(
        url("comment_add", joint.pk, first.pk),
        {
            "text": "Which report?\nGive the year.",
            "anchor_start": anchor["start"],
            "anchor_end": anchor["end"],
            "quote": SECRET_QUOTE,
        },
    )
    comment = Comment.objects.get()
    assert posted.status_code == 302 and posted["Location"].endswith(f"#comment-{comment.pk}")
    assert comment.anchor == anchor and comment.quote == SECRET_QUOTE and comment.author == personas.member
    html = thread_html(page_of(member, joint), comment)
    assert (
        f'<article class="comment" id="comment-{comment.pk}" data-comment="{comment.pk}" data-section="{first.pk}" '
        f'data-anchor-start="{anchor["start"]}" data-anchor-end="{anchor["end"]}" data-resolved="0">'
    ) in html
    assert f'<blockquote class="comment-quote">{SECRET_QUOTE}</blockquote>' in html
    assert "Which report?<br>Give the year." in html and "Centre for Equal Rights" in html
    # A comment on the whole section has no passage: empty anchors, no quote.
    whole = add(personas, first, text="On the whole section")
    assert 'data-anchor-start="" data-anchor-end=""' in thread_html(page_of(member, joint), whole)


def test_observers_read_but_never_comment_reply_resolve_or_reopen(personas, joint):
    first, _second = sections(joint)
    comment = add(personas, first)
    observer = personas.client_for(personas.observer)
    html = page_of(observer, joint)
    assert "Add the 2023 figures" in html and "Comment on this section" not in html and "Send the reply" not in html
    assert "Resolve</button>" not in html
    for name, args in (
        ("comment_add", ()),
        ("comment_reply", (comment.pk,)),
        ("comment_resolve", (comment.pk,)),
        ("comment_reopen", (comment.pk,)),
    ):
        assert observer.post(url(name, joint.pk, first.pk, *args), {"text": "x"}).status_code == 403, name
    assert Comment.objects.count() == 1 and Comment.objects.get().resolved_at is None
    with pytest.raises(PermissionDenied):
        services.comment_add(section=first, membership=personas.membership(personas.observer), text="x")


def test_outsiders_get_404_on_every_comment_address_and_ids_of_another_section_are_404(personas, joint):
    first, second = sections(joint)
    comment = add(personas, first)
    outsider = personas.client_for(personas.outsider)
    for name, args in (
        ("detail", ()),
        ("comment_add", (first.pk,)),
        ("comment_reply", (first.pk, comment.pk)),
        ("comment_resolve", (first.pk, comment.pk)),
        ("comment_reopen", (first.pk, comment.pk)),
    ):
        assert outsider.post(url(name, joint.pk, *args), {"text": "x"}).status_code == 404, name
        assert outsider.get(url(name, joint.pk, *args)).status_code == 404, name
    # The comment named under another section of the same document (or a made-up id): 404, nothing changes.
    admin = personas.client_for(personas.admin)
    for name in ("comment_reply", "comment_resolve", "comment_reopen"):
        assert admin.post(url(name, joint.pk, second.pk, comment.pk), {"text": "x"}).status_code == 404
        assert admin.post(url(name, joint.pk, first.pk, 2**63 + 5), {"text": "x"}).status_code == 404
    assert Comment.objects.count() == 1 and Comment.objects.get().resolved_at is None


# --- replies -------------------------------------------------------------------------------------


def test_replies_join_the_thread_and_a_reply_to_a_reply_attaches_to_the_first_comment(personas, joint):
    first, _second = sections(joint)
    comment = add(personas, first, anchor=yjs_anchor(), quote=SECRET_QUOTE)
    editor = personas.client_for(personas.editor)
    answered = editor.post(url("comment_reply", joint.pk, first.pk, comment.pk), {"text": "The ombudsperson's, 2024."})
    reply = Comment.objects.get(parent=comment)
    assert answered.status_code == 302 and answered["Location"].endswith(f"#comment-{reply.pk}")
    assert reply.section == first and reply.anchor == {} and reply.quote == ""
    again = services.comment_reply(parent=reply, membership=personas.membership(personas.member), text="Thanks!")
    assert again.parent_id == comment.pk  # not a reply to the reply: one thread
    html = thread_html(page_of(editor, joint), comment)
    assert f'<article class="comment-reply" id="comment-{reply.pk}" data-reply-to="{comment.pk}">' in html
    assert html.index("The ombudsperson&#x27;s, 2024.") < html.index("Thanks!")
    assert 'data-resolved="0"' in html and "Send the reply" in html


# --- resolve and reopen, by role and by section ----------------------------------------------------


@pytest.mark.parametrize(
    "who, on_first, on_second",
    [
        ("member", True, True),  # the author, wherever
        ("admin", True, True),  # the secretariat edits every section
        ("editor", True, False),  # an editor: the sections of their working group only
        ("observer", False, False),
    ],
)
def test_the_author_the_sections_editors_and_admins_resolve_and_reopen(personas, joint, who, on_first, on_second):
    first, second = sections(joint)
    client = personas.client_for(getattr(personas, who))
    for section, allowed in ((first, on_first), (second, on_second)):
        comment = add(personas, section)  # by the member
        resolved = client.post(url("comment_resolve", joint.pk, section.pk, comment.pk))
        comment.refresh_from_db()
        assert (comment.resolved_at is not None) is allowed, (who, section.title)
        assert resolved.status_code == (403 if who == "observer" else 302)
        if not allowed:
            continue
        assert comment.resolved_by == getattr(personas, who)
        html = page_of(client, joint)
        assert "Resolved (1)" in html and 'data-resolved="1"' in thread_html(html, comment)
        assert "Reopen</button>" in thread_html(html, comment)
        assert client.post(url("comment_reopen", joint.pk, section.pk, comment.pk)).status_code == 302
        comment.refresh_from_db()
        assert comment.resolved_at is None and comment.resolved_by is None
        Comment.objects.filter(pk=comment.pk).delete()


def test_an_editor_of_another_section_sees_no_resolve_button_on_someone_elses_comment(personas, joint):
    first, second = sections(joint)
    on_theirs, on_other = add(personas, first), add(personas, second)
    own = add(personas, second, user=personas.editor, text="My own note")
    html = page_of(personas.client_for(personas.editor), joint)
    assert "Resolve</button>" in thread_html(html, on_theirs) and "Resolve</button>" not in thread_html(html, on_other)
    assert "Resolve</button>" in thread_html(html, own)
    refused = personas.client_for(personas.editor).post(url("comment_resolve", joint.pk, second.pk, on_other.pk), follow=True)
    assert "Only the author or the section&#x27;s editors resolve a comment." in refused.content.decode()


def test_a_reply_is_resolved_with_its_thread_not_alone(personas, joint):
    first, _second = sections(joint)
    comment = add(personas, first)
    reply = services.comment_reply(parent=comment, membership=personas.membership(personas.admin), text="Done")
    refused = personas.client_for(personas.admin).post(url("comment_resolve", joint.pk, first.pk, reply.pk), follow=True)
    assert refused.status_code == 200 and "resolved with its thread" in refused.content.decode()
    assert Comment.objects.filter(resolved_at__isnull=False).count() == 0


# --- bad input: a clear message, never an error page, nothing saved -------------------------------

TOO_BIG = base64.b64encode(b"x" * 513).decode()
BAD_ANCHORS = [
    ("not base64", {"start": "not base64!", "end": "AAAA"}),
    ("bad padding", {"start": "AAA", "end": "AAAA"}),
    ("over 512 bytes", {"start": TOO_BIG, "end": "AAAA"}),
    ("empty end", {"start": "AAAA", "end": ""}),
]


@pytest.mark.parametrize("label, anchor", BAD_ANCHORS)
def test_a_malformed_anchor_through_the_form_is_refused_with_a_message(personas, joint, label, anchor):
    first, _second = sections(joint)
    response = personas.client_for(personas.member).post(
        url("comment_add", joint.pk, first.pk),
        {"text": "On these words", "anchor_start": anchor["start"], "anchor_end": anchor["end"], "quote": "words"},
        follow=True,
    )
    assert response.status_code == 200 and "Select the words again." in response.content.decode(), label
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "anchor",
    [
        [1, 2],
        "AAAA",
        {"start": "AAAA"},
        {"start": "AAAA", "end": "AAAA", "more": "AAAA"},
        {"start": 1, "end": "AAAA"},
        {"start": "AAAA\n", "end": "AAAA"},
        {"start": "A" * 4000, "end": "AAAA"},
    ],
)
def test_the_service_keeps_an_anchor_only_of_exactly_two_bounded_base64_positions(personas, joint, anchor):
    first, _second = sections(joint)
    with pytest.raises(ValidationError):
        add(personas, first, anchor=anchor)
    assert add(personas, first, anchor={}).anchor == {} and add(personas, first, anchor=None).anchor == {}


def test_empty_too_long_and_control_characters_get_a_message_and_the_quote_is_shortened(personas, joint):
    first, _second = sections(joint)
    member = personas.client_for(personas.member)
    for text, message in (("   ", "Write the comment first."), ("x" * 5001, "at most 5,000 characters")):
        answer = member.post(url("comment_add", joint.pk, first.pk), {"text": text}, follow=True)
        assert answer.status_code == 200 and message in answer.content.decode()
    assert not Comment.objects.exists()
    kept = member.post(url("comment_add", joint.pk, first.pk), {"text": "A\x00B\r\nC"})
    assert kept.status_code == 302 and Comment.objects.get().text == "AB\nC"  # PostgreSQL stores no NUL
    long_quote = add(personas, first, anchor=yjs_anchor(), quote="q" * 2500)
    assert len(long_quote.quote) == 2000
    refused = member.post(url("comment_add", joint.pk, first.pk), {"text": "On words", "quote": "without an anchor"}, follow=True)
    assert "comes with its anchor" in refused.content.decode() and Comment.objects.count() == 2


# --- the passage gone: the quote stays -----------------------------------------------------------


def test_a_comment_whose_passage_is_deleted_stays_in_the_list_with_the_words_it_was_on(personas, joint):
    first, _second = sections(joint)
    comment = add(personas, first, text="Is this confirmed?", anchor=yjs_anchor(), quote=SECRET_QUOTE)
    first.refresh_from_db()
    services.section_save(
        section=first,
        membership=personas.membership(personas.admin),
        base_version=first.version,
        body="<p>A different text altogether.</p>",
    )
    html = page_of(personas.client_for(personas.member), joint)
    assert SECRET_QUOTE not in html.split('class="comments"')[0]  # gone from the text...
    assert f'<blockquote class="comment-quote">{SECRET_QUOTE}</blockquote>' in thread_html(html, comment)  # ...kept here
    assert "1 open comment" in html


# --- mentions ------------------------------------------------------------------------------------


@pytest.fixture
def juliette(personas):
    """An observer reading French in Paris: observers read the documents, so they may be mentioned."""
    user = UserFactory(email="juliette@alpha.example.org", name="Juliette Martin", language="fr", timezone="Europe/Paris")
    MembershipFactory(coalition=personas.coalition, user=user, role=Role.OBSERVER)
    return user


def test_each_person_mentioned_gets_one_email_in_their_language_with_a_link_and_no_text(
    personas, joint, juliette, django_capture_on_commit_callbacks
):
    first, _second = sections(joint)
    personas.member.name = "Bor Kranjc"
    personas.member.save(update_fields=["name"])
    text = (
        f"{SECRET_COMMENT}. @Juliette Martin, @JULIETTE@alpha.example.org and @editor@alpha.example.org, see this; "
        "not @outsider@beta.example.org, nor me (@member@alpha.example.org), nor write.to@juliette martin."
    )
    with django_capture_on_commit_callbacks(execute=True):
        answer = personas.client_for(personas.member).post(
            url("comment_add", joint.pk, first.pk),
            {"text": text, "anchor_start": yjs_anchor()["start"], "anchor_end": yjs_anchor()["end"], "quote": SECRET_QUOTE},
        )
    assert answer.status_code == 302
    comment = Comment.objects.get()
    assert set(comment.mentions.all()) == {juliette, personas.editor}
    by_address = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_address) == ["editor@alpha.example.org", "juliette@alpha.example.org"]
    link = f"{settings.SITE_URL}/c/alpha/documents/{joint.pk}/#comment-{comment.pk}"
    for message in by_address.values():
        whole = message.subject + message.body
        assert link in message.body and "Bor Kranjc" in message.body and "Alpha Coalition" in message.body
        for secret in (SECRET_TITLE, SECRET_BODY, SECRET_COMMENT, SECRET_QUOTE, "Centre for Equal Rights", first.title):
            assert secret not in whole, secret
    # In each one's language and time zone: the French observer in Paris, the editor in English and UTC.
    paris = comment.created_at.astimezone(zoneinfo.ZoneInfo("Europe/Paris"))
    french = by_address["juliette@alpha.example.org"].body
    assert FRENCH_MONTHS[paris.month - 1] in french and f"{paris:%H:%M}" in french and "(Europe/Paris)" in french
    english = by_address["editor@alpha.example.org"].body
    assert ENGLISH_MONTHS[comment.created_at.month - 1] in english and "(UTC)" in english
    # Delivered twice (a worker's retry): nobody gets it twice. The task is on the default queue.
    assert mention_emails_send(comment_id=comment.pk) == 0 and len(mail.outbox) == 2
    assert TASK_QUEUES["submissions.tasks.send_mention_emails"] == "default"


def test_replies_mention_too_and_someone_who_left_is_not_emailed(personas, joint, juliette, django_capture_on_commit_callbacks):
    first, _second = sections(joint)
    comment = add(personas, first)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reply = services.comment_reply(
            parent=comment,
            membership=personas.membership(personas.editor),
            text="@juliette martin and @Juliette Martin: one email",
        )
    Membership.objects.filter(user=juliette).delete()  # removed before the worker ran
    for callback in callbacks:
        callback()
    assert list(reply.mentions.all()) == [juliette] and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_reply(parent=comment, membership=personas.membership(personas.editor), text="@Juliette Martin?")
    assert mail.outbox == []  # not one of the coalition's people any more: nobody to mention


def test_the_longest_name_wins_and_an_email_address_in_the_text_mentions_nobody(personas):
    ana = UserFactory(email="ana@alpha.example.org", name="Ana")
    ana_novak = UserFactory(email="novak@alpha.example.org", name="Ana Novak")
    for user in (ana, ana_novak):
        MembershipFactory(coalition=personas.coalition, user=user, role=Role.MEMBER)

    def found(text: str) -> set[str]:
        return {
            str(u) for u in services.mentioned_people(coalition_id=personas.coalition.pk, text=text, author_id=personas.admin.pk)
        }

    assert found("@Ana Novak, please") == {"Ana Novak"}
    assert found("@ana, and @ANA NOVAK.") == {"Ana", "Ana Novak"}
    assert found("@Anastasia") == set() and found("mail me: bob@ana") == set() and found("no mention") == set()
    assert found("@admin@alpha.example.org") == set()  # the author


# --- the withheld organisation --------------------------------------------------------------------


def test_an_observer_never_reads_the_name_of_a_withheld_organisation(personas, joint):
    first, _second = sections(joint)
    at_risk = MemberOrganisation.objects.create(coalition=personas.coalition, name="Roma Rights Watch", withheld=True)
    Membership.objects.filter(user=personas.member).update(organisation=at_risk)
    comment = add(personas, first)
    services.comment_reply(parent=comment, membership=personas.membership(personas.member), text="And more")
    observer_html = page_of(personas.client_for(personas.observer), joint)
    assert "Roma Rights Watch" not in observer_html
    assert thread_html(observer_html, comment).count("an organisation that is not named") == 2
    member_html = thread_html(page_of(personas.client_for(personas.admin), joint), comment)
    assert member_html.count("Roma Rights Watch, name withheld") == 2


# --- the page: fresh at once, escaped, and its queries ---------------------------------------------


def test_the_cached_page_shows_a_new_comment_a_reply_a_resolve_and_a_reopen_at_once(personas, joint):
    first, _second = sections(joint)
    admin = personas.client_for(personas.admin)
    page_of(admin, joint)  # rendered and kept
    comment = add(personas, first, text="Fresh comment")
    assert "Fresh comment" in page_of(admin, joint)
    services.comment_reply(parent=comment, membership=personas.membership(personas.editor), text="Fresh reply")
    assert "Fresh reply" in page_of(admin, joint)
    services.comment_resolve(comment=comment, membership=personas.membership(personas.editor))
    assert 'data-resolved="1"' in thread_html(page_of(admin, joint), comment)
    services.comment_reopen(comment=comment, membership=personas.membership(personas.member))
    assert 'data-resolved="0"' in thread_html(page_of(admin, joint), comment)


def test_every_change_tells_open_pages_to_fetch_the_comments_again(settings, personas, joint, django_capture_on_commit_callbacks):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(broadcast.document_group(joint.pk), channel)
    first, _second = sections(joint)
    member = personas.membership(personas.member)
    with django_capture_on_commit_callbacks(execute=True):
        comment = add(personas, first)
        services.comment_reply(parent=comment, membership=member, text="Reply")
        services.comment_resolve(comment=comment, membership=member)
        services.comment_reopen(comment=comment, membership=member)
    received = [async_to_sync(layer.receive)(channel) for _ in range(4)]
    assert received == [{"type": "live.review", "what": "comments"}] * 4


def test_comment_text_and_quote_are_escaped(personas, joint):
    first, _second = sections(joint)
    add(personas, first, text="<script>alert(1)</script>", anchor=yjs_anchor(), quote='<img src=x onerror="alert(2)">')
    html = page_of(personas.client_for(personas.admin), joint)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in html


def queries_of(client, path: str) -> int:
    cache.clear()  # the page is kept: render it from the database
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_the_page_costs_the_same_queries_whatever_the_number_of_comments_replies_and_mentions(personas, joint):
    first, second = sections(joint)
    others = [
        MemberOrganisation.objects.create(coalition=personas.coalition, name=f"Org {n}", withheld=n % 2 == 0) for n in range(6)
    ]
    people = []
    for n, organisation in enumerate(others):
        user = UserFactory(email=f"p{n}@alpha.example.org", name=f"Person {n}")
        people.append(MembershipFactory(coalition=personas.coalition, user=user, role=Role.MEMBER, organisation=organisation))
    for persona in ("admin", "observer", "editor"):
        client = personas.client_for(getattr(personas, persona))
        add(personas, first)
        few = queries_of(client, url("detail", joint.pk))
        for n in range(12):
            author = people[n % len(people)]
            comment = services.comment_add(
                section=(first, second)[n % 2],
                membership=author,
                text=f"@Person {n % 6} look",
                anchor=yjs_anchor(),
                quote="words",
            )
            for m in range(2):
                services.comment_reply(parent=comment, membership=people[(n + m + 1) % len(people)], text=f"@Person {m}")
            if n % 3 == 0:
                services.comment_resolve(comment=comment, membership=personas.membership(personas.admin))
        many = queries_of(client, url("detail", joint.pk))
        assert many == few, f"{persona}: {few} queries with 1 comment, {many} with {Comment.objects.count()}"
        Comment.objects.all().delete()


# --- never counted, never exported -----------------------------------------------------------------


def test_comments_never_reach_the_count_or_the_word_and_pdf_exports(personas, joint):
    first, _second = sections(joint)
    before = selectors.document_count(joint).total
    comment = add(personas, first, text=f"{SECRET_COMMENT} please", anchor=yjs_anchor(), quote="Passage that was deleted")
    services.comment_reply(parent=comment, membership=personas.membership(personas.admin), text="Reply text never exported")
    assert selectors.document_count(joint).total == before
    outline = selectors.document_outline(joint)
    word = render_docx(outline)
    with zipfile.ZipFile(io.BytesIO(word)) as parts:
        names = parts.namelist()
        xml = " ".join(parts.read(name).decode("utf-8", "replace") for name in names)
    assert not any(name.startswith("word/comments") for name in names)
    paragraphs = " ".join(p.text for p in docx.Document(io.BytesIO(word)).paragraphs)
    assert SECRET_BODY in paragraphs  # the text is there...
    pdf = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(render_pdf(outline))).pages)
    assert "beatings" in pdf
    for secret in (SECRET_COMMENT, "Passage that was deleted", "Reply text never exported"):  # ...its comments never
        assert secret not in xml and secret not in paragraphs and secret not in pdf, secret
