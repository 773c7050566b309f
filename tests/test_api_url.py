"""Which API addresses lsdesk will send a key to."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lsdesk.core.api_url import (
    API_URL_ENV,
    DEFAULT_API_URL,
    DEVELOPER_SETTINGS_URL,
    ApiUrlError,
    developer_settings_url,
    resolve_api_url,
)


def test_defaults_to_lessonspace(monkeypatch):
    monkeypatch.delenv(API_URL_ENV, raising=False)
    assert resolve_api_url() == DEFAULT_API_URL == "https://api.thelessonspace.com/v2/"


def test_environment_variable_overrides_the_default(monkeypatch):
    monkeypatch.setenv(API_URL_ENV, "https://lessonspace.example.org/v2")
    assert resolve_api_url() == "https://lessonspace.example.org/v2/"


def test_option_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv(API_URL_ENV, "https://env.example.org/v2/")
    assert resolve_api_url("https://option.example.org/v2/") == "https://option.example.org/v2/"


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8765/v2/", "http://127.8.9.10/v2/", "http://localhost:1/v2", "http://[::1]:8765/v2/"],
)
def test_plain_http_is_allowed_to_this_computer_only(url):
    assert resolve_api_url(url).startswith("http://")
    assert resolve_api_url(url).endswith("/v2/")


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://api.thelessonspace.com/v2/", "secure https://"),
        ("http://192.168.1.10/v2/", "secure https://"),
        ("http://localhost.evil.example/v2/", "secure https://"),
        ("ftp://api.thelessonspace.com/v2/", "must start with https://"),
        ("api.example.org:80:80/v2/", "invalid port"),
        ("https:///v2/", "must start with https://"),
        ("https://user:pw@api.thelessonspace.com/v2/", "user name, password"),
        ("https://api.thelessonspace.com/v2/?x=1", "query"),
        ("https://api.thelessonspace.com:99999/v2/", "invalid port"),
    ],
)
def test_refuses_addresses_that_could_leak_the_key(url, words):
    with pytest.raises(ApiUrlError) as refused:
        resolve_api_url(url)
    assert words in str(refused.value)


@pytest.mark.parametrize(
    ("typed", "resolved"),
    [
        ("api.thelessonspace.com", "https://api.thelessonspace.com/"),
        (" api.thelessonspace.com/v2 ", "https://api.thelessonspace.com/v2/"),
        ("lessonspace.example.org:8443/v2/", "https://lessonspace.example.org:8443/v2/"),
        # This computer too: plain http:// is used only when typed.
        ("127.0.0.1:8765/v2/", "https://127.0.0.1:8765/v2/"),
        ("localhost:8765/v2/", "https://localhost:8765/v2/"),
        ("[::1]:8765/v2/", "https://[::1]:8765/v2/"),
    ],
)
def test_an_address_without_a_scheme_gets_https(typed, resolved, monkeypatch):
    """Before: "api.thelessonspace.com" was refused as malformed (status-model issue, item 8)."""
    assert resolve_api_url(typed) == resolved
    monkeypatch.setenv(API_URL_ENV, typed)
    assert resolve_api_url() == resolved


def test_developer_settings_are_the_sandbox_page_on_this_computer():
    assert developer_settings_url("http://127.0.0.1:8765/v2/") == "http://127.0.0.1:8765/settings/developer/"
    assert developer_settings_url(DEFAULT_API_URL) == DEVELOPER_SETTINGS_URL


_ADDRESS_PIECES = st.sampled_from(
    ["https://", "http://", "[", "]", ":", "@", "/", "?", "#", "%", "::1", "127.0.0.1", "localhost", "v2", "65536", " "]
)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), st.lists(st.one_of(_ADDRESS_PIECES, st.text(max_size=3)), max_size=8).map("".join)))
def test_any_typed_address_is_accepted_or_refused_with_a_sentence_never_a_crash(text):
    """Before: "https://[" made urlsplit raise a bare ValueError, which the
    Settings dialog did not catch (issue 9, item 20)."""
    try:
        resolved = resolve_api_url(text or "https://")
    except ApiUrlError as error:
        assert str(error).endswith((".", DEFAULT_API_URL))
    else:
        assert resolved.startswith(("https://", "http://")) and resolved.endswith("/")


@pytest.mark.parametrize(
    "url", ["https://[", "https://[::1", "http://[abc]/v2/", "https://x]/", "https://api\x00.example.org/"]
)
def test_malformed_addresses_get_the_clear_sentence(url):
    with pytest.raises(ApiUrlError, match="must start with https:// and name a server"):
        resolve_api_url(url)
