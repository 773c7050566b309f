"""The command-line benchmark's baseline, the floor of `lsdesk check`: httpx with a truststore SSL context (the
operating system's certificates, as lsdesk trusts them), one request, one JSON line. No keyring: `check --key-stdin`
never opens it."""

from __future__ import annotations

import json
import ssl
import sys

import httpx
import truststore

key = sys.stdin.readline().strip()
with httpx.Client(verify=truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)) as client:
    response = client.get(sys.argv[1] + "hello/", headers={"Authorization": f"Organisation {key}"})
print(json.dumps({"status": response.status_code}))
