"""Role escalation: no persona changes what its role does not allow, on any page or endpoint.

For every state-changing URL of the URL conf (HTML views and API routes), every persona below the
least role allowed to use it posts to it (HTML: the very form the admin sees, with its values;
API: the admin's own representation of the object, or an empty body) and must get 403 or 404, and
nothing in the database may change (every coalition-owned table, the shared recommendations and
the audit trail are compared before and after). The observer may change nothing anywhere.

The least roles come from the views themselves (`require_role` marks `minimum_role`, API views
declare `write_role`); the tables below name the finer rules that views check inside (who recorded
a consultation, who owns a cluster, the admin-only document actions of the API). A new write URL
that is in neither fails the test until someone decides its rule.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from coalitions.models import AuditEvent, Role
from recommendations.models import Recommendation

from .helpers import database_state

ORDER: list[str] = [Role.OBSERVER, Role.MEMBER, Role.EDITOR, Role.ADMIN]

# The least role of each HTML write view, as decided (require_role marks it on the view as
# `minimum_role`; the test checks the mark matches, so that loosening a rule fails here).
DECLARED = {
    "documents:section_version_name": Role.EDITOR,
    "documents:section_version_keep": Role.EDITOR,
    "coalitions:settings": Role.ADMIN,
    "workplan:calendar_feed": Role.ADMIN,
    "coalitions:member_edit": Role.ADMIN,
    "coalitions:member_remove": Role.ADMIN,
    "coalitions:organisation_new": Role.ADMIN,
    "coalitions:organisation_edit": Role.ADMIN,
    "coalitions:invitations": Role.ADMIN,
    "coalitions:invitation_revoke": Role.ADMIN,
    "coalitions:group_new": Role.ADMIN,
    "coalitions:group_edit": Role.ADMIN,
    "coalitions:engagement_new": Role.ADMIN,
    "workplan:milestone_add": Role.ADMIN,
    "coalitions:internal_deadlines": Role.ADMIN,
    "workplan:task_add": Role.EDITOR,
    "workplan:task_status": Role.MEMBER,
    "coalitions:milestone_edit": Role.ADMIN,
    "coalitions:audit": Role.ADMIN,
    "documents:signon_remind": Role.ADMIN,
    "recommendations:import": Role.ADMIN,
    "recommendations:import_undo": Role.ADMIN,
    "recommendations:priority": Role.EDITOR,
    "recommendations:ours": Role.EDITOR,
    "recommendations:response": Role.EDITOR,
    "recommendations:action_category": Role.EDITOR,
    "recommendations:earlier": Role.EDITOR,
    "submissions:draft_edit": Role.EDITOR,
    "submissions:draft_delete": Role.EDITOR,
    "submissions:impact_decide": Role.EDITOR,
    "documents:settings": Role.ADMIN,
    "documents:budgets": Role.ADMIN,
    "documents:summary": Role.ADMIN,
    "documents:section_add": Role.ADMIN,
    "implementation:matrix_annex": Role.ADMIN,
    "documents:recommendations": Role.EDITOR,
    "documents:import": Role.EDITOR,
    "documents:status": Role.EDITOR,
    "documents:signon_request": Role.ADMIN,
    "documents:signon_answer": Role.MEMBER,
    "documents:decision_open": Role.ADMIN,
    "documents:decision_vote": Role.MEMBER,
    "documents:decision_close": Role.ADMIN,
    "documents:decision_cancel": Role.ADMIN,
    "documents:decision_signon": Role.ADMIN,
    "documents:export_create": Role.EDITOR,
    "documents:section_save": Role.EDITOR,
    "documents:section_assign": Role.ADMIN,
    "documents:section_delete": Role.ADMIN,
    "documents:section_restore": Role.EDITOR,
    "documents:comment_add": Role.MEMBER,
    "documents:comment_resolve": Role.MEMBER,
    "documents:comment_reply": Role.MEMBER,
    "documents:comment_reopen": Role.MEMBER,
    "implementation:build": Role.ADMIN,
    "implementation:clusters": Role.ADMIN,
    "implementation:move": Role.ADMIN,
    "implementation:midterm": Role.EDITOR,
}

# HTML views whose rule is checked inside the view (no `minimum_role`), in the security world:
# the consultation and the meeting were recorded by the admin, the cluster is owned by the working
# group that the editor leads and the member belongs to.
HTML_RULES = {
    "documents:suggestions_decide": Role.EDITOR,  # the text's editors (services.can_decide_suggestions)
    "workplan:consultations": Role.MEMBER,
    "workplan:consultation_edit": Role.EDITOR,
    "workplan:consultation_delete": Role.EDITOR,
    "workplan:advocacy": Role.MEMBER,
    "workplan:meeting_edit": Role.EDITOR,
    "workplan:meeting_delete": Role.EDITOR,
    "workplan:review_adoption": Role.ADMIN,
    "implementation:row": Role.MEMBER,
    "implementation:assess": Role.MEMBER,
    "implementation:evidence_add": Role.MEMBER,
    "implementation:carry_forward": Role.EDITOR,
}

# API routes whose action is stricter than the viewset's write_role.
API_RULES = {
    ("api:task-list", "post"): Role.EDITOR,
    ("api:consultation-detail", "*"): Role.EDITOR,
    ("api:advocacy-meeting-detail", "*"): Role.EDITOR,
    ("api:document-list", "post"): Role.ADMIN,
    ("api:document-detail", "patch"): Role.ADMIN,
    ("api:document-summary", "post"): Role.ADMIN,
    ("api:document-signons", "post"): Role.ADMIN,
    ("api:document-budgets", "post"): Role.ADMIN,
    ("api:document-status", "post"): Role.EDITOR,
    ("api:document-exports", "post"): Role.EDITOR,
    ("api:document-import", "post"): Role.EDITOR,
    ("api:section-list", "post"): Role.ADMIN,
    ("api:section-detail", "patch"): Role.EDITOR,
    ("api:section-detail", "delete"): Role.ADMIN,
    ("api:section-restore", "post"): Role.EDITOR,
    ("api:recommendation-import", "post"): Role.ADMIN,
    ("api:recommendation-undo", "post"): Role.ADMIN,
    ("api:sign-on-remind", "post"): Role.ADMIN,
    ("api:section-suggestions-decide", "post"): Role.EDITOR,
    ("api:decision-list", "post"): Role.ADMIN,
    ("api:decision-close", "post"): Role.ADMIN,
    ("api:decision-cancel", "post"): Role.ADMIN,
    ("api:decision-signons", "post"): Role.ADMIN,
}

# Pages that only read: a POST to them may render the page, but must change nothing.
READ_ONLY = {
    "documents:section_compare",
    "coalitions:dashboard",
    "coalitions:members",
    "coalitions:organisations",
    "coalitions:groups",
    "coalitions:engagements",
    "workplan:engagement",
    "recommendations:list",
    "recommendations:export_csv",
    "recommendations:export_xlsx",
    "recommendations:template",
    "recommendations:statistics",
    "recommendations:lobbying",
    "recommendations:lobbying_export",
    "recommendations:detail",
    "submissions:drafts",
    "documents:list",
    "documents:detail",
    "documents:exports",
    "documents:export_download",
    "documents:section_history",
    "documents:decision",
    "implementation:matrix",
    "implementation:dashboard",
    "implementation:export",
    "implementation:evidence",
}


def api_bodies(world) -> dict[str, dict]:
    """Bodies the admin would send (valid in the world), so that a refusal is the role rule's, not
    the validation's; routes not named get an empty body."""
    ids, doc = world.ids, world.document
    section = doc.sections.get(pk=ids["section_id"])
    return {
        "api:organisation-list": {"name": "New organisation"},
        "api:working-group-list": {"name": "New group"},
        "api:invitation-list": {"email": "new@example.org", "role": "member"},
        "api:task-list": {"title": "Call the ministry", "due_at": "2027-05-01T10:00:00Z"},
        "api:task-status": {"status": "done"},
        "api:consultation-list": {"held_on": "2027-01-01", "kind": "state", "engagement": ids["engagement_id"]},
        "api:advocacy-meeting-list": {
            "met_on": "2027-01-01",
            "engagement": ids["engagement_id"],
            "state": world.personas.engagement.review.state_id,
        },
        "api:assessment-list": {"row": ids["row_id"], "assessed_on": "2027-02-01", "light": "green"},
        "api:assessment-evidence": {
            "title": "Report",
            "source": "Ministry",
            "dated": "2027-01-01",
            "url": "https://example.org/",
        },
        "api:recommendation-category": {"category": 2},
        "api:recommendation-layer": {"notes": "Ours"},
        "api:recommendation-responses": {"response": "supported", "source": "A/HRC/59/15/Add.1"},
        "api:draft-recommendation-list": {"text": "Adopt a law", "engagement": ids["engagement_id"]},
        "api:draft-recommendation-matches": {"recommendation": ids["recommendation_id"], "decision": "confirmed"},
        "api:document-list": {"kind": "advocacy_factsheet", "title": "Factsheet", "engagement": ids["engagement_id"]},
        "api:document-exports": {"format": "docx"},
        "api:document-signons": {"organisations": [ids["organisation_id"]]},
        "api:document-budgets": {"budgets": [{"section": section.pk, "word_budget": 100}]},
        "api:document-status": {"to": "in_review"},
        "api:document-summary": {"summary": "<p>Changed</p>", "base_version": doc.summary_version},
        "api:section-list": {"document": doc.pk, "title": "New section"},
        "api:section-detail": {"body": "<p>Changed</p>", "base_version": section.version},
        "api:section-comments": {"text": "A comment"},
        "api:section-restore": {"version": 1},  # the section's first kept version (kept versions count from 1)
        "api:sign-on-answer": {"sign": True},
        "api:decision-list": {
            "document": doc.pk,
            "title": "Approve",
            "kind": "approve",
            "closes_at": (timezone.now() + dt.timedelta(days=3)).isoformat(),
        },
        "api:decision-vote": {"option": doc.decisions.get().options.order_by("position")[0].pk},
    }


