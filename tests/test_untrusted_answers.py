"""Answers that did not come from Lessonspace never judge the key, and say what they were.

Real HTTP on loopback: a raw server answers like a company web filter, a proxy, a wrong
address or a server that trickles its answer would. Items 10, 11 and 17 of issue 9.
"""

from __future__ import annotations

import gzip
import json
import logging
import socket
import threading

import pytest

from lsdesk.core.client import MAX_BODY_BYTES, LessonspaceClient
from lsdesk.core.outcome import State
from lsdesk.sandbox import DEMO_KEY
from tests.reliability.loopback import RawServer

BLOCK_PAGE = b"<!DOCTYPE html><html><body><h1>Access denied</h1><p>Blocked by company policy.</p></body></html>"


def answer(status: str, body: bytes = b"", *headers: str):
    head = f"HTTP/1.1 {status}\r\n" + "".join(f"{header}\r\n" for header in headers)
    raw = head.encode() + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body
    return lambda _request: raw


def check(server: RawServer, **options) -> object:
    with LessonspaceClient(server.api_url, min_check_interval=0, timeout=5, **options) as client:
        return client.check(DEMO_KEY)


# -- 10: only Lessonspace's own refusal counts -----------------------------------------

NOT_LESSONSPACE_REFUSALS = {
    "html block page": ("Content-Type: text/html",),
    "empty body": (),
    "proxy text": ("Content-Type: text/plain",),
    "truncated json": ("Content-Type: application/json",),
    "compressed json": ("Content-Type: application/json", "Content-Encoding: gzip"),
}
BODIES = {
    "html block page": BLOCK_PAGE,
    "empty body": b"",
    "proxy text": b"Forbidden by proxy policy",
    "truncated json": json.dumps({"detail": "x" * (2 * MAX_BODY_BYTES)}).encode(),
    "compressed json": gzip.compress(b'{"detail": "Invalid token."}'),
}


@pytest.mark.parametrize("status", ["401 Unauthorized", "403 Forbidden"])
@pytest.mark.parametrize("kind", list(NOT_LESSONSPACE_REFUSALS))
def test_a_refusal_without_lessonspaces_json_is_unexpected_and_names_a_web_filter(caplog, status, kind):
    """Before: every 401/403 was `rejected`, so a block page called a working key invalid."""
    refusal = answer(status, BODIES[kind], *NOT_LESSONSPACE_REFUSALS[kind])
    with caplog.at_level(logging.WARNING), RawServer(refusal) as server:
        result = check(server)
    assert result.state is State.UNEXPECTED
    assert result.state.is_network_problem  # the watch takes it as no news: never the tray alarm
    assert "company web filter or proxy" in result.message
    assert "key may still work" in result.message
    assert any("not a refusal of the key" in record.message for record in caplog.records)


@pytest.mark.parametrize("status", ["401 Unauthorized", "403 Forbidden"])
def test_lessonspaces_own_json_refusal_is_still_rejected(status):
    body = b'{"detail": "Invalid token."}'
    with RawServer(answer(status, body, "Content-Type: application/json")) as server:
        result = check(server)
    assert result.state is State.REJECTED
    assert '"Invalid token."' in result.message


# -- 11: "unexpected" says why -------------------------------------------------------


def test_a_404_says_to_check_the_api_address(caplog):
    """Before: a wrong API address (such as .../v3/) was blamed on a Wi-Fi sign-in page."""
    with caplog.at_level(logging.WARNING), RawServer(answer("404 Not Found", b'{"detail": "Not found."}')) as server:
        result = check(server)
    assert result.state is State.UNEXPECTED
    assert "check the API address in Settings, or the --api-url option" in result.message
    assert "Wi-Fi" not in result.message


def test_a_wrong_api_version_on_the_sandbox_says_to_check_the_api_address(caplog, sandbox):
    with caplog.at_level(logging.WARNING), LessonspaceClient(sandbox.api_url.replace("/v2/", "/v3/")) as client:
        result = client.check(DEMO_KEY)
    assert result.state is State.UNEXPECTED
    assert "check the API address" in result.message


