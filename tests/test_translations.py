"""French and Spanish are part of the product: every message of the code has a translation in both,
none is fuzzy, each keeps its placeholders and markup, and the compiled catalogues are the build of
the committed ones.

Adding a string and forgetting its translations fails here with the string named: the code's messages
are gathered afresh (`manage.py makemessages`, this project's options) into a scratch copy of the
catalogues and compared with the committed ones.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from upr.management.commands.compile_translations import catalogues
from upr.management.commands.makemessages import LANGUAGES

LOCALE = Path(settings.LOCALE_PATHS[0])
# Placeholders a translation must keep: %(name)s, %s, %d, %%; {name} and {0} of str.format.
PLACEHOLDER = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]|%[-#0 +]*\d*(?:\.\d+)?[sdifr]|%%|\{[A-Za-z_0-9]*\}")
# Markup a translation must keep: HTML elements by name (so "<short address>", prose, is not markup).
TAG = re.compile(r"</?(a|abbr|b|br|code|em|i|kbd|li|ol|p|span|strong|time|u|ul)\b")


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


def label(entry: polib.POEntry) -> str:
    return f"{entry.msgctxt + ' | ' if entry.msgctxt else ''}{entry.msgid!r} ({', '.join(f for f, _l in entry.occurrences)})"


def forms(entry: polib.POEntry) -> list[tuple[str, str]]:
    """Each translated form beside the English it renders: a plural's first form is the singular
    (French uses it for 0 and 1, so it keeps the number when the English does), the others the plural."""
    if not entry.msgid_plural:
        return [(entry.msgstr, entry.msgid)]
    return [(text, entry.msgid if index == 0 else entry.msgid_plural) for index, text in sorted(entry.msgstr_plural.items())]


def translations(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language: str) -> None:
    entries = [e for e in catalogue(language) if not e.obsolete]
    missing = [label(e) for e in entries if not all(t.strip() for t in translations(e))]
    fuzzy = [label(e) for e in entries if "fuzzy" in e.flags]
    assert len(entries) > 1000
    assert not missing, f"{len(missing)} messages have no {language} translation:\n" + "\n".join(missing[:50])
    assert not fuzzy, f"{len(fuzzy)} {language} translations are fuzzy (check them, then remove the flag):\n" + "\n".join(
        fuzzy[:50]
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_placeholders_markup_and_line_ends(language: str) -> None:
    po = catalogue(language)
    assert po.metadata.get("Language") == language
    assert "charset=UTF-8" in po.metadata.get("Content-Type", "")
    wrong = []
    for entry in po:
        for text, source in forms(entry):
            if not text:  # untranslated: the test above names it
                continue
            found, expected = sorted(PLACEHOLDER.findall(text)), sorted(PLACEHOLDER.findall(source))
            if found != expected:
                wrong.append(f"{label(entry)}: placeholders {found} for {expected}")
            if sorted(TAG.findall(text)) != sorted(TAG.findall(source)):
                wrong.append(f"{label(entry)}: markup {TAG.findall(text)} for {TAG.findall(source)}")
            if text.startswith("\n") != source.startswith("\n") or text.endswith("\n") != source.endswith("\n"):
                wrong.append(f"{label(entry)}: line ends differ")
    assert not wrong, "\n".join(wrong[:50])


def test_the_code_has_no_message_the_catalogues_lack(tmp_path: Path, settings) -> None:
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        pytest.fail("GNU gettext is missing: `bash scripts/test-services.sh` installs it (apt-get install gettext).")
    scratch = tmp_path / "locale"
    shutil.copytree(LOCALE, scratch, ignore=shutil.ignore_patterns("*.mo"))
    settings.LOCALE_PATHS = [scratch]
    call_command("makemessages", verbosity=0)
    for language in LANGUAGES:
        committed = {(e.msgctxt, e.msgid) for e in catalogue(language) if not e.obsolete}
        gathered = polib.pofile(str(scratch / language / "LC_MESSAGES" / "django.po"))
        new = [label(e) for e in gathered if not e.obsolete and (e.msgctxt, e.msgid) not in committed]
        gone = sorted(m for _c, m in committed - {(e.msgctxt, e.msgid) for e in gathered if not e.obsolete})
        assert not new, (
            f"{len(new)} messages of the code are not in locale/{language}: run `make messages`, "
            "then translate them:\n" + "\n".join(new[:50])
        )
        assert not gone, f"locale/{language} holds messages the code no longer has (run `make messages`): {gone[:20]}"


def test_the_compiled_catalogues_are_the_build_of_the_committed_ones() -> None:
    found = catalogues()
    assert {p.parent.parent.name for p in found} >= set(LANGUAGES)
    for po_path in found:
        mo_path = po_path.with_suffix(".mo")
        assert mo_path.exists(), f"{mo_path} is missing: `make test` (or manage.py compile_translations) builds it"
        built = polib.mofile(str(mo_path))
        source = {(e.msgctxt, e.msgid): translations(e) for e in polib.pofile(str(po_path)).translated_entries()}
        compiled = {(e.msgctxt, e.msgid): translations(e) for e in built if e.msgid}
        assert compiled == source, f"{mo_path} is not the build of {po_path}: run manage.py compile_translations"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", ["Examen périodique universel", "Se connecter"]),
        ("es", ["Examen Periódico Universal", "Iniciar sesión"]),
    ],
)
def test_pages_speak_the_readers_language(language: str, expected: list[str], db) -> None:
    page = Client().get("/", HTTP_ACCEPT_LANGUAGE=language)
    html = page.content.decode()
    assert page["Content-Language"] == language
    assert f'<html lang="{language}" dir="ltr">' in html
    for words in expected:
        assert words in html, f"{words!r} not on the {language} home page"
    with translation.override(language):
        assert str(translation.gettext("Log in")) != "Log in"


def test_every_message_raised_to_a_person_is_marked_for_translation() -> None:
    """Errors a person reads (a form's or the API's ValidationError, a PermissionDenied, a Response's
    "detail") carry words only through gettext: a bare string there stays English in every language."""
    import ast

    raised = {"ValidationError", "PermissionDenied", "NotFound", "ParseError", "Conflict", "SaveConflict"}
    marked = {"_", "gettext", "gettext_lazy", "ngettext", "pgettext", "format_lazy"}
    root = Path(settings.BASE_DIR)
    bare: list[str] = []

    def words_outside_gettext(node: ast.AST) -> list[ast.expr]:
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in marked:
            return []
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and " " in node.value.strip():
            return [node]
        if isinstance(node, ast.JoinedStr):
            return [node]
        if isinstance(node, ast.Dict):  # the keys are field names; the values are messages
            return [n for value in node.values if value is not None for n in words_outside_gettext(value)]
        if isinstance(node, ast.List | ast.Tuple | ast.BinOp):
            return [n for child in ast.iter_child_nodes(node) for n in words_outside_gettext(child)]
        return []

    for path in sorted(root.glob("*/**/*.py")):
        relative = path.relative_to(root).as_posix()
        if (
            relative.split("/")[0] in {".venv", "tests", "benchmarks", "frontend", "scripts", "node_modules"}
            or "/migrations/" in relative
            or "/management/" in relative
        ):
            continue
        for node in ast.walk(ast.parse(path.read_text(), relative)):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name in raised:
                arguments = list(node.args) + [k.value for k in node.keywords if k.arg in ("message", "detail")]
            elif name == "Response" and node.args and isinstance(node.args[0], ast.Dict):
                arguments = [
                    v
                    for k, v in zip(node.args[0].keys, node.args[0].values, strict=True)
                    if isinstance(k, ast.Constant) and k.value in ("detail", "error", "message")
                ]
            else:
                continue
            bare += [f"{relative}:{found.lineno}" for argument in arguments for found in words_outside_gettext(argument)]
    assert not bare, "messages a person reads, not marked for translation: " + ", ".join(bare)
