"""The Lessonspace client against the real sandbox server over loopback HTTP.

Each answer Lessonspace (or something pretending to be it) can give maps to
exactly one state, and only a 401 or 403 ever calls a key invalid.
"""

from __future__ import annotations

import datetime
import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from lsdesk import __version__
from lsdesk.core.client import MAX_BODY_BYTES, LessonspaceClient
from lsdesk.core.outcome import Organisation, State
from lsdesk.sandbox import DEMO_KEY, DEMO_ORGANISATION_ID, DEMO_ORGANISATION_NAME, SandboxServer
from tests.reliability.loopback import refusing_tls_listener

UNKNOWN_KEY = "11111111-2222-4333-8444-555555555555"


def test_valid_key_is_valid_with_its_organisation(client):
    result = client.check(DEMO_KEY)
    assert result.state is State.VALID
    assert result.organisation == Organisation(DEMO_ORGANISATION_ID, DEMO_ORGANISATION_NAME)
    assert result.key_ending == DEMO_KEY[-4:]


def test_unknown_key_is_rejected_and_lessonspace_detail_is_shown(client):
    result = client.check(UNKNOWN_KEY)
    assert result.state is State.REJECTED
    assert '"Invalid token."' in result.message
    assert result.title == "Invalid API key (new API key required)"
    assert result.organisation is None


def test_key_refused_with_403_is_rejected_and_worded_as_a_permission_or_plan_problem(client, sandbox):
    """Before: a 403 read like a 401 ("paste a new API key"), which cannot help a plan without API access."""
    sandbox.disable_key(DEMO_KEY)
    result = client.check(DEMO_KEY)
    assert result.state is State.REJECTED
    assert result.title == "API access refused (check your plan)"
    assert result.message.startswith(
        'Lessonspace refused this key access. Lessonspace says: "You do not have permission to perform this action."'
    )
    assert "a new key will not help" in result.message


def test_revoked_key_is_rejected(client, sandbox):
    new_key = sandbox.generate_key(revoke_previous=True)
    assert client.check(DEMO_KEY).state is State.REJECTED
    assert client.check(new_key).state is State.VALID


def test_rate_limit_reports_the_wait_and_is_honoured_without_sending(client, sandbox):
    sandbox.faults.status = 429
    sandbox.faults.retry_after = "7"
    result = client.check(DEMO_KEY)
    assert result.state is State.RATE_LIMITED
    assert result.retry_after == 7
    assert "Wait 7 seconds" in result.message
    sent = sandbox.request_count
    sandbox.faults.reset()
    again = client.check(DEMO_KEY)
    assert again.state is State.RATE_LIMITED
    assert sandbox.request_count == sent  # Retry-After honoured: nothing was sent


def test_rate_limit_without_retry_after_does_not_block_the_next_check(client, sandbox):
    sandbox.faults.status = 429
    assert client.check(DEMO_KEY).retry_after is None
    sandbox.faults.reset()
    assert client.check(DEMO_KEY).state is State.VALID


def test_rate_limit_with_an_http_date_retry_after(client, sandbox):
    soon = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=30)
    sandbox.faults.status = 429
    sandbox.faults.retry_after = soon.strftime("%a, %d %b %Y %H:%M:%S GMT")
    result = client.check(DEMO_KEY)
    assert result.state is State.RATE_LIMITED
    assert 20 < result.retry_after <= 31


def test_real_per_key_rate_limit_answers_rate_limited_never_rejected(client, sandbox):
    sandbox.faults.rate_limit_per_second = 1
    states = [client.check(DEMO_KEY).state for _ in range(4)]
    assert State.RATE_LIMITED in states
    assert State.REJECTED not in states


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_server_error_not_invalid(client, sandbox, status):
    sandbox.faults.status = status
    result = client.check(DEMO_KEY)
    assert result.state is State.SERVER_ERROR
    assert f"error {status}" in result.message


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 418},
        {"html_page": True},
        {"wrong_shape": True},
        {"not_json": True},
        {"huge_body_bytes": 50 * 1024 * 1024},
    ],
    ids=lambda fault: next(iter(fault)),
)
def test_replies_that_are_not_lessonspace_are_unexpected(client, sandbox, fault, caplog):
    sandbox.faults.update(fault)
    with caplog.at_level(logging.WARNING):
        result = client.check(DEMO_KEY)
    assert any(record.levelno == logging.WARNING for record in caplog.records)
    assert result.state is State.UNEXPECTED
    assert "Wi-Fi sign-in page or a company proxy" in result.message


