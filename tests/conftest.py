"""Shared fixtures: a real sandbox Lessonspace on loopback, and an isolated home for Qt."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from lsdesk.core.client import LessonspaceClient
from lsdesk.sandbox import SandboxServer

pytest_plugins = ["tests.keyring_fixtures"]

CANARY_KEY = "c0ffee00-dead-4bee-8f00-ca1a12ca1a12"


def pytest_configure(config: pytest.Config) -> None:
    # Preferences, logs and the last known status go to a throwaway folder,
    # never into the developer's own lsdesk settings.
    home = Path(tempfile.mkdtemp(prefix="lsdesk-tests-"))
    config.add_cleanup(lambda: shutil.rmtree(home, ignore_errors=True))
    for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        os.environ[name] = str(home / name.lower())


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    # pytest-xvfb has set DISPLAY by now if it could start Xvfb; without any
    # screen, Qt draws offscreen instead of aborting.
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def sandbox():
    with SandboxServer() as server:
        yield server


@pytest.fixture
def client(sandbox):
    # Unpaced: these tests check one key many times in a row; the window's
    # one-check-a-second pacing has its own tests (tests/test_security.py).
    with LessonspaceClient(sandbox.api_url, timeout=5.0, min_check_interval=0) as api:
        yield api
