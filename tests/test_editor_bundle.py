"""The live editor's bundle (static/editor/, committed so that `make run` needs no Node) is exactly
the build of frontend/ from its lockfile; and the editor's pure functions pass their own tests.

Node is on the machines this project targets; where it is not, these tests say so and skip."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FRONTEND = ROOT / "frontend"
BUNDLE = ROOT / "static" / "editor"

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or shutil.which("npm") is None,
    reason="Node is not installed: the committed bundle cannot be rebuilt here",
)


@pytest.fixture
def node_modules(frontend_node_modules: Path) -> Path:
    return frontend_node_modules


def test_the_committed_bundle_is_the_build_of_the_sources(node_modules, tmp_path):
    subprocess.run(
        ["node", "build.mjs"],
        cwd=FRONTEND,
        check=True,
        capture_output=True,
        timeout=300,
        env={**os.environ, "UPR_EDITOR_OUTDIR": str(tmp_path)},
    )
    built = sorted(p.name for p in tmp_path.iterdir())
    assert built == ["live-editor-loader.js", "live-editor.css", "live-editor.js"]
    for name in built:
        assert (tmp_path / name).read_bytes() == (BUNDLE / name).read_bytes(), (
            f"static/editor/{name} is not the build of frontend/: run `make assets` and commit the result"
        )


def test_the_editor_pure_functions_pass_their_tests(node_modules):
    result = subprocess.run(["node", "--test", "test/"], cwd=FRONTEND, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_the_bundle_loads_nothing_from_elsewhere():
    source = (BUNDLE / "live-editor.js").read_text()
    for marker in ("cdn.jsdelivr", "unpkg.com", "googleapis", "cdnjs"):
        assert marker not in source
