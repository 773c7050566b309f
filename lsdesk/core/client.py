"""The Lessonspace API client: asks Lessonspace whether a key works.

One `httpx.Client` serves every call. Redirects are never followed (the key
must not reach another host), TLS is always verified against the operating
system's trust store, and response bodies are read up to a small cap, since
a captive portal or a broken proxy can answer with anything. The standard
proxy variables (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY) are honoured,
as httpx does by default, and a failure says so when a proxy was in the way.

Every answer, and every way of getting none, is classified into exactly one
`State`. Only a 401 or 403 from Lessonspace makes a key `rejected`.

However fast a user presses Check, one key is checked at most once a second:
a repeat check waits for its turn, and asks only hello/, since the key's
organisation is already known. Only a UUID-shaped key is ever sent, so no
value can break out of the Authorization header.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import logging
import ssl
import threading
import time
import urllib.request
from concurrent.futures import Future
from dataclasses import dataclass, replace

import httpx

from lsdesk import __version__
from lsdesk.core.api_key import ApiKeyInputError, key_ending, parse_api_key
from lsdesk.core.outcome import Organisation, Outcome, State, outcome

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 5.0
REQUEST_TIMEOUT = 15.0
MAX_BODY_BYTES = 64 * 1024
MAX_DETAIL_CHARS = 200
# A Retry-After longer than this is treated as this: nobody waits an hour.
MAX_RETRY_AFTER = 300.0
# Seconds between the starts of two checks of one key.
MIN_CHECK_INTERVAL = 1.0
# Organisations remembered per client, for keys checked again.
_KNOWN_ORGANISATIONS = 32

RETRY_SOON = "Wait a minute, then try again."
STOPPED = "The check was stopped before Lessonspace answered."
NOT_A_KEY = (
    "lsdesk did not send this key: it is not shaped like a Lessonspace API key. "
    "Paste your key from Lessonspace again and save it."
)


@dataclass(frozen=True)
class _Reply:
    """A response, read up to MAX_BODY_BYTES."""

    status: int
    headers: httpx.Headers
    body: bytes
    truncated: bool

    def json(self) -> object | None:
        if self.truncated:
            return None
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: deep nesting
            return None


class _Failure(Exception):
    """A request that produced no usable reply; carries its Outcome."""

    def __init__(self, result: Outcome):
        super().__init__(result.state.value)
        self.outcome = result


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
        transport: httpx.BaseTransport | None = None,
        min_check_interval: float = MIN_CHECK_INTERVAL,
    ):
        self.api_url = api_url
        self._timeout = timeout
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
        )
        # httpx reads the proxy variables only when it makes its own transport.
        self._proxy = _proxy_address(api_url) if transport is None else None
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
            return _rate_limited(wait).with_key_ending(ending)
        if not self._wait_for_turn(key):
            return outcome(State.OFFLINE, STOPPED).with_key_ending(ending)
        known = self._known_organisation(key)
        # my-organisation/ runs beside hello/, so a check costs one round trip.
        organisation = None if known else _in_background(self._organisation, key)
        try:
            result = self._hello(key)
        except _Failure as failure:
            result = failure.outcome
        if organisation is not None:
            # Waited for even when unused, so no request outlives the check.
            known = _result_or_none(organisation, self._timeout)
            self._remember_organisation(key, known)
        if result.state is State.VALID:
            result = replace(result, organisation=known)
        if result.state is State.RATE_LIMITED:
            self._remember_retry_after(key, result.retry_after)
        log.info("check of key ending %s: %s", ending, result.state.value)
        return replace(result, message=_redact(result.message, key), key_ending=ending)

    def _hello(self, key: str) -> Outcome:
        reply = self._get("hello/", key)
        if 200 <= reply.status < 300:
            body = reply.json()
            if isinstance(body, dict) and isinstance(body.get("response"), str):
                return outcome(State.VALID, "Lessonspace accepted this key.")
            log.warning("hello/ answered %s with a body of the wrong shape", reply.status)
            return _unexpected()
        return _classify_error(reply)

    def _organisation(self, key: str) -> Organisation | None:
        try:
            reply = self._get("my-organisation/", key)
        except _Failure as failure:
            log.info("my-organisation/ failed: %s", failure.outcome.state.value)
            return None
        body = reply.json()
        if not (200 <= reply.status < 300 and isinstance(body, dict)):
            log.info("my-organisation/ answered %s; organisation unknown", reply.status)
            return None
        org_id, name = body.get("id"), body.get("name")
        if not isinstance(org_id, int) or isinstance(org_id, bool):
            log.warning("my-organisation/ answered without a numeric id")
            return None
        return Organisation(org_id, _clean_text(name) if isinstance(name, str) else None)

    def _get(self, path: str, key: str) -> _Reply:
        headers = {"Authorization": f"Organisation {key}"}
        try:
            with self._http.stream("GET", path, headers=headers) as response:
                body = bytearray()
                # Raw bytes: a compressed body nobody asked for could unpack to gigabytes
                # in one chunk, before the cap is looked at.
                for chunk in response.iter_raw():
                    body += chunk
                    if len(body) > MAX_BODY_BYTES:
                        break
            truncated = len(body) > MAX_BODY_BYTES or _compressed(response.headers)
            log.debug("GET %s -> %s (%d bytes read)", path, response.status_code, len(body))
            return _Reply(response.status_code, response.headers, bytes(body[:MAX_BODY_BYTES]), truncated)
        except httpx.HTTPError as error:
            log.info("GET %s failed: %s", path, type(error).__name__)
            raise _Failure(_network_failure(error, self._proxy)) from None
        except httpx.InvalidURL:
            # httpx reads a redirect's Location even when it will not follow it.
            log.warning("GET %s answered with a redirect to no valid address; not followed", path)
            raise _Failure(_redirected()) from None
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
    except Exception:  # noqa: BLE001 - a failed lookup only leaves the organisation unknown
        log.info("organisation lookup did not finish", exc_info=True)
        return None


def _classify_error(reply: _Reply) -> Outcome:
    status = reply.status
    if status in (401, 403):
        detail = _detail(reply)
        said = f' Lessonspace says: "{detail}"' if detail else ""
        return outcome(
            State.REJECTED,
            "Lessonspace did not accept this key." + said + " Paste a new API key from Lessonspace and save it.",
        )
    if status == 429:
        return _rate_limited(_retry_after_seconds(reply.headers.get("Retry-After")))
    if 500 <= status < 600:
        return outcome(
            State.SERVER_ERROR,
            f"Lessonspace had a problem answering (error {status}). "
            + RETRY_SOON,
        )
    if 300 <= status < 400:
        log.warning("the API answered with a redirect (%s); not followed", status)
        return _redirected()
    log.warning("the API answered with an unexpected status %s", status)
    return _unexpected()


def _redirected() -> Outcome:
    return outcome(
        State.UNEXPECTED,
        "Lessonspace answered with a redirect, which lsdesk never follows, to keep your key safe. "
        "If you set your own API address, check it; otherwise try again later.",
    )


def _unexpected() -> Outcome:
    return outcome(
        State.UNEXPECTED,
        "Something other than Lessonspace answered, such as a Wi-Fi sign-in page or a company proxy. "
        "Check that you can open websites, then try again.",
    )


def _rate_limited(seconds: float | None) -> Outcome:
    wait = f"Wait {max(1, round(seconds))} seconds" if seconds else "Wait a few seconds"
    return outcome(
        State.RATE_LIMITED,
        f"Lessonspace is handling too many requests right now. {wait}, then try again.",
        retry_after=seconds,
    )


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


def _network_failure(error: httpx.HTTPError, proxy: str | None = None) -> Outcome:
    named = f" ({proxy})" if proxy else ""
    through = f" through your proxy server{named}" if proxy else ""
    if isinstance(error, httpx.ProxyError):
        message = (
            f"lsdesk couldn't get through your proxy server{named} to Lessonspace. "
            "Check the proxy settings, or ask your IT team to allow api.thelessonspace.com."
        )
    elif _caused_by_tls(error):
        message = (
            f"lsdesk couldn't make a secure connection to Lessonspace{through}. This usually means a company "
            "proxy or firewall is in the way: ask your IT team to allow api.thelessonspace.com, or to install "
            "the company's certificate on this computer."
        )
    elif proxy and isinstance(error, httpx.ConnectError):
        message = (
            f"lsdesk couldn't reach the proxy server set on this computer ({proxy}). "
            "Check the proxy settings and your internet connection, or ask your IT team."
        )
    elif isinstance(error, httpx.TimeoutException):
        message = f"Lessonspace didn't answer in time{through}. Check your internet connection, then try again."
    elif isinstance(error, httpx.ConnectError):
        message = "lsdesk couldn't connect to Lessonspace. Check your internet connection, then try again."
    elif isinstance(error, httpx.DecodingError):
        return _unexpected()
    else:
        message = (
            f"The connection to Lessonspace{through} broke off. Check your internet connection, then try again."
        )
    return outcome(State.OFFLINE, message)


def _caused_by_tls(error: BaseException) -> bool:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ssl.SSLError) or "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _retry_after_seconds(value: str | None) -> float | None:
    """Retry-After is either whole seconds or an HTTP date; anything else is ignored."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # "²" is a digit to isdigit(), not to float()
        seconds = float(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when is None or when.tzinfo is None:
            return None
        seconds = when.timestamp() - time.time()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER) or None


def _detail(reply: _Reply) -> str | None:
    body = reply.json()
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        return _clean_text(body["detail"])[:MAX_DETAIL_CHARS] or None
    return None


def _clean_text(text: str) -> str:
    """Server text made safe to show: printable characters, single spaces."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def _redact(message: str, key: str) -> str:
    return message.replace(key, "[API key]") if key else message
