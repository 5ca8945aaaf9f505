"""Plain helpers that several test modules share (fixtures live in conftest.py; a test module never
imports from another test module).

Reference files, API and page clients, alpha's joint submission, a fingerprint of the coalitions' data,
a response's body as the browser reads it, the code's memos (which conftest empties before each test),
and a Python process started with none of our settings.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.test import Client

if TYPE_CHECKING:
    from django.db.models import Model

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_DATA = ROOT / "recommendations" / "reference_data"
# OHCHR's thematic lists (Word) of the recommendations Slovenia received at its 2nd, 3rd and 4th reviews,
# by session; the 4th's holds 254 recommendations.
THEMATIC_LISTS = {
    20: REFERENCE_DATA / "UPR20__Slovenia_ThematicListRecommendations_E.docx",
    34: REFERENCE_DATA / "UPR34_Slovenia_Thematic_list_of_Recommendations.docx",
    48: REFERENCE_DATA / "upr48-slovenia-thematic-list-of-recommendatio.docx",
}
CYCLE2, CYCLE3, CYCLE4 = THEMATIC_LISTS[20], THEMATIC_LISTS[34], THEMATIC_LISTS[48]
# An export of UPR Info's database: Slovenia's recommendations of every cycle, as CSV.
UPR_INFO_SAMPLE = REFERENCE_DATA / "upr-info_slovenia_sample.csv"
# The smallest file a PDF reader (and the evidence upload's check of the file's first bytes) takes for a PDF.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# The first section of the `live` fixture's document: two paragraphs, a footnote.
LIVE_BODY = '<p>Opening words of the section.<span class="footnote">A source, 2024.</span></p><p>Second paragraph.</p>'


# --- clients --------------------------------------------------------------------------------------


def api_token(user: Any) -> str:
    """The person's API token (made on first use), as `Authorization: Token <key>` takes it."""
    from rest_framework.authtoken.models import Token

    token, _ = Token.objects.get_or_create(user=user)
    return token.key


def token_client(user: Any) -> Client:
    """A client of the API authenticated by the person's token (no session, no CSRF)."""
    return Client(HTTP_AUTHORIZATION=f"Token {api_token(user)}")


def signed_in(user: Any, **defaults: Any) -> Client:
    """A client with the person's session, as after logging in (`defaults`: headers of every request)."""
    client = Client(**defaults)
    client.force_login(user)
    return client


def session_cookie(user: Any) -> str:
    """The value of a signed-in session's cookie, for a browser or a WebSocket (logging in touches the
    database: made before any async part)."""
    from django.conf import settings

    return signed_in(user).cookies[settings.SESSION_COOKIE_NAME].value


def body_of(response: Any) -> bytes:
    """The body as the browser reads it: streamed or not, un-gzipped when it was sent gzipped."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return gzip.decompress(body) if response.get("Content-Encoding") == "gzip" else body


# --- data -----------------------------------------------------------------------------------------


def joint_submission(
    personas: Any, *, title: str = "Joint submission on equality", group_first: bool = True, body: str | None = None
) -> Any:
    """Alpha's joint submission led by the personas' organisation. Its first section is the Equality
    group's (the editor leads it) unless `group_first` is False, and holds `body` (saved by the admin)
    when given."""
    from submissions import services

    document = services.document_create(
        coalition=personas.coalition,
        actor=personas.admin,
        engagement=personas.engagement,
        kind="joint_submission",
        title=title,
        lead_organisation=personas.organisation,
    )
    first = document.sections.order_by("position").first()
    assert first is not None  # document_create gives a document its starting sections
    if group_first:
        first.working_group = personas.group
        first.save()
    if body is not None:
        services.section_save(
            section=first, membership=personas.membership(personas.admin), base_version=first.version, body=body
        )
    return document


def clustered_recommendations(personas: Any, n: int = 4) -> list:
    """`n` recommendations of the engagement's review, supported and noted in turn, in OHCHR's clusters
    (two of "Members of minorities", one of "Right to health", one without a cluster, and again)."""
    from .factories import RecommendationFactory

    clusters = ["Members of minorities", "Right to health", "Members of minorities", ""]
    return [
        RecommendationFactory(
            review=personas.engagement.review, thematic_cluster=clusters[i % 4], response="supported" if i % 2 == 0 else "noted"
        )
        for i in range(n)
    ]


def database_state(*also: type[Model]) -> str:
    """A fingerprint of every coalition-owned row, the coalitions and their memberships (and of the
    rows of the models `also`): equal before and after, nothing was written."""
    import hashlib

    from django.apps import apps

    from coalitions.models import Coalition, CoalitionOwnedModel, Membership

    models: list[type[Model]] = [m for m in apps.get_models() if issubclass(m, CoalitionOwnedModel)]
    models += [*also, Coalition, Membership]
    digest = hashlib.sha256()
    for model in sorted(set(models), key=lambda m: m._meta.label):
        for row in model._default_manager.order_by("pk").values():  # `objects`: each model's only manager
            digest.update(repr(sorted(row.items())).encode())
    return digest.hexdigest()


# --- memos ----------------------------------------------------------------------------------------

_MEMOS_BY_MODULE: dict[str, list] = {}


def _our_packages() -> tuple[str, ...]:
    from django.apps import apps

    return tuple(f"{config.name}." for config in apps.get_app_configs() if "site-packages" not in config.path)


def app_memos() -> list:
    """Every `functools.cache` / `lru_cache` function of the app's modules imported so far (found
    once per module, so that a memo added later is cleared without anyone listing it here)."""
    import sys

    packages = _our_packages()
    for name, module in list(sys.modules.items()):
        if name in _MEMOS_BY_MODULE or not (name + ".").startswith(packages) or module is None:
            continue
        _MEMOS_BY_MODULE[name] = [
            value
            for value in vars(module).values()
            if callable(value)
            and hasattr(value, "cache_clear")
            and hasattr(value, "cache_info")
            and getattr(value, "__module__", None) == name
        ]
    return [memo for memos in _MEMOS_BY_MODULE.values() for memo in memos]


# --- processes ------------------------------------------------------------------------------------


def run_python(code: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """`python -c code` from the checkout with no DJANGO_SETTINGS_MODULE (nor any other of our settings)."""
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "EMAIL_", "SECRET_KEY", "DEBUG", "EMBEDDED_"))
    }
    environment.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "EMBEDDED_BEAT": "false", **env})
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120)
