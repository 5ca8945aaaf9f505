"""Reads of the submissions app: draft recommendations and their impact; documents, their counts,
their submitters, their outline (what exports read) and the pre-submission check."""

from .budgets import *  # noqa: F403
from .documents import *  # noqa: F403
from .drafts import DraftRow, Impact, Match, draft_rows, engagement_impact, impact_summary, smart_checklist  # noqa: F401
from .people import *  # noqa: F403
from .signons import *  # noqa: F403
