"""What the decisions tests share (a helper, not a fixture): alpha's joint submission with voters of
every kind around the personas.

Organisations: the personas' "Centre for Equal Rights" (lead; the admin, editor and member are its
contacts), "Roma Rights Watch" (two contacts: a member, and an editor who reads French in New York),
"Safe Harbour Defenders" (its name withheld for its security; one contact), and "Quiet Trust" (no
contact: it cannot vote). Besides: a member with no organisation, and the observer (no organisation).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from accounts.models import User
from coalitions.models import MemberOrganisation, Membership, Role
from submissions import services
from submissions.models import Decision, Document
from submissions.services import decisions

from .factories import MembershipFactory, UserFactory

SECRET_TEXT = "Testimonies from the Dob prison"
QUESTION = "Approve the final text of the joint submission"


@dataclass
class Voters:
    document: Document
    rrw: MemberOrganisation
    rrw_member: User
    rrw_editor: User
    hidden: MemberOrganisation
    hidden_member: User
    silent: MemberOrganisation
    loner: User

    def m(self, user: User) -> Membership:
        return Membership.objects.get(coalition=self.document.coalition, user=user)


def voters(personas) -> Voters:
    coalition = personas.coalition
    document = services.document_create(
        coalition=coalition,
        actor=personas.admin,
        engagement=personas.engagement,
        kind="joint_submission",
        title=f"Joint submission: {SECRET_TEXT}",
        lead_organisation=personas.organisation,
    )
    section = document.sections.order_by("position").first()
    assert section is not None  # document_create gives a document its starting sections
    services.section_save(
        section=section,
        membership=personas.membership(personas.admin),
        base_version=section.version,
        body=f"<p>{SECRET_TEXT} in detail.</p>",
    )
    rrw = MemberOrganisation.objects.create(coalition=coalition, name="Roma Rights Watch")
    rrw_member = UserFactory.create(email="ana@rrw.example.org")
    MembershipFactory(coalition=coalition, user=rrw_member, role=Role.MEMBER, organisation=rrw)
    rrw_editor = UserFactory.create(email="contact@rrw.example.org", language="fr", timezone="America/New_York")
    MembershipFactory(coalition=coalition, user=rrw_editor, role=Role.EDITOR, organisation=rrw)
    hidden = MemberOrganisation.objects.create(coalition=coalition, name="Safe Harbour Defenders", withheld=True)
    hidden_member = UserFactory.create(email="lead@harbour.example.org")
    MembershipFactory(coalition=coalition, user=hidden_member, role=Role.MEMBER, organisation=hidden)
    silent = MemberOrganisation.objects.create(coalition=coalition, name="Quiet Trust")
    loner = UserFactory.create(email="loner@alpha.example.org")
    MembershipFactory(coalition=coalition, user=loner, role=Role.MEMBER)
    return Voters(
        document=Document.objects.get(pk=document.pk),
        rrw=rrw,
        rrw_member=rrw_member,
        rrw_editor=rrw_editor,
        hidden=hidden,
        hidden_member=hidden_member,
        silent=silent,
        loner=loner,
    )


def open_decision(
    personas,
    document: Document,
    *,
    hours: float = 72,
    kind: str = "approve",
    options: list[str] | None = None,
    title: str = QUESTION,
) -> Decision:
    return decisions.decision_open(
        document=document,
        membership=personas.membership(personas.admin),
        title=title,
        kind=kind,
        options=options,
        closes_at=timezone.now() + dt.timedelta(hours=hours),
    )


def option(decision: Decision, position: int) -> int:
    return decision.options.get(position=position).pk


def vote(membership: Membership, decision: Decision, position: int, reason: str = ""):
    return decisions.decision_vote(decision=decision, membership=membership, option_id=option(decision, position), reason=reason)
