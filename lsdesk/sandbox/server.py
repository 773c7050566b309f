"""A stand-in for the Lessonspace API, served on this computer.

Tests, benchmarks and `lsdesk sandbox` talk to it instead of the real
service, so lsdesk can be exercised over real HTTP without an account, and
every failure the real API (or something in front of it) can produce can be
switched on at will. It answers like the real API, which is built with
Django REST Framework: `Authorization: Organisation <key>`, paths that end
in a slash, and `{"detail": "..."}` bodies for errors.

Standard library only, so the core and its tests need nothing extra to run it.
"""

from __future__ import annotations

import copy
import ipaddress
import json
import logging
import socket
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, fields
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, get_args, get_type_hints
from urllib.parse import parse_qs

from lsdesk.sandbox.developer_page import DEVELOPER_PATH, render_developer_page
from lsdesk.sandbox.lessons import SESSIONS_PATH, SESSIONS_PER_SECOND, Lessons, QueryError

logger = logging.getLogger("lsdesk.sandbox")

DEMO_KEY = "0f8e6a52-5d1c-4c8e-9b7a-3a1f2d4c6e80"
DEMO_ORGANISATION_ID = 4242
DEMO_ORGANISATION_NAME = "Demo Tutoring Co"

_HELLO = "/v2/hello/"
_MY_ORGANISATION = "/v2/my-organisation/"
_API_PATHS = (_HELLO, _MY_ORGANISATION)
_CONTROL_METHODS = {
    "/sandbox/faults": ("GET", "POST"),
    "/sandbox/reset": ("POST",),
    "/sandbox/keys": ("POST",),
    "/sandbox/lessons": ("POST",),
}

_NOT_PROVIDED = "Authentication credentials were not provided."
_INVALID_TOKEN = "Invalid token."
_NO_PERMISSION = "You do not have permission to perform this action."
_THROTTLED = "Request was throttled. Expected available in 1 second."
# DRF sends this challenge with every 401, naming the scheme it expects.
_CHALLENGE = {"WWW-Authenticate": "Organisation"}
# The words DRF, or the web server in front of it, uses for statuses a fault forces.
_DETAILS = {
    401: _INVALID_TOKEN,
    403: _NO_PERMISSION,
    404: "Not found.",
    429: _THROTTLED,
    500: "A server error occurred.",
    503: "Service temporarily unavailable, try again later.",
}

_BLOCK_PAGE = """\
<!DOCTYPE html>
<html><head><title>Access denied</title></head>
<body><h1>This site is blocked by your organisation's web filter</h1></body></html>
"""
_CAPTIVE_PORTAL_PAGE = """\
<!DOCTYPE html>
<html><head><title>Network sign-in</title></head>
<body><h1>Sign in to continue</h1><p>Please accept the terms of use to reach the internet.</p></body></html>
"""

_MAX_REQUEST_BODY = 1024 * 1024
_PADDING_CHUNK = b"x" * (64 * 1024)


