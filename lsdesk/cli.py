"""The `lsdesk` command: the window, and a command line for scripts.

Subcommands use the core only; Qt is imported only when the window opens,
so `lsdesk check` starts fast and runs where there is no screen.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import logging
import os
import sys
from typing import TYPE_CHECKING, TextIO

from lsdesk import __version__
from lsdesk.core.api_key import MAX_INPUT_LENGTH
from lsdesk.core.api_url import ApiUrlError, resolve_api_url
from lsdesk.core.keystore import KEYRING_WAITING_TITLE, Attention, SystemKeyStore, check_profile_name, keyring_timeout
from lsdesk.core.local_problem import PROBLEM_IN_LSDESK, describe_local_problem
from lsdesk.core.outcome import EXIT_CODE_MEANINGS, EXIT_INTERRUPTED, Outcome, State, outcome
from lsdesk.core.preferences import IniSettings, Preferences, settings_path

if TYPE_CHECKING:
    from lsdesk.core.desk import KeyDesk

EXIT_CODES_HELP = "exit codes:\n" + "".join(f"  {code:<3}  {meaning}\n" for code, meaning in EXIT_CODE_MEANINGS.items())

INTERRUPTED = "Stopped by Ctrl-C; if a rotation was running, lsdesk finishes or undoes it the next time it runs."

log = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> int:
    _no_core_dumps()  # first: a key read later must never end up in a core file
    _replace_unencodable_output()
    try:
        args = _parser().parse_args(argv)
        _configure_logging(args.verbose)
        report = _Reporter(sys.stdout, as_json=getattr(args, "json", False))
        try:
            return _run(args, report)
        except OSError as error:
            # A folder or file of lsdesk's own on this computer: says nothing about the key.
            log.info("stopped by a local problem", exc_info=True)  # the traceback only with -v
            return report(outcome(State.UNFINISHED, describe_local_problem(error)))
        except Exception:
            log.info("stopped by a problem in lsdesk", exc_info=True)
            return report(outcome(State.UNFINISHED, PROBLEM_IN_LSDESK))
    except KeyboardInterrupt:
        # SIGINT only: SIGTERM and SIGHUP keep Python's default, a plain kill,
        # which leaves what recovery already handles.
        print(INTERRUPTED, file=sys.stderr)
        return EXIT_INTERRUPTED


NO_SCREEN = "lsdesk's window needs a desktop session; `lsdesk check` works in a terminal."


def _has_a_screen() -> bool:
    """False on Linux and the other Unix desktops with no X or Wayland display (over ssh, say), where Qt
    would abort with a message about a missing library; Windows and macOS always have one for a signed-in user."""
    if sys.platform in ("win32", "darwin"):
        return True
    return any(os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def _run(args: argparse.Namespace, report: _Reporter) -> int:
    if args.command == "sandbox":
        return _run_sandbox(args.port)
    if args.command is None:
        if not _has_a_screen():
            print(NO_SCREEN, file=sys.stderr)
            return State.BAD_INPUT.exit_code
        from lsdesk.gui.app import run_window  # Qt only when a window is wanted

        return run_window(api_url=args.api_url, profile=args.profile, sandbox=args.sandbox, background=args.background)

    try:
        api_url = resolve_api_url(args.api_url, preferred=Preferences.load(IniSettings(settings_path())).api_url)
        profile = check_profile_name(args.profile)
        store = SystemKeyStore(timeout=keyring_timeout())
    except (ApiUrlError, ValueError) as error:
        return report(outcome(State.BAD_INPUT, str(error)))

    from lsdesk.core.client import LessonspaceClient
    from lsdesk.core.desk import KeyDesk

    # One run checks a key at most a few times and nobody presses a button, so the
    # window's one-check-a-second pacing would only make a rotation slower.
    # At a terminal, a slow keychain (an unlock prompt, say) is named while lsdesk waits for it.
    waiting = Attention(waiting=lambda: print(f"{KEYRING_WAITING_TITLE}...", file=sys.stderr, flush=True))
    with (
        LessonspaceClient(api_url, min_check_interval=0) as client,
        store.attended(waiting) if sys.stderr.isatty() else contextlib.nullcontext(),
    ):
        desk = KeyDesk.in_user_folders(client, store, profile)
        if args.command == "forget":
            return _forget(desk, args, report)
        if args.command == "check" and args.key_stdin:
            return report(desk.check(_read_key(sys.stdin)))
        notice = desk.recover()
        if notice:
            print(notice, file=sys.stderr)
        if args.command == "check":
            return report(desk.check_stored())
        if args.command == "save":
            saved = desk.save(_read_key(sys.stdin), allow_other_organisation=args.allow_other_organisation)
            return report(saved.outcome, saved=saved.saved)
        new_key = _read_key(sys.stdin, "Paste the new Lessonspace API key (it won't be shown): ")
        rotation = desk.rotate(new_key, allow_other_organisation=args.allow_other_organisation)
        return report(
            rotation.outcome,
            old_key=rotation.old_key.value if rotation.old_key else None,
            rotated=rotation.rotated,
        )


FORGET_NEEDS_YES = (
    "lsdesk did not remove the key: removing it cannot be undone. Run the command again with --yes to remove it."
)
FORGET_KEPT = "The saved key was kept."


def _forget(desk: KeyDesk, args: argparse.Namespace, report: _Reporter) -> int:
    """Remove the profile's saved key, once the admin has said yes (at a terminal) or passed --yes."""
    if not args.yes:
        if not sys.stdin.isatty():
            return report(outcome(State.BAD_INPUT, FORGET_NEEDS_YES, title="Not removed"))
        try:
            answer = input(
                f'Remove the saved Lessonspace API key of profile "{desk.profile}" from this computer? [y/N] '
            )
        except EOFError:
            answer = ""
        if answer.strip().lower() not in {"y", "yes"}:
            print(FORGET_KEPT)
            return 0
    removed = desk.forget()
    report(removed, forgotten=removed.state is State.NOT_SET)
    # "No key saved" is what a removal is for: done, not a failure.
    return 0 if removed.state is State.NOT_SET else removed.state.exit_code


