"""The submissions pages: draft recommendations (drafts), documents and their editor (documents),
collaboration on sections (sections), sign-on and status (workflow), exports (exports)."""

from .drafts import draft_delete, draft_edit, draft_list, impact_decide  # noqa: F401