@dataclass
class SandboxFaults:
    """Ways the sandbox API can misbehave, all off by default.

    They apply to /v2/ requests only. Each request takes a copy of them when
    it starts, so a test may flip one from its own thread while the server
    runs. Where several would shape the answer, the first in this list wins;
    a delay comes on top of any of them.
    """

    delay: float = 0.0
    """Seconds to wait before answering; cut short when the server stops."""
    drop_connection: bool = False
    """Read the request, then close the connection without any response."""
    redirect_to: str | None = None
    """Answer 302 with this Location."""
    html_page: bool = False
    """Answer 200 with an HTML page, as a captive portal or proxy would."""
    block_page_status: int | None = None
    """Answer with this status (say 403) and an HTML block page, as a company web filter would."""
    status: int | None = None
    """Answer every request with this status and a DRF-style body."""
    unreachable_key_ending: str | None = None
    """Close the connection without an answer for requests with a key ending in these characters: one
    organisation's requests do not get through while the others' do."""
    retry_after: str | None = None
    """Send this Retry-After header with any forced 429."""
    rate_limit_per_second: float | None = None
    """Let each key make this many requests in any one second; 429 beyond."""
    organisation_status: int | None = None
    """Answer /v2/my-organisation/ alone with this status; hello stays fine."""
    sessions_status: int | None = None
    """Answer the sessions endpoint alone with this status (a plan without it: 403); the rest stays fine."""
    sessions_retry_after: str | None = None
    """Send this Retry-After with the sessions endpoint's own 429s (None: none is sent)."""
    sessions_wrong_shape: bool = False
    """Answer the sessions endpoint alone with JSON of the wrong shape (no `count`)."""
    not_json: bool = False
    """Answer 200 application/json with a body cut off half way."""
    wrong_shape: bool = False
    """Answer 200 with valid JSON of the wrong shape."""
    huge_body_bytes: int = 0
    """If above 0, answer 200 with valid JSON padded to this many bytes."""

    def reset(self) -> None:
        """Turn every fault off."""
        for fault in fields(self):
            setattr(self, fault.name, fault.default)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def update(self, changes: Mapping[str, Any]) -> None:
        """Set several faults from JSON-like values, all or none.

        Raises ValueError, naming the fault, for an unknown name or a value of
        the wrong type, so a typo in another process's request fails loudly.
        """
        types = get_type_hints(type(self))
        checked = {}
        for name, value in changes.items():
            if name not in types:
                raise ValueError(f"Unknown fault: {name!r}.")
            allowed = get_args(types[name]) or (types[name],)
            if float in allowed and type(value) is int:
                value = float(value)
            # bool is an int to isinstance, but True is no status code.
            if not isinstance(value, allowed) or isinstance(value, bool) != (bool in allowed):
                raise ValueError(f"Fault {name!r} cannot be {value!r}.")
            checked[name] = value
        for name, value in checked.items():
            setattr(self, name, value)


@dataclass(frozen=True)
class _Organisation:
    id: int
    name: str

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "timezone": "UTC", "created": "2024-01-15T09:30:00Z"}


@dataclass(frozen=True)
class _Reply:
    """One response, decided in full before the first byte goes out."""

    status: int
    chunks: Iterable[bytes]
    length: int
    content_type: str = "application/json"
    headers: Mapping[str, str] = field(default_factory=dict)