def below(role: str) -> list[str]:
    return ORDER[: ORDER.index(role)]


def admin_forms(world, security_urls, page_forms) -> dict[str, dict[str, list[str]]]:
    """Every POST form the admin sees on the coalition's pages, by action path, as post data."""
    client = world.personas.client_for(world.personas.admin)
    found: dict[str, dict[str, list[str]]] = {}
    for _name, url, _view in security_urls(world):
        if url.startswith("/api/"):
            continue
        response = client.get(url)
        if response.status_code != 200 or response.streaming or "text/html" not in response.get("Content-Type", ""):
            continue
        for action, fields in page_forms(response.content.decode(), "http://testserver" + url):
            data: dict[str, list[str]] = {}
            for name, value, kind in fields:
                if value is not None and kind != "file":
                    data.setdefault(name, []).append(value)
            found.setdefault(action.replace("http://testserver", "").split("?")[0], data)
    return found


def html_rule(name: str, view) -> str | None:
    declared = getattr(view, "minimum_role", None)
    assert declared == DECLARED.get(name), (name, declared, DECLARED.get(name))
    return DECLARED.get(name) or HTML_RULES.get(name)


def api_rule(name: str, view, method: str) -> str:
    return API_RULES.get((name, method)) or API_RULES.get((name, "*")) or view.cls.write_role


