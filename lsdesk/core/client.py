"""The Lessonspace API client: the HTTP transport and the pacing of checks.

One `httpx.Client` serves every call. Redirects are never followed (the key
must not reach another host), TLS is always verified against the operating
system's trust store, and response bodies are read up to a small cap, since
a captive portal or a broken proxy can answer with anything. The standard
proxy variables (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY) are honoured
for https, as httpx does by default, and a failure says so when a proxy was
in the way; plain http, which lsdesk allows only to this computer, never goes
through a proxy, since it would carry the key there in clear text.

Every check has an overall deadline, from the first byte sent to the last
byte read, across hello/ and my-organisation/: a server trickling a byte
every few seconds never trips a read timeout, so the check's own sockets are
shut when the deadline passes.

What each answer means is decided in lsdesk/core/answers.py.

However fast a user presses Check, one key is checked at most once a second:
a repeat check waits for its turn, and asks only hello/, since the key's
organisation is already known. Only a UUID-shaped key is ever sent, so no
value can break out of the Authorization header.
"""

from __future__ import annotations

import hashlib
import logging
import socket
import ssl
import threading
import time
import urllib.request
from concurrent.futures import Future
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

import httpx

from lsdesk import __version__
from lsdesk.core.answers import (
    MAX_RETRY_AFTER,
    Reply,
    classify_hello,
    classify_organisation,
    count_of_sessions,
    network_failure,
    rate_limited,
    redacted,
    redirected,
    too_slow,
)
from lsdesk.core.api_key import ApiKeyInputError, key_ending, parse_api_key
from lsdesk.core.api_url import is_loopback_host
from lsdesk.core.language import _
from lsdesk.core.outcome import Organisation, Outcome, State, outcome

if TYPE_CHECKING:
    from lsdesk.core.lessons import LessonsSince

__all__ = ["CHECK_DEADLINE", "MAX_BODY_BYTES", "MAX_RETRY_AFTER", "MIN_CHECK_INTERVAL", "LessonspaceClient"]

log = logging.getLogger(__name__)
# httpx logs every response's reason phrase, and httpcore at DEBUG its headers, word for word:
# a server can put the key back in either. lsdesk logs each request itself, without them.
for _chatty in ("httpx", "httpcore"):
    logging.getLogger(_chatty).setLevel(logging.WARNING)

CONNECT_TIMEOUT = 5.0
REQUEST_TIMEOUT = 15.0
# Seconds from a check's first byte sent to its last byte read, both requests together.
CHECK_DEADLINE = 15.0
MAX_BODY_BYTES = 64 * 1024
# Seconds between the starts of two checks of one key.
MIN_CHECK_INTERVAL = 1.0
# Organisations remembered per client, for keys checked again.
_KNOWN_ORGANISATIONS = 32

STOPPED = _("The check was stopped before Lessonspace answered.")
NOT_A_KEY = _(
    "lsdesk did not send this key: it is not shaped like a Lessonspace API key. "
    "Paste your key from Lessonspace again and save it."
)


class _Failure(Exception):
    """A request that produced no usable reply; carries its Outcome."""

    def __init__(self, result: Outcome):
        super().__init__(result.state.value)
        self.outcome = result


class _Deadline:
    """One check's overall time limit.

    httpx's timeouts are per read, so a byte every few seconds keeps a
    request alive for ever. Every connection a check opens is noted (through
    httpcore's trace hook), and when the deadline passes its socket is shut
    down, which ends whatever read is waiting on it at once.
    """

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._ends_at = time.monotonic() + seconds
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._expired = False
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    @property
    def expired(self) -> bool:
        with self._lock:
            return self._expired

    def remaining(self) -> float:
        return max(0.0, self._ends_at - time.monotonic())

    def trace(self, event: str, info: dict) -> None:
        if event != "connection.connect_tcp.complete":
            return
        stream = info.get("return_value")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if not isinstance(sock, socket.socket):
            return
        with self._lock:
            self._sockets.append(sock)
            expired = self._expired
        if expired:
            _shut(sock)

    def cancel(self) -> None:
        self._timer.cancel()

    def _expire(self) -> None:
        with self._lock:
            self._expired = True
            sockets = list(self._sockets)
        if sockets:
            log.info("check deadline of %.1f s passed; shutting its connections", self.seconds)
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed: the request finished in time


def _tls_context() -> ssl.SSLContext:
    """Verify against the operating system's trust store, so a company's
    own root certificate (installed by IT) works without any setting."""
    try:
        import truststore

        return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    except ImportError:  # pragma: no cover - truststore is a dependency; stay safe without it
        return ssl.create_default_context()


