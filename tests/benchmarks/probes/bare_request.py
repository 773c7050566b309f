"""The command-line benchmark's baseline: import httpx and keyring, make one request, print one JSON line."""

from __future__ import annotations

import json
import sys

import httpx
import keyring  # noqa: F401 - imported for its cost, as the baseline's definition asks

key = sys.stdin.readline().strip()
response = httpx.get(sys.argv[1] + "hello/", headers={"Authorization": f"Organisation {key}"})
print(json.dumps({"status": response.status_code}))