class _RateLimit:
    """Counts each key's requests over the last second, as DRF's throttles do."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._history: dict[str, deque[float]] = {}

    def allow(self, key: str, per_second: float) -> bool:
        now = time.monotonic()
        with self._lock:
            history = self._history.setdefault(key, deque())
            while history and history[0] <= now - 1.0:
                history.popleft()
            if len(history) >= per_second:
                return False
            history.append(now)
            return True


class SandboxServer:
    """A Lessonspace API look-alike on loopback, with switchable faults.

    It binds its port at once (port 0 picks a free one), so `api_url` is
    known before `start()`. Use it as a context manager, or call `start()`
    and `stop()`; `serve_forever()` serves in the foreground instead. The
    demo organisation and `DEMO_KEY` exist from the start; keys, faults and
    the request log may be changed or read from any thread while it serves.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        _require_loopback(host)
        self.faults = SandboxFaults()
        self._lock = threading.Lock()
        self._organisations = {DEMO_ORGANISATION_ID: _Organisation(DEMO_ORGANISATION_ID, DEMO_ORGANISATION_NAME)}
        self._keys: dict[str, int] = {DEMO_KEY: DEMO_ORGANISATION_ID}
        self._disabled: set[str] = set()
        self._request_log: list[tuple[str, str, bool]] = []
        self._rate_limit = _RateLimit()
        self._sessions_limit = _RateLimit()
        self.lessons = Lessons()
        # Set once stop() begins, so delays end and no new wait starts.
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._httpd = _HTTPServer((host, port), self)

    # -- running -------------------------------------------------------------

    def start(self) -> SandboxServer:
        """Serve on a daemon thread, so the caller carries on meanwhile."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="lsdesk-sandbox",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port, promptly even mid-request.

        Open connections are cut, so a client's pooled keep-alive connection
        cannot go on talking to a stopped sandbox.
        """
        self._stopping.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.close_connections()
        self._httpd.server_close()

    def serve_forever(self) -> None:
        """Serve in the foreground until Ctrl+C, for `lsdesk sandbox`."""
        try:
            self._httpd.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            pass
        finally:
            self._stopping.set()
            self._httpd.close_connections()
            self._httpd.server_close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """The server's root, where the /sandbox/ control endpoints live."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/"

    @property
    def api_url(self) -> str:
        return self.base_url + "v2/"

    @property
    def developer_url(self) -> str:
        return self.base_url + DEVELOPER_PATH.lstrip("/")

    # -- organisations and keys ----------------------------------------------

    def add_organisation(self, organisation_id: int, name: str) -> None:
        """Add an organisation, or rename one, to give keys to."""
        with self._lock:
            self._organisations[organisation_id] = _Organisation(organisation_id, name)

    def generate_key(self, revoke_previous: bool = False, organisation_id: int = DEMO_ORGANISATION_ID) -> str:
        """A new key for the organisation, as the dashboard's "Generate new API key" makes.

        With `revoke_previous`, every other key of that organisation stops
        working (401) at once.
        """
        key = str(uuid.uuid4())
        with self._lock:
            self._require_organisation(organisation_id)
            if revoke_previous:
                self._keys = {other: owner for other, owner in self._keys.items() if owner != organisation_id}
            self._keys[key] = organisation_id
        return key

    def add_key(self, key: str, organisation_id: int = DEMO_ORGANISATION_ID) -> None:
        """Make `key` valid for the organisation, e.g. a key a test chose."""
        with self._lock:
            self._require_organisation(organisation_id)
            self._keys[key] = organisation_id
            self._disabled.discard(key)

    def start_lesson(self, organisation_id: int = DEMO_ORGANISATION_ID, participants: int = 2) -> None:
        """A session starts in one of the organisation's Spaces now, as when two people join it."""
        self._require_organisation(organisation_id)
        self.lessons.start(organisation_id, participants)

    def revoke_key(self, key: str) -> None:
        """Make `key` unknown, so it is answered 401 "Invalid token."."""
        with self._lock:
            self._keys.pop(key, None)
            self._disabled.discard(key)

    def disable_key(self, key: str) -> None:
        """Keep `key` known but refuse it 403, like an organisation without API access."""
        with self._lock:
            if key not in self._keys:
                raise ValueError("That key is not known to the sandbox.")
            self._disabled.add(key)

    def _require_organisation(self, organisation_id: int) -> None:
        if organisation_id not in self._organisations:
            raise ValueError(f"No organisation with id {organisation_id} in the sandbox.")

    def _resolve_key(self, key: str) -> tuple[_Organisation | None, bool]:
        """The key's organisation (None if unknown or revoked), and whether it is disabled."""
        with self._lock:
            owner = self._keys.get(key)
            if owner is None:
                return None, False
            return self._organisations[owner], key in self._disabled

    # -- what clients did ----------------------------------------------------

    @property
    def request_log(self) -> list[tuple[str, str, bool]]:
        """(method, path, whether an Authorization header came) for each /v2/ request.

        The header's value is never kept, so nothing here can leak a key.
        """
        with self._lock:
            return list(self._request_log)

    @property
    def request_count(self) -> int:
        with self._lock:
            return len(self._request_log)

    # -- answering -----------------------------------------------------------

    def _answer(self, method: str, target: str, authorization: str | None, body: bytes) -> _Reply | None:
        """The reply to one request, or None to close the connection without one."""
        path, _, query = target.partition("?")
        if path == "/v2" or path.startswith("/v2/"):
            return self._answer_api(method, path, query, authorization)
        if path in _CONTROL_METHODS:
            return self._answer_control(method, path, body)
        return self._answer_site(method, path, query, body)

    def _answer_api(self, method: str, path: str, query: str, authorization: str | None) -> _Reply | None:
        """Answer as the Lessonspace API does, unless a fault says otherwise."""
        with self._lock:
            self._request_log.append((method, path, authorization is not None))
        faults = copy.copy(self.faults)
        if faults.delay > 0 and self._stopping.wait(faults.delay):
            return None
        if faults.drop_connection:
            return None
        ending = faults.unreachable_key_ending
        if ending is not None and (authorization or "").strip().endswith(ending):
            return None
        if faults.redirect_to is not None:
            return _redirect_reply(302, faults.redirect_to)
        if faults.html_page:
            return _text_reply(200, _CAPTIVE_PORTAL_PAGE, "text/html; charset=utf-8")
        if faults.block_page_status is not None:
            return _text_reply(faults.block_page_status, _BLOCK_PAGE, "text/html; charset=utf-8")
        if faults.status is not None:
            return _fault_reply(faults.status, faults.retry_after)

        sessions = SESSIONS_PATH.fullmatch(path)
        if path not in _API_PATHS and sessions is None:
            if path + "/" in _API_PATHS or SESSIONS_PATH.fullmatch(path + "/"):
                return _append_slash_reply(path, query)
            return _detail_reply(404, "Not found.")
        # DRF checks credentials, then permissions, then throttles, then the method.
        key = _organisation_key(authorization)
        if key is None:
            return _detail_reply(401, _NOT_PROVIDED, _CHALLENGE)
        organisation, disabled = self._resolve_key(key)
        if organisation is None:
            return _detail_reply(401, _INVALID_TOKEN, _CHALLENGE)
        if disabled:
            return _detail_reply(403, _NO_PERMISSION)
        limit = faults.rate_limit_per_second
        if limit is not None and not self._rate_limit.allow(key, limit):
            return _detail_reply(429, _THROTTLED, {"Retry-After": "1"})
        if method not in ("GET", "HEAD"):
            return _detail_reply(405, f'Method "{method}" not allowed.', {"Allow": "GET, HEAD"})
        if path == _MY_ORGANISATION and faults.organisation_status is not None:
            return _fault_reply(faults.organisation_status, faults.retry_after)
        if sessions is not None:
            return self._answer_sessions(int(sessions["organisation"]), organisation, key, query, faults)
        return _api_content(path, organisation, faults)

    def _answer_sessions(
        self, organisation_id: int, organisation: _Organisation, key: str, query: str, faults: SandboxFaults
    ) -> _Reply:
        if organisation_id != organisation.id:
            return _detail_reply(403, _NO_PERMISSION)  # another organisation's sessions
        if faults.sessions_status is not None:
            return _fault_reply(faults.sessions_status, faults.sessions_retry_after)
        if not self._sessions_limit.allow(key, SESSIONS_PER_SECOND):
            headers = {"Retry-After": faults.sessions_retry_after} if faults.sessions_retry_after else None
            return _detail_reply(429, _THROTTLED, headers)
        if faults.sessions_wrong_shape:
            return _json_reply(200, {"results": "not a list", "total": "many"})
        try:
            page = self.lessons.page(organisation_id, query, f"{self.api_url}organisations/{organisation_id}/sessions/")
        except QueryError as error:
            if error.field == "page":
                return _detail_reply(404, str(error))  # as DRF's paginator answers
            return _json_reply(400, {error.field: [str(error)]})
        return _json_reply(200, page)

    def _answer_control(self, method: str, path: str, body: bytes) -> _Reply:
        """Let a test or benchmark in another process set faults and make keys."""
        if method not in _CONTROL_METHODS[path]:
            return _detail_reply(405, f'Method "{method}" not allowed.', {"Allow": ", ".join(_CONTROL_METHODS[path])})
        try:
            if path == "/sandbox/keys":
                return _json_reply(200, {"key": self._generate_key_from(_json_object(body))})
            if path == "/sandbox/lessons":
                return _json_reply(200, {"started": self._start_lesson_from(_json_object(body))})
            if path == "/sandbox/reset":
                self.faults.reset()
            elif method == "POST":
                self.faults.update(_json_object(body))
        except ValueError as error:
            return _detail_reply(400, str(error))
        return _json_reply(200, self.faults.as_dict())

    def _start_lesson_from(self, options: dict[str, Any]) -> int:
        unknown = options.keys() - {"organisation_id", "participants"}
        if unknown:
            raise ValueError(f"Unknown option: {min(unknown)!r}.")
        organisation_id = options.get("organisation_id", DEMO_ORGANISATION_ID)
        participants = options.get("participants", 2)
        if type(organisation_id) is not int or type(participants) is not int or participants < 1:
            raise ValueError("Expected organisation_id as a number and participants as a number above 0.")
        self.start_lesson(organisation_id, participants)
        return organisation_id

    def _generate_key_from(self, options: dict[str, Any]) -> str:
        unknown = options.keys() - {"revoke_previous", "organisation_id"}
        if unknown:
            raise ValueError(f"Unknown option: {min(unknown)!r}.")
        revoke_previous = options.get("revoke_previous", False)
        organisation_id = options.get("organisation_id", DEMO_ORGANISATION_ID)
        if not isinstance(revoke_previous, bool) or type(organisation_id) is not int:
            raise ValueError("Expected revoke_previous as true or false, and organisation_id as a number.")
        return self.generate_key(revoke_previous, organisation_id)

    def _answer_site(self, method: str, path: str, query: str, body: bytes) -> _Reply:
        """The dashboard side: the developer settings page, where people make keys."""
        if path == "/":
            return _redirect_reply(302, DEVELOPER_PATH)
        if path + "/" == DEVELOPER_PATH:
            return _append_slash_reply(path, query)
        if path != DEVELOPER_PATH:
            return _detail_reply(404, "Not found.")
        with self._lock:
            organisation_name = self._organisations[DEMO_ORGANISATION_ID].name
        if method in ("GET", "HEAD"):
            return _text_reply(200, render_developer_page(organisation_name), "text/html; charset=utf-8")
        if method != "POST":
            return _detail_reply(405, f'Method "{method}" not allowed.', {"Allow": "GET, HEAD, POST"})
        form = parse_qs(body.decode("utf-8", "replace"))
        if "start_lesson" in form:
            self.start_lesson()
            page = render_developer_page(organisation_name, lesson_started=True)
            return _text_reply(200, page, "text/html; charset=utf-8", {"Cache-Control": "no-store"})
        # A browser sends an unchecked checkbox not at all, a checked one as "on".
        revoke_previous = "revoke_previous" in form
        key = self.generate_key(revoke_previous=revoke_previous)
        page = render_developer_page(organisation_name, new_key=key, revoked_previous=revoke_previous)
        return _text_reply(200, page, "text/html; charset=utf-8", {"Cache-Control": "no-store"})


