"""lsdesk in French and in Spanish as the admin meets it: the command line, the window, its dialogs and tray menu;
and the pseudo-locale, whose longer accented sentences show where a layout would cut a translation off.

Each language runs in a process of its own: lsdesk's sentences are translated as their modules are imported.
"""

from __future__ import annotations

import gettext
import json
import os
import re
import subprocess
import sys
from functools import cache

import pytest

from lsdesk.core.language import DOMAIN, LANGUAGE_VARIABLE, LOCALE_FOLDER, pseudo
from lsdesk.sandbox import DEMO_KEY
from resources.translations.catalogues import FIELD, PERCENT, TRANSLATED, po_file, read_po
from tests.test_cli import run


def translation(language: str):
    if language == "pseudo":
        return pseudo
    return gettext.translation(DOMAIN, LOCALE_FOLDER, [language]).gettext


def environment(**variables: str) -> dict[str, str]:
    """The tests' environment without their pinned English, with `variables` added."""
    env = {name: value for name, value in os.environ.items() if name != LANGUAGE_VARIABLE}
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        env.pop(name, None)
    return {**env, **variables}


def lsdesk(*args: str, stdin: str = "", **variables: str) -> subprocess.CompletedProcess:
    return run(*args, stdin=stdin, inherit=environment(**variables))


def test_a_french_terminal_gets_a_french_sentence(sandbox):
    result = lsdesk("check", "--key-stdin", "--api-url", sandbox.api_url, stdin=DEMO_KEY, LANG="fr_FR.UTF-8")

    french = translation("fr")("Lessonspace accepted this key.")
    assert french != "Lessonspace accepted this key."
    assert result.returncode == 0, result.stderr
    assert french in result.stdout


def test_json_keeps_its_english_states_and_keys_with_a_translated_detail(sandbox):
    result = lsdesk("check", "--key-stdin", "--json", "--api-url", sandbox.api_url, stdin=DEMO_KEY, LANG="es_ES.UTF-8")

    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["state"] == "valid"
    assert set(answer) >= {"state", "organisation", "key_ending", "detail", "retry_after"}
    assert answer["detail"] == translation("es")("Lessonspace accepted this key.")


@pytest.mark.parametrize("variables", [{"LANGUAGE": "es"}, {"LSDESK_LANGUAGE": "es", "LANG": "fr_FR.UTF-8"}])
def test_the_help_is_translated_argparses_own_words_too(variables):
    result = lsdesk("--help", **variables)

    assert result.returncode == 0
    assert result.stdout.startswith(translation("es")("usage: "))
    assert translation("es")("show this help message and exit") in result.stdout
    assert translation("es")("exit codes:") in result.stdout


def test_lsdesk_language_wins_over_the_environment(sandbox):
    result = lsdesk(
        "check", "--key-stdin", "--api-url", sandbox.api_url, stdin=DEMO_KEY, LANG="fr_FR.UTF-8", LSDESK_LANGUAGE="es"
    )

    assert translation("es")("Lessonspace accepted this key.") in result.stdout


# Names other programs give their own buttons and menus, kept as they appear there inside translated sentences.
KEPT_AS_WRITTEN = ("Rotate API key",)  # Teachworks' button


@cache
def english_sentences() -> tuple[str, ...]:
    """lsdesk's own sentences, from a catalogue tests/test_catalogues.py checks is up to date with the code."""
    return tuple(entry.msgid for entry in read_po(po_file(TRANSLATED[0])) if not entry.from_argparse)


def leaks(texts: list[str], language: str) -> list[str]:
    """The English sentences among `texts` that this language translates differently."""
    translated = translation(language)
    found = []
    for english in english_sentences():
        if translated(english) == english:
            continue  # a name, or a sentence the same in both languages
        fixed = [part.strip() for part in re.split(f"{FIELD.pattern}|{PERCENT.pattern}", english) if part]
        fragments = [part for part in fixed if isinstance(part, str) and len(part.split()) >= 3]
        for text in texts:
            for name in KEPT_AS_WRITTEN:
                text = text.replace(name, "") if text != name else text
            if text == english or any(fragment in text for fragment in fragments):
                found.append(f"{english!r} in {text!r}")
    return found


@pytest.fixture(scope="module")
def windows(tmp_path_factory):
    """Each language's window, dialogs and tray menu, as tests/helpers/translated_window.py saw them: French and
    Spanish chosen in Settings, the pseudo-locale through $LSDESK_LANGUAGE."""
    from lsdesk.sandbox import SandboxServer

    seen = {}
    with SandboxServer() as sandbox:
        for language in (*TRANSLATED, "pseudo"):
            folder = tmp_path_factory.mktemp(f"window-{language}")
            if language in TRANSLATED:  # chosen in Settings, on an English desktop
                settings = folder / "config" / "lsdesk" / "lsdesk.ini"
                settings.parent.mkdir(parents=True)
                settings.write_text(f"[preferences]\nlanguage={language}\n", encoding="utf-8")
                chosen = {"XDG_CONFIG_HOME": str(folder / "config"), "LANG": "en_US.UTF-8"}
            else:  # Settings offers no pseudo-locale
                chosen = {LANGUAGE_VARIABLE: language}
            result = subprocess.run(
                [sys.executable, "-m", "tests.helpers.translated_window", sandbox.api_url, str(folder)],
                capture_output=True,
                text=True,
                timeout=120,
                env=environment(**chosen),
            )
            assert result.returncode == 0, result.stderr[-2000:]
            seen[language] = json.loads(result.stdout.strip().splitlines()[-1])
    return seen


@pytest.mark.parametrize("language", [*TRANSLATED, "pseudo"])
def test_the_window_shows_no_english_sentence(windows, language):
    report = windows[language]

    assert report["language"] == language
    assert len(report["texts"]) > 100
    assert leaks(report["texts"], language) == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_qts_own_standard_buttons_speak_the_language_too(windows, language):
    """Qt's catalogue (qtbase_fr.qm, qtbase_es.qm) translates the Settings dialog's OK and Cancel."""
    standard = windows[language]["qt_texts"]

    assert standard
    assert not {text.replace("&", "") for text in standard} & {
        "Cancel",
        "Close",
        "Save",
        "Yes",
        "No",
    }  # OK is OK in French


@pytest.mark.parametrize("language", [*TRANSLATED, "pseudo"])
def test_no_text_is_cut_off_and_nothing_runs_outside_its_window(windows, language):
    assert windows[language]["cut_off"] == []


def test_the_leak_finder_finds_an_english_sentence_in_a_translated_window():
    english = "Valid API key (no changes required)"
    assert english in english_sentences()
    assert leaks([f"{english} Tout le reste est en français."], "fr")
