"""The language lsdesk speaks: every sentence a person reads goes through here.

lsdesk's own sentences are looked up in its gettext catalogues (lsdesk/locale/<language>/LC_MESSAGES/lsdesk.mo,
compiled from the .po files beside them); the command line never imports Qt for it. The window also loads Qt's own
catalogue, for the standard buttons of Qt's dialogs (lsdesk/gui/qt_language.py).

The language is chosen once, by `lsdesk.main`, before any module holding sentences is imported, so a sentence kept
in a module's constant is written `_("...")` like any other and is translated as its module is imported. Choosing
another language in Settings takes effect the next time lsdesk opens.

English is the language the sentences are written in: it loads no catalogue and costs nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

DOMAIN = "lsdesk"
LOCALE_FOLDER = Path(__file__).resolve().parent.parent / "locale"
SOURCE_LANGUAGE = "en"
# What Settings offers besides following the system, each in its own language.
LANGUAGES = {"en": "English", "fr": "Français", "es": "Español"}
# Every sentence stretched by about 40 % with accented letters: shows, in English, where a layout clips a
# translation (`LSDESK_LANGUAGE=pseudo`).
PSEUDO = "pseudo"
# Set to one of LANGUAGES (or PSEUDO), it wins over the system and over Settings: for tests and screenshots.
LANGUAGE_VARIABLE = "LSDESK_LANGUAGE"
# The environment, in the order gettext reads it on Linux and the other Unix systems.
ENVIRONMENT_ORDER = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


class _English:
    """The sentences as written."""

    def gettext(self, message: str) -> str:
        return message

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return singular if count == 1 else plural


_catalogue = _English()
_language = SOURCE_LANGUAGE


def _(message: str) -> str:
    """`message` in the chosen language."""
    return _catalogue.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of a sentence for `count` ("1 lesson", "3 lessons"), in the chosen language."""
    return _catalogue.ngettext(singular, plural, count)


def N_(message: str) -> str:  # noqa: N802 - gettext's own name for it, which the extraction looks for
    """Marks a sentence for the catalogues without translating it here: for text translated where it is shown."""
    return message


def current() -> str:
    """The language in use: one of LANGUAGES, or PSEUDO."""
    return _language


def supported(tag: str | None) -> str | None:
    """The language of LANGUAGES (or PSEUDO) a locale or language tag names: "fr_CA.UTF-8" and "fr-CA" are "fr";
    None for one lsdesk does not speak. "C" and "POSIX" are English."""
    if not tag:
        return None
    code = tag.replace("-", "_").split(".")[0].split("@")[0].split("_")[0].lower()
    if code in ("c", "posix"):
        return SOURCE_LANGUAGE
    return code if code in LANGUAGES or code == PSEUDO else None


def from_environment(environ: os._Environ | dict[str, str] = os.environ) -> str:
    """The language the environment asks for, as gettext reads it: the first of LANGUAGE (a colon-separated list
    of preferences), LC_ALL, LC_MESSAGES and LANG that is set, and in it the first language lsdesk speaks."""
    for name in ENVIRONMENT_ORDER:
        value = environ.get(name)
        if not value:
            continue
        for tag in value.split(":"):
            language = supported(tag)
            if language is not None:
                return language
        if name != "LANGUAGE":
            return SOURCE_LANGUAGE  # gettext stops at the first of these that is set
    return SOURCE_LANGUAGE


def decide(preference: str = "", system: str | None = None, environ: os._Environ | dict[str, str] = os.environ) -> str:
    """Which language to speak: $LSDESK_LANGUAGE, else Settings' choice (`preference`, "" for the system's), else
    `system` (the window's system language on Windows and macOS), else the environment's."""
    for choice in (environ.get(LANGUAGE_VARIABLE), preference, system):
        language = supported(choice)
        if language is not None:
            return language
    return from_environment(environ)


def use(language: str) -> None:
    """Speak `language` from now on (one of LANGUAGES, or PSEUDO); a missing catalogue leaves the sentences
    in English rather than stopping lsdesk."""
    global _catalogue, _language
    if language == PSEUDO:
        _catalogue, _language = _Pseudo(), PSEUDO
        return
    if language == SOURCE_LANGUAGE or language not in LANGUAGES:
        _catalogue, _language = _English(), SOURCE_LANGUAGE
        return
    import gettext  # only for a translation: English costs nothing

    try:
        _catalogue = gettext.translation(DOMAIN, LOCALE_FOLDER, [language])
        _language = language
    except OSError:
        _catalogue, _language = _English(), SOURCE_LANGUAGE
        return
    # argparse's own words (usage:, options:, its errors) are looked up in gettext's default domain, in the
    # language the environment names: lsdesk's catalogue carries them too, and LANGUAGE names lsdesk's choice.
    gettext.bindtextdomain(DOMAIN, LOCALE_FOLDER)
    gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = language


_ACCENTED = str.maketrans(
    "abcdefghijklmnoprstuvwyzABCDEGHIJKLNORSTUWYZ",
    "àƀçđéƒĝĥîĵķĺḿñöþŕšţûṽŵýžÀƁÇĐÉĜĤÎĴĶĹÑÖŔŠŢÛŴÝŽ",
)


class _Pseudo:
    """English with every letter accented and each sentence about 40 % longer; what must stay as written (format
    fields, %-placeholders, markup and entities, a mnemonic's &) stays so."""

    def gettext(self, message: str) -> str:
        return pseudo(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return pseudo(singular if count == 1 else plural)


def pseudo(message: str) -> str:
    out: list[str] = []
    index = 0
    letters = 0
    while index < len(message):
        end = _kept_until(message, index)
        if end > index:
            out.append(message[index:end])
            index = end
            continue
        character = message[index]
        letters += character.isalpha()
        out.append(character.translate(_ACCENTED))
        index += 1
    if not letters:
        return message
    return "".join(out) + " " + "·" * max(2, round(len(message) * 0.4))


def _kept_until(message: str, index: int) -> int:
    """Where a piece that must stay as written, starting at `index`, ends (`index` when none starts there)."""
    character = message[index]
    closing = {"{": "}", "<": ">", "%": None, "&": ";"}.get(character)
    if character == "%" and index + 1 < len(message):
        if message[index + 1] == "(":
            end = message.find(")", index)
            return end + 2 if end != -1 else index
        return index + 2  # %s, %d, %%
    if closing is None:
        return index
    end = message.find(closing, index + 1)
    if character == "&":
        entity = message[index + 1 : end] if end != -1 else ""
        return end + 1 if entity and entity.replace("#", "").isalnum() and len(entity) < 9 else index
    return end + 1 if end != -1 else index
