"""The fault matrix: every operation under every fault, and what became of the key.

Operations, each as the window and the command line run it through `KeyDesk`:

- check: check the saved key;
- save: check a new key and store it;
- rotate: swap in a new key, after a check found the saved one valid (as
  the dialog does);
- launch: start with a rotation journal present (a rotation was cut short
  after the new key was staged): recover, then check the saved key.

Each cell runs one operation under one fault, records the state and the
message shown, then clears the fault and launches again, as the user would
once the problem is gone. That launch must find a working key stored: a cell
where it does not has lost a key. A key Lessonspace accepted is either stored
or reported as not saved, so the window keeps it in its field and the
rotation dialog offers to copy it (tests/test_window.py, test_rotate_dialog.py).
Only a 401 or 403 from Lessonspace may make a key "rejected": the sandbox
here counts each one it sends, and every key in the matrix is valid there.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from keyring.backends import fail

from lsdesk.core.client import LessonspaceClient
from lsdesk.core.desk import KeyDesk
from lsdesk.core.history import History
from lsdesk.core.keystore import KeyStore, KeyStoreError, MemoryKeyStore, SystemKeyStore
from lsdesk.core.outcome import Organisation, Outcome, State, outcome
from lsdesk.core.paths import state_dir
from lsdesk.core.rotation import RotationJournal, Step, backup_slot, pending_slot
from lsdesk.core.store_words import WORDS
from lsdesk.core.usecases import NOT_SAVED
from lsdesk.sandbox import DEMO_KEY, DEMO_ORGANISATION_ID, DEMO_ORGANISATION_NAME, SandboxServer
from tests.flaky_keyring import FlakyBackend
from tests.reliability.loopback import refusing_tls_listener

PROFILE = "default"
# Short, so a server that answers late costs the matrix little; long enough for a busy CI machine.
CLIENT_TIMEOUT = 1.0
LATE_BY = 3.0
HUGE_BODY = 50 * 1024 * 1024

OPERATIONS = ("check", "save", "rotate", "launch")
OPERATION_LABELS = {"check": "check", "save": "save", "rotate": "rotate", "launch": "launch w/ journal"}

PORTAL = "Wi-Fi sign-in page or a company proxy"


@dataclass(frozen=True)
class Fault:
    name: str
    label: str
    switches: dict = field(default_factory=dict)
    """The sandbox's fault switches, for faults the sandbox makes."""
    needs: str | None = None
    """"locked": a real Secret Service that may be locked; "real_keyring": one a child process can use."""


FAULTS = (
    Fault("status_429", "status 429", {"status": 429}),
    Fault("status_500", "status 500", {"status": 500}),
    Fault("status_502", "status 502", {"status": 502}),
    Fault("status_503", "status 503", {"status": 503}),
    Fault("status_418", "status 418", {"status": 418}),
    Fault("html_page", "HTML page (captive portal)", {"html_page": True}),
    Fault("block_page_403", "403 block page (web filter)", {"block_page_status": 403}),
    Fault("block_page_401", "401 HTML page (proxy)", {"block_page_status": 401}),
    Fault("status_404", "status 404 (wrong API address)", {"status": 404}),
    Fault("wrong_shape", "JSON of the wrong shape", {"wrong_shape": True}),
    Fault("not_json", "truncated JSON", {"not_json": True}),
    Fault("drop_connection", "connection dropped", {"drop_connection": True}),
    Fault("redirect", "redirect to another host"),
    Fault("huge_body", "50 MB body", {"huge_body_bytes": HUGE_BODY}),
    Fault("timeout", f"answer after the {CLIENT_TIMEOUT} s timeout", {"delay": LATE_BY}),
    Fault("tls", "TLS: self-signed certificate"),
    Fault("keyring_locked", "keyring locked", needs="locked"),
    Fault("keyring_missing", "no keyring (fail backend)"),
    Fault("write_fails", "keyring refuses writes"),
    Fault("read_back_differs", "keyring reads back another value"),
    Fault("killed", "process killed (SIGKILL)", needs="real_keyring"),
)
FAULTS_BY_NAME = {fault.name: fault for fault in FAULTS}