@pytest.mark.django_db
def test_no_persona_below_the_rule_changes_anything_through_a_page(security_world, security_urls, page_forms):
    world = security_world("Probe")
    p = world.personas
    forms = admin_forms(world, security_urls, page_forms)
    clients = {Role.OBSERVER: p.client_for(p.observer), Role.MEMBER: p.client_for(p.member), Role.EDITOR: p.client_for(p.editor)}
    requests, failures, unclassified = 0, [], []
    for name, url, view in security_urls(world):
        if url.startswith("/api/"):
            continue
        rule = html_rule(name, view)
        if rule is None and name not in READ_ONLY:
            unclassified.append(name)
            continue
        data = forms.get(url, {})
        for role in below(rule) if rule else [Role.OBSERVER]:
            before, events = database_state(Recommendation), AuditEvent.objects.count()
            response = clients[role].post(url, data)
            requests += 1
            allowed = (403, 404) if rule else (200, 403, 404, 405)
            if response.status_code not in allowed:
                failures.append((name, role, response.status_code))
            if database_state(Recommendation) != before or AuditEvent.objects.count() != events:
                failures.append((name, role, "changed the database"))
    assert unclassified == []
    assert failures == [], "\n".join(map(str, failures))
    assert requests >= 60, requests  # the walk reached the write URLs with real forms
    assert len(forms) >= 25, sorted(forms)


@pytest.mark.django_db
def test_no_persona_below_the_rule_changes_anything_through_the_api(security_world, security_urls):
    world = security_world("Probe")
    p = world.personas
    admin = p.client_for(p.admin)
    clients = {Role.OBSERVER: p.client_for(p.observer), Role.MEMBER: p.client_for(p.member), Role.EDITOR: p.client_for(p.editor)}
    bodies = api_bodies(world)
    requests, failures = 0, []
    for name, url, view in security_urls(world):
        actions = getattr(view, "actions", None) or {}
        for method in sorted(m for m in actions if m not in ("get", "head", "options")):
            rule = api_rule(name, view, method)
            body = bodies.get(name, {})
            if method == "put" or method == "patch" and not body:
                current = admin.get(url)
                body = current.json() if current.status_code == 200 and "json" in current.get("Content-Type", "") else {}
            for role in below(rule):
                before, events = database_state(Recommendation), AuditEvent.objects.count()
                response = getattr(clients[role], method)(url, json.dumps(body), content_type="application/json")
                requests += 1
                if response.status_code not in (403, 404):
                    failures.append((name, method, role, response.status_code))
                if database_state(Recommendation) != before or AuditEvent.objects.count() != events:
                    failures.append((name, method, role, "changed the database"))
    assert failures == [], "\n".join(map(str, failures))
    assert requests >= 60, requests


@pytest.mark.django_db
def test_the_rules_are_real_the_admin_passes_the_same_gates(security_world, security_urls, page_forms):
    """The same forms, posted by the admin, are accepted: the 403s above come from the role rules,
    not from forms the walk filled wrongly."""
    world = security_world("Probe")
    forms = admin_forms(world, security_urls, page_forms)
    admin = world.personas.client_for(world.personas.admin)
    accepted = 0
    for name in (
        "coalitions:organisation_edit",
        "coalitions:group_edit",
        "workplan:consultation_edit",
        "workplan:review_adoption",
        "coalitions:milestone_edit",
        "submissions:draft_edit",
    ):
        url = next(u for n, u, _v in security_urls(world) if n == name)
        response = admin.post(url, forms[url])
        assert response.status_code in (200, 302), (name, response.status_code)
        accepted += response.status_code == 302
    assert accepted >= 4
