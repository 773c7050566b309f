"""Security properties of the way lsdesk talks to Lessonspace, each held by a test.

Already held elsewhere, and only extended here:
- redirects are never followed: tests/test_client.py (a 302 to another sandbox); here every redirect status,
  with the other host counting connections, not only requests;
- `http://` only to this computer: tests/test_api_url.py; here for any address, not only the listed ones;
- 429 is answered with back-off and Retry-After is honoured: tests/test_client.py; here per key, and capped.
New here: TLS verification cannot be turned off, the key travels only in the Authorization header, and
however fast Check is pressed, one key is checked at most once a second.
"""

from __future__ import annotations

import ipaddress
import itertools
import logging
import ssl
import sys
import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt

from lsdesk.core.api_url import ApiUrlError, resolve_api_url
from lsdesk.core.client import MAX_RETRY_AFTER, LessonspaceClient, _tls_context
from lsdesk.core.outcome import State
from lsdesk.sandbox import DEMO_KEY
from tests.reliability.loopback import RawServer, ok_json, refusing_tls_listener

OTHER_KEY = "11111111-2222-4333-8444-555555555555"
WAIT_MS = 10_000
# What the client logs when a repeat check of a key waits for its turn.
TURN_WAIT = "before checking the same key again"


# -- redirects ----------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_no_redirect_is_followed_so_the_key_never_reaches_another_host(status, caplog):
    with RawServer() as elsewhere:
        target = f"http://127.0.0.1:{elsewhere.port}/v2/hello/".encode()

        def redirect(_request):
            return f"HTTP/1.1 {status} Moved\r\n".encode() + b"Location: " + target + b"\r\nContent-Length: 0\r\n\r\n"

        with (
            RawServer(redirect) as server,
            LessonspaceClient(server.api_url, min_check_interval=0) as client,
            caplog.at_level(logging.WARNING),
        ):
            result = client.check(DEMO_KEY)
        assert result.state is State.UNEXPECTED
        assert "never follows" in result.message
        assert len(server.recorded()) == 2  # hello/ and my-organisation/, each redirected
        assert elsewhere.connections == 0


# -- http:// only to this computer ------------------------------------------


@settings(max_examples=60, deadline=None, database=None)
@given(address=st.ip_addresses())
def test_plain_http_is_refused_for_every_address_but_this_computer(address):
    host = f"[{address}]" if address.version == 6 else str(address)
    url = f"http://{host}:8765/v2/"
    if ipaddress.ip_address(address).is_loopback:
        assert resolve_api_url(url) == url
    else:
        with pytest.raises(ApiUrlError):
            resolve_api_url(url)


# -- TLS verification cannot be turned off ---------------------------------

# Variables that turn verification off, or point it at nothing, in one tool or another.
TURN_OFF_ATTEMPTS = {
    "PYTHONHTTPSVERIFY": "0",
    "CURL_CA_BUNDLE": "",
    "REQUESTS_CA_BUNDLE": "",
    "HTTPX_SSL_VERIFY": "0",
    "SSL_VERIFY": "false",
    "NODE_TLS_REJECT_UNAUTHORIZED": "0",
}


@pytest.fixture
def verification_turned_off_everywhere(monkeypatch, tmp_path):
    empty = tmp_path / "empty.pem"
    empty.write_text("")
    for name, value in TURN_OFF_ATTEMPTS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SSL_CERT_FILE", str(empty))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))


def ssl_contexts(client: LessonspaceClient) -> list[ssl.SSLContext]:
    # httpx keeps the context in its connection pool, one per transport (proxies get their own).
    transports = [client._http._transport, *client._http._mounts.values()]
    return [transport._pool._ssl_context for transport in transports if transport is not None]


@pytest.mark.usefixtures("verification_turned_off_everywhere")
def test_certificates_and_host_names_are_always_verified():
    with LessonspaceClient("https://api.thelessonspace.com/v2/") as client:
        contexts = ssl_contexts(client)
    assert contexts
    for context in contexts:
        assert context.verify_mode is ssl.CERT_REQUIRED
        assert context.check_hostname is True


def test_without_truststore_the_fallback_verifies_too(monkeypatch):
    monkeypatch.setitem(sys.modules, "truststore", None)  # makes `import truststore` fail
    context = _tls_context()
    assert not type(context).__module__.startswith("truststore")
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname is True


def test_nothing_offers_a_way_to_skip_verification():
    import inspect

    assert not {"verify", "insecure", "ssl_context", "cert"} & set(inspect.signature(LessonspaceClient).parameters)


@pytest.mark.usefixtures("verification_turned_off_everywhere")
def test_a_server_with_an_untrusted_certificate_is_refused_whatever_the_environment_says(tmp_path):
    with refusing_tls_listener(tmp_path / "tls") as api_url, LessonspaceClient(api_url, timeout=5) as client:
        result = client.check(DEMO_KEY)
    assert result.state is State.OFFLINE
    assert "secure connection" in result.message


# -- the key only in the Authorization header ------------------------------


