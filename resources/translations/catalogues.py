"""lsdesk's translation catalogues: extract the sentences, merge them into each language, compile, check.

    python resources/translations/catalogues.py update   # after changing sentences: .pot, each .po, each .mo
    python resources/translations/catalogues.py check    # what CI runs (tests/test_catalogues.py): exits 1 on a problem

The sources are lsdesk/locale/<language>/LC_MESSAGES/lsdesk.po, edited by translators; the compiled .mo beside
each is committed, so installing or building lsdesk needs no gettext tools. Updating and checking need GNU gettext
(xgettext, msgmerge, msgfmt: the Debian package `gettext`).

argparse's own words (usage:, options:, its error messages) are in the catalogues too, extracted from the running
Python's argparse: the command line's help is then translated throughout. So is the menu entry's description
(resources/packaging/lsdesk.desktop), which the Linux packages carry in every language.
"""

from __future__ import annotations

import argparse
import gettext
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from lsdesk.core.language import DOMAIN, LANGUAGES, LOCALE_FOLDER, SOURCE_LANGUAGE

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "lsdesk"
TEMPLATE = LOCALE_FOLDER / f"{DOMAIN}.pot"
TRANSLATED = tuple(sorted(set(LANGUAGES) - {SOURCE_LANGUAGE}))
ARGPARSE_SOURCE = "argparse.py"  # its entries' reference, whatever folder the running Python keeps it in
XGETTEXT_OPTIONS = (
    "--language=Python",
    "--from-code=UTF-8",
    "--keyword=_",
    "--keyword=N_",
    "--keyword=ngettext:1,2",
    "--add-comments=Translators",
    "--sort-by-file",
    "--package-name=lsdesk",
    "--msgid-bugs-address=README.md (Languages)",
)
# The menu entry's description, which resources/packaging/package_linux.py writes in every language.
DESKTOP_ENTRY = ROOT / "resources" / "packaging" / "lsdesk.desktop"
DESKTOP_KEYS = ("GenericName", "Comment")
DESKTOP_OPTIONS = ("--language=Desktop", "--from-code=UTF-8", "-k", *(f"--keyword={key}" for key in DESKTOP_KEYS))
TOOLS = ("xgettext", "msgmerge", "msgfmt")

FIELD = re.compile(r"\{(\w*)[^{}]*\}")
PERCENT = re.compile(r"%(\([^)]+\))?[-#0 +]*\d*(\.\d+)?[sdifr]")
TAG = re.compile(r"</?[a-zA-Z]+[^>]*>")
MNEMONIC = re.compile(r"&(?!&|#?\w+;)(?=\S)")


def po_file(language: str) -> Path:
    return LOCALE_FOLDER / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_file(language: str) -> Path:
    return po_file(language).with_suffix(".mo")


@dataclass
class Entry:
    msgid: str
    plural: str | None = None
    translations: list[str] = field(default_factory=list)
    fuzzy: bool = False
    references: list[str] = field(default_factory=list)

    @property
    def from_argparse(self) -> bool:
        return bool(self.references) and all(ref.split(":")[0].endswith(ARGPARSE_SOURCE) for ref in self.references)


