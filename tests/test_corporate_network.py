"""lsdesk on a company network: behind a TLS-inspecting proxy whose private root certificate is
in the operating system's trust store and in no bundle Python brings, and with the standard
proxy environment variables. Real servers on loopback, no mocks.

The operating system's trust store is made real without touching this machine's: on Linux,
truststore verifies through OpenSSL's default verify paths, which SSL_CERT_FILE (a bundle) and
SSL_CERT_DIR (a folder of certificates named by subject hash) set. The command line runs in a
subprocess whose trust store is a temporary one, with REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE
(which this machine sets, and an ordinary workstation doesn't) removed.
"""

from __future__ import annotations

import json
import os
import shutil
import ssl
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import certifi
import httpx
import pytest

pytest.importorskip("cryptography")

from lsdesk.core.client import LessonspaceClient
from lsdesk.core.outcome import State
from lsdesk.sandbox import DEMO_KEY
from tests.company_network import CompanyProxy, CompanyRoot, make_company_root, unused_port
from tests.reliability.loopback import RawServer

REPO = Path(__file__).resolve().parents[1]
TRUST_VARIABLES = ("SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")
PROXY_VARIABLES = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture
def company_root(tmp_path) -> CompanyRoot:
    return make_company_root(tmp_path / "company")


@pytest.fixture
def inspecting_proxy(company_root):
    with CompanyProxy(intercept_with=company_root) as proxy:
        yield proxy


