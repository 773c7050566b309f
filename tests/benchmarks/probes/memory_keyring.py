"""A keyring backend that keeps keys in the probe's memory.

Chosen through keyring's own PYTHON_KEYRING_BACKEND variable, so the window
probes run the real `lsdesk` command, SystemKeyStore and all, without a
desktop keyring. It starts with the sandbox keys in the JSON file named by
LSDESK_BENCHMARK_KEYRING; what lsdesk saves stays in memory.
"""

from __future__ import annotations

import json
import os
import threading

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    priority = 1  # only ever chosen by name

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        with open(os.environ["LSDESK_BENCHMARK_KEYRING"], encoding="utf-8") as file:
            self._passwords: dict[str, dict[str, str]] = json.load(file)

    def get_password(self, service: str, username: str) -> str | None:
        with self._lock:
            return self._passwords.get(service, {}).get(username)

    def set_password(self, service: str, username: str, password: str) -> None:
        with self._lock:
            self._passwords.setdefault(service, {})[username] = password

    def delete_password(self, service: str, username: str) -> None:
        with self._lock:
            if self._passwords.get(service, {}).pop(username, None) is None:
                raise PasswordDeleteError("no such password")
