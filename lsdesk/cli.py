"""The `lsdesk` command: the window, and a command line for scripts.

Subcommands use the core only; Qt is imported only when the window opens,
so `lsdesk check` starts fast and runs where there is no screen.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, TextIO

from lsdesk import __version__, command_in
from lsdesk.core import paths
from lsdesk.core.api_key import MAX_INPUT_LENGTH, key_ending
from lsdesk.core.api_url import API_URL_ENV, DEFAULT_API_URL, ApiUrlError, resolve_api_url
from lsdesk.core.key_dates import describe_age, rotation_due_in
from lsdesk.core.keystore import (
    KEYRING_WAITING_TITLE,
    Attention,
    KeyStoreError,
    SystemKeyStore,
    check_profile_name,
    keyring_timeout,
)
from lsdesk.core.language import _
from lsdesk.core.local_problem import PROBLEM_IN_LSDESK, describe_local_problem
from lsdesk.core.moments import when
from lsdesk.core.outcome import EXIT_CODE_MEANINGS, EXIT_INTERRUPTED, WORST_FIRST, Outcome, State, outcome
from lsdesk.core.preferences import Preferences
from lsdesk.core.settings_file import IniSettings, settings_path
from lsdesk.process import configure_logging, no_core_dumps, replace_unencodable_output

if TYPE_CHECKING:
    from lsdesk.core.desk import KeyDesk
    from lsdesk.core.lessons import LessonsSince

EXIT_CODES_HELP = (
    # Translators: the heading of the exit codes' list at the end of `lsdesk --help`, as argparse writes "options:".
    _("exit codes:") + "\n" + "".join(f"  {code:<3}  {meaning}\n" for code, meaning in EXIT_CODE_MEANINGS.items())
)

INTERRUPTED = _("Stopped by Ctrl-C; if a rotation was running, lsdesk finishes or undoes it the next time it runs.")

log = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> int:
    no_core_dumps()  # first: a key read later must never end up in a core file
    replace_unencodable_output()
    try:
        arguments = sys.argv[1:] if argv is None else argv
        args = _parser(command_in(arguments)).parse_args(arguments)
        configure_logging(args.verbose)
        report = _Reporter(sys.stdout, as_json=getattr(args, "json", False))
        try:
            return _run(args, report)
        except Exception as error:  # noqa: BLE001 - logged, and said in a sentence, by stopped()
            return stopped(error, report)
    except KeyboardInterrupt:
        return interrupted()


def stopped(error: Exception, report: Callable[[Outcome], int] | None = None) -> int:
    """lsdesk stopped by a problem of its own, not the key's: said (by `report`, else as the plain sentence),
    with the exit code for it."""
    if isinstance(error, OSError):
        # A folder or file of lsdesk's own on this computer: says nothing about the key.
        log.info("stopped by a local problem", exc_info=error)  # the traceback only with -v
        result = outcome(State.UNFINISHED, describe_local_problem(error))
    else:
        log.info("stopped by a problem in lsdesk", exc_info=error)
        result = outcome(State.UNFINISHED, PROBLEM_IN_LSDESK)
    return (report or _Reporter(sys.stdout, as_json=False))(result)


def interrupted() -> int:
    """Ctrl-C: said, with the exit code for it. SIGINT only: SIGTERM and SIGHUP keep Python's default, a plain
    kill, which leaves what recovery already handles."""
    print(INTERRUPTED, file=sys.stderr)
    return EXIT_INTERRUPTED


def _run(args: argparse.Namespace, report: _Reporter) -> int:
    if args.command == "sandbox":
        return _run_sandbox(args.port)
    if args.command is None:  # the window, with options lsdesk.window_command left to the parser
        from lsdesk.window_command import open_window

        return open_window(args)

    preferences = Preferences.load(IniSettings(settings_path()))
    report.rotate_every_days = preferences.rotate_every_days
    try:
        api_url = resolve_api_url(args.api_url, preferred=preferences.api_url)
        profile = check_profile_name(args.profile)
        store = SystemKeyStore(timeout=keyring_timeout())
    except (ApiUrlError, ValueError) as error:
        return report(outcome(State.BAD_INPUT, str(error)))
    if args.command == "profiles":
        return _list_profiles(store, report)
    if args.command == "history":
        return _print_history(None if args.all else profile, args)
    if args.command == "check" and args.all and args.key_stdin:
        # Translators: --all and --key-stdin are options and stay as written.
        return report(outcome(State.BAD_INPUT, _("Use --all or --key-stdin, not both.")))

    from lsdesk.core.client import LessonspaceClient

    # One run checks a key at most a few times and nobody presses a button, so the
    # window's one-check-a-second pacing would only make a rotation slower.
    # At a terminal, a slow keychain (an unlock prompt, say) is named while lsdesk waits for it.
    waiting = Attention(waiting=lambda: print(f"{KEYRING_WAITING_TITLE}...", file=sys.stderr, flush=True))
    with (
        LessonspaceClient(api_url, min_check_interval=0) as client,
        store.attended(waiting) if sys.stderr.isatty() else contextlib.nullcontext(),
    ):
        if args.command == "check" and args.key_stdin:
            # A typed key: nothing of the profile's is read or written, so none of the desk's parts (rotation
            # journal, history, places, key dates) is loaded, and the check starts sooner.
            from lsdesk.core.usecases import check_key

            return report(check_key(client, _read_key(sys.stdin)))
        from lsdesk.core.desk import KeyDesk

        desk = KeyDesk.in_user_folders(client, store, profile)
        if args.command == "forget":
            return _forget(desk, args, report)
        if args.command == "check" and args.all:
            return _check_all(client, store, report)
        notice = desk.recover()
        if notice:
            print(notice, file=sys.stderr)
        if args.command == "check":
            return report.saved_key(desk.check_stored())
        if args.command == "lessons":
            return _lessons(desk, args.since, report)
        if args.command == "save":
            saved = desk.save(_read_key(sys.stdin), allow_other_organisation=args.allow_other_organisation)
            return report(saved.outcome, saved=saved.saved)
        new_key = _read_key(sys.stdin, _("Paste the new Lessonspace API key (it won't be shown): "))
        rotation = desk.rotate(new_key, allow_other_organisation=args.allow_other_organisation)
        from lsdesk.core.places import PLACES_FOLDER, Places

        places = [place.name for place in Places(settings_path().parent / PLACES_FOLDER).of(profile)]
        code = report(
            rotation.outcome,
            old_key=rotation.old_key.value if rotation.old_key else None,
            rotated=rotation.rotated,
            places_to_update=places,
        )
        if rotation.rotated and places and not args.json:
            # Translators: {places} are the names of the places the admin listed, separated by commas.
            print(_("Now put the new key in each place that uses it: {places}.").format(places=", ".join(places)))
        return code


FORGET_NEEDS_YES = _(
    # Translators: --yes is an option and stays as written.
    "lsdesk did not remove the key: removing it cannot be undone. Run the command again with --yes to remove it."
)
FORGET_KEPT = _("The saved key was kept.")
# The answers that mean yes to the question before a removal: English's, and the language's own.
YES_ANSWERS = frozenset(
    {
        "y",
        "yes",
        # Translators: the short answer that means yes to "[y/N]" (lower case), as that question is translated.
        _("y").strip().lower(),
        # Translators: the answer that means yes to a question (lower case).
        _("yes").strip().lower(),
    }
)


def _forget(desk: KeyDesk, args: argparse.Namespace, report: _Reporter) -> int:
    """Remove the profile's saved key, once the admin has said yes (at a terminal) or passed --yes."""
    if not args.yes:
        if not sys.stdin.isatty():
            return report(outcome(State.BAD_INPUT, FORGET_NEEDS_YES, title=_("Not removed")))
        try:
            answer = input(
                # Translators: {profile} is a profile's name; y and N are the answers, N the one taken by default
                # (translate "y" below to match).
                _('Remove the saved Lessonspace API key of profile "{profile}" from this computer? [y/N] ').format(
                    profile=desk.profile
                )
            )
        except EOFError:
            answer = ""
        if answer.strip().lower() not in YES_ANSWERS:
            print(FORGET_KEPT)
            return 0
    removed = desk.forget()
    report(removed, forgotten=removed.state is State.NOT_SET)
    # "No key saved" is what a removal is for: done, not a failure.
    return 0 if removed.state is State.NOT_SET else removed.state.exit_code