class _Reporter:
    """Prints an Outcome as one plain sentence, or as one JSON object."""

    def __init__(self, out: TextIO, *, as_json: bool):
        self._out = out
        self._as_json = as_json

    def __call__(self, result: Outcome, **extra: object) -> int:
        """Print `result`; keyword arguments are added to the JSON object."""
        if self._as_json:
            document = {**result.to_json(), **extra}
            print(json.dumps(document), file=self._out)
        else:
            print(_sentence(result), file=self._out)
        return result.state.exit_code


def _sentence(result: Outcome) -> str:
    if result.state is not State.VALID:
        return result.message
    org = f" for {result.organisation.describe()}" if result.organisation else ""
    ending = f" (key ending {result.key_ending})" if result.key_ending else ""
    return f"Valid API key{ending}{org}. {result.message}"


def _read_key(stream: TextIO, prompt: str = "Paste your Lessonspace API key (it won't be shown): ") -> str:
    """The key from standard input; at a terminal, asked for without echo."""
    if stream.isatty():
        return getpass.getpass(prompt)
    return stream.read(MAX_INPUT_LENGTH + 1)


def _run_sandbox(port: int) -> int:
    from lsdesk.sandbox import DEMO_KEY, SandboxServer

    try:
        server = SandboxServer(port=port)
    except OSError as error:
        print(f"Could not start the sandbox on port {port}: {error.strerror}. Try another --port.")
        return 2
    print(f"Sandbox Lessonspace API: {server.api_url}")
    print(f"Demo API key:            {DEMO_KEY}")
    print(f"Developer settings page: {server.developer_url}")
    print(f"Try: echo {DEMO_KEY} | lsdesk check --key-stdin --api-url {server.api_url}")
    print("Press Ctrl+C to stop.", flush=True)
    server.serve_forever()
    return 0


