"""Every write of the submissions app: validated, atomic, audited. Views, the API and tasks call these."""

from .budgets import *  # noqa: F403
from .comments import *  # noqa: F403
from .documents import *  # noqa: F403
from .drafts import draft_delete, draft_save, impact_decide  # noqa: F401
from .signons import *  # noqa: F403
from .status import *  # noqa: F403
from .suggestions import *  # noqa: F403