# What each network fault must end in, and words the message must hold.
_NETWORK = {
    "status_429": (State.RATE_LIMITED, "too many requests"),
    "status_500": (State.SERVER_ERROR, "error 500"),
    "status_502": (State.SERVER_ERROR, "error 502"),
    "status_503": (State.SERVER_ERROR, "error 503"),
    "status_418": (State.UNEXPECTED, PORTAL),
    "html_page": (State.UNEXPECTED, PORTAL),
    "block_page_403": (State.UNEXPECTED, "company web filter or proxy"),
    "block_page_401": (State.UNEXPECTED, "company web filter or proxy"),
    "status_404": (State.UNEXPECTED, "check the API address"),
    "wrong_shape": (State.UNEXPECTED, PORTAL),
    "not_json": (State.UNEXPECTED, PORTAL),
    "drop_connection": (State.OFFLINE, "broke off"),
    "redirect": (State.UNEXPECTED, "which lsdesk never follows"),
    "huge_body": (State.UNEXPECTED, PORTAL),
    "timeout": (State.OFFLINE, "didn't answer in time"),
    "tls": (State.OFFLINE, "couldn't make a secure connection"),
}
_LOCKED = WORDS.unlock
_NO_STORAGE = "no secure password storage"
_UNFINISHED = "could not be finished yet"
# The keychain faults, per operation: (state, words in the message).
_KEYCHAIN = {
    "keyring_locked": {
        "check": (State.NO_STORAGE, [_LOCKED]),
        "save": (State.NO_STORAGE, [_LOCKED, NOT_SAVED]),
        "rotate": (State.NO_STORAGE, [_LOCKED]),
        "launch": (State.NO_STORAGE, [_UNFINISHED, _LOCKED]),
    },
    "keyring_missing": {
        "check": (State.NO_STORAGE, [_NO_STORAGE]),
        "save": (State.NO_STORAGE, [_NO_STORAGE, NOT_SAVED]),
        "rotate": (State.NO_STORAGE, [_NO_STORAGE]),
        "launch": (State.NO_STORAGE, [_UNFINISHED, _NO_STORAGE]),
    },
    "write_fails": {
        "check": (State.VALID, ["accepted this key"]),
        "save": (State.NO_STORAGE, ["refused to store the key", NOT_SAVED]),
        "rotate": (State.NO_STORAGE, ["refused to store the key", "Copy the new key"]),
        "launch": (State.VALID, [_UNFINISHED, "accepted this key"]),
    },
    "read_back_differs": {
        "check": (State.VALID, ["accepted this key"]),
        "save": (State.NO_STORAGE, ["did not keep the new key"]),
        "rotate": (State.NO_STORAGE, ["did not keep the new key", "Copy the new key"]),
        # The keychain hands back something that is not a key: lsdesk refuses to send it.
        "launch": (State.BAD_INPUT, ["did not keep the key lsdesk put back", "did not send this key"]),
    },
}


def expected(operation: str, fault: Fault) -> tuple[State, list[str]]:
    """The state a cell must end in, and words its message must hold."""
    if fault.name in _KEYCHAIN:
        return _KEYCHAIN[fault.name][operation]
    state, words = _NETWORK[fault.name]
    extra = {
        "check": [],
        "save": [NOT_SAVED],
        "rotate": ["Your saved key is unchanged."],
        "launch": ["kept every key"],
    }[operation]
    return state, [words, *extra]


