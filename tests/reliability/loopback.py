"""Small servers on loopback for what the sandbox cannot do.

`RawServer` records every request byte for byte and answers with whatever
bytes a test hands it, however broken: the fuzz and security tests use it to
see exactly what lsdesk sends, and to answer like no real server would.
`refusing_tls_listener` offers TLS with a self-signed certificate, which
lsdesk must refuse.
"""

from __future__ import annotations

import datetime
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

MAX_HEAD_BYTES = 256 * 1024


@dataclass(frozen=True)
class RawRequest:
    """One request as it arrived: its head (request line and headers) and its body."""

    head: bytes
    body: bytes
    at: float  # time.monotonic() when it arrived

    @property
    def request_line(self) -> bytes:
        return self.head.split(b"\r\n", 1)[0]

    @property
    def header_lines(self) -> list[bytes]:
        return self.head.split(b"\r\n")[1:]

    @property
    def path(self) -> str:
        parts = self.request_line.split(b" ")
        return parts[1].decode("latin-1") if len(parts) > 1 else ""

    def header(self, name: str) -> list[str]:
        wanted = name.lower().encode()
        return [
            line.split(b":", 1)[1].strip().decode("latin-1")
            for line in self.header_lines
            if b":" in line and line.split(b":", 1)[0].strip().lower() == wanted
        ]


Responder = Callable[[RawRequest], bytes]


def ok_json(body: bytes) -> bytes:
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n".encode()
        + b"Connection: close\r\n\r\n"
        + body
    )


def lessonspace_like(request: RawRequest) -> bytes:
    """A well-behaved answer: hello/ and my-organisation/ as Lessonspace gives them."""
    if request.path.endswith("/my-organisation/"):
        return ok_json(b'{"id": 4242, "name": "Demo Tutoring Co"}')
    return ok_json(b'{"response": "Hello, Demo Tutoring Co!"}')


class RawServer:
    """Accepts connections on 127.0.0.1, reads one request per connection,
    records it, writes `respond(request)` and closes the connection."""

    def __init__(self, respond: Responder = lessonspace_like):
        self.respond = respond
        self.requests: list[RawRequest] = []
        self.connections = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="raw-server", daemon=True)
        self._workers: list[threading.Thread] = []

    @property
    def port(self) -> int:
        return self._listener.getsockname()[1]

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v2/"

    def recorded(self) -> list[RawRequest]:
        with self._lock:
            return list(self.requests)

    def __enter__(self) -> RawServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stopping.set()
        self._thread.join(5)
        for worker in self._workers:
            worker.join(5)
        self._listener.close()

    def _serve(self) -> None:
        while not self._stopping.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.connections += 1
            worker = threading.Thread(target=self._handle, args=(connection,), daemon=True)
            self._workers = [alive for alive in self._workers if alive.is_alive()] + [worker]
            worker.start()

    def _handle(self, connection: socket.socket) -> None:
        with connection:
            connection.settimeout(5)
            try:
                request = self._read_request(connection)
                if request is None:
                    return
                with self._lock:
                    self.requests.append(request)
                connection.sendall(self.respond(request))
                connection.shutdown(socket.SHUT_WR)
                # Let the client read what it wants before the socket goes.
                connection.settimeout(2)
                while connection.recv(65536):
                    pass
            except OSError:
                pass  # the client hung up, say at its body cap: that is its right

    @staticmethod
    def _read_request(connection: socket.socket) -> RawRequest | None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = connection.recv(65536)
            if not chunk or len(data) > MAX_HEAD_BYTES:
                return None
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        return RawRequest(head, body, time.monotonic())


@contextmanager
def refusing_tls_listener(folder: Path) -> Iterator[str]:
    """An https:// API address whose server presents a self-signed certificate.

    Yields the API root. Handshakes are attempted and fail; no request can
    ever be read, so none is recorded.
    """
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = self_signed_certificate(folder)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    stopping = threading.Event()

    def handshake(connection: socket.socket) -> None:
        try:
            with context.wrap_socket(connection, server_side=True):
                pass
        except (ssl.SSLError, OSError):
            pass  # the client refuses our certificate: that is the point

    def serve() -> None:
        while not stopping.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            connection.settimeout(5)
            threading.Thread(target=handshake, args=(connection,), daemon=True).start()

    thread = threading.Thread(target=serve, name="refusing-tls", daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{listener.getsockname()[1]}/v2/"
    finally:
        stopping.set()
        thread.join(5)
        listener.close()


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A throwaway certificate for 127.0.0.1 and its key, as PEM files in `folder`."""
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    private_key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(private_key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path
