"""A company network on loopback, for tests: a private root certificate authority, and a proxy
server like the ones companies run.

The proxy forwards plain HTTP requests (HTTP_PROXY), and intercepts HTTPS tunnels (HTTPS_PROXY,
CONNECT) the way TLS-inspecting proxies do: it answers the TLS handshake itself, with a
certificate its own root signed, reads the requests, and passes them on. It records every
request it sees. Standard library and `cryptography` only: import this module after
``pytest.importorskip("cryptography")``.
"""

from __future__ import annotations

import datetime
import hashlib
import http.client
import ipaddress
import socket
import ssl
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# Lower case, no spaces: its canonical form for OpenSSL's subject hash is then its DER encoding.
ROOT_NAME = "lsdesk-test-company-root"
# Headers that belong to one connection, never passed on by a proxy.
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "content-length",
    "server",
    "date",
}


@dataclass(frozen=True)
class CompanyRoot:
    """A private root certificate, and a certificate for 127.0.0.1 that it signed."""

    certificate: Path
    """The root, PEM: what IT installs in the operating system's trust store."""
    subject_hash: str
    """OpenSSL's hash of its subject: its file name (plus ".0") in a hashed certificate folder."""
    server_certificate: Path
    server_key: Path


def make_company_root(folder: Path) -> CompanyRoot:
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    valid = {"not_valid_before": now - datetime.timedelta(days=1), "not_valid_after": now + datetime.timedelta(days=2)}

    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ROOT_NAME)])
    root = (
        _builder(root_name, root_name, root_key.public_key(), **valid)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )

    server_key = ec.generate_private_key(ec.SECP256R1())
    server = (
        _builder(
            x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]),
            root_name,
            server_key.public_key(),
            **valid,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
            critical=False,
        )
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(server_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )

    paths = (folder / "company-root.pem", folder / "proxy-cert.pem", folder / "proxy-key.pem")
    paths[0].write_bytes(root.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(server.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return CompanyRoot(paths[0], _openssl_subject_hash(root_name), paths[1], paths[2])


class CompanyProxy:
    """A proxy server on 127.0.0.1, as a context manager.

    With `intercept_with`, it intercepts HTTPS tunnels with that root's certificate; without it,
    it answers CONNECT with 501. With `refuse_with`, it answers every request with that status,
    as a proxy that wants a password does with 407. `seen` lists each request as (method, target).
    """

    def __init__(self, *, intercept_with: CompanyRoot | None = None, refuse_with: int | None = None):
        self.refuse_with = refuse_with
        self.tls: ssl.SSLContext | None = None
        if intercept_with is not None:
            self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.tls.load_cert_chain(intercept_with.server_certificate, intercept_with.server_key)
        self._seen: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _ProxyHandler)
        self._server.daemon_threads = True
        self._server.proxy = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, name="company-proxy", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self._server.server_port}"

    @property
    def seen(self) -> list[tuple[str, str]]:
        with self._lock:
            return list(self._seen)

    def record(self, method: str, target: str) -> None:
        with self._lock:
            self._seen.append((method, target))

    def __enter__(self) -> CompanyProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    @property
    def proxy(self) -> CompanyProxy:
        return self.server.proxy  # type: ignore[attr-defined]

    def do_GET(self) -> None:
        # A forward proxy gets the whole URL: GET http://host:port/path HTTP/1.1
        self.proxy.record("GET", self.path)
        if self._refused():
            return
        target = urlsplit(self.path)
        _forward(
            self, target.hostname or "", target.port or 80, target.path + (f"?{target.query}" if target.query else "")
        )

    def do_CONNECT(self) -> None:
        self.proxy.record("CONNECT", self.path)
        if self._refused():
            return
        self.close_connection = True
        if self.proxy.tls is None:
            self.send_error(501, "This proxy only inspects HTTPS")
            return
        host, _, port = self.path.rpartition(":")
        self.send_response(200, "Connection established")
        self.end_headers()
        try:
            tunnel = self.proxy.tls.wrap_socket(self.connection, server_side=True)
        except (ssl.SSLError, OSError):
            return  # the client did not trust our certificate
        with tunnel:
            _InspectedTunnel(tunnel, self.client_address, self.server, upstream=(host, int(port)))

    def _refused(self) -> bool:
        if self.proxy.refuse_with is None:
            return False
        self.send_response(self.proxy.refuse_with)
        if self.proxy.refuse_with == 407:
            self.send_header("Proxy-Authenticate", 'Basic realm="company proxy"')
        self.send_header("Content-Length", "0")
        self.end_headers()
        self.close_connection = True
        return True

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass


class _InspectedTunnel(BaseHTTPRequestHandler):
    """The requests inside one intercepted HTTPS tunnel, read in the clear and passed on."""

    protocol_version = "HTTP/1.1"

    def __init__(self, connection: ssl.SSLSocket, client_address, server, *, upstream: tuple[str, int]):
        self.upstream = upstream  # before the base class handles the connection
        super().__init__(connection, client_address, server)

    def do_GET(self) -> None:
        host, port = self.upstream
        self.server.proxy.record("GET", f"https://{host}:{port}{self.path}")  # type: ignore[attr-defined]
        _forward(self, host, port, self.path)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass


def _forward(handler: BaseHTTPRequestHandler, host: str, port: int, path: str) -> None:
    """Pass one GET on to the server behind the proxy, in plain HTTP, and its answer back."""
    headers = {name: value for name, value in handler.headers.items() if name.lower() not in _HOP_BY_HOP}
    upstream = http.client.HTTPConnection(host, port, timeout=10)
    try:
        upstream.request("GET", path, headers=headers)
        answer = upstream.getresponse()
        body = answer.read()
    except (OSError, http.client.HTTPException):
        handler.send_error(502, "The proxy could not reach the server")
        return
    finally:
        upstream.close()
    handler.send_response(answer.status, answer.reason)
    for name, value in answer.getheaders():
        if name.lower() not in _HOP_BY_HOP:
            handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def _builder(subject: x509.Name, issuer: x509.Name, public_key, *, not_valid_before, not_valid_after):
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_valid_before)
        .not_valid_after(not_valid_after)
    )


def _key_usage(**allowed: bool) -> x509.KeyUsage:
    usages = (
        "digital_signature",
        "content_commitment",
        "key_encipherment",
        "data_encipherment",
        "key_agreement",
        "key_cert_sign",
        "crl_sign",
        "encipher_only",
        "decipher_only",
    )
    return x509.KeyUsage(**{usage: allowed.get(usage, False) for usage in usages})


def _openssl_subject_hash(name: x509.Name) -> str:
    """What `openssl x509 -hash` prints: the first four bytes, little-endian, of the SHA-1 of the
    subject's canonical encoding. For ROOT_NAME (one lower-case UTF8String, no spaces) that is
    its DER encoding without the outer SEQUENCE header."""
    der = name.public_bytes()
    header = 2 + (der[1] & 0x7F if der[1] & 0x80 else 0)
    digest = hashlib.sha1(der[header:]).digest()
    return f"{int.from_bytes(digest[:4], 'little'):08x}"


def unused_port() -> int:
    """A loopback port nothing listens on (for a proxy that cannot be reached)."""
    with socket.socket() as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        return placeholder.getsockname()[1]