def _check_all(client, store: SystemKeyStore, report: _Reporter) -> int:
    """Check every profile's saved key, one after another; the exit code is the worst profile's."""
    from lsdesk.core.desk import KeyDesk, check_each, saved_profiles

    try:
        names = saved_profiles(store, paths.state_dir())
    except KeyStoreError as error:
        return report(error.outcome)
    results = []
    for name, notice, result in check_each(lambda name: KeyDesk.in_user_folders(client, store, name), names):
        if notice:
            # Translators: {profile} is a profile's name, {notice} a sentence about it.
            print(_("{profile}: {notice}").format(profile=name, notice=notice), file=sys.stderr)
        results.append((name, result))
    return report.profiles(results)


def _lessons(desk: KeyDesk, since: datetime | None, report: _Reporter) -> int:
    """How many lessons have started since `since` (or since the saved key was saved)."""
    from dataclasses import replace

    from lsdesk.core.desk import SINCE_UNKNOWN

    checked, lessons = desk.lessons(since)
    if lessons is None and checked.message == SINCE_UNKNOWN:
        # Translators: the command and its example time stay as written.
        hint = _("Or give a time: {command}").format(command="lsdesk lessons --since 2026-12-01T09:00")
        return report(replace(checked, message=f"{checked.message} {hint}"), lessons_since=None)
    if lessons is None:
        return report(checked, lessons_since=None)  # about the key itself, with its own exit code
    return report.lessons(checked, lessons)