class _HTTPServer(ThreadingHTTPServer):
    """Serves each connection on its own thread and keeps count of them, so stop() can cut them."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], sandbox: SandboxServer) -> None:
        self.sandbox = sandbox
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def track(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.add(connection)

    def untrack(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.discard(connection)

    def close_connections(self) -> None:
        """Shut down open connections; each handler thread then closes its own socket."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed by the other side

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, OSError):
            # A client that hangs up mid-reply (say, at its body size cap) is no fault of ours.
            logger.debug("Connection from %s ended early: %s", client_address[0], error)
        else:
            logger.exception("The sandbox failed to answer a request")


class _Handler(BaseHTTPRequestHandler):
    """Moves bytes for one connection; what to answer is the SandboxServer's business."""

    protocol_version = "HTTP/1.1"  # keep-alive, as httpx's pool expects
    server_version = "LessonspaceSandbox/1.0"
    # Headers and body go out in separate writes; without this, Nagle adds ~40 ms.
    disable_nagle_algorithm = True
    # For log_request() when a malformed request line left no path.
    path = ""
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.untrack(self.connection)

    def _handle(self) -> None:
        body = self._read_body()
        if body is None:
            self._send(_detail_reply(400, "Malformed request.", {"Connection": "close"}))
            return
        reply = self.server.sandbox._answer(self.command, self.path, self.headers.get("Authorization"), body)
        if reply is None:
            logger.debug("%s %s -> connection dropped", self.command, _without_query(self.path))
            self.close_connection = True
        else:
            self._send(reply)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _handle  # noqa: N815 - http.server's names

    def _read_body(self) -> bytes | None:
        """Read the whole request body, so the connection stays usable; None if it can't be."""
        if "Transfer-Encoding" in self.headers:
            return None
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            return None
        if not 0 <= length <= _MAX_REQUEST_BODY:
            return None
        return self.rfile.read(length)

    def _send(self, reply: _Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(reply.length))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            for chunk in reply.chunks:
                self.wfile.write(chunk)

    def version_string(self) -> str:
        return self.server_version  # without the Python version the base class adds

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # Method, path and status only: never headers (the key) nor the query.
        logger.debug("%s %s -> %s", self.command, _without_query(self.path), code)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        logger.debug(format, *args)