def test_redirect_is_unexpected_and_never_followed(client, sandbox, caplog):
    with SandboxServer() as elsewhere, caplog.at_level(logging.WARNING):
        sandbox.faults.redirect_to = elsewhere.api_url + "hello/"
        result = client.check(DEMO_KEY)
        assert result.state is State.UNEXPECTED
        assert "redirect" in result.message
        assert elsewhere.request_count == 0


def test_dropped_connection_is_offline(client, sandbox):
    sandbox.faults.drop_connection = True
    result = client.check(DEMO_KEY)
    assert result.state is State.OFFLINE
    assert "Check your internet connection" in result.message


def test_refused_connection_is_offline():
    with socket.socket() as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        port = placeholder.getsockname()[1]
    with LessonspaceClient(f"http://127.0.0.1:{port}/v2/", timeout=2) as api:
        result = api.check(DEMO_KEY)
    assert result.state is State.OFFLINE
    assert "couldn't connect" in result.message


def test_slow_server_past_the_timeout_is_offline(sandbox):
    sandbox.faults.delay = 3
    with LessonspaceClient(sandbox.api_url, timeout=0.3) as api:
        result = api.check(DEMO_KEY)
    assert result.state is State.OFFLINE
    assert "didn't answer in time" in result.message


def test_organisation_failure_leaves_the_key_valid_with_organisation_unknown(client, sandbox):
    sandbox.faults.organisation_status = 500
    result = client.check(DEMO_KEY)
    assert result.state is State.VALID
    assert result.organisation is None


def test_large_bodies_are_read_only_up_to_the_cap(client, sandbox, caplog):
    # 50 MB offered; the client stops reading soon after the 64 KiB cap.
    caplog.set_level(logging.DEBUG, logger="lsdesk.core.client")
    sandbox.faults.huge_body_bytes = 50 * 1024 * 1024
    assert client.check(DEMO_KEY).state is State.UNEXPECTED
    read = [int(line.split("(")[1].split()[0]) for line in caplog.messages if "bytes read" in line]
    assert read
    assert max(read) <= 2 * MAX_BODY_BYTES


def test_requests_carry_the_documented_headers():
    seen: list[dict[str, str]] = []

    class Recorder(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            seen.append({name.lower(): value for name, value in self.headers.items()})
            body = b'{"response": "hi"}' if self.path.endswith("hello/") else b'{"id": 1}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with LessonspaceClient(f"http://127.0.0.1:{server.server_port}/v2/") as api:
            assert api.check(DEMO_KEY).state is State.VALID
    finally:
        server.shutdown()
        server.server_close()
    assert len(seen) == 2
    for headers in seen:
        assert headers["authorization"] == f"Organisation {DEMO_KEY}"
        assert headers["user-agent"] == f"lsdesk/{__version__}"
        assert headers["accept"] == "application/json"


def test_certificate_failure_is_offline_with_its_own_message(tmp_path):
    with refusing_tls_listener(tmp_path) as api_url, LessonspaceClient(api_url, timeout=10) as api:
        result = api.check(DEMO_KEY)
    assert result.state is State.OFFLINE
    assert "secure connection" in result.message
    assert "proxy or firewall" in result.message


def test_the_key_never_reaches_logs_or_messages(client, sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    results = [client.check(DEMO_KEY), client.check(UNKNOWN_KEY)]
    for fault in ({"status": 500}, {"html_page": True}, {"drop_connection": True}, {"status": 429}):
        sandbox.faults.reset()
        sandbox.faults.update(fault)
        results.append(client.check(UNKNOWN_KEY))
    assert caplog.records
    for key in (DEMO_KEY, UNKNOWN_KEY):
        assert key not in caplog.text
        for result in results:
            assert key not in result.message
            assert key not in repr(result)