def _print_history(profile: str | None, args: argparse.Namespace) -> int:
    """The history, oldest first, as lines, CSV or JSON; says on standard error how far back it reaches."""
    from lsdesk.core.history import HISTORY_FILE, History, export_rows, how_far_back, what_happened, write_csv

    entries = History(paths.data_dir() / HISTORY_FILE).everything(profile)
    if args.limit is not None:
        entries = entries[-args.limit :] if args.limit else []
    if args.json:
        rows = export_rows(entries)
        print(json.dumps({"entries": rows, "reaches_back_to": rows[0]["time"] if rows else None}))
        return 0
    if args.csv:
        write_csv(sys.stdout, entries)
    else:
        for entry in entries:
            print(f"{when(entry.at)}  {entry.profile}  {what_happened(entry)}")
    print(how_far_back(entries), file=sys.stderr)
    return 0


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(
            # Translators: {value} is what was typed, in quotes.
            _("{value} is not a whole number of entries (0 or more)").format(value=repr(text))
        )
    return value


def _moment(text: str) -> datetime:
    """An ISO 8601 time for --since; without a zone, this computer's."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            # Translators: {value} is what was typed, in quotes; {example} a time in ISO 8601, 2026-12-01T09:00.
            _("{value} is not a time like {example}").format(value=repr(text), example="2026-12-01T09:00")
        ) from None
    return moment if moment.tzinfo else moment.astimezone()


def _list_profiles(store: SystemKeyStore, report: _Reporter) -> int:
    """The profiles with a saved key and what lsdesk remembers of each, without asking Lessonspace."""
    from lsdesk.core.desk import saved_profiles
    from lsdesk.core.key_dates import KEY_DATES_FOLDER, KeyDates
    from lsdesk.core.status import StatusFile

    state = paths.state_dir()
    dates = KeyDates(state / KEY_DATES_FOLDER)
    listed = []
    try:
        names = {name: key_ending(store.get(name) or "") for name in saved_profiles(store, state)}
    except KeyStoreError as error:
        return report(error.outcome)
    for name, ending in names.items():
        known = StatusFile.in_folder(state, name).load()  # what the window last heard from Lessonspace
        organisation = dates.organisation(name, ending)
        if organisation is None and known is not None and known.key_ending == ending:
            organisation = known.organisation
        listed.append(
            (
                name,
                outcome(
                    State.NOT_SET,
                    "",
                    organisation=organisation,
                    key_ending=ending,
                    key_saved_at=dates.saved_at(name, ending),
                ),
            )
        )
    return report.profile_list(listed)


class _Reporter:
    """Prints an Outcome as one plain sentence, or as one JSON object."""

    def __init__(self, out: TextIO, *, as_json: bool):
        self._out = out
        self._as_json = as_json
        self.rotate_every_days = 0  # the rotation policy from Settings, once read

    def __call__(self, result: Outcome, **extra: object) -> int:
        """Print `result`; keyword arguments are added to the JSON object."""
        if self._as_json:
            document = {**result.to_json(), "rotation_due": self._rotation_due(result), **extra}
            print(json.dumps(document), file=self._out)
        else:
            print(_sentence(result), file=self._out)
        return result.state.exit_code

    def saved_key(self, result: Outcome) -> int:
        """Print the result of a saved key's check: with the key's age in the plain sentence."""
        if self._as_json or result.key_ending is None:
            return self(result)
        print(_with_age(_sentence(result), self._age(result)), file=self._out)
        return result.state.exit_code

    def profiles(self, results: list[tuple[str, Outcome]]) -> int:
        """Several profiles' results: a line each, or one JSON object; the exit code of the worst."""
        worst = next((state for state in WORST_FIRST if any(r.state is state for _, r in results)), State.NOT_SET)
        if self._as_json:
            listed = [self._profile_json(name, result) for name, result in results]
            print(json.dumps({"profiles": listed, "state": worst.value}), file=self._out)
        elif not results:
            print(NO_PROFILES, file=self._out)
        for name, result in results if not self._as_json else ():
            print(
                # Translators: {profile} is a profile's name, {notice} a sentence about its key.
                _("{profile}: {notice}").format(profile=name, notice=_with_age(_sentence(result), self._age(result))),
                file=self._out,
            )
        return worst.exit_code

    def profile_list(self, listed: list[tuple[str, Outcome]]) -> int:
        """The profiles with a saved key, as remembered; exit 0."""
        if self._as_json:
            # What is remembered, not an answer from Lessonspace: no state, no sentence.
            unasked = ("state", "detail", "retry_after")
            rows = [
                {field: value for field, value in self._profile_json(name, known).items() if field not in unasked}
                for name, known in listed
            ]
            print(json.dumps({"profiles": rows}), file=self._out)
            return 0
        if not listed:
            print(NO_PROFILES, file=self._out)
        for name, known in listed:
            organisation = known.organisation.describe() if known.organisation else _("organisation not yet known")
            age = self._age(known)
            # Translators: a profile with a saved key: its name, the key's last four characters, its organisation
            # (such as "Northside Tutors (id 42)") and the key's age (such as "saved 3 days ago").
            line = _("{profile}: key ending {ending}, {organisation}, {age}").format(
                profile=name, ending=known.key_ending, organisation=organisation, age=age[:1].lower() + age[1:]
            )
            print(line, file=self._out)
        return 0

    def lessons(self, checked: Outcome, result: LessonsSince) -> int:
        """The lessons count: 0 when Lessonspace told, 4 when it could not."""
        if self._as_json:
            document = {
                "state": checked.state.value,
                "organisation": checked.organisation.to_json() if checked.organisation else None,
                **result.to_json(),
                "detail": result.sentence(),
            }
            print(json.dumps(document), file=self._out)
        else:
            print(result.sentence(), file=self._out)
        return 0 if result.told else State.OFFLINE.exit_code

    def _profile_json(self, name: str, result: Outcome) -> dict:
        return {"profile": name, **result.to_json(), "rotation_due": self._rotation_due(result)}

    def _rotation_due(self, result: Outcome) -> bool:
        due = rotation_due_in(result.key_saved_at, self.rotate_every_days)
        return due is not None and due <= 0

    def _age(self, result: Outcome) -> str:
        return describe_age(result.key_saved_at, self.rotate_every_days)


