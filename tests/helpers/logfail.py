"""Pytest plugin: a test fails when it logs a warning or an error it did not expect.

Modelled on qutebrowser's tests/helpers/logfail.py. A warning nobody asked for
is a bug the suite would otherwise swallow, so a quiet log is part of the spec.
A test that means to provoke one says so by wrapping that part in
``caplog.at_level(logging.WARNING)`` (or a lower level), and can then assert
on ``caplog.records``.

Records are collected where they are logged and judged at the end of each phase
(setup, call, teardown): a warning from the worker QThread or a sandbox thread
counts too, and raising on that thread would break the thread instead of
failing the test.
"""

from __future__ import annotations

import logging

import pytest


class LogFailHandler(logging.Handler):
    """Keeps each record at WARNING or above that the running test did not expect."""

    def __init__(self, item: pytest.Item) -> None:
        super().__init__(logging.WARNING)
        self._item = item
        self.unexpected: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        # Called under the handler's lock, so records from several threads are safe.
        if not self._expected(record):
            self.unexpected.append(record)

    def _expected(self, record: logging.LogRecord) -> bool:
        """Expected when the test set caplog's level (at_level or set_level) to the record's or lower.

        Judged when the record is logged: at_level's level only lasts its block.
        """
        caplog = getattr(self._item, "funcargs", {}).get("caplog")
        if caplog is None:
            return False
        level = caplog.handler.level
        return level != logging.NOTSET and level <= record.levelno


def _describe(record: logging.LogRecord) -> str:
    return f"{record.levelname} on logger {record.name!r}: {record.getMessage()}"


def _fail_on_unexpected_records(item: pytest.Item, when: str):
    handler = LogFailHandler(item)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        result = yield
    finally:
        root.removeHandler(handler)
    if handler.unexpected:
        lines = "\n".join(_describe(record) for record in handler.unexpected)
        pytest.fail(
            f"Unexpected log records during {when} (wrap the code that should log them in "
            f"caplog.at_level(logging.WARNING)):\n{lines}",
            pytrace=False,
        )
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item):
    return (yield from _fail_on_unexpected_records(item, "setup"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    return (yield from _fail_on_unexpected_records(item, "call"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    return (yield from _fail_on_unexpected_records(item, "teardown"))
