"""Reads of the decisions: each decision with its options, votes and tally, as one person may see it,
in a fixed number of queries whatever the number of decisions and votes.

A decision past its closing time is shown closed, with the tally of the votes it took, even before the
closing task (services.decisions.decisions_close_due, every minute) has recorded its outcome: a page
computes, it never writes in a GET, and the vote service refuses a vote after the time whatever the
status says, so the computed tally is the one the task records.

Who reads which name: every person of the coalition reads how many organisations voted for what; the
name (and reason) of an organisation whose name is withheld is read by the secretariat (admins) and by
that organisation's own contacts only, never by the other members or observers (coalitions.withheld
lets members read withheld names elsewhere; a vote says where an organisation stands, so here the rule
is the secretariat's alone). A vote of a withheld organisation is counted for everyone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy

from coalitions.models import Membership, Role

from ..models import Decision, DecisionKind, DecisionOption, DecisionStatus, Document, Vote

if TYPE_CHECKING:
    from ..decision_forms import VoteForm

__all__ = [
    "APPROVE",
    "OBJECT",
    "ABSTAIN",
    "Tally",
    "DecisionCard",
    "option_label",
    "decision_tally",
    "contact_organisations",
    "decisions_with_votes",
    "decision_cards",
    "document_decisions",
    "is_past",
    "approving_organisations",
]

# The options of an "approve" decision, by position: made by the service, shown in each reader's language.
APPROVE, OBJECT, ABSTAIN = 0, 1, 2
APPROVE_LABELS = {APPROVE: gettext_lazy("Approve"), OBJECT: gettext_lazy("Object"), ABSTAIN: gettext_lazy("Abstain")}


def option_label(decision: Decision, option: DecisionOption) -> str:
    """An option as the reader reads it: an approve decision's three in their language, a choice's as written."""
    if decision.kind == DecisionKind.APPROVE and option.position in APPROVE_LABELS:
        return str(APPROVE_LABELS[option.position])
    return option.label


@dataclass
class Tally:
    """The count of a decision: votes per option id, how many organisations voted and could vote, which
    option(s) lead (several when tied; none without a vote), and how many votes were cast on the very
    version put to the decision."""

    counts: dict[int, int]
    voters: int
    eligible: int
    chosen: list[int]
    on_version: int
    votes: list[list[Any]] = field(default_factory=list)  # [organisation id, option id, on the version]

    def as_record(self) -> dict[str, Any]:
        """What Decision.outcome keeps (JSON: option ids as strings)."""
        return {
            "counts": {str(k): v for k, v in self.counts.items()},
            "voters": self.voters,
            "eligible": self.eligible,
            "chosen": self.chosen,
            "on_version": self.on_version,
            "votes": self.votes,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Tally:
        return cls(
            counts={int(k): v for k, v in record.get("counts", {}).items()},
            voters=record.get("voters", 0),
            eligible=record.get("eligible", 0),
            chosen=list(record.get("chosen", [])),
            on_version=record.get("on_version", 0),
            votes=list(record.get("votes", [])),
        )


def decision_tally(decision: Decision, options: list[DecisionOption], votes: list[Vote], eligible: set[int]) -> Tally:
    """Count the votes. An approve decision is decided between Approve and Object (an abstention is a
    vote, not a choice); a choice by the most votes. A tie chooses several, no vote chooses none."""
    counts = {o.pk: 0 for o in options}
    for vote in votes:
        counts[vote.option_id] = counts.get(vote.option_id, 0) + 1
    contenders = [o for o in options if not (decision.kind == DecisionKind.APPROVE and o.position == ABSTAIN)]
    best = max((counts[o.pk] for o in contenders), default=0)
    return Tally(
        counts=counts,
        voters=len(votes),
        eligible=len(eligible | {v.organisation_id for v in votes}),
        chosen=[o.pk for o in contenders if best and counts[o.pk] == best],
        on_version=sum(1 for v in votes if v.text_digest == decision.text_digest),
        votes=[[v.organisation_id, v.option_id, v.text_digest == decision.text_digest] for v in votes],
    )


def contact_organisations(coalition_id: int) -> set[int]:
    """The organisations that can vote: those with a contact in the coalition (a person of the
    organisation, member or above, whose account is active), in one query."""
    return set(
        Membership.objects.filter(coalition_id=coalition_id, organisation__isnull=False, user__is_active=True)
        .exclude(role=Role.OBSERVER)
        .values_list("organisation_id", flat=True)
        .distinct()
    )


def is_past(decision: Decision, now: dt.datetime) -> bool:
    """Closed, or open past its closing time (the closing task records it within the minute)."""
    return decision.status == DecisionStatus.CLOSED or (decision.status == DecisionStatus.OPEN and decision.closes_at <= now)


def decisions_with_votes(decisions: QuerySet[Decision]) -> QuerySet[Decision]:
    """The decisions with their options and votes (each vote's organisation and person): three queries."""
    return decisions.select_related("opened_by").prefetch_related(
        Prefetch("options", DecisionOption.objects.order_by("position", "id")),
        Prefetch("votes", Vote.objects.select_related("organisation", "cast_by").order_by("cast_at", "id")),
    )


@dataclass
class DecisionCard:
    """One decision as one person reads it (see the module's docstring for the names)."""

    decision: Decision
    options: list[DecisionOption]  # each with `.shown` (its label), `.count`, `.chosen`
    votes: list[Vote]  # each with `.named` (the name may be shown), `.mine`, `.other_version`, `.option_shown`
    tally: Tally
    state: str  # "open", "closed" (recorded or past its time) or "cancelled"
    my_vote: Vote | None
    can_vote: bool
    text_unchanged: bool | None  # the document's text is still the version decided on (None: not known here)
    # The forms this person may send, set by views.decisions.decision_forms for the pages.
    vote_form: VoteForm | None = field(default=None, init=False, repr=False, compare=False)
    can_manage: bool = field(default=False, init=False, repr=False, compare=False)
    can_ask_to_sign: bool = field(default=False, init=False, repr=False, compare=False)

    @property
    def open(self) -> bool:
        return self.state == DecisionStatus.OPEN

    @property
    def moment(self) -> dt.datetime:
        """When it closes (open, or cancelled: when it was to close) or closed."""
        if self.state == DecisionStatus.CLOSED and self.decision.closed_at:
            return self.decision.closed_at
        return self.decision.closes_at

    @property
    def recorded(self) -> bool:
        return self.decision.status == DecisionStatus.CLOSED

    @property
    def approved(self) -> bool:
        """An approve decision that closed with more Approve than Object."""
        approve = next((o.pk for o in self.options if o.position == APPROVE), None)
        return (
            self.decision.kind == DecisionKind.APPROVE and self.state == DecisionStatus.CLOSED and self.tally.chosen == [approve]
        )

    @property
    def unnamed_votes(self) -> int:
        return len([v for v in self.votes if not v.named])  # type: ignore[attr-defined]  # `named` is set by decision_cards


def _state(decision: Decision, now: dt.datetime) -> str:
    return DecisionStatus.CLOSED if is_past(decision, now) else decision.status


def decision_cards(
    *,
    decisions: list[Decision],
    membership: Membership,
    now: dt.datetime,
    digests: dict[int, str] | None = None,
    eligible: set[int] | None = None,
) -> list[DecisionCard]:
    """The cards of decisions read with `decisions_with_votes`, for this person; `digests` ({document id:
    digest of its text now}) says whether each document's text is still the version decided on. One
    query (the organisations that can vote) when there is any open decision; none otherwise."""
    if eligible is None and any(d.status == DecisionStatus.OPEN for d in decisions):
        eligible = contact_organisations(membership.coalition_id)
    sees_all = membership.is_admin
    cards = []
    for decision in decisions:
        options = list(decision.options.all())
        votes = list(decision.votes.all())
        state = _state(decision, now)
        if decision.status == DecisionStatus.CLOSED and decision.outcome:
            tally = Tally.from_record(decision.outcome)  # as recorded at the close
        else:
            tally = decision_tally(decision, options, votes, eligible or set())
        labels = {}
        for option in options:
            option.shown = labels[option.pk] = option_label(decision, option)
            option.count = tally.counts.get(option.pk, 0)
            option.chosen = state == DecisionStatus.CLOSED and option.pk in tally.chosen
        for vote in votes:
            vote.mine = vote.organisation_id == membership.organisation_id
            vote.named = sees_all or vote.mine or not vote.organisation.withheld
            vote.other_version = vote.text_digest != decision.text_digest
            vote.option_shown = labels.get(vote.option_id, "")
        mine = next((v for v in votes if v.mine), None)
        digest = (digests or {}).get(decision.document_id)
        cards.append(
            DecisionCard(
                decision=decision,
                options=options,
                votes=votes,
                tally=tally,
                state=state,
                my_vote=mine,
                can_vote=state == DecisionStatus.OPEN
                and membership.organisation_id is not None
                and membership.has_role(Role.MEMBER),
                text_unchanged=None if digest is None else digest == decision.text_digest,
            )
        )
    return cards


def document_decisions(*, document: Document, membership: Membership, digest: str | None, now: dt.datetime) -> list[DecisionCard]:
    """The document page's decisions, open ones first, newest first: four queries at most."""
    decisions = list(decisions_with_votes(Decision.objects.for_coalition(membership.coalition).filter(document=document)))
    decisions.sort(key=lambda d: _state(d, now) != DecisionStatus.OPEN)  # stable: newest first within each
    return decision_cards(
        decisions=decisions, membership=membership, now=now, digests={document.pk: digest} if digest is not None else None
    )


def approving_organisations(decision: Decision) -> list[Any]:
    """The organisations that voted Approve on an approve decision (any version), by name."""
    return [
        v.organisation
        for v in Vote.objects.filter(decision=decision, option__position=APPROVE)
        .select_related("organisation")
        .order_by("organisation__name")
    ]