@dataclass
class Cell:
    operation: str
    fault: str
    state: str = ""
    message: str = ""
    kept: bool = False
    """After the fault, a launch found a working key stored."""
    false_invalid: int = 0
    """Outcomes that said "rejected" without a 401 or 403 of Lessonspace's own."""
    problems: list[str] = field(default_factory=list)
    skipped: str | None = None
    seconds: float = 0.0

    @property
    def key_lost(self) -> bool:
        return self.skipped is None and not self.kept


@dataclass
class Environment:
    """What the cells may use beyond the sandbox.

    `keyring_service`: a Secret Service service name the locked-keyring cells
    may store under (all its entries are theirs). `lock`: a context manager
    factory that locks the real keyring for its body. `real_keyring`: child
    processes may use the real keyring under lsdesk's own service name.
    """

    workdir: Path
    keyring_service: str | None = None
    lock: Callable[[], AbstractContextManager] | None = None
    real_keyring: bool = False


# Every cell run in this process, for the table.
RESULTS: dict[tuple[str, str], Cell] = {}


class CountingSandbox(SandboxServer):
    """The sandbox, counting its own refusals: 401 and 403 answers with Lessonspace's JSON body, not a block page."""

    def __init__(self) -> None:
        super().__init__()
        self.refusals = 0

    def _answer_api(self, *args):
        reply = super()._answer_api(*args)
        if reply is not None and reply.status in (401, 403) and reply.content_type == "application/json":
            self.refusals += 1
        return reply


def run_cell(operation: str, fault: Fault, env: Environment) -> Cell:
    """Run one cell, record it in RESULTS and return it; never raises."""
    started = time.monotonic()
    cell = Cell(operation, fault.name)
    if fault.needs == "locked" and (env.lock is None or env.keyring_service is None):
        cell.skipped = "needs a real Secret Service that this process can lock and unlock"
    elif fault.needs == "real_keyring" and not env.real_keyring:
        cell.skipped = "needs a real Secret Service"
    else:
        try:
            if fault.name == "killed":
                _run_killed(cell, env)
            else:
                _run_in_process(cell, fault, env)
        except Exception as error:  # noqa: BLE001 - a crash is a finding, reported in the table
            cell.problems.append(f"crashed: {type(error).__name__}: {error}")
    cell.seconds = time.monotonic() - started
    RESULTS[(operation, fault.name)] = cell
    return cell


# -- faults inside this process ----------------------------------------------


class _Keychain:
    """The store an operation uses under a fault, and the same keys as seen once the fault is gone."""

    def __init__(self, fault: Fault, env: Environment, bad_value: str):
        self._fault = fault.name
        self._lock = env.lock
        self._flaky = FlakyBackend()
        if fault.name == "keyring_locked":
            import keyring

            self.healthy: KeyStore = SystemKeyStore(service=env.keyring_service, backend=keyring.get_keyring())
            self.faulty: KeyStore = self.healthy
        elif fault.name in ("keyring_missing", "write_fails", "read_back_differs"):
            self.healthy = SystemKeyStore(backend=self._flaky)
            self.faulty = SystemKeyStore(backend=fail.Keyring()) if fault.name == "keyring_missing" else self.healthy
        else:
            self.healthy = self.faulty = MemoryKeyStore()
        self._bad_value = bad_value

    def forget_all(self) -> None:
        """Remove what the cell stored, so a real keychain is left as it was."""
        for slot in (PROFILE, backup_slot(PROFILE), pending_slot(PROFILE)):
            if self.healthy.get(slot) is not None:
                self.healthy.delete(slot)

    @contextmanager
    def faulty_while(self) -> Iterator[None]:
        if self._fault == "keyring_locked":
            with self._lock():
                yield
            return
        self._flaky.written.clear()  # the keys set up so far are not read-back victims
        self._flaky.fail_set = self._fault == "write_fails"
        self._flaky.read_back = self._bad_value if self._fault == "read_back_differs" else None
        try:
            yield
        finally:
            self._flaky.fail_set = False
            self._flaky.read_back = None


