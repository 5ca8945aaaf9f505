"""The demo coalition's accounts share a password printed in the README: production must not be able
to create them. The demo loader is its own app, installed by the dev and test settings only, and
kept out of the container image."""

import fnmatch
from pathlib import Path

import pytest

from .helpers import run_python

ROOT = Path(__file__).resolve().parent.parent
HAS_DEMO = "from django.core.management import get_commands; import django; django.setup(); print('load_demo' in get_commands())"


@pytest.mark.parametrize(
    ("settings", "expected"),
    [("hub.settings.production", "False"), ("hub.settings.dev", "True"), ("hub.settings.test", "True")],
)
def test_only_development_settings_install_the_demo_loader(settings, expected, tmp_path):
    result = run_python(HAS_DEMO, tmp_path, DJANGO_SETTINGS_MODULE=settings, SECRET_KEY="k" * 50)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == expected


def test_the_container_image_leaves_the_demo_out():
    patterns = [
        line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines() if line.strip() and not line.startswith("#")
    ]
    assert any(fnmatch.fnmatch("demo", pattern) for pattern in patterns)
    assert (ROOT / "demo" / "management" / "commands" / "load_demo.py").exists()  # the pattern matches a real folder
