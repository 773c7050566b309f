"""Fuzzing: whatever is pasted, and whatever answers, lsdesk ends in one of its states.

Random key input goes through the one input rule (`parse_api_key`) and through
`LessonspaceClient.check`, against a loopback server that records every
request byte for byte: nothing crashes or hangs, and no request ever carries
a header that is not clean. Random answers (any status, headers, content
type, body; truncated, deeply nested, huge, compressed, mis-framed) come back
from the same kind of server: `check` returns a state, never raises, and
reads a body only up to its cap.

The normal run tries a few dozen examples per test; `python -m tests.reliability
fuzz` tries a thousand (the "thorough" profile).
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lsdesk.core.api_key import MAX_INPUT_LENGTH, ApiKeyInputError, parse_api_key
from lsdesk.core.client import MAX_BODY_BYTES, LessonspaceClient
from lsdesk.core.outcome import State
from lsdesk.sandbox import DEMO_KEY
from tests.reliability.loopback import RawServer

# caplog is shared by a test's examples, and safe to share: each example sets its
# level with caplog.at_level, which puts the old level back when the example ends.
_COMMON = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
}
settings.register_profile("lsdesk-quick", max_examples=40, **_COMMON)
settings.register_profile("lsdesk-thorough", max_examples=1000, **_COMMON)
FUZZ = settings.get_profile("lsdesk-" + os.environ.get("LSDESK_FUZZ_PROFILE", "quick"))

UUID_SHAPE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# RFC 9110: a header is a token, a colon, and visible ASCII or spaces.
CLEAN_HEADER = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+: [\x20-\x7e]*")
REQUEST_LINE = re.compile(rb"GET /v2/(hello|my-organisation)/ HTTP/1\.1")
# A check that hangs would stop the whole run; each is held to this.
CHECK_TIMEOUT = 2.0

# -- key input ----------------------------------------------------------------

BREAKERS = [
    "\r\n",
    "\n",
    "\r",
    "\x00",
    "\t",
    " ",
    "\x0b",
    "\x85",
    "\u2028",
    "\u00a0",
    "\u200b",
    "\ufeff",
    "\u202e",
    "\r\nX-Evil: 1",
    "\r\n\r\nGET /admin HTTP/1.1\r\n",
    "%0d%0aX-Evil:%201",
    ":",
    ",",
    ";",
    "é",
    "ｆ",  # noqa: RUF001 - a fullwidth f, on purpose
    "\U0001f511",
]


@st.composite
def damaged_keys(draw) -> str:
    """A real-looking key with something wrong with it, as a paste can go wrong."""
    key = draw(st.uuids()).__str__()
    if draw(st.booleans()):
        key = key.upper()
    where = draw(st.integers(0, len(key)))
    damage = draw(st.sampled_from(BREAKERS) | st.text(max_size=3))
    key = key[:where] + damage + key[where:]
    prefix = draw(st.sampled_from(["", "Organisation ", "organisation\t", "Bearer ", " \n", "\u3000"]))
    suffix = draw(st.sampled_from(["", "\n", "\r\n", " ", "\x00", "\r\nX-Evil: 1"]))
    return prefix + key + suffix


key_inputs = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp"])),
    st.uuids().map(str),
    st.uuids().map(lambda key: f"  Organisation {key}\n"),
    damaged_keys(),
    st.just("abc\r\nX-Evil: 1"),
    # Huge pastes: a document instead of a key, around the input limit.
    st.builds(lambda unit, times: unit * times, st.text(min_size=1, max_size=8), st.integers(400, 3000)),
    st.builds(
        lambda key, pad: " " * pad + key, st.uuids().map(str), st.integers(MAX_INPUT_LENGTH - 40, MAX_INPUT_LENGTH + 10)
    ),
)


@FUZZ
@given(raw=key_inputs)
def test_any_input_is_a_uuid_shaped_key_or_a_sentence_that_does_not_repeat_it(raw):
    try:
        key = parse_api_key(raw)
    except ApiKeyInputError as error:
        message = str(error)
        assert message and message.isprintable()
        for found in UUID_SHAPE.findall(raw):
            assert found not in message
        return
    assert UUID_SHAPE.fullmatch(key)
    assert key.isascii()
    assert key in raw
    assert parse_api_key(key) == key


@pytest.fixture(scope="module")
def recording_server():
    with RawServer() as server:
        yield server


@pytest.fixture(scope="module")
def client_of_recording_server(recording_server):
    # Without the one-check-a-second pacing: the examples check the same key often.
    with LessonspaceClient(recording_server.api_url, timeout=CHECK_TIMEOUT, min_check_interval=0) as api:
        yield api


@FUZZ
@given(raw=key_inputs)
def test_any_input_checked_ends_in_a_state_and_only_clean_headers_are_sent(
    raw, recording_server, client_of_recording_server, caplog
):
    before = len(recording_server.recorded())
    with caplog.at_level(logging.WARNING):  # a key that is not UUID-shaped is refused with a warning
        result = client_of_recording_server.check(raw)
    sent = recording_server.recorded()[before:]

    assert isinstance(result.state, State)
    try:
        sendable = parse_api_key(raw) == raw
    except ApiKeyInputError:
        sendable = False
    if not sendable:
        assert result.state is State.BAD_INPUT
        assert sent == []
        return
    assert result.state is State.VALID
    assert sent
    for request in sent:
        assert REQUEST_LINE.fullmatch(request.request_line), request.request_line
        for line in request.header_lines:
            assert CLEAN_HEADER.fullmatch(line), line
        assert request.header("Authorization") == [f"Organisation {raw}"]
        assert request.head.count(raw.encode()) == 1  # in that header and nowhere else
        assert request.body == b""


# -- answers ------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
lessonspace_shaped = st.one_of(
    st.fixed_dictionaries({"response": st.text(max_size=50)}),
    st.fixed_dictionaries({"detail": st.text(max_size=300)}),
    st.fixed_dictionaries(
        {"id": st.integers() | st.text(max_size=5) | st.none(), "name": st.text(max_size=50) | st.none()}
    ),
)


@st.composite
def bodies(draw) -> bytes:
    kind = draw(st.sampled_from(["json", "shaped", "truncated", "nested", "huge", "bytes", "empty", "gzip"]))
    if kind == "json":
        return json.dumps(draw(json_values)).encode()
    if kind == "shaped":
        return json.dumps(draw(lessonspace_shaped), ensure_ascii=draw(st.booleans())).encode()
    if kind == "truncated":
        whole = json.dumps(draw(lessonspace_shaped)).encode()
        return whole[: draw(st.integers(0, max(0, len(whole) - 1)))]
    if kind == "nested":
        depth = draw(st.integers(1, 40_000))
        opener, closer = draw(st.sampled_from([(b"[", b"]"), (b'{"a":', b"}")]))
        return opener * depth + b"1" + closer * depth
    if kind == "huge":
        return b'{"response": "' + b"x" * draw(st.integers(MAX_BODY_BYTES - 20, 4 * MAX_BODY_BYTES)) + b'"}'
    if kind == "bytes":
        return draw(st.binary(max_size=2000))
    if kind == "gzip":
        return GZIP_BOMB
    return b""


# Small on the wire, 8 MB unpacked: the cap must hold for what is read, not what it unpacks to.
GZIP_BOMB = gzip.compress(b'{"response": "' + b"x" * 8_000_000 + b'"}')


header_values = st.one_of(
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40),
    st.binary(max_size=20).map(lambda raw: raw.replace(b"\r", b"").replace(b"\n", b"").decode("latin-1")),
)
retry_after_values = st.one_of(
    st.integers(-5, 10**6).map(str),
    st.sampled_from(
        ["", "soon", "1.5", "²", "1e999", "9" * 400, "Mon, 99 Foo 2024 99:99:99 GMT", "Wed, 21 Oct 2015 07:28:00 GMT"]
    ),
    header_values,
)


@st.composite
def answers(draw) -> bytes:
    status = draw(
        st.one_of(
            st.sampled_from([200, 204, 301, 302, 307, 400, 401, 403, 404, 418, 429, 500, 502, 503]),
            st.integers(100, 999),
        )
    )
    reason = draw(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=20))
    body = draw(bodies())
    headers = [
        (
            "Content-Type",
            draw(
                st.sampled_from(
                    [
                        "application/json",
                        "text/html; charset=utf-8",
                        "text/plain",
                        "",
                        "application/problem+json",
                        "application/json; charset=latin-1",
                    ]
                )
            ),
        ),
    ]
    if draw(st.booleans()):
        headers.append(("Retry-After", draw(retry_after_values)))
    if draw(st.booleans()):
        headers.append(
            ("Location", draw(st.sampled_from(["http://127.0.0.1:9/v2/hello/", "/v2/hello/", "", "javascript:x"])))
        )
    if body[:2] == b"\x1f\x8b":
        headers.append(("Content-Encoding", "gzip"))
    headers += draw(
        st.lists(st.tuples(st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,15}", fullmatch=True), header_values), max_size=4)
    )
    framing = draw(st.sampled_from(["length", "close", "chunked", "short", "long"]))
    if framing == "length":
        headers.append(("Content-Length", str(len(body))))
    elif framing == "short":
        headers.append(("Content-Length", str(max(0, len(body) - 10))))
    elif framing == "long":
        headers.append(("Content-Length", str(len(body) + 10)))
    elif framing == "chunked":
        headers.append(("Transfer-Encoding", "chunked"))
        body = (f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n") if body else b"0\r\n\r\n"
    head = f"HTTP/1.1 {status} {reason}\r\n".encode() + b"".join(
        f"{name}: {value}\r\n".encode("latin-1") for name, value in headers
    )
    return head + b"\r\n" + body


class BytesRead(logging.Handler):
    """Collects the body sizes the client says it read."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.sizes: list[int] = []

    def emit(self, record):
        message = record.getMessage()
        if "bytes read" in message:
            self.sizes.append(int(message.rsplit("(", 1)[1].split()[0]))


@FUZZ
@given(answer=answers())
def test_any_answer_ends_in_a_state_without_raising_and_is_read_only_up_to_the_cap(answer, caplog):
    counter = BytesRead()
    logger = logging.getLogger("lsdesk.core.client")
    level = logger.level
    logger.addHandler(counter)
    logger.setLevel(logging.DEBUG)
    try:
        with (
            RawServer(lambda _request: answer) as server,
            caplog.at_level(logging.WARNING),
            LessonspaceClient(server.api_url, timeout=CHECK_TIMEOUT, min_check_interval=0) as api,
        ):
            result = api.check(DEMO_KEY)
    finally:
        logger.removeHandler(counter)
        logger.setLevel(level)
    assert isinstance(result.state, State)
    assert result.state is not State.BAD_INPUT
    # One network read (64 KiB at most) may go past the cap before the client stops.
    assert all(size <= MAX_BODY_BYTES + 64 * 1024 for size in counter.sizes), counter.sizes
    if result.state is State.REJECTED:
        assert answer.split(b" ", 2)[1] in (b"401", b"403")
    assert DEMO_KEY not in result.message
