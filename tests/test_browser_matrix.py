"""The implementation-matrix journey in real headless Chromium, on Slovenia's real cycle-4
recommendations (OHCHR's Word file, 254 of them): the secretariat builds the matrix in OHCHR's
thematic clusters and gives two clusters to working groups; a working-group member assesses three
rows with evidence (an uploaded PDF and links); the dashboard's figure moves; the OHCHR-format .docx
is downloaded and read back; the secretariat generates the mid-term report from the matrix."""

import io
import re

import docx
import pytest
from playwright.sync_api import expect

from coalitions import services as coalition_services
from coalitions.models import Membership, Role
from implementation.models import Assessment, Cluster, Evidence, Matrix
from recommendations.file_import import import_file
from recommendations.models import Recommendation
from submissions.models import Document
from upr.models import Review

from .browsers import log_in
from .factories import PASSWORD, CoalitionFactory, MembershipFactory, OrganisationFactory, UserFactory
from .helpers import CYCLE4, PDF

MINORITIES = "Members of minorities"
TRAFFICKING = "Human trafficking & contemporary forms of slavery"

# Three rows of the minorities cluster, each assessed with other levels (and so another light).
ASSESSMENTS = [
    {
        "paragraph": "140.210",
        "levels": ("Fully implemented",) * 3,
        "light": "Green: implemented",
        "narrative": "The Roma Community Act amendments were adopted and applied in every municipality.",
        "evidence": {
            "file": "ombudsperson-annual-report.pdf",
            "title": "Ombudsperson annual report 2025",
            "source": "Human Rights Ombudsman",
            "dated": "2026-06-30",
        },
    },
    {
        "paragraph": "140.211",
        "levels": ("Partially implemented", "Partially implemented", "Not implemented"),
        "light": "Orange: partly implemented",
        "narrative": "A strategy on Roma inclusion exists but settlements still lack running water.",
        "evidence": {
            "url": "https://www.gov.si/en/news/roma-strategy",
            "title": "Government press release",
            "source": "Government Office for National Minorities",
            "dated": "2026-05-12",
        },
    },
    {
        "paragraph": "140.212",
        "levels": ("Not implemented",) * 3,
        "light": "Red: not implemented",
        "narrative": "No measure was taken on the representation of the German-speaking community.",
        "evidence": {
            "url": "https://www.dnevnik.si/article/minorities",
            "title": "Newspaper investigation",
            "source": "Dnevnik",
            "dated": "2026-09-01",
        },
    },
]


def by_label(scope, text: str):
    """The field of `scope` labelled exactly `text` (Django adds a colon to its labels)."""
    return scope.get_by_label(re.compile(rf"^{re.escape(text)}:?$"))


def submit(page, scope, button: str) -> None:
    with page.expect_navigation():
        scope.get_by_role("button", name=button, exact=True).click()