def _run_in_process(cell: Cell, fault: Fault, env: Environment) -> None:
    folder = Path(tempfile.mkdtemp(prefix=f"{cell.operation}-{fault.name}-", dir=env.workdir))
    journal = RotationJournal(folder / "rotation")
    history = History(folder / "history.jsonl")
    with ExitStack() as stack:
        sandbox = stack.enter_context(CountingSandbox())
        new_key = sandbox.generate_key()
        keychain = _Keychain(fault, env, bad_value=new_key[:-1])
        keychain.healthy.set(PROFILE, DEMO_KEY)
        if cell.operation == "launch":
            interrupted_rotation(keychain.healthy, journal, PROFILE, new_key)

        api_url, elsewhere = sandbox.api_url, None
        if fault.switches:
            sandbox.faults.update(fault.switches)
        elif fault.name == "redirect":
            elsewhere = stack.enter_context(SandboxServer())
            sandbox.faults.redirect_to = elsewhere.api_url + "hello/"
        elif fault.name == "tls":
            api_url = stack.enter_context(refusing_tls_listener(folder / "tls"))

        with keychain.faulty_while(), LessonspaceClient(api_url, timeout=CLIENT_TIMEOUT) as client:
            desk = KeyDesk(client, keychain.faulty, PROFILE, journal=journal, history=history)
            shown, message, stored_new = _operate(desk, cell.operation, new_key)
        sent_during_fault = sandbox.request_count
        sandbox.faults.reset()
        cell.state, cell.message = shown[-1].state.value, message

        state, words = expected(cell.operation, fault)
        _expect(cell, shown[-1].state is state, f"ended in {cell.state}, expected {state.value}")
        for word in words:
            _expect(cell, word in message, f"the message lacks {word!r}: {message!r}")
        if elsewhere is not None:
            _expect(cell, elsewhere.request_count == 0, "a request followed the redirect to another host")
        if fault.name == "tls":
            _expect(cell, sent_during_fault == 0, "a request went past the refused certificate")
        if cell.operation == "save" and fault.name in ("keyring_locked", "keyring_missing"):
            _expect(cell, sent_during_fault == 0, "the key was sent although it could not be stored")

        try:
            after = _launch_again(cell, sandbox.api_url, keychain.healthy, journal, history, new_key, stored_new)
        finally:
            keychain.forget_all()
        _count_false_invalid(cell, [*shown, *after], sandbox.refusals)


def _operate(desk: KeyDesk, operation: str, new_key: str) -> tuple[list[Outcome], str, bool]:
    """Run the operation; the outcomes shown, the message the user reads, and whether the new key was stored."""
    if operation == "check":
        result = desk.check_stored()
        return [result], result.message, False
    if operation == "save":
        saved = desk.save(new_key)
        return [saved.outcome], saved.outcome.message, saved.saved
    if operation == "rotate":
        # As the dialog does: the window's last check found the saved key valid.
        offered = outcome(
            State.VALID,
            "Lessonspace accepted this key.",
            organisation=Organisation(DEMO_ORGANISATION_ID, DEMO_ORGANISATION_NAME),
        )
        rotation = desk.rotate(new_key, current=offered)
        return [rotation.outcome], rotation.outcome.message, rotation.rotated
    notice = desk.recover()
    result = desk.check_stored()
    return [result], f"{notice} / {result.message}", False


def interrupted_rotation(store: KeyStore, journal: RotationJournal, profile: str, new_key: str) -> None:
    """What a rotation cut short after staging the new key and backing up the old one leaves."""
    journal.write(profile, Step.STORING_NEW, old=DEMO_KEY, new=new_key)
    store.set(backup_slot(profile), DEMO_KEY)
    store.set(pending_slot(profile), new_key)