def _configure_logging(verbose: bool) -> None:
    """With -v, technical detail goes to stderr; without it, stderr carries only
    lsdesk's own sentences: no log line, no Python warning."""
    logging.captureWarnings(True)  # warnings become log records of "py.warnings"
    if verbose:
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    elif not logging.getLogger().handlers:
        # Else logging's last-resort handler prints every warning to stderr.
        logging.getLogger().addHandler(logging.NullHandler())


def _no_core_dumps() -> None:
    """No core file for this process, where the OS allows it (Linux, macOS):
    a crash must not write the key in memory to disk."""
    try:
        import resource
    except ImportError:  # Windows: no core dumps to switch off
        return
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (OSError, ValueError):
        pass  # a sandboxed process may not change its limits; nothing more to do


def _replace_unencodable_output() -> None:
    """An organisation's name the terminal's encoding lacks is printed with
    replacement characters instead of stopping lsdesk mid-answer."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")


def _port(text: str) -> int:
    """argparse type: a TCP port number, 0 to 65535."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number; use a number from 0 to 65535") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number; use a number from 0 to 65535")
    return port


def _common_options() -> argparse.ArgumentParser:
    """Options accepted before or after the subcommand. A fresh parent each
    time: argparse shares parent actions, and defaults set on one would leak."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--api-url",
        metavar="URL",
        default=argparse.SUPPRESS,
        help=(
            "Lessonspace API root (default: $LSDESK_API_URL, else the address saved in the window's Settings, "
            "else https://api.thelessonspace.com/v2/)"
        ),
    )
    common.add_argument(
        "--profile",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help='which stored key to use (default: "default")',
    )
    common.add_argument(
        "-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="log technical detail to stderr"
    )
    return common


def _parser() -> argparse.ArgumentParser:

    parser = argparse.ArgumentParser(
        prog="lsdesk",
        description="Check, save and rotate your organisation's Lessonspace API key.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[_common_options()],
    )
    parser.set_defaults(api_url=None, profile="default", verbose=False, command=None)
    parser.add_argument("--version", action="version", version=f"lsdesk {__version__}")
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="open the window on a built-in practice Lessonspace (nothing is saved)",
    )
    parser.add_argument(
        "--background",
        action="store_true",
        help="watch the key from the tray without opening the window (how lsdesk starts at sign-in)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser(
        "check",
        parents=[_common_options()],
        help="check the stored key (or one read from stdin)",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument("--key-stdin", action="store_true", help="check a key read from stdin instead")
    check.add_argument("--json", action="store_true", help="print one JSON object on the last line")

    save = commands.add_parser(
        "save",
        parents=[_common_options()],
        help="read a key from stdin, check it, store it",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    save.add_argument("--json", action="store_true", help="print one JSON object on the last line")
    save.add_argument(
        "--allow-other-organisation",
        action="store_true",
        help="save even if the key belongs (or may belong) to another organisation than the saved one",
    )

    rotate = commands.add_parser(
        "rotate",
        parents=[_common_options()],
        help="read a new key from stdin and swap it in for the saved one",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    rotate.add_argument("--json", action="store_true", help="print one JSON object on the last line")
    rotate.add_argument(
        "--allow-other-organisation",
        action="store_true",
        help="rotate even if the new key belongs (or may belong) to another organisation",
    )

    forget = commands.add_parser(
        "forget",
        parents=[_common_options()],
        help="remove the saved key (and any spare copy) from this computer",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    forget.add_argument("--yes", action="store_true", help="remove it without asking first (for scripts)")
    forget.add_argument("--json", action="store_true", help="print one JSON object on the last line")
    sandbox = commands.add_parser(
        "sandbox", parents=[_common_options()], help="run the practice Lessonspace in the foreground"
    )
    sandbox.add_argument(
        "--port", type=_port, default=8765, help="port on 127.0.0.1 (default 8765; 0 picks a free one)"
    )
    return parser
