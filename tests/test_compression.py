"""Slow connections: what travels is compressed.

* Static files, as production serves them: collectstatic (whitenoise's CompressedManifestStaticFilesStorage,
  the storage of hub.settings.production) writes a hashed copy of every file with a .gz and a .br beside
  it; WhiteNoise answers the smallest the browser accepts, and a hashed name with a year-long, immutable
  Cache-Control. `make run`'s way (hub.settings.dev: the apps' folders, no collectstatic) still serves.
* Pages, fragments, JSON and downloads go through Django's GZipMiddleware: gzip when the browser asks,
  a length that varies between identical requests (Heal-The-Breach: see MIDDLEWARE in
  hub/settings/base.py for why this is safe from BREACH), streamed downloads still whole.

The figures on a slow line are benchmarks/slow_line.py's.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import brotli
import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from implementation.models import Evidence, Matrix, MatrixRow

from .factories import RecommendationFactory
from .helpers import body_of, joint_submission

ROOT = Path(__file__).resolve().parent.parent
STATIC_SOURCE = Path(django_settings.BASE_DIR) / "static"
A_YEAR = 365 * 24 * 3600
BROWSER = "gzip, deflate, br, zstd"  # what Chromium sends


@pytest.fixture(scope="module")
def production_storages() -> dict:
    """hub.settings.production's STORAGES, read in a process of its own (importing the module here would
    replace the test settings, and it refuses the development SECRET_KEY)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEBUG"))}
    environment.update(DJANGO_SETTINGS_MODULE="hub.settings.production", SECRET_KEY="k" * 50, EMBEDDED_BEAT="false")
    code = "import json; from django.conf import settings; print(json.dumps(settings.STORAGES))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def collected(settings, tmp_path, production_storages) -> Path:
    """collectstatic as the image runs it, into a folder of the test's own, of the project's static
    folder (what every page loads; the apps' own files, admin and API docs, take 20 s more to compress
    and are collected the same way), then served as production serves them (no finders, no autorefresh)."""
    assert production_storages["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    settings.STORAGES = production_storages
    settings.STATIC_ROOT = str(tmp_path / "static")
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    call_command("collectstatic", interactive=False, verbosity=0)
    settings.WHITENOISE_AUTOREFRESH = False
    settings.WHITENOISE_USE_FINDERS = False
    return Path(settings.STATIC_ROOT)


def hashed(root: Path, name: str) -> str:
    """The hashed name collectstatic gave `name` (from its manifest)."""
    manifest = json.loads((root / "staticfiles.json").read_text())
    return manifest["paths"][name]


def test_collectstatic_writes_gzip_and_brotli_beside_every_hashed_file(collected):
    for name in ("editor/live-editor.js", "editor/live-editor.css", "css/app.css", "vendor/htmx.min.js", "js/wordcount.js"):
        original = (STATIC_SOURCE / name).read_bytes()
        path = collected / hashed(collected, name)
        assert path.name != Path(name).name and path.read_bytes() == original
        gz, br = Path(f"{path}.gz"), Path(f"{path}.br")
        assert gzip.decompress(gz.read_bytes()) == original, name
        assert brotli.decompress(br.read_bytes()) == original, name
        assert len(br.read_bytes()) < len(gz.read_bytes()) < len(original) / 2, name
    # The bundle that the document page loads, as a slow line receives it.
    bundle = collected / hashed(collected, "editor/live-editor.js")
    assert len(Path(f"{bundle}.br").read_bytes()) < len(Path(f"{bundle}.gz").read_bytes())


@pytest.mark.django_db
def test_every_static_file_of_a_page_is_served_compressed_and_cached_for_a_year(collected):
    client = Client()
    page = client.get("/accounts/login/", HTTP_ACCEPT_ENCODING=BROWSER)
    html = gzip.decompress(page.content).decode()
    urls = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert urls and all(re.search(r"\.[0-9a-f]{12}\.(?:css|js)$", url) for url in urls), urls
    for url in urls:
        name = url.removeprefix("/static/")
        original = (collected / name).read_bytes()
        for accept, encoding, decode in (
            (BROWSER, "br", brotli.decompress),
            ("gzip, deflate", "gzip", gzip.decompress),
            ("", None, bytes),
        ):
            response = client.get(url, HTTP_ACCEPT_ENCODING=accept)
            assert response.status_code == 200, url
            cache = response["Cache-Control"]
            max_age = int(re.search(r"max-age=(\d+)", cache).group(1))
            assert max_age >= A_YEAR and "immutable" in cache and "public" in cache, (url, cache)
            assert response.get("Content-Encoding") == encoding, (url, accept)
            assert "Accept-Encoding" in response["Vary"]
            body = b"".join(response.streaming_content)
            assert decode(body) == original and int(response["Content-Length"]) == len(body)
        # A browser that has it asks again only with If-None-Match: answered 304, no body.
        etag = client.get(url, HTTP_ACCEPT_ENCODING=BROWSER)["ETag"]
        again = client.get(url, HTTP_ACCEPT_ENCODING=BROWSER, HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304 and b"".join(again.streaming_content) == b""


@pytest.mark.django_db
def test_an_unhashed_name_is_not_cached_for_long(collected):
    response = Client().get("/static/css/app.css")
    assert response.status_code == 200 and "immutable" not in response["Cache-Control"]


@pytest.mark.django_db
def test_make_run_serves_the_static_files_from_the_apps_folders_without_collectstatic(settings, tmp_path):
    """hub.settings.dev: WhiteNoise finds the files in the apps' folders (STATIC_ROOT empty)."""
    settings.STATIC_ROOT = str(tmp_path / "nothing-collected")
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    client = Client()
    page = client.get("/accounts/login/")
    assert '/static/css/app.css"' in page.content.decode()
    for name in ("css/app.css", "editor/live-editor.js"):
        response = client.get(f"/static/{name}", HTTP_ACCEPT_ENCODING=BROWSER)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == (STATIC_SOURCE / name).read_bytes()


# --- pages ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_page_is_gzipped_when_the_browser_accepts_it_with_its_headers_intact(personas):
    client = personas.client_for(personas.admin)
    url = reverse("coalitions:dashboard", args=("alpha",))
    plain = client.get(url)
    assert plain.status_code == 200 and "Content-Encoding" not in plain and "Accept-Encoding" in plain["Vary"]
    response = client.get(url, HTTP_ACCEPT_ENCODING=BROWSER)
    assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    html = gzip.decompress(response.content)
    assert int(response["Content-Length"]) == len(response.content) < len(html) / 2
    assert b"Alpha Coalition" in html
    # The other middleware's headers are still there.
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY" and response["Permissions-Policy"]


@pytest.mark.django_db
def test_a_compressed_page_varies_in_length_between_identical_requests(personas):
    """BREACH reads a secret from the lengths of many compressed responses: GZipMiddleware pads each
    one with 0-100 random bytes (the gzip header's file name field), so identical requests differ."""
    client = personas.client_for(personas.admin)
    url = reverse("coalitions:dashboard", args=("alpha",))
    bodies = [client.get(url, HTTP_ACCEPT_ENCODING="gzip").content for _ in range(6)]
    assert len({len(body) for body in bodies}) > 1
    for body in bodies:
        assert body[3] & 0x08  # FNAME: the random padding is there
    # The CSRF token in the page is masked afresh in each response too.
    tokens = {re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', gzip.decompress(b)).group(1) for b in bodies}
    assert len(tokens) == len(bodies)


@pytest.mark.django_db
def test_json_from_the_api_is_compressed(personas):
    client = personas.client_for(personas.admin)
    response = client.get("/api/c/alpha/members/", HTTP_ACCEPT_ENCODING=BROWSER)
    assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
    assert {m["email"] for m in json.loads(gzip.decompress(response.content))["results"]} >= {personas.admin.email}


@pytest.mark.django_db
def test_a_streamed_csv_export_downloads_whole_when_compressed(personas):
    client = personas.client_for(personas.editor)
    url = reverse("recommendations:export_csv", args=("alpha",))
    plain = client.get(url)
    expected = b"".join(plain.streaming_content)
    response = client.get(url, HTTP_ACCEPT_ENCODING=BROWSER)
    assert response.status_code == 200 and response.streaming and response["Content-Encoding"] == "gzip"
    assert response["Content-Disposition"].startswith("attachment") and "Content-Length" not in response
    text = gzip.decompress(b"".join(response.streaming_content))
    assert text == expected and text.startswith("\ufeff".encode())
    assert next(csv.reader(io.StringIO(text.decode().lstrip("\ufeff"))))  # the header row


@pytest.mark.django_db
def test_an_evidence_file_downloads_whole_when_compressed(personas):
    pdf = b"%PDF-1.4\n" + b"1 0 obj<<>>endobj\n" * 50 + b"trailer<<>>\n%%EOF\n"
    RecommendationFactory(review=personas.engagement.review, thematic_cluster="Right to health", response="supported")
    admin = personas.client_for(personas.admin)
    base = f"/c/alpha/engagements/{personas.engagement.pk}/matrix/"
    assert admin.post(f"{base}build/", {"scheme": "ohchr"}).status_code == 302
    row = MatrixRow.objects.filter(matrix=Matrix.objects.get(engagement=personas.engagement)).get()
    assert (
        admin.post(
            f"{base}rows/{row.pk}/assess/",
            {
                "assessed_on": "2027-06-30",
                "law": "full",
                "policy": "partial",
                "practice": "not",
                "narrative": "A law passed",
                "shared": "on",
                "evidence_title": "Annual report",
                "evidence_source": "Ombudsperson",
                "evidence_dated": "2027-05-01",
                "evidence_file": SimpleUploadedFile("report.pdf", pdf, content_type="application/pdf"),
            },
        ).status_code
        == 302
    )
    evidence = Evidence.objects.get()
    response = personas.client_for(personas.member).get(f"/c/alpha/evidence/{evidence.pk}/", HTTP_ACCEPT_ENCODING=BROWSER)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "private, no-store"
    assert body_of(response) == pdf


# --- the document page: readable before its editor arrives ------------------------------------------


@pytest.mark.django_db
def test_the_document_page_holds_its_text_and_loads_the_editor_only_after_itself(personas):
    """The live editor's bundle (175 KB compressed) is no script of the page: the loader fetches it after
    the load event (frontend/src/loader.js), while the sections' text is already in the HTML."""
    document = joint_submission(
        personas, title="On a slow line", group_first=False, body="<p>Readable before the editor arrives.</p>"
    )
    html = personas.client_for(personas.admin).get(f"/c/alpha/documents/{document.pk}/").content.decode()
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert "/static/editor/live-editor.js" not in scripts and "/static/editor/live-editor-loader.js" in scripts
    loader = re.search(
        r'<script src="/static/editor/live-editor-loader.js" data-editor="([^"]+)" '
        r'data-loading="([^"]+)" data-failed="([^"]+)" defer>',
        html,
    )
    assert loader and loader.group(1) == "/static/editor/live-editor.js" and loader.group(2) == "Loading the editor…"
    assert "Readable before the editor arrives." in html