NO_PROFILES = _("No profile has a saved key on this computer yet.")


def _sentence(result: Outcome) -> str:
    if result.state is not State.VALID:
        return result.message
    if result.organisation and result.key_ending:
        # Translators: {ending} is the key's last four characters, {organisation} an organisation such as
        # "Northside Tutors (id 42)".
        valid = _("Valid API key (key ending {ending}) for {organisation}.")
    elif result.key_ending:
        # Translators: {ending} is the key's last four characters.
        valid = _("Valid API key (key ending {ending}).")
    elif result.organisation:
        # Translators: {organisation} is an organisation, such as "Northside Tutors (id 42)".
        valid = _("Valid API key for {organisation}.")
    else:
        valid = _("Valid API key.")
    organisation = result.organisation.describe() if result.organisation else ""
    return f"{valid.format(ending=result.key_ending, organisation=organisation)} {result.message}"


def _with_age(sentence: str, age: str) -> str:
    """A result's sentence, then the key's age ("Saved 3 days ago") as a sentence of its own."""
    # Translators: {result} is a sentence about the key, {age} the key's age such as "Saved 3 days ago".
    return _("{result} {age}.").format(result=sentence, age=age)


def _read_key(stream: TextIO, prompt: str | None = None) -> str:
    """The key from standard input; at a terminal, asked for without echo."""
    if stream.isatty():
        import getpass  # only at a terminal: a script's `check` never needs it

        return getpass.getpass(prompt or _("Paste your Lessonspace API key (it won't be shown): "))
    return stream.read(MAX_INPUT_LENGTH + 1)