def read_po(path: Path) -> list[Entry]:
    """The live entries of a .po file (not the header, not the obsolete #~ ones), as msgfmt reads them."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None
    flags: list[str] = []
    references: list[str] = []

    def finish() -> None:
        nonlocal current
        if current is not None and current.msgid:
            entries.append(current)
        current = None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if current is not None and target is not None and target[0] == "msgstr":
                finish()
                target = None
            if line.startswith("#,"):
                flags += [flag.strip() for flag in line[2:].split(",")]
            elif line.startswith("#:"):
                references += line[2:].split()
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            value = _unquote(line)
        elif keyword in ("msgid", "msgid_plural") or keyword.startswith("msgstr"):
            value = _unquote(rest)
            if keyword == "msgid":
                finish()
                current = Entry("", fuzzy="fuzzy" in flags, references=references)
                flags, references = [], []
                target = ("msgid", 0)
            elif keyword == "msgid_plural":
                current.plural = ""
                target = ("plural", 0)
            else:
                index = int(keyword[7:-1]) if keyword.startswith("msgstr[") else 0
                while len(current.translations) <= index:
                    current.translations.append("")
                target = ("msgstr", index)
        else:
            raise ValueError(f"{path.name}: cannot read the line {raw!r}")
        if target[0] == "msgid":
            current.msgid += value
        elif target[0] == "plural":
            current.plural += value
        else:
            current.translations[target[1]] += value
    finish()
    return entries


def _unquote(text: str) -> str:
    if not (text.startswith('"') and text.endswith('"')):
        raise ValueError(f"not a quoted string: {text!r}")
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}
    return re.sub(r"\\(.)", lambda match: escapes.get(match[1], "\\" + match[1]), text[1:-1])


def placeholders(text: str) -> dict[str, list[str]]:
    """What a translation must keep from its English: format fields, %-placeholders, markup, one mnemonic."""
    return {
        "format fields": sorted(match[0] for match in FIELD.finditer(text)),
        "%-placeholders": sorted(match[0] for match in PERCENT.finditer(text.replace("%%", ""))),
        "markup": sorted(match[0].lower() for match in TAG.finditer(text)),
        "mnemonic": ["&"] * min(1, len(MNEMONIC.findall(text))),
    }


def problems_in(language: str, expected: set[str], path: Path | None = None) -> list[str]:
    """Everything wrong with one language's catalogue (`path`: its .po, with its .mo beside it): each line names
    the sentence and what is wrong."""
    path = path or po_file(language)
    if not path.is_file():
        return [f"{language}: no catalogue at {path.relative_to(ROOT)}"]
    entries = read_po(path)
    found: list[str] = []
    present = {entry.msgid for entry in entries}
    for missing in sorted(expected - present):
        found.append(f"{language}: not in the catalogue yet (run update): {missing!r}")
    for entry in entries:
        if entry.msgid not in expected and not entry.from_argparse:
            found.append(f"{language}: no longer in the code (run update): {entry.msgid!r}")
        if entry.fuzzy:
            found.append(f"{language}: fuzzy, to be checked by a translator: {entry.msgid!r}")
        if not entry.translations or not all(entry.translations):
            found.append(f"{language}: untranslated: {entry.msgid!r}")
            continue
        for index, translation in enumerate(entry.translations):
            english = entry.msgid if index == 0 or entry.plural is None else entry.plural
            wanted, got = placeholders(english), placeholders(translation)
            for kind, names in wanted.items():
                if names != got[kind]:
                    found.append(f"{language}: {kind} {names} became {got[kind]} in {translation!r}")
    compiled = path.with_suffix(".mo")
    if not compiled.is_file():
        found.append(f"{language}: not compiled (run update)")
    elif not _same_sentences(entries, compiled, path):
        found.append(f"{language}: {compiled.name} is older than {path.name} (run update)")
    return found


def _same_sentences(entries: list[Entry], compiled: Path, po: Path) -> bool:
    """Whether the committed .mo says what the .po says, sentence by sentence (whatever msgfmt's version)."""
    with tempfile.TemporaryDirectory() as folder:
        fresh = _translations(_compile(po, Path(folder) / "fresh.mo"))
    committed = _translations(compiled)
    for entry in entries:
        if entry.plural is None:
            if committed.gettext(entry.msgid) != fresh.gettext(entry.msgid):
                return False
        elif any(
            committed.ngettext(entry.msgid, entry.plural, n) != fresh.ngettext(entry.msgid, entry.plural, n)
            for n in range(3)
        ):
            return False
    return True


def _translations(path: Path) -> gettext.GNUTranslations:
    with path.open("rb") as file:
        return gettext.GNUTranslations(file)


def _compile(po: Path, mo: Path) -> Path:
    subprocess.run(["msgfmt", "--check", "--output-file", str(mo), str(po)], check=True)
    return mo


def extract(output: Path) -> set[str]:
    """Write the template of every sentence in lsdesk (and argparse); return lsdesk's own msgids."""
    sources = sorted(str(path.relative_to(ROOT)) for path in PACKAGE.rglob("*.py"))
    with tempfile.TemporaryDirectory() as folder:
        lsdesk_only = Path(folder) / "lsdesk.pot"
        subprocess.run(["xgettext", *XGETTEXT_OPTIONS, "-o", str(lsdesk_only), *sources], cwd=ROOT, check=True)
        desktop = [*DESKTOP_OPTIONS, "--join-existing", "-o", str(lsdesk_only), str(DESKTOP_ENTRY.relative_to(ROOT))]
        subprocess.run(["xgettext", *desktop], cwd=ROOT, check=True)
        own = {entry.msgid for entry in read_po(lsdesk_only)}
        shutil.copyfile(argparse.__file__, Path(folder) / ARGPARSE_SOURCE)
        subprocess.run(
            ["xgettext", *XGETTEXT_OPTIONS, "--join-existing", "-o", str(lsdesk_only), ARGPARSE_SOURCE],
            cwd=folder,
            check=True,
        )
        output.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(lsdesk_only, output)
    return own


def update() -> None:
    extract(TEMPLATE)
    for language in TRANSLATED:
        po = po_file(language)
        if po.exists():
            subprocess.run(
                ["msgmerge", "--quiet", "--update", "--backup=none", "--sort-by-file", str(po), str(TEMPLATE)],
                check=True,
            )
        else:
            po.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                ["msginit", "--no-translator", f"--locale={language}", "-i", str(TEMPLATE), "-o", str(po)], check=True
            )
        _compile(po, mo_file(language))


def check() -> list[str]:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        return [f"GNU gettext is needed to check the catalogues: {', '.join(missing)} not found"]
    with tempfile.TemporaryDirectory() as folder:
        expected = extract(Path(folder) / "lsdesk.pot")
    return [problem for language in TRANSLATED for problem in problems_in(language, expected)]


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "update":
        update()
        return 0
    if command == "check":
        found = check()
        for problem in found:
            print(problem)
        print(f"{len(found)} problem(s) in the catalogues" if found else "the catalogues are complete and up to date")
        return 1 if found else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