def refuse(_request):
    body = b'{"detail": "Invalid token."}'
    return (
        b"HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nWWW-Authenticate: Organisation\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )


@pytest.mark.parametrize("answer", [None, refuse], ids=["accepted", "refused"])
def test_the_key_travels_only_in_the_authorization_header(answer):
    with (
        RawServer(answer) if answer else RawServer() as server,
        LessonspaceClient(server.api_url, min_check_interval=0) as client,
    ):
        client.check(DEMO_KEY)
    sent = server.recorded()
    assert {request.path for request in sent} == {"/v2/hello/", "/v2/my-organisation/"}
    for request in sent:
        assert DEMO_KEY.encode() not in request.request_line  # not in the path or a query
        assert request.body == b""
        carrying = [line for line in request.header_lines if DEMO_KEY.encode() in line]
        assert carrying == [f"Authorization: Organisation {DEMO_KEY}".encode()]


# -- 429 and back-off --------------------------------------------------------


def throttled(retry_after: str):
    def answer(request):
        if request.header("Authorization") == [f"Organisation {OTHER_KEY}"]:
            return ok_json(b'{"response": "Hello!"}' if request.path.endswith("hello/") else b'{"id": 1}')
        return f"HTTP/1.1 429 Too Many Requests\r\nRetry-After: {retry_after}\r\nContent-Length: 0\r\n\r\n".encode()

    return answer


def test_retry_after_holds_back_only_the_key_it_was_for():
    with RawServer(throttled("30")) as server, LessonspaceClient(server.api_url, min_check_interval=0) as client:
        assert client.check(DEMO_KEY).state is State.RATE_LIMITED
        sent = len(server.recorded())
        again = client.check(DEMO_KEY)
        assert again.state is State.RATE_LIMITED and 25 < again.retry_after <= 30
        assert len(server.recorded()) == sent  # honoured: nothing sent for that key
        assert client.check(OTHER_KEY).state is State.VALID


def test_an_absurd_retry_after_is_capped():
    with RawServer(throttled("86400")) as server, LessonspaceClient(server.api_url, min_check_interval=0) as client:
        result = client.check(DEMO_KEY)
    assert result.retry_after == MAX_RETRY_AFTER
    assert f"Wait {int(MAX_RETRY_AFTER)} seconds" in result.message


# -- at most one check of a key a second --------------------------------------


def hello_times(server: RawServer) -> list[float]:
    return [request.at for request in server.recorded() if request.path.endswith("/hello/")]


def test_checks_of_one_key_are_a_second_apart_and_ask_for_the_organisation_once():
    with RawServer() as server, LessonspaceClient(server.api_url) as client:
        results = [client.check(DEMO_KEY) for _ in range(3)]
    assert [result.state for result in results] == [State.VALID] * 3
    assert all(result.organisation is not None for result in results)  # known, not asked again
    times = hello_times(server)
    assert len(times) == 3
    # Timed where they arrive, so a little network jitter either way.
    assert all(later - earlier >= 0.9 for earlier, later in itertools.pairwise(times))
    assert [request.path for request in server.recorded()].count("/v2/my-organisation/") == 1


def test_other_keys_are_not_held_back():
    # An hour between checks of one key: a held-back check would end only when the guard closes the client.
    with RawServer() as server, LessonspaceClient(server.api_url, min_check_interval=3600) as client:
        guard = threading.Timer(WAIT_MS / 1000, client.close)
        guard.start()
        try:
            assert client.check(DEMO_KEY).state is State.VALID
            assert client.check(OTHER_KEY).state is State.VALID
        finally:
            guard.cancel()
    assert len(hello_times(server)) == 2


def test_closing_the_client_ends_a_check_waiting_for_its_turn(caplog):
    with RawServer() as server, caplog.at_level(logging.INFO, logger="lsdesk.core.client"):
        # An hour between checks of one key: only closing the client can end the wait.
        client = LessonspaceClient(server.api_url, min_check_interval=3600)
        client.check(DEMO_KEY)
        results = []
        waiting = threading.Thread(target=lambda: results.append(client.check(DEMO_KEY)))
        waiting.start()
        for _ in range(WAIT_MS // 10):  # a hang guard only
            if TURN_WAIT in caplog.text:
                break
            time.sleep(0.01)
        assert TURN_WAIT in caplog.text
        client.close()
        waiting.join(WAIT_MS / 1000)
        assert not waiting.is_alive()
        assert [result.state for result in results] == [State.OFFLINE]
        assert "stopped" in results[0].message
        assert len(hello_times(server)) == 1


def test_pressing_check_again_as_fast_as_possible_sends_at_most_one_check_a_second(
    qtbot, sandbox, store, open_window, caplog
):
    store.set("default", DEMO_KEY)
    window = open_window(paced=True)  # the production pacing is what this test holds
    results = []
    window.host.checked.connect(results.append)
    before = len(sandbox.request_log)

    presses = 0
    with caplog.at_level(logging.INFO, logger="lsdesk.core.client"):
        for _ in range(WAIT_MS // 20):  # a hang guard only: pressing ends once three checks have ended
            if len(results) >= 3:
                break
            qtbot.mouseClick(window.check_button, Qt.MouseButton.LeftButton)
            presses += 1
            qtbot.wait(20)
        qtbot.waitUntil(lambda: not window.host.busy, timeout=WAIT_MS)
    sent = [path for _method, path, _auth in sandbox.request_log[before:]]
    turns_waited = caplog.text.count(TURN_WAIT)

    assert len(results) >= 3
    assert presses > len(results)  # presses during a check start nothing
    assert sent.count("/v2/hello/") == len(results)  # one request a check, however many presses
    # Every check after the first waited for its turn, a second after the one before.
    assert turns_waited >= len(results) - 1
    assert "/v2/my-organisation/" not in sent  # the organisation is already known
    assert all(result.title != "Something went wrong in lsdesk" for result in results)
    assert all(result.state is State.VALID for result in results)
    assert window.badge.state is State.VALID
