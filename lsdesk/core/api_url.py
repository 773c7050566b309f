"""Where the Lessonspace API lives, and which overrides are safe.

The key travels in a header on every request, so it must only ever go over
TLS, except to this very computer (the sandbox, or a test server).
"""

from __future__ import annotations

import ipaddress
import os
import re
from urllib.parse import urlsplit, urlunsplit

from lsdesk.core.language import _

DEFAULT_API_URL = "https://api.thelessonspace.com/v2/"
DEVELOPER_SETTINGS_URL = "https://www.thelessonspace.com/settings/developer"
API_URL_ENV = "LSDESK_API_URL"


# Translators: {example} is Lessonspace's API address, https://api.thelessonspace.com/v2/.
MALFORMED = _("The API address must start with https:// and name a server, like {example}").format(
    example=DEFAULT_API_URL
)


# A scheme such as "ftp:" or "http:", but not a host and port such as "localhost:8080".
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:(?![0-9])")


class ApiUrlError(ValueError):
    """An API address lsdesk refuses to send a key to. The message is for the user."""


def _is_plain_text(raw: str) -> bool:
    """No control characters (a NUL or line break would reach the HTTP request line)."""
    return not any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in raw.strip())


def is_loopback_host(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


FROM_SETTINGS = _(
    # Translators: "Settings" is lsdesk's own Settings dialog.
    "This is the API address saved in lsdesk's Settings: change it there, or empty it to use Lessonspace."
)


def resolve_api_url(override: str | None = None, *, preferred: str | None = None) -> str:
    """The API root to use: `override` (--api-url), else $LSDESK_API_URL, else `preferred`
    (the address saved in Settings), else Lessonspace.

    An address typed without a scheme ("api.thelessonspace.com") gets
    https://, even for this computer ("127.0.0.1:8765" too): plain http://
    is never guessed, only ever typed. Returns the root with exactly one
    trailing slash; raises ApiUrlError for an address that is malformed or
    would send the key in clear text.
    """
    chosen = override or os.environ.get(API_URL_ENV)
    if not chosen and preferred and preferred.strip():
        try:
            return _api_root(preferred)
        except ApiUrlError as error:
            raise ApiUrlError(f"{error} {FROM_SETTINGS}") from None
    return _api_root(chosen or DEFAULT_API_URL)


def _api_root(address: str) -> str:
    raw = address.strip()
    if raw and not _SCHEME.match(raw):
        raw = "https://" + raw
    try:
        # urlsplit raises ValueError itself for some malformed addresses ("https://[").
        parts = urlsplit(raw)
        host = parts.hostname or ""
    except ValueError:
        raise ApiUrlError(MALFORMED) from None
    if parts.scheme not in ("https", "http") or not host or not _is_plain_text(raw):
        raise ApiUrlError(MALFORMED)
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ApiUrlError(_("The API address must not contain a user name, password, query or #fragment."))
    if parts.scheme == "http" and not is_loopback_host(host):
        raise ApiUrlError(
            _("lsdesk only sends your key over a secure https:// connection. Use an https:// API address.")
        )
    try:
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        raise ApiUrlError(_("The API address has an invalid port number.")) from None
    path = parts.path.rstrip("/") + "/"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def developer_settings_url(api_url: str) -> str:
    """The page where new keys are generated: the sandbox's own page for a
    server on this computer, Lessonspace's dashboard otherwise."""
    parts = urlsplit(api_url)
    if is_loopback_host(parts.hostname or ""):
        return urlunsplit((parts.scheme, parts.netloc, "/settings/developer/", "", ""))
    return DEVELOPER_SETTINGS_URL