def figure(page) -> str:
    return " ".join(page.locator(".impact-figure").inner_text().split())


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_build_assign_assess_with_evidence_dashboard_export_and_mid_term_report(live_server, chromium, upr_reference, tmp_path):
    # Setup: a coalition, its secretariat, a member in the minorities working group, an engagement
    # in Slovenia's fourth-cycle review and the review's real recommendations.
    coalition = CoalitionFactory(name="Slovenian UPR Coalition", slug="si-upr")
    organisation = OrganisationFactory(coalition=coalition, name="Roma Youth Network", acronym="RYN")
    admin = UserFactory(email="secretariat@example.org")
    MembershipFactory(coalition=coalition, user=admin, role=Role.ADMIN, organisation=organisation)
    maja = UserFactory(email="maja@ryn.example.org")
    MembershipFactory(coalition=coalition, user=maja, role=Role.MEMBER, organisation=organisation)
    maja_m = Membership.objects.get(coalition=coalition, user=maja)
    coalition_services.working_group_save(
        coalition=coalition,
        actor=admin,
        name="Minorities and Roma",
        theme="Roma and national minorities",
        lead=None,
        members=[maja_m],
    )
    coalition_services.working_group_save(
        coalition=coalition, actor=admin, name="Trafficking", theme="Trafficking in human beings", lead=None, members=[]
    )
    review = Review.objects.get(state__iso3="SVN", session__number=48)
    engagement = coalition_services.engagement_create(coalition=coalition, actor=admin, review=review)
    with CYCLE4.open("rb") as handle:
        import_file(handle, name=CYCLE4.name, review=review)
    assert Recommendation.objects.filter(review=review).count() == 254
    base = live_server.url
    matrix_url = f"{base}/c/si-upr/engagements/{engagement.pk}/matrix/"

    failures: list[str] = []  # any server error on the way, on either person's pages

    def watch(context):
        context.on("response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 500 else None)
        return context

    # The secretariat builds the matrix in OHCHR's thematic clusters: one row per recommendation.
    admin_context = watch(chromium.new_context(accept_downloads=True))
    page = admin_context.new_page()
    log_in(page, base, admin.email, PASSWORD)
    page.goto(matrix_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Implementation matrix")
    page.get_by_label("OHCHR's thematic clusters").check()
    submit(page, page, "Build the matrix")
    assert "Matrix built: one row per recommendation." in page.content()
    expect(page.get_by_text("Rows 1–50 of 254", exact=True)).to_be_visible()  # 50 to a page
    assert page.locator("table.matrix tbody tr").count() == 50
    page.get_by_role("link", name="Next").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Rows 51–100 of 254", exact=True)).to_be_visible()
    assert page.locator("table.matrix tbody tr").count() == 50
    matrix = Matrix.objects.get(engagement=engagement)
    assert matrix.clusters.count() == 43

    # Clusters page: each cluster row has its own form; two clusters go to the working groups.
    page.get_by_role("link", name="Clusters and working groups").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Clusters and the working groups that own them")
    for cluster, group in ((MINORITIES, "Minorities and Roma"), (TRAFFICKING, "Trafficking")):
        form = page.locator("form").filter(has=page.get_by_role("button", name=f"Save {cluster}", exact=True))
        expect(page.get_by_label(f"Cluster: {cluster}", exact=True)).to_have_value(cluster)  # each field named after its cluster
        page.get_by_label(f"Working group owning {cluster}:", exact=True).select_option(label=group)
        submit(page, form, f"Save {cluster}")
        assert "Cluster saved." in page.content()
        form = page.locator("form").filter(has=page.get_by_role("button", name=f"Save {cluster}", exact=True))
        expect(page.get_by_label(f"Working group owning {cluster}:", exact=True).locator("option:checked")).to_have_text(group)
    owners = dict(Cluster.objects.filter(matrix=matrix, working_group__isnull=False).values_list("name", "working_group__name"))
    assert owners == {MINORITIES: "Minorities and Roma", TRAFFICKING: "Trafficking"}

    # The working-group member: the dashboard before any assessment.
    member_context = watch(chromium.new_context())
    mpage = member_context.new_page()
    log_in(mpage, base, maja.email, PASSWORD)
    mpage.goto(matrix_url)
    mpage.get_by_role("link", name="Implementation dashboard").click()
    mpage.wait_for_load_state()
    assert figure(mpage) == "0% implemented fully or partly: 0 of 254 recommendations (0 assessed)."
    assert "No assessment yet." in mpage.content()

    # A row of a cluster nobody owns: a member reads it but cannot assess it.
    mpage.goto(f"{matrix_url}?q=ratify")  # on a page of its own among the 254 rows: found by its words
    while mpage.get_by_role("link", name="140.7", exact=True).count() == 0:
        mpage.get_by_role("link", name="Next").click()
        mpage.wait_for_load_state()
    mpage.get_by_role("link", name="140.7", exact=True).click()
    mpage.wait_for_load_state()
    expect(mpage.get_by_role("heading", level=1)).to_have_text("Recommendation 140.7")
    assert mpage.get_by_role("button", name="Record the assessment").count() == 0

    # Filter the matrix to the group's cluster and assess three of its rows, with evidence.
    pdf = tmp_path / ASSESSMENTS[0]["evidence"]["file"]
    pdf.write_bytes(PDF)
    for item in ASSESSMENTS:
        mpage.goto(matrix_url)
        mpage.get_by_label("Cluster", exact=True).select_option(label=MINORITIES)
        submit(mpage, mpage, "Show")
        expect(mpage.get_by_text("21 rows", exact=True)).to_be_visible()
        mpage.get_by_role("link", name=item["paragraph"], exact=True).click()
        mpage.wait_for_load_state()
        expect(mpage.get_by_role("heading", level=1)).to_have_text(f"Recommendation {item['paragraph']}")
        expect(mpage.get_by_role("heading", name="Assess now")).to_be_visible()
        form = mpage.locator("form").filter(has=mpage.get_by_role("button", name="Record the assessment"))
        by_label(form, "Assessed on").fill("2026-10-15")
        for field, level in zip(("Law", "Policy", "Practice"), item["levels"], strict=True):
            by_label(form, field).select_option(label=level)
        by_label(form, "Assessment").fill(item["narrative"])
        by_label(form, "Shared with observers").check()
        evidence = item["evidence"]
        by_label(form, "Evidence: what it is").fill(evidence["title"])
        if "file" in evidence:
            by_label(form, "File").set_input_files(str(pdf))
        else:
            by_label(form, "or a link").fill(evidence["url"])
        by_label(form, "Source").fill(evidence["source"])
        by_label(form, "Date of the source").fill(evidence["dated"])
        submit(mpage, form, "Record the assessment")
        assert "Assessment recorded." in mpage.content()
        history = mpage.locator("#history article")
        expect(history).to_have_count(1)
        expect(history.get_by_role("heading", level=3)).to_have_text(f"15 October 2026: ● {item['light']}")
        expect(history).to_contain_text(item["narrative"])
        expect(history).to_contain_text(f"Law: {item['levels'][0]} · Policy: {item['levels'][1]} · Practice: {item['levels'][2]}")
        assert "members only" not in history.inner_text()
        link = history.get_by_role("link", name=evidence["title"])
        expect(history).to_contain_text(evidence["source"])
        if "file" in evidence:
            expect(history).to_contain_text(f"({evidence['file']}, {len(PDF)} bytes)")
            download = mpage.request.get(base + link.get_attribute("href"))
            assert download.status == 200 and download.body() == PDF
            assert download.headers["content-type"] == "application/pdf"
            assert download.headers["content-disposition"].startswith("attachment")
        else:
            expect(link).to_have_attribute("href", evidence["url"])

    assert sorted(Assessment.objects.values_list("light", flat=True)) == ["green", "orange", "red"]
    assert Assessment.objects.filter(shared=True).count() == 3 and Evidence.objects.count() == 3
    # The matrix shows each row's latest light, in words.
    mpage.goto(f"{matrix_url}?light=orange")
    expect(mpage.get_by_text("1 row", exact=True)).to_be_visible()
    expect(mpage.locator("table.matrix tbody")).to_contain_text("Orange: partly implemented")

    # The dashboard after: green and orange count as implemented, over all 254 rows.
    implemented = sum(1 for item in ASSESSMENTS if item["light"].startswith(("Green", "Orange")))
    percent = round(100 * implemented / 254)
    assert (implemented, percent) == (2, 1)
    mpage.goto(matrix_url)
    mpage.get_by_role("link", name="Implementation dashboard").click()
    mpage.wait_for_load_state()
    assert figure(mpage) == f"{percent}% implemented fully or partly: {implemented} of 254 recommendations (3 assessed)."
    by_cluster = mpage.get_by_role("region", name="By cluster")
    minorities = by_cluster.get_by_role("row").filter(has=mpage.get_by_role("rowheader", name=MINORITIES, exact=True))
    cells = [" ".join(c.split()) for c in minorities.get_by_role("cell").all_inner_texts()]
    assert cells == ["21", f"{round(100 * 2 / 21)}%", "1", "1", "1", "0", "18"]
    over_time = mpage.get_by_role("table", name="Implementation rate at the end of each month with assessments")
    expect(over_time.get_by_role("row", name=f"October 2026 {percent}% ({implemented}) 3", exact=True)).to_have_count(1)
    member_context.close()

    # The secretariat downloads OHCHR's four-column matrix (.docx) and reads it back.
    page.goto(matrix_url)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="OHCHR matrix (.docx)").click()
    download = download_info.value
    assert download.suggested_filename == "ohchr-matrix-svn-48.docx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    table = docx.Document(io.BytesIO(saved.read_bytes())).tables[0]
    texts = [[cell.text for cell in row.cells] for row in table.rows]
    assert texts[0] == ["Recommendation", "Position", "Full list of themes", "Assessment/comments on level of implementation"]
    assert ["Theme: " + MINORITIES] * 4 in texts and ["Theme: " + TRAFFICKING] * 4 in texts
    assert len([t for t in texts[1:] if not t[0].startswith("Theme: ")]) == 254
    for item in ASSESSMENTS:
        row = next(t for t in texts if t[0].startswith(item["paragraph"] + " "))
        assert row[1] == "Supported" and row[3].startswith(item["light"] + ".")
        assert item["narrative"] in row[3] and row[3].endswith("(assessed 2026-10-15)")

    # The secretariat generates the mid-term report: a document with one chapter per cluster.
    submit(page, page, "Generate the mid-term report")
    document = Document.objects.get(coalition=coalition, kind="mid_term_report")
    assert page.url == f"{base}/c/si-upr/documents/{document.pk}/"
    assert "Mid-term report made from the matrix." in page.content()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Mid-term report on the implementation of the UPR recommendations to Slovenia"
    )
    chapters = [" ".join(t.split()) for t in page.locator("h2[id^=section-]").all_inner_texts()]
    assert chapters[0] == "Methodology" and chapters[-2:] == [
        "The coalition's contributions",
        "Recommendations for the next cycle",
    ]
    assert MINORITIES in chapters and TRAFFICKING in chapters and len(chapters) == 43 + 3
    text = page.locator("main").inner_text()
    assert "1% of the recommendations are implemented fully or partly (2 of 254; 3 assessed)" in text
    assert "21 recommendations: 1 green, 1 orange, 1 red, 0 grey, 18 not assessed." in text
    for item in ASSESSMENTS:
        assert item["narrative"] in text
    admin_context.close()
    assert failures == []
