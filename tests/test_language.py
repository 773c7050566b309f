"""Which language lsdesk speaks, and how a sentence survives the pseudo-locale.

The catalogues themselves are checked in tests/test_catalogues.py; the languages as the admin meets them,
on the command line and in the window, in tests/test_translated.py.
"""

from __future__ import annotations

import pytest

from lsdesk import opens_the_window
from lsdesk.core import language
from lsdesk.core.language import PSEUDO, decide, from_environment, pseudo, supported
from resources.translations.catalogues import placeholders


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("fr_FR.UTF-8", "fr"),
        ("fr-CA", "fr"),
        ("es_MX.utf8@euro", "es"),
        ("en_GB", "en"),
        ("C", "en"),
        ("POSIX", "en"),
        ("C.UTF-8", "en"),
        ("de_DE.UTF-8", None),
        ("", None),
        (None, None),
        ("pseudo", PSEUDO),
    ],
)
def test_a_locale_names_the_language_lsdesk_speaks_or_none(tag, expected):
    assert supported(tag) == expected


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, "en"),
        ({"LANG": "fr_FR.UTF-8"}, "fr"),
        ({"LANG": "fr_FR.UTF-8", "LC_MESSAGES": "es_ES.UTF-8"}, "es"),
        ({"LANG": "fr_FR.UTF-8", "LC_MESSAGES": "es_ES.UTF-8", "LC_ALL": "en_US.UTF-8"}, "en"),
        # LANGUAGE is a list of preferences: the first one lsdesk speaks wins, over everything else.
        ({"LANGUAGE": "de:es:fr", "LC_ALL": "fr_FR.UTF-8"}, "es"),
        # None of LANGUAGE's is spoken: the next variable decides.
        ({"LANGUAGE": "de:it", "LANG": "fr_FR.UTF-8"}, "fr"),
        # The first of LC_ALL, LC_MESSAGES and LANG that is set decides, even for a language lsdesk lacks.
        ({"LC_ALL": "de_DE.UTF-8", "LANG": "fr_FR.UTF-8"}, "en"),
        ({"LANG": ""}, "en"),
    ],
)
def test_the_environment_is_read_in_gettexts_order(environment, expected):
    assert from_environment(environment) == expected


def test_settings_choice_wins_over_the_system_and_lsdesk_language_over_both():
    assert decide("es", "fr", {"LANG": "fr_FR.UTF-8"}) == "es"
    assert decide("", "fr", {"LANG": "es_ES.UTF-8"}) == "fr"  # System: Windows' or macOS' own language
    assert decide("", None, {"LANG": "es_ES.UTF-8"}) == "es"  # System on Linux: the environment's
    assert decide("es", None, {"LSDESK_LANGUAGE": "fr", "LANG": "es"}) == "fr"
    assert decide("klingon", None, {"LANG": "fr_FR"}) == "fr"  # a damaged setting: the system's


def test_english_is_the_sentence_as_written():
    language.use("en")
    assert language._("Save") == "Save"
    assert language.ngettext("{count} lesson", "{count} lessons", 1) == "{count} lesson"
    assert language.ngettext("{count} lesson", "{count} lessons", 2) == "{count} lessons"
    assert language.current() == "en"


def _damaged(folder):
    damaged = folder / "fr" / "LC_MESSAGES" / "lsdesk.mo"
    damaged.parent.mkdir(parents=True)
    damaged.write_bytes(b"not a catalogue at all")


@pytest.mark.parametrize("catalogue", [lambda folder: None, _damaged], ids=["missing", "damaged"])
def test_a_language_whose_catalogue_is_missing_or_damaged_stays_english(monkeypatch, tmp_path, catalogue):
    catalogue(tmp_path)
    monkeypatch.setattr(language, "LOCALE_FOLDER", tmp_path)
    try:
        language.use("fr")
        assert language.current() == "en"
        assert language._("Save") == "Save"
    finally:
        language.use("en")