def _run_sandbox(port: int) -> int:
    from lsdesk.sandbox import DEMO_KEY, SandboxServer

    try:
        server = SandboxServer(port=port)
    except OSError as error:
        print(
            # Translators: {port} is a port number, {reason} the operating system's description of the error (such as
            # "Address already in use"); --port is an option and stays as written.
            _("Could not start the sandbox on port {port}: {reason}. Try another --port.").format(
                port=port, reason=error.strerror
            )
        )
        return 2
    # Translators: the next three lines are printed one above the other: pad them so that what follows each
    # colon starts in the same column.
    print(_("Sandbox Lessonspace API: {address}").format(address=server.api_url))
    # Translators: padded to line up with "Sandbox Lessonspace API: " above it.
    print(_("Demo API key:            {key}").format(key=DEMO_KEY))
    # Translators: padded to line up with "Sandbox Lessonspace API: " above it.
    print(_("Developer settings page: {address}").format(address=server.developer_url))
    # Translators: {command} is a command to type, which stays as written.
    print(_("Try: {command}").format(command=f"echo {DEMO_KEY} | lsdesk check --key-stdin --api-url {server.api_url}"))
    print(_("Press Ctrl+C to stop."), flush=True)
    server.serve_forever()
    return 0


def _command(commands, name: str, summary: str, *, exit_codes: bool = True) -> argparse.ArgumentParser:
    """A command with the options every command takes, and (unless not `exit_codes`) the exit codes under its
    --help."""
    if not exit_codes:
        return commands.add_parser(name, parents=[_common_options()], help=summary)
    return commands.add_parser(
        name,
        parents=[_common_options()],
        help=summary,
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _json_option(command: argparse.ArgumentParser) -> None:
    command.add_argument("--json", action="store_true", help=_("print one JSON object on the last line"))


def _port(text: str) -> int:
    """argparse type: a TCP port number, 0 to 65535."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            # Translators: {value} is what was typed.
            _("{value} is not a port number; use a number from 0 to 65535").format(value=repr(text))
        ) from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            # Translators: {value} is what was typed.
            _("{value} is not a port number; use a number from 0 to 65535").format(value=port)
        )
    return port


def _common_options() -> argparse.ArgumentParser:
    """Options accepted before or after the subcommand. A fresh parent each
    time: argparse shares parent actions, and defaults set on one would leak."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--api-url",
        metavar="URL",
        default=argparse.SUPPRESS,
        help=_(
            # Translators: {variable} is an environment variable's name and {address} Lessonspace's API address;
            # "Settings" is lsdesk's own Settings dialog.
            "Lessonspace API root (default: ${variable}, else the address saved in the window's Settings, "
            "else {address})"
        ).format(variable=API_URL_ENV, address=DEFAULT_API_URL),
    )
    common.add_argument(
        "--profile",
        metavar="NAME",
        default=argparse.SUPPRESS,
        # Translators: {profile} is the name of the profile used by default, "default", which stays as written.
        help=_('which stored key to use (default: "{profile}")').format(profile="default"),
    )
    common.add_argument(
        "-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help=_("log technical detail to stderr")
    )
    return common