class LessonspaceClient:
    """Checks API keys against one Lessonspace API root.

    Thread-safe: the worker thread calls `check`, and the GUI thread may call
    `close` at any time to abandon a request that hangs.
    """

    def __init__(
        self,
        api_url: str,
        *,
        timeout: float = REQUEST_TIMEOUT,
        deadline: float = CHECK_DEADLINE,
        transport: httpx.BaseTransport | None = None,
        min_check_interval: float = MIN_CHECK_INTERVAL,
    ):
        self.api_url = api_url
        self._timeout = timeout
        self._deadline = deadline
        # Plain http is allowed only to this computer; a proxy would see the key in clear text.
        direct = _never_proxied(api_url)
        self._http = httpx.Client(
            base_url=api_url,
            headers={
                "User-Agent": f"lsdesk/{__version__}",
                "Accept": "application/json",
                # Bodies are tiny; asking for them uncompressed keeps the read cap honest.
                "Accept-Encoding": "identity",
            },
            timeout=httpx.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT)),
            follow_redirects=False,
            verify=_tls_context(),
            transport=transport,
            trust_env=not direct,
            # A fresh connection per request, so the deadline knows every socket a check uses.
            limits=httpx.Limits(max_keepalive_connections=0),
        )
        # httpx reads the proxy variables only when it makes its own transport.
        self._proxy = _proxy_address(api_url) if transport is None and not direct else None
        if self._proxy:
            log.info("requests to the API go through the proxy server %s", self._proxy)
        self._lock = threading.Lock()
        self._not_before: dict[str, float] = {}
        self._min_check_interval = min_check_interval
        self._next_turn: dict[str, float] = {}
        self._organisations: dict[str, Organisation] = {}
        self._closed = threading.Event()

    def close(self) -> None:
        self._closed.set()
        self._http.close()

    def __enter__(self) -> LessonspaceClient:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def check(self, key: str) -> Outcome:
        """Ask Lessonspace whether `key` works, and which organisation it is for."""
        if not _sendable(key):
            log.warning("refused to send a key that is not UUID-shaped")
            return outcome(State.BAD_INPUT, NOT_A_KEY)
        ending = key_ending(key)
        wait = self._seconds_to_wait(key)
        if wait > 0:
            return rate_limited(wait).with_key_ending(ending)
        if not self._wait_for_turn(key):
            return outcome(State.OFFLINE, STOPPED).with_key_ending(ending)
        deadline = _Deadline(self._deadline)
        try:
            result = self._ask(key, deadline)
        finally:
            deadline.cancel()
        if result.state is State.RATE_LIMITED:
            self._remember_retry_after(key, result.retry_after)
        log.info("check of key ending %s: %s", ending, result.state.value)
        return redacted(replace(result, key_ending=ending), key)

    def _ask(self, key: str, deadline: _Deadline) -> Outcome:
        known = self._known_organisation(key)
        # my-organisation/ runs beside hello/, so a check costs one round trip.
        organisation = None if known else _in_background(self._organisation, key, deadline)
        try:
            result = classify_hello(self._get("hello/", key, deadline))
        except _Failure as failure:
            result = failure.outcome
        if organisation is not None:
            # Waited for even when unused, so no request outlives the check.
            known = _result_or_none(organisation, deadline.remaining() + 1.0)
            self._remember_organisation(key, known)
        if result.state is State.VALID:
            result = replace(result, organisation=known)
        return result

    def lessons_since(self, key: str, organisation_id: int, since: datetime) -> LessonsSince:
        """How many lessons of `organisation_id` have started since `since`, asked with `key`.

        One request, read-only; never changes what is known about the key.
        """
        from lsdesk.core.lessons import LessonsSince  # only for a count: not on a check's way

        if not _sendable(key):
            log.warning("refused to send a key that is not UUID-shaped")
            return LessonsSince(since, None, outcome(State.BAD_INPUT, NOT_A_KEY))
        wait = self._seconds_to_wait(key)
        if wait > 0:
            return LessonsSince(since, None, rate_limited(wait))
        deadline = _Deadline(self._deadline)
        path = f"organisations/{int(organisation_id)}/sessions/"
        try:
            counted = count_of_sessions(self._get(path, key, deadline, {"start_time_after": since.isoformat()}))
        except _Failure as failure:
            counted = failure.outcome
        finally:
            deadline.cancel()
        if isinstance(counted, int):
            log.info("lessons since %s: %d", since.isoformat(), counted)
            return LessonsSince(since, counted)
        if counted.state is State.RATE_LIMITED:
            self._remember_retry_after(key, counted.retry_after)
        log.info("lessons since %s: could not tell (%s)", since.isoformat(), counted.state.value)
        return LessonsSince(since, None, redacted(counted, key))

    def _organisation(self, key: str, deadline: _Deadline) -> Organisation | None:
        try:
            return classify_organisation(self._get("my-organisation/", key, deadline))
        except _Failure as failure:
            log.info("my-organisation/ failed: %s", failure.outcome.state.value)
            return None

    def _get(self, path: str, key: str, deadline: _Deadline, params: dict[str, str] | None = None) -> Reply:
        headers = {"Authorization": f"Organisation {key}"}
        trace = {"trace": deadline.trace}
        try:
            with self._http.stream("GET", path, headers=headers, params=params, extensions=trace) as response:
                body = bytearray()
                # Raw bytes: a compressed body nobody asked for could unpack to gigabytes
                # in one chunk, before the cap is looked at.
                for chunk in response.iter_raw():
                    body += chunk
                    if len(body) > MAX_BODY_BYTES or deadline.expired:
                        break
            if deadline.expired:
                raise _Failure(too_slow(deadline.seconds))
            truncated = len(body) > MAX_BODY_BYTES or _compressed(response.headers)
            log.debug("GET %s -> %s (%d bytes read)", path, response.status_code, len(body))
            return Reply(
                response.status_code, response.headers, bytes(body[:MAX_BODY_BYTES]), truncated, str(response.url)
            )
        except httpx.HTTPError as error:
            log.info("GET %s failed: %s", path, type(error).__name__)
            if deadline.expired:
                raise _Failure(too_slow(deadline.seconds)) from None
            raise _Failure(network_failure(error, self._proxy)) from None
        except httpx.InvalidURL:
            # httpx reads a redirect's Location even when it will not follow it.
            log.warning("GET %s answered with a redirect to no valid address; not followed", path)
            raise _Failure(redirected()) from None
        except RuntimeError as error:
            # httpx raises RuntimeError once close() has abandoned the client.
            log.info("GET %s abandoned: %s", path, type(error).__name__)
            raise _Failure(outcome(State.OFFLINE, STOPPED)) from None

    def _seconds_to_wait(self, key: str) -> float:
        with self._lock:
            return self._not_before.get(_fingerprint(key), 0.0) - time.monotonic()

    def _remember_retry_after(self, key: str, seconds: float | None) -> None:
        if seconds:
            with self._lock:
                self._not_before[_fingerprint(key)] = time.monotonic() + seconds

    def _wait_for_turn(self, key: str) -> bool:
        """Hold a repeat check of `key` until a second after the previous one
        began; False if the client was closed meanwhile."""
        fingerprint = _fingerprint(key)
        with self._lock:
            now = time.monotonic()
            # Turns in the past are of no more use: forgetting them keeps this small.
            self._next_turn = {other: turn for other, turn in self._next_turn.items() if turn > now}
            start = max(now, self._next_turn.get(fingerprint, now))
            self._next_turn[fingerprint] = start + self._min_check_interval
        if start > now:
            log.info("waiting %.2f s before checking the same key again", start - now)
            return not self._closed.wait(start - now)
        return True

    def _known_organisation(self, key: str) -> Organisation | None:
        with self._lock:
            return self._organisations.get(_fingerprint(key))

    def _remember_organisation(self, key: str, organisation: Organisation | None) -> None:
        if organisation is None:
            return
        with self._lock:
            self._organisations[_fingerprint(key)] = organisation
            while len(self._organisations) > _KNOWN_ORGANISATIONS:
                del self._organisations[next(iter(self._organisations))]