@pytest.fixture
def no_proxy_settings(monkeypatch):
    """This process without any proxy variable; a test sets the ones it wants."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    return monkeypatch


def os_trust_store(folder: Path, company_root: CompanyRoot | None, layout: str = "bundle") -> dict[str, str]:
    """SSL_CERT_FILE and SSL_CERT_DIR for a trust store of the usual public roots (certifi's,
    standing in for the distribution's), with the company root added by IT as `layout` says:
    appended to the bundle file, or as its own file in the hashed folder. Without a root,
    the store a workstation has before IT installs it."""
    folder.mkdir(parents=True)
    bundle, hashed = folder / "ca-certificates.crt", folder / "certs"
    hashed.mkdir()
    public_roots = Path(certifi.where()).read_bytes()
    if company_root is not None and layout == "bundle":
        bundle.write_bytes(public_roots + b"\n" + company_root.certificate.read_bytes())
    else:
        bundle.write_bytes(public_roots)
    if company_root is not None and layout == "hashed folder":
        shutil.copy(company_root.certificate, hashed / f"{company_root.subject_hash}.0")
    return {"SSL_CERT_FILE": str(bundle), "SSL_CERT_DIR": str(hashed)}


def check_in_subprocess(api_url: str, settings: dict[str, str]) -> tuple[int, dict]:
    """`lsdesk check --key-stdin --json` with the demo key, in a process whose trust store and
    proxy settings are only `settings`."""
    cleared = {*TRUST_VARIABLES, *PROXY_VARIABLES, "LSDESK_API_URL"}
    env = {name: value for name, value in os.environ.items() if name.upper() not in cleared}
    env.update(settings)
    result = subprocess.run(
        [sys.executable, "-m", "lsdesk", "check", "--key-stdin", "--json", "--api-url", api_url],
        input=DEMO_KEY,
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.stdout, result.stderr
    return result.returncode, json.loads(result.stdout.splitlines()[-1])


@pytest.mark.parametrize("layout", ["bundle", "hashed folder"])
def test_check_is_valid_through_an_inspecting_proxy_whose_root_the_os_trusts(
    tmp_path, sandbox, company_root, inspecting_proxy, layout
):
    # The hashed folder beside a bundle without the root is what httpx's own default (certifi,
    # or SSL_CERT_FILE alone) would miss: only the operating system's verify paths find it there.
    trust = os_trust_store(tmp_path / "os-store", company_root, layout)
    lessonspace = urlsplit(sandbox.api_url).netloc

    code, result = check_in_subprocess(f"https://{lessonspace}/v2/", {**trust, "HTTPS_PROXY": inspecting_proxy.url})

    assert (code, result["state"]) == (0, "valid"), result
    assert result["organisation"]["name"] == "Demo Tutoring Co"
    # The key went through the proxy, which read it in the clear: that is what inspection means.
    assert ("CONNECT", lessonspace) in inspecting_proxy.seen
    assert ("GET", f"https://{lessonspace}/v2/hello/") in inspecting_proxy.seen


def test_without_the_company_root_in_the_os_trust_store_the_check_is_offline_about_a_secure_connection(
    tmp_path, sandbox, inspecting_proxy
):
    trust = os_trust_store(tmp_path / "os-store", company_root=None)
    lessonspace = urlsplit(sandbox.api_url).netloc

    code, result = check_in_subprocess(f"https://{lessonspace}/v2/", {**trust, "HTTPS_PROXY": inspecting_proxy.url})

    assert (code, result["state"]) == (4, "offline"), result
    assert "couldn't make a secure connection" in result["detail"]
    assert f"through your proxy server ({inspecting_proxy.address})" in result["detail"]
    assert "certificate" in result["detail"]
    assert sandbox.request_count == 0  # the key never left the tunnel the client refused


def test_the_company_root_is_in_no_bundle_python_brings(sandbox, inspecting_proxy):
    # The check above passes only through the operating system's store: certifi refuses the proxy.
    lessonspace = urlsplit(sandbox.api_url).netloc
    certifi_only = ssl.create_default_context(cafile=certifi.where())
    with (
        httpx.Client(verify=certifi_only, proxy=inspecting_proxy.url, trust_env=False) as plain,
        pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"),
    ):
        plain.get(f"https://{lessonspace}/v2/hello/")
    assert sandbox.request_count == 0


def test_plain_http_to_this_computer_never_goes_through_the_http_proxy(no_proxy_settings, sandbox):
    """Before: HTTP_PROXY carried the check of http://127.0.0.1 (the key in clear text) to the proxy."""
    with CompanyProxy() as proxy:
        no_proxy_settings.setenv("HTTP_PROXY", proxy.url)
        with LessonspaceClient(sandbox.api_url, timeout=5) as client:
            result = client.check(DEMO_KEY)

    assert result.state is State.VALID
    assert proxy.seen == []
    assert sandbox.request_count == 2  # hello/ and my-organisation/, straight to the server


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"])
@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_no_proxy_variable_is_ever_contacted_for_plain_http_to_this_computer(
    no_proxy_settings, sandbox, variable, host
):
    # A "proxy" that counts every connection made to it, whatever is sent on it.
    with RawServer() as proxy:
        no_proxy_settings.setenv(variable, f"http://127.0.0.1:{proxy.port}")
        with LessonspaceClient(sandbox.api_url.replace("127.0.0.1", host), timeout=5) as client:
            result = client.check(DEMO_KEY)
        contacted = proxy.connections

    assert result.state is State.VALID
    assert contacted == 0


def test_https_still_goes_through_all_proxy(no_proxy_settings):
    with RawServer() as proxy:
        port = proxy.port
        no_proxy_settings.setenv("ALL_PROXY", f"http://127.0.0.1:{port}")
        with LessonspaceClient(f"https://127.0.0.1:{unused_port()}/v2/", timeout=5) as client:
            result = client.check(DEMO_KEY)
        contacted = proxy.connections

    assert result.state is State.OFFLINE
    assert contacted >= 1
    assert f"proxy server (127.0.0.1:{port})" in result.message


def test_no_proxy_variable_sends_the_check_past_the_proxy(no_proxy_settings, sandbox):
    no_proxy_settings.setenv("HTTP_PROXY", f"http://127.0.0.1:{unused_port()}")
    no_proxy_settings.setenv("NO_PROXY", "127.0.0.1")
    with LessonspaceClient(sandbox.api_url, timeout=5) as client:
        assert client.check(DEMO_KEY).state is State.VALID


@pytest.mark.parametrize("scheme", ["https"])
def test_unreachable_proxy_is_offline_and_the_message_names_the_proxy(no_proxy_settings, scheme):
    proxy = f"127.0.0.1:{unused_port()}"
    no_proxy_settings.setenv(f"{scheme.upper()}_PROXY", f"http://user:secret@{proxy}")
    with LessonspaceClient(f"{scheme}://127.0.0.1:{unused_port()}/v2/", timeout=5) as client:
        result = client.check(DEMO_KEY)

    assert result.state is State.OFFLINE
    assert f"couldn't reach the proxy server set on this computer ({proxy})" in result.message
    assert "secret" not in result.message  # the proxy's password is never shown


def test_proxy_that_refuses_the_tunnel_is_offline_and_the_message_names_the_proxy(no_proxy_settings):
    with CompanyProxy(refuse_with=407) as proxy:
        no_proxy_settings.setenv("HTTPS_PROXY", proxy.url)
        with LessonspaceClient(f"https://127.0.0.1:{unused_port()}/v2/", timeout=5) as client:
            result = client.check(DEMO_KEY)

    assert result.state is State.OFFLINE
    assert f"couldn't get through your proxy server ({proxy.address})" in result.message
    assert {method for method, _ in proxy.seen} == {"CONNECT"}  # refused before any request went in