def _require_loopback(host: str) -> None:
    # The /sandbox/ control endpoints have no authentication, so nobody else may reach them.
    if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
        raise ValueError("The sandbox only serves on this computer: use 127.0.0.1 or localhost.")


def _organisation_key(authorization: str | None) -> str | None:
    """The key from `Organisation <key>`; None for no header or another scheme, which DRF
    treats alike: as no credentials at all."""
    parts = (authorization or "").split()
    if len(parts) == 2 and parts[0].lower() == "organisation":
        return parts[1]
    return None


def _api_content(path: str, organisation: _Organisation, faults: SandboxFaults) -> _Reply:
    """A successful answer, or one that is broken in the way the faults ask."""
    data = {"response": f"Hello, {organisation.name}!"} if path == _HELLO else organisation.as_json()
    if faults.not_json:
        whole = _encode(data)
        return _Reply(200, [whole[: len(whole) // 2]], len(whole) // 2)
    if faults.wrong_shape:
        return _json_reply(200, ["not", "an", "object"] if path == _HELLO else {"id": "not-a-number"})
    if faults.huge_body_bytes > 0:
        return _padded_json_reply(data, faults.huge_body_bytes)
    return _json_reply(200, data)


def _padded_json_reply(data: dict[str, Any], size: int) -> _Reply:
    """`data` plus a "padding" field, `size` bytes in all (if that leaves room for it).

    Written a chunk at a time, so a 50 MB answer never sits in memory whole.
    """
    head = _encode({**data, "padding": ""})[: -len(b'"}')]
    tail = b'"}'
    padding = max(0, size - len(head) - len(tail))

    def chunks() -> Iterator[bytes]:
        yield head
        whole_chunks, rest = divmod(padding, len(_PADDING_CHUNK))
        for _ in range(whole_chunks):
            yield _PADDING_CHUNK
        yield _PADDING_CHUNK[:rest]
        yield tail

    return _Reply(200, chunks(), len(head) + padding + len(tail))


def _fault_reply(status: int, retry_after: str | None) -> _Reply:
    headers = dict(_CHALLENGE) if status == 401 else {}
    if status == 429 and retry_after is not None:
        headers["Retry-After"] = retry_after
    try:
        detail = _DETAILS.get(status) or f"{HTTPStatus(status).phrase}."
    except ValueError:
        detail = "Error."
    return _detail_reply(status, detail, headers)


def _append_slash_reply(path: str, query: str) -> _Reply:
    # Like Django's APPEND_SLASH: a known path without its slash gets a permanent redirect.
    return _redirect_reply(301, path + "/" + (f"?{query}" if query else ""))


def _redirect_reply(status: int, location: str) -> _Reply:
    return _Reply(status, [], 0, "text/html; charset=utf-8", {"Location": location})


def _detail_reply(status: int, detail: str, headers: Mapping[str, str] | None = None) -> _Reply:
    return _json_reply(status, {"detail": detail}, headers)


def _json_reply(status: int, data: Any, headers: Mapping[str, str] | None = None) -> _Reply:
    body = _encode(data)
    return _Reply(status, [body], len(body), headers=headers or {})


def _text_reply(status: int, text: str, content_type: str, headers: Mapping[str, str] | None = None) -> _Reply:
    body = text.encode("utf-8")
    return _Reply(status, [body], len(body), content_type, headers or {})


def _encode(data: Any) -> bytes:
    # DRF's JSONRenderer: compact, UTF-8.
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _json_object(body: bytes) -> dict[str, Any]:
    data = json.loads(body or b"{}")
    if not isinstance(data, dict):
        raise ValueError("Expected a JSON object.")
    return data


def _without_query(target: str) -> str:
    return target.partition("?")[0]