@pytest.mark.parametrize(
    "message",
    [
        "Paste the new API key here",
        "&Save",
        "Saved {when}: rotate in {days} days.",
        "1. Open <b>Settings &gt; Developer</b>.<br>2. Copy the key.",
        "argument %(argument_name)s: %(message)s",
        "unrecognized arguments: %s",
        "100%% done",
    ],
)
def test_the_pseudo_locale_is_longer_and_keeps_what_must_stay_as_written(message):
    stretched = pseudo(message)
    assert len(stretched) >= len(message) * 1.3
    assert placeholders(stretched) == placeholders(message)
    assert stretched.format_map(_Anything()) if "{" in message else True
    letters = [character for character in stretched if character.isalpha()]
    assert any(not character.isascii() for character in letters), "no letter is accented"


class _Anything(dict):
    def __missing__(self, key: str) -> str:
        return key


@pytest.mark.parametrize(
    ("arguments", "window"),
    [
        ([], True),
        (["--sandbox"], True),
        (["--profile", "north", "--api-url", "http://127.0.0.1:1/v2/"], True),
        (["--profile=north", "-v"], True),
        (["--prof", "check"], True),  # argparse's --prof is --profile: "check" is its value
        (["check"], False),
        (["--profile", "north", "check", "--json"], False),
        (["--help"], False),
        (["--version"], False),
        (["-v", "history"], False),
    ],
)
def test_whether_the_arguments_open_the_window_is_read_without_argparse(arguments, window):
    assert opens_the_window(arguments) is window


def test_the_options_read_without_argparse_are_the_command_lines_own():
    """lsdesk/__init__.py skips the values of the options that take one; the command line defines them."""
    from lsdesk import OPTIONS_WITH_A_VALUE
    from lsdesk.cli import _parser

    takes_a_value = {
        option
        for action in _parser()._actions
        if action.nargs is None and action.option_strings and not action.const and action.type is not bool
        for option in action.option_strings
        if option.startswith("--") and action.__class__.__name__ == "_StoreAction"
    }
    assert takes_a_value == set(OPTIONS_WITH_A_VALUE)


@pytest.mark.parametrize(("arguments", "settings_file"), [([], "lsdesk.ini"), (["--sandbox"], "lsdesk-sandbox.ini")])
def test_the_window_speaks_the_language_chosen_in_its_settings(monkeypatch, tmp_path, arguments, settings_file):
    """As Settings saves it (QSettings' INI file), read before any sentence is imported; the sandbox has its own."""
    from lsdesk import _window_language

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.delenv("LSDESK_LANGUAGE")
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    (tmp_path / "lsdesk").mkdir()
    assert _window_language(arguments) == "fr"  # nothing chosen: the system's

    (tmp_path / "lsdesk" / settings_file).write_text("[preferences]\nlanguage=es\n", encoding="utf-8")
    assert _window_language(arguments) == "es"
    assert _window_language([] if arguments else ["--sandbox"]) == "fr"  # the other settings file chose nothing


def test_choosing_the_windows_language_imports_no_sentence():
    """lsdesk.main reads the window's language before anything that holds a sentence is imported: a sentence
    imported earlier would stay in English beside the chosen language."""
    import subprocess
    import sys

    probe = (
        "import sys, lsdesk\n"
        "from lsdesk.core import language\n"
        "lsdesk._window_language(['--sandbox'])\n"
        "print([name for name, module in sys.modules.items() if name.startswith('lsdesk')\n"
        "       and name != 'lsdesk.core.language' and getattr(module, '_', None) is language._])\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)

    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "arguments",
    [
        [],
        ["--sandbox"],
        ["-v", "--profile", "north", "--api-url", "http://127.0.0.1:1/v2/"],
        ["--background", "--verbose"],
        ["--profile", "a", "--profile", "b"],
    ],
)
def test_the_windows_own_reading_of_its_options_is_the_parsers(arguments):
    from lsdesk.cli import _parser
    from lsdesk.window_command import window_arguments

    assert window_arguments(arguments) == _parser().parse_args(arguments)


@pytest.mark.parametrize(
    "arguments", [["check"], ["--help"], ["--prof", "north"], ["--profile=north"], ["--profile"], ["--profile", "-v"]]
)
def test_anything_else_is_left_to_the_parser(arguments):
    from lsdesk.window_command import window_arguments

    assert window_arguments(arguments) is None