def test_html_on_a_200_keeps_the_sign_in_hint(caplog, sandbox):
    sandbox.faults.html_page = True
    with caplog.at_level(logging.WARNING), LessonspaceClient(sandbox.api_url) as client:
        result = client.check(DEMO_KEY)
    assert result.state is State.UNEXPECTED
    assert "Wi-Fi sign-in page" in result.message


@pytest.mark.parametrize("status", [301, 302, 307])
def test_a_redirect_names_where_it_pointed_without_query_and_without_following(caplog, status):
    with RawServer() as elsewhere:
        port = elsewhere.port
        location = f"http://127.0.0.1:{port}/login/portal?token=abc&key={DEMO_KEY}#top"
        redirect = answer(f"{status} Moved", b"", f"Location: {location}")
        with caplog.at_level(logging.WARNING), RawServer(redirect) as server:
            result = check(server)
        assert elsewhere.connections == 0
    assert result.state is State.UNEXPECTED
    assert f"a redirect to http://127.0.0.1:{port}/login/portal, which lsdesk never follows" in result.message
    assert "token" not in result.message and "?" not in result.message and DEMO_KEY not in result.message


def test_a_relative_redirect_is_named_as_the_full_address(caplog):
    with caplog.at_level(logging.WARNING), RawServer(answer("302 Found", b"", "Location: /sign-in/")) as server:
        port = server.port
        result = check(server)
    assert f"a redirect to http://127.0.0.1:{port}/sign-in/," in result.message


def test_a_key_in_a_redirects_path_is_never_shown(caplog):
    location = f"https://portal.example/{DEMO_KEY.upper()}/welcome"
    with caplog.at_level(logging.WARNING), RawServer(answer("302 Found", b"", f"Location: {location}")) as server:
        result = check(server)
    assert "https://portal.example/[API key]/welcome" in result.message
    assert DEMO_KEY not in result.message.lower()


# -- 17: every check has an overall deadline -------------------------------------------


class TricklingServer:
    """Sends its answer one byte at a time, `gap` seconds apart, so no read ever times out.

    Counts the connections it is still writing to, so a test can see the client hung up."""

    def __init__(self, gap: float, in_headers: bool):
        self.gap = gap
        self.in_headers = in_headers
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._stop = threading.Event()
        self.hung_up = threading.Semaphore(0)
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}/v2/"

    def __enter__(self) -> TricklingServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._listener.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._trickle, args=(connection,), daemon=True).start()

    def _trickle(self, connection: socket.socket) -> None:
        body = b'{"response": "Hello!"}' + b" " * 10_000
        head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        with connection:
            try:
                connection.recv(65536)
                if not self.in_headers:
                    connection.sendall(head)
                for byte in head + body if self.in_headers else body:
                    if self._stop.wait(self.gap):
                        return
                    connection.sendall(bytes([byte]))
            except OSError:
                self.hung_up.release()


@pytest.mark.parametrize("in_headers", [True, False], ids=["trickled headers", "trickled body"])
def test_a_server_trickling_bytes_cannot_hold_a_check_past_its_deadline(in_headers):
    """Before: each byte reset the 15 s read timeout, so the check never ended.

    The read timeout (5 s) is far above the gap between bytes (0.2 s), so only the
    overall deadline (1 s here) can end the check."""
    with TricklingServer(gap=0.2, in_headers=in_headers) as server:
        with LessonspaceClient(server.api_url, timeout=5, deadline=1.0, min_check_interval=0) as client:
            result = client.check(DEMO_KEY)
        assert result.state is State.OFFLINE
        assert "still arriving after 1 second, so lsdesk stopped waiting" in result.message
        # Both requests (hello/ and my-organisation/) were cut off, not left running.
        assert server.hung_up.acquire(timeout=10) and server.hung_up.acquire(timeout=10)
