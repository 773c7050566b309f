"""The key never comes back out, however a server echoes it (item 22 of issue 9).

A loopback server reads the key from the Authorization header it was sent and puts it back in
every place a server could: the JSON `detail`, headers, the reason phrase, a redirect's Location,
the organisation's name, an HTML page, and lines so malformed that the HTTP parser's error text
quotes them. The key must appear in no Outcome field, no log record (at DEBUG), and no command
line output, in any letter case.

This test bites (tried once when it was written): with `redacted()` in LessonspaceClient.check
replaced by the bare result, the 401/403 detail, redirect and organisation-name cases fail; without
the lines in lsdesk/core/client.py that quiet httpx's and httpcore's own logging, every case fails,
since they log the reason phrase, the headers and the parser's error text word for word.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

import pytest

from lsdesk.core.client import LessonspaceClient
from lsdesk.core.outcome import Organisation
from tests.reliability.loopback import RawRequest, RawServer

KEY = "5eed5eed-0b5e-4a11-9bad-ec40ec40ec40"


def echoed(request: RawRequest) -> str:
    authorization = request.header("Authorization")
    return authorization[0].split()[-1] if authorization else "no-key"


def reply(status_line: str, body: str = "", *headers: str) -> bytes:
    data = body.encode()
    head = f"HTTP/1.1 {status_line}\r\n" + "".join(f"{header}\r\n" for header in headers)
    return head.encode() + f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n".encode() + data


def detail(key: str) -> str:
    return json.dumps({"detail": f"Invalid token {key} (key {key.upper()})"})


ECHOES = {
    "401 detail, headers, reason": lambda key: reply(
        f"401 Unauthorized {key}",
        detail(key),
        "Content-Type: application/json",
        f'WWW-Authenticate: Organisation realm="{key}"',
        f"X-Echo: {key}",
    ),
    "403 detail in upper case": lambda key: reply(
        f"403 {key.upper()}",
        detail(key.upper()),
        "Content-Type: application/json",
    ),
    "404 detail": lambda key: reply("404 Not Found", detail(key), "Content-Type: application/json"),
    "500 detail and reason": lambda key: reply(f"500 {key}", detail(key), "Content-Type: application/json"),
    "429 retry-after": lambda key: reply(f"429 {key}", detail(key), f"Retry-After: {key}"),
    "redirect location": lambda key: reply(
        f"302 {key}",
        "",
        f"Location: https://portal.example/{key}/{key.upper()}?key={key}",
    ),
    "html page": lambda key: reply("200 OK", f"<html><body>{key}</body></html>", "Content-Type: text/html"),
    "malformed status line": lambda key: f"HTTP/1.1 {key}\r\n\r\n".encode(),
    "malformed header": lambda key: f"HTTP/1.1 200 OK\r\nContent-Length: {key}\r\n\r\n".encode(),
}


def organisation_echo(request: RawRequest) -> bytes:
    """Accepts the key, and names the organisation after it."""
    key = echoed(request)
    if request.path.endswith("/my-organisation/"):
        return reply("200 OK", json.dumps({"id": 7, "name": f"Org {key} {key.upper()}"}), f"X-Echo: {key}")
    return reply("200 OK", json.dumps({"response": f"Hello {key}"}), f"X-Echo: {key}")


def _echoing(make):
    return lambda request: make(echoed(request))


RESPONDERS = {name: _echoing(make) for name, make in ECHOES.items()}
RESPONDERS["organisation name"] = organisation_echo


def assert_no_key(text: str) -> None:
    assert KEY not in text.lower()


@pytest.mark.parametrize("name", list(RESPONDERS))
def test_a_server_echoing_the_key_never_gets_it_into_an_outcome_or_a_log(caplog, name):
    with RawServer(RESPONDERS[name]) as server:
        with caplog.at_level(logging.DEBUG), LessonspaceClient(server.api_url, timeout=5, min_check_interval=0) as api:
            result = api.check(KEY)
        assert server.recorded(), "the server was asked"

    assert_no_key(repr(result))  # every field
    assert_no_key(json.dumps(result.to_json()))
    if isinstance(result.organisation, Organisation):
        assert_no_key(result.organisation.describe())
    for record in caplog.records:
        assert_no_key(record.getMessage())
        assert_no_key(record.exc_text or "")
    assert_no_key(caplog.text)


@pytest.mark.parametrize(
    "name", ["401 detail, headers, reason", "organisation name", "redirect location", "malformed status line"]
)
@pytest.mark.parametrize("as_json", [True, False], ids=["json", "sentence"])
def test_a_server_echoing_the_key_never_gets_it_into_command_line_output(name, as_json):
    with RawServer(RESPONDERS[name]) as server:
        result = subprocess.run(
            [sys.executable, "-m", "lsdesk", "-v", "check", "--key-stdin", "--api-url", server.api_url]
            + (["--json"] if as_json else []),
            input=KEY,
            capture_output=True,
            text=True,
            timeout=60,
            env=dict(os.environ),
            check=False,
        )
    assert result.stdout
    assert_no_key(result.stdout)
    assert_no_key(result.stderr)