def _launch_again(
    cell: Cell,
    api_url: str,
    store: KeyStore,
    journal: RotationJournal,
    history: History,
    new_key: str,
    stored_new: bool,
) -> list[Outcome]:
    """Launch with the fault gone: recover, check. The cell kept its key if that is valid."""
    # Unpaced: recovery has just checked the key this check asks about again.
    with LessonspaceClient(api_url, timeout=5.0, min_check_interval=0) as client:
        desk = KeyDesk(client, store, PROFILE, journal=journal, history=history)
        desk.recover()
        after = desk.check_stored()
    try:
        stored = store.get(PROFILE)
        leftovers = [slot for slot in (backup_slot(PROFILE), pending_slot(PROFILE)) if store.get(slot)]
    except KeyStoreError as error:
        cell.problems.append(f"the keychain still fails after the fault: {error.outcome.title}")
        return [after]
    cell.kept = after.state is State.VALID and stored in (DEMO_KEY, new_key)
    _expect(cell, cell.kept, f"after the fault a launch found {after.state.value}: no working key is stored")
    if stored_new:
        _expect(cell, stored == new_key, "reported the new key stored, but it is not")
    _expect(cell, not leftovers and journal.read(PROFILE) is None, "a second launch left rotation leftovers")
    return [after]


def _count_false_invalid(cell: Cell, shown: list[Outcome], refusals: int) -> None:
    if refusals == 0:
        cell.false_invalid = sum(result.state is State.REJECTED for result in shown)
        _expect(cell, cell.false_invalid == 0, "a key was called invalid without a 401 or 403")


def _expect(cell: Cell, holds: bool, problem: str) -> None:
    if not holds:
        cell.problems.append(problem)


# -- a process killed mid-operation ---------------------------------------


def _run_killed(cell: Cell, env: Environment) -> None:
    """Kill a real lsdesk process mid-operation (real keychain), then launch again.

    Rotation is killed right after the old key was backed up, through the
    child of tests/test_rotation_crash.py, which kills it at every other step too.
    """
    from tests.test_rotation_crash import DIE_AT

    profile = f"matrix-{uuid.uuid4().hex[:12]}"
    store = SystemKeyStore()
    journal = RotationJournal(state_dir() / "rotation")
    history = History(env.workdir / f"killed-{cell.operation}.jsonl")
    child_env = {**os.environ, "XDG_DATA_HOME": str(env.workdir / "data")}
    try:
        with CountingSandbox() as sandbox:
            new_key = sandbox.generate_key()
            store.set(profile, DEMO_KEY)
            if cell.operation == "rotate":
                child = subprocess.run(
                    [sys.executable, "-c", DIE_AT, sandbox.api_url, profile, new_key, "set", "backup", "after"],
                    capture_output=True,
                    text=True,
                    timeout=60,
                    env=child_env,
                )
                died = child.returncode == -signal.SIGKILL
            else:
                if cell.operation == "launch":
                    interrupted_rotation(store, journal, profile, new_key)
                died = _kill_while_waiting(cell.operation, sandbox, profile, new_key, child_env)
            sandbox.faults.reset()
            cell.state = "killed" if died else "not killed"
            _expect(cell, died, "the process was not killed mid-operation")

            with LessonspaceClient(sandbox.api_url, timeout=5.0, min_check_interval=0) as client:
                desk = KeyDesk(client, store, profile, journal=journal, history=history)
                notice = desk.recover()
                after = desk.check_stored()
            cell.message = f"next launch: {notice or 'nothing to recover'} / {after.message}"
            stored = store.get(profile)
            cell.kept = after.state is State.VALID and stored in (DEMO_KEY, new_key)
            _expect(cell, cell.kept, f"after the kill a launch found {after.state.value}")
            if cell.operation in ("rotate", "launch"):
                _expect(cell, bool(notice) and "interrupted" in notice, "the next launch did not say it recovered")
                _expect(cell, stored == new_key, "the staged new key was not the one kept")
            else:
                _expect(cell, stored == DEMO_KEY, "the saved key changed although the operation died")
            _expect(cell, journal.read(profile) is None, "the journal outlived the recovery")
            _count_false_invalid(cell, [after], sandbox.refusals)
    finally:
        for slot in (profile, backup_slot(profile), pending_slot(profile)):
            store.delete(slot)
        journal.clear(profile)


