"""Figure 6's real-world line: lsdesk's peak memory as a Linux admin's lsdesk runs, with the desktop's Secret
Service as its keyring and Lessonspace over https.

The other figures keep keys in a memory keyring and talk plain http to the sandbox, so they leave out what the
Secret Service backend (D-Bus, SecretStorage, cryptography) and the operating system's certificates cost. Here the
probe runs the same window with neither stand-in: its key is saved in the Secret Service under a throwaway
profile (removed afterwards), and the sandbox is reached through a TLS forwarder whose certificate the probe
trusts through SSL_CERT_FILE, which OpenSSL, and so truststore, reads on Linux. Reported beside the bare window's
memory, with no target of its own: the Secret Service is the user's, not lsdesk's.
"""

from __future__ import annotations

import http.client
import ssl
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from statistics import median

from lsdesk.core.keystore import SystemKeyStore
from lsdesk.sandbox import DEMO_KEY
from tests.benchmarks.bench import LSDESK_WINDOW, Bench
from tests.benchmarks.processes import start
from tests.benchmarks.report import Row, Target
from tests.reliability.loopback import self_signed_certificate

FIGURE = "6. peak memory, real world: Secret Service and https"
TARGET = Target.none()  # reported beside figure 6: the Secret Service is the user's, not lsdesk's
RUNS = 5  # memory varies little from run to run


def memory(bench: Bench) -> list[Row]:
    store = SystemKeyStore()
    if "Secret Service" not in store.description:
        why = f"needs a Secret Service (this session's keyring is {store.description}); run under a desktop session"
        return [Row.not_yet_measurable(FIGURE, "MiB", TARGET, why)]
    profile = f"benchmark-{uuid.uuid4().hex[:8]}"
    store.set(profile, DEMO_KEY)
    try:
        with tempfile.TemporaryDirectory(prefix="lsdesk-tls-") as folder, tls_forwarder(bench, Path(folder)) as url:
            certificate, _key = Path(folder) / "cert.pem", Path(folder) / "key.pem"
            env = bench.home.environment()
            for name in ("PYTHON_KEYRING_BACKEND", "LSDESK_BENCHMARK_KEYRING"):
                env.pop(name)
            env["SSL_CERT_FILE"] = str(certificate)
            real = [
                start(["-m", LSDESK_WINDOW, "startup", url, "--profile", profile], env).finish()[0]["peak_rss_mib"]
                for _run in range(RUNS)
            ]
            bare = [bench.bare_window("startup", bench.census_json).finish()[0]["peak_rss_mib"] for _run in range(RUNS)]
    finally:
        store.delete(profile)
    return [
        Row(
            FIGURE,
            "MiB",
            TARGET,
            median(real),
            median(bare),
            note=f"as figure 6, with the key in the Secret Service and the sandbox behind https; median of {RUNS} "
            "runs; reported, not a target of lsdesk's own",
        )
    ]


@contextmanager
def tls_forwarder(bench: Bench, folder: Path) -> Iterator[str]:
    """https://127.0.0.1:PORT/v2/, answered by the sandbox: each request over TLS is asked of it over http."""
    certificate, key = self_signed_certificate(folder)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key)
    host, port = bench.sandbox.base_url.removeprefix("http://").rstrip("/").rsplit(":", 1)

    class Forward(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            upstream = http.client.HTTPConnection(host, int(port), timeout=30)
            try:
                upstream.request("GET", self.path, headers=dict(self.headers.items()))
                answer = upstream.getresponse()
                body = answer.read()
            finally:
                upstream.close()
            self.send_response(answer.status)
            for name, value in answer.getheaders():
                if name.lower() not in ("connection", "transfer-encoding", "content-length"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Forward)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, name="tls-forwarder", daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}/v2/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