def _compressed(headers: httpx.Headers) -> bool:
    """True for a body in an encoding lsdesk did not accept; it is never unpacked."""
    encoding = headers.get("Content-Encoding", "identity").strip().lower()
    if encoding in ("", "identity"):
        return False
    log.warning("the API answered with a %s body, although lsdesk asked for none", encoding[:20])
    return True


def _sendable(key: str) -> bool:
    """Only what the one input rule accepts goes into a header."""
    try:
        return parse_api_key(key) == key
    except ApiKeyInputError:
        return False


def _fingerprint(key: str) -> str:
    # Rate-limit bookkeeping needs to tell keys apart, not to keep them.
    return hashlib.sha256(key.encode()).hexdigest()


def _in_background(function, *args) -> Future:
    """Run `function` on a daemon thread: a lookup that hangs must never
    hold up the process's exit, as an executor's threads would."""
    future: Future = Future()

    def run() -> None:
        if future.set_running_or_notify_cancel():
            try:
                future.set_result(function(*args))
            except BaseException as error:  # noqa: BLE001 - handed to the waiting caller
                future.set_exception(error)

    threading.Thread(target=run, name="lsdesk-organisation", daemon=True).start()
    return future


def _result_or_none(future: Future, timeout: float) -> Organisation | None:
    try:
        return future.result(timeout=timeout)
    except Exception:
        log.info("organisation lookup did not finish", exc_info=True)
        return None


def _never_proxied(api_url: str) -> bool:
    """Plain http to this computer goes direct, whatever the proxy variables say."""
    url = httpx.URL(api_url)
    return url.scheme == "http" and is_loopback_host(url.host)


def _proxy_address(api_url: str) -> str | None:
    """The proxy server that requests to `api_url` go through, as host[:port],
    from the same settings httpx reads; None when they go direct."""
    url = httpx.URL(api_url)
    proxies = urllib.request.getproxies()
    proxy = proxies.get(url.scheme) or proxies.get("all")
    if not proxy or urllib.request.proxy_bypass_environment(url.host, proxies):
        return None
    address = httpx.URL(proxy if "://" in proxy else f"http://{proxy}")  # without any user name or password
    return f"{address.host}:{address.port}" if address.port else address.host