def _kill_while_waiting(operation: str, sandbox: SandboxServer, profile: str, new_key: str, env: dict) -> bool:
    """Start `lsdesk check` or `lsdesk save`, and SIGKILL it while Lessonspace holds its request."""
    sandbox.faults.delay = 60
    command = "save" if operation == "save" else "check"
    process = subprocess.Popen(
        [sys.executable, "-m", "lsdesk", command, "--json", "--api-url", sandbox.api_url, "--profile", profile],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        process.stdin.write(new_key if command == "save" else "")
        process.stdin.close()
        deadline = time.monotonic() + 30
        while sandbox.request_count == 0 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        if sandbox.request_count == 0:
            return False
        process.kill()
        return process.wait(30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(30)


# -- the table ------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    tried: int
    skipped: int
    keys_lost: int
    false_invalid: int
    problems: int


def totals(cells: list[Cell]) -> Totals:
    ran = [cell for cell in cells if cell.skipped is None]
    return Totals(
        tried=len(ran),
        skipped=len(cells) - len(ran),
        keys_lost=sum(cell.key_lost for cell in ran),
        false_invalid=sum(cell.false_invalid for cell in ran),
        problems=sum(bool(cell.problems) for cell in ran),
    )


def table(cells: dict[tuple[str, str], Cell], *, messages: bool = False) -> str:
    """The operation x fault table, its totals, and every problem found."""
    width = max(len(fault.label) for fault in FAULTS) + 2
    column = 20
    lines = ["fault".ljust(width) + "".join(OPERATION_LABELS[op].ljust(column) for op in OPERATIONS)]
    lines.append("-" * (width + column * len(OPERATIONS)))
    for fault in FAULTS:
        row = fault.label.ljust(width)
        for operation in OPERATIONS:
            cell = cells.get((operation, fault.name))
            if cell is None:
                text = "not run"
            elif cell.skipped:
                text = "skipped"
            else:
                text = cell.state + ("" if cell.kept else " LOST") + (" !" if cell.problems else "")
            row += text.ljust(column)
        lines.append(row.rstrip())
    found = totals(list(cells.values()))
    lines += [
        "",
        "cell: the state the operation ended in; every key survived unless marked LOST; ! marks a failed expectation",
        f"faults tried: {found.tried} of {len(FAULTS) * len(OPERATIONS)} "
        f"({len(FAULTS)} faults x {len(OPERATIONS)} operations"
        + (f"; {found.skipped} skipped" if found.skipped else "")
        + (f"; {not_run} not run" if (not_run := len(FAULTS) * len(OPERATIONS) - len(cells)) else "")
        + ")",
        f"keys lost: {found.keys_lost}",
        f"keys called invalid without a 401/403: {found.false_invalid}",
        f"cells with a failed expectation: {found.problems}",
    ]
    for cell in cells.values():
        if cell.skipped and messages:
            lines.append(f"skipped {cell.operation} x {cell.fault}: {cell.skipped}")
        for problem in cell.problems:
            lines.append(f"PROBLEM {cell.operation} x {cell.fault}: {problem}")
    if messages:
        lines += ["", "messages shown:"]
        for (operation, fault), cell in cells.items():
            if not cell.skipped:
                lines.append(f"{operation} x {fault}: {cell.message}")
    return "\n".join(lines)


def run_all(env: Environment, *, progress: Callable[[str], None] = lambda _text: None) -> dict[tuple[str, str], Cell]:
    for fault in FAULTS:
        for operation in OPERATIONS:
            progress(f"{operation} x {fault.name}")
            run_cell(operation, fault, env)
    return dict(RESULTS)