# The commands, as `_parser` defines them.
COMMANDS = ("check", "lessons", "history", "profiles", "save", "rotate", "forget", "sandbox")


def _parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; with `only` one of COMMANDS, the others are listed by name and summary without
    their options (each command's options cost about 0.5 ms to define, which `lsdesk check` would pay for all)."""

    def command(name: str, summary: str, **options) -> argparse.ArgumentParser | None:
        if only in COMMANDS and name != only:
            commands.add_parser(name, help=summary)  # as `lsdesk --help` lists it
            return None
        return _command(commands, name, summary, **options)

    parser = argparse.ArgumentParser(
        prog="lsdesk",
        description=_("Check, save and rotate your organisation's Lessonspace API key."),
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[_common_options()],
    )
    parser.set_defaults(api_url=None, profile="default", verbose=False, command=None)
    parser.add_argument(
        "--version", action="version", version=f"lsdesk {__version__}", help=_("show lsdesk's version and exit")
    )
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help=_("open the window on a built-in practice Lessonspace (nothing is saved)"),
    )
    parser.add_argument(
        "--background",
        action="store_true",
        help=_("watch the key from the tray without opening the window (how lsdesk starts at sign-in)"),
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    if check := command("check", _("check the stored key (or one read from stdin)")):
        check.add_argument("--key-stdin", action="store_true", help=_("check a key read from stdin instead"))
        check.add_argument(
            "--all", action="store_true", help=_("check the saved key of every profile, one after another")
        )
        _json_option(check)

    lessons = command(
        "lessons", _("count the lessons started since the saved key was saved (or since a time), read-only")
    )
    if lessons:
        _lessons_options(lessons)

    if history := command("history", _("print the history of checks, saves, rotations and removals (never a key)")):
        _history_options(history)

    if profiles := command("profiles", _("list the profiles with a saved key, without asking Lessonspace")):
        _json_option(profiles)

    for name, summary, anyway in (
        (
            "save",
            _("read a key from stdin, check it, store it"),
            _("save even if the key belongs (or may belong) to another organisation than the saved one"),
        ),
        (
            "rotate",
            _("read a new key from stdin and swap it in for the saved one"),
            _("rotate even if the key belongs (or may belong) to another organisation than the saved one"),
        ),
    ):
        if replacing := command(name, summary):
            _json_option(replacing)
            replacing.add_argument("--allow-other-organisation", action="store_true", help=anyway)

    if forget := command("forget", _("remove the saved key (and any spare copy) from this computer")):
        forget.add_argument("--yes", action="store_true", help=_("remove it without asking first (for scripts)"))
        _json_option(forget)
    if sandbox := command("sandbox", _("run the practice Lessonspace in the foreground"), exit_codes=False):
        sandbox.add_argument(
            "--port", type=_port, default=8765, help=_("port on 127.0.0.1 (default 8765; 0 picks a free one)")
        )
    return parser


def _lessons_options(lessons: argparse.ArgumentParser) -> None:
    since = lessons.add_mutually_exclusive_group()
    since.add_argument(
        "--since",
        type=_moment,
        metavar="ISO-8601",
        # Translators: {example} is a time in ISO 8601, 2026-12-01T09:00.
        help=_("count from this time (say {example})").format(example="2026-12-01T09:00"),
    )
    since.add_argument(
        "--since-rotation",
        action="store_true",
        help=_("count from when the saved key was saved or rotated to (default)"),
    )
    _json_option(lessons)


def _history_options(history: argparse.ArgumentParser) -> None:
    # Translators: --profile is an option and stays as written.
    history.add_argument("--all", action="store_true", help=_("every profile's history, not only --profile's"))
    shape = history.add_mutually_exclusive_group()
    # Translators: the CSV file's first columns; the file itself names them in English (time, profile, ...).
    shape.add_argument("--csv", action="store_true", help=_("as CSV: time, profile, organisation id, action, ..."))
    shape.add_argument("--json", action="store_true", help=_("as one JSON object on the last line"))
    # Translators: N is the option's value, shown as N in the usage line: keep it as written.
    history.add_argument("--limit", type=_count, metavar="N", help=_("only the newest N entries"))
