"""The French and Spanish catalogues: complete, up to date with the code, every placeholder kept, compiled.

Needs GNU gettext's tools (the Debian package `gettext`, which .ci/run installs).
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from resources.translations.catalogues import TRANSLATED, check, mo_file, problems_in

pytestmark = pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")

HEADER = "".join(
    (
        'msgid ""\nmsgstr ""\n',
        '"Project-Id-Version: lsdesk\\n"\n"PO-Revision-Date: 2026-12-04 12:00+0000\\n"\n',
        '"Last-Translator: lsdesk\\n"\n"Language-Team: French\\n"\n"Language: fr\\n"\n"MIME-Version: 1.0\\n"\n',
        '"Content-Type: text/plain; charset=UTF-8\\n"\n"Content-Transfer-Encoding: 8bit\\n"\n',
        '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n\n',
    )
)


def test_every_catalogue_is_complete_and_up_to_date():
    assert check() == []


def test_the_catalogues_ship_compiled():
    for language in TRANSLATED:
        assert mo_file(language).stat().st_size > 10_000


def catalogue(tmp_path, entries: str):
    po = tmp_path / "lsdesk.po"
    po.write_text(HEADER + entries, encoding="utf-8")
    subprocess.run(["msgfmt", "-o", str(po.with_suffix(".mo")), str(po)], check=True)
    return po


def test_an_untranslated_a_fuzzy_and_a_stale_sentence_are_each_named(tmp_path):
    po = catalogue(
        tmp_path,
        'msgid "Save"\nmsgstr ""\n\n#, fuzzy\nmsgid "Check again"\nmsgstr "Vérifier"\n\nmsgid "Gone"\nmsgstr "Parti"\n',
    )

    found = problems_in("fr", {"Save", "Check again", "Rotate"}, po)

    assert "fr: untranslated: 'Save'" in found
    assert "fr: fuzzy, to be checked by a translator: 'Check again'" in found
    assert "fr: no longer in the code (run update): 'Gone'" in found
    assert "fr: not in the catalogue yet (run update): 'Rotate'" in found


def test_a_lost_placeholder_markup_or_mnemonic_is_named(tmp_path):
    po = catalogue(
        tmp_path,
        'msgid "Saved {when}."\nmsgstr "Enregistrée."\n\n'
        'msgid "Open <b>Settings</b>"\nmsgstr "Ouvrir Settings"\n\n'
        'msgid "&Save"\nmsgstr "Enregistrer"\n\n'
        'msgid "{count} lesson"\nmsgid_plural "{count} lessons"\nmsgstr[0] "{count} leçon"\nmsgstr[1] "leçons"\n',
    )

    found = problems_in("fr", {"Saved {when}.", "Open <b>Settings</b>", "&Save", "{count} lesson"}, po)

    assert len(found) == 4, found
    assert any("format fields ['{when}'] became []" in problem for problem in found)
    assert any("markup ['</b>', '<b>'] became []" in problem for problem in found)
    assert any("mnemonic ['&'] became []" in problem for problem in found)
    assert any("format fields ['{count}'] became [] in 'leçons'" in problem for problem in found)


def test_a_catalogue_compiled_before_its_last_change_is_named(tmp_path):
    po = catalogue(tmp_path, 'msgid "Save"\nmsgstr "Enregistrer"\n')
    po.write_text(po.read_text(encoding="utf-8").replace("Enregistrer", "Sauvegarder"), encoding="utf-8")

    assert problems_in("fr", {"Save"}, po) == ["fr: lsdesk.mo is older than lsdesk.po (run update)"]


def test_the_package_data_carries_the_compiled_catalogues():
    """pyproject.toml's package data, which setuptools puts in the wheel: a user's install speaks every language.
    (Building a wheel here would fetch setuptools from PyPI: the glob is checked against the files instead.)"""
    import tomllib

    from resources.translations.catalogues import ROOT

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = project["tool"]["setuptools"]["package-data"]["lsdesk"]
    shipped = {path for pattern in globs for path in (ROOT / "lsdesk").glob(pattern)}
    assert shipped == {mo_file(language) for language in TRANSLATED}
