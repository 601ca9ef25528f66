"""Every user-facing string is translated into Kazakh and Russian: the catalogues in the repo are
complete and current (a string added to the code but not to the catalogues fails here)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

LOCALE = Path(settings.LOCALE_PATHS[0])
PACKAGE = LOCALE.parent
REQUIRED = ["kk", "ru"]


def _catalogue(lang: str) -> polib.POFile:
    path = LOCALE / lang / "LC_MESSAGES" / "django.po"
    assert path.is_file(), f"missing catalogue {path.relative_to(PACKAGE.parent)}"
    return polib.pofile(str(path))


@pytest.mark.parametrize("lang", REQUIRED)
def test_catalogue_has_no_untranslated_or_fuzzy_entries(lang: str) -> None:
    po = _catalogue(lang)
    missing = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not missing, f"{lang}: {len(missing)} untranslated, e.g. {missing[:5]}"
    assert not fuzzy, f"{lang}: {len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


@pytest.mark.parametrize("lang", REQUIRED)
def test_placeholders_survive_translation(lang: str) -> None:
    import re

    pattern = re.compile(r"%\((\w+)\)[sd]|\{(\w*)\}")
    for entry in _catalogue(lang).translated_entries():
        if entry.msgid_plural:
            continue
        expected = sorted(set(pattern.findall(entry.msgid)))
        got = sorted(set(pattern.findall(entry.msgstr)))
        assert expected == got, f"{lang}: placeholders differ in {entry.msgid!r} → {entry.msgstr!r}"


def test_catalogues_contain_every_string_in_the_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Extract the strings from a copy of the code and compare with the committed catalogues."""
    if shutil.which("xgettext") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("GNU gettext (xgettext) is required in CI to check the catalogues")
        pytest.skip("GNU gettext (xgettext) is not installed")
    copy = tmp_path / "openprobation"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "*.po", "tests", "testing"))
    monkeypatch.chdir(copy)
    with override_settings(LOCALE_PATHS=[str(copy / "locale")]):
        call_command("makemessages", locale=["en"], no_location=True, no_obsolete=True, verbosity=0)
    extracted = {e.msgid for e in polib.pofile(str(copy / "locale" / "en" / "LC_MESSAGES" / "django.po"))}
    assert len(extracted) > 50
    for lang in REQUIRED:
        present = {e.msgid for e in _catalogue(lang) if not e.obsolete}
        absent = sorted(extracted - present)
        assert not absent, (
            f"{lang}: {len(absent)} strings missing from the catalogue, e.g. {absent[:5]} (run `make messages`)"
        )
