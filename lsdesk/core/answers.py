"""What an answer to a check means: each reply, and each way of getting none, becomes one Outcome.

Kept apart from the HTTP transport (lsdesk/core/client.py) so the rules can be
read in one place. The rule that matters most: only Lessonspace's own refusal
calls a key invalid. Lessonspace is built with Django REST Framework, which
refuses with a 401 or 403 and a JSON body `{"detail": "..."}`; a 401 or 403
with anything else (a web filter's HTML block page, an empty body, a proxy's
answer, a body cut off or compressed) came from something in between, and
says so instead.
"""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from lsdesk.core.language import _, ngettext
from lsdesk.core.outcome import Organisation, Outcome, State, outcome

if TYPE_CHECKING:
    import httpx

# httpx, ssl and email.utils are imported where a reply is read, with the first request: the window imports this
# module (through the use cases) before it is drawn, and they would cost its first paint about 45 ms.

log = logging.getLogger(__name__)

MAX_DETAIL_CHARS = 200
MAX_ADDRESS_CHARS = 120
# A Retry-After longer than this is treated as this: nobody waits an hour.
MAX_RETRY_AFTER = 300.0

RETRY_SOON = _("Wait a minute, then try again.")
NO_ACCESS_TITLE = _("API access refused (check your plan)")
NO_ACCESS_ADVICE = _(
    "If your organisation's Lessonspace plan no longer includes API access, a new key will not help:"
    " check the plan, or ask Lessonspace's support. Otherwise paste a new API key from Lessonspace and save it."
)
# Translators: stands in for an API key wherever a server's text quoted it.
REDACTED = _("[API key]")


@dataclass(frozen=True)
class Reply:
    """A response, read up to the client's body cap.

    `truncated` is True for a body cut at the cap or sent compressed (never
    unpacked); `url` is the address asked, to resolve a relative Location.
    """

    status: int
    headers: httpx.Headers
    body: bytes
    truncated: bool
    url: str = ""

    def json(self) -> object | None:
        if self.truncated:
            return None
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: deep nesting
            return None


def classify_hello(reply: Reply) -> Outcome:
    """The state of a key, from hello/'s answer."""
    if 200 <= reply.status < 300:
        body = reply.json()
        if isinstance(body, dict) and isinstance(body.get("response"), str):
            return outcome(State.VALID, _("Lessonspace accepted this key."))
        log.warning("hello/ answered %s with a body of the wrong shape", reply.status)
        return not_lessonspace()
    return classify_error(reply)


def classify_organisation(reply: Reply) -> Organisation | None:
    """The key's organisation, from my-organisation/'s answer; None when it can't be told."""
    body = reply.json()
    if not (200 <= reply.status < 300 and isinstance(body, dict)):
        log.info("my-organisation/ answered %s; organisation unknown", reply.status)
        return None
    org_id, name = body.get("id"), body.get("name")
    if not isinstance(org_id, int) or isinstance(org_id, bool):
        log.warning("my-organisation/ answered without a numeric id")
        return None
    return Organisation(org_id, clean_text(name) if isinstance(name, str) else None)


def classify_error(reply: Reply) -> Outcome:
    status = reply.status
    if status in (401, 403):
        detail = lessonspace_detail(reply)
        if detail is None:
            log.warning("a %s came without Lessonspace's JSON body; not a refusal of the key", status)
            return filtered(status)
        said = lessonspace_says(detail)
        if status == 403:
            # Lessonspace knew the key and refused it this access: a permission or plan problem.
            return outcome(
                State.REJECTED,
                _sentences(_("Lessonspace refused this key access."), said, NO_ACCESS_ADVICE),
                title=NO_ACCESS_TITLE,
            )
        return outcome(
            State.REJECTED,
            _sentences(
                _("Lessonspace did not accept this key."), said, _("Paste a new API key from Lessonspace and save it.")
            ),
        )
    if status == 429:
        return rate_limited(retry_after_seconds(reply.headers.get("Retry-After")))
    if 500 <= status < 600:
        return outcome(
            State.SERVER_ERROR,
            # Translators: {status} is the HTTP status code, such as 503.
            _sentences(_("Lessonspace had a problem answering (error {status}).").format(status=status), RETRY_SOON),
        )
    if 300 <= status < 400:
        log.warning("the API answered with a redirect (%s); not followed", status)
        return redirected(_redirect_target(reply))
    if status == 404:
        log.warning("the API answered 404: nothing at this address")
        return wrong_address()
    log.warning("the API answered with an unexpected status %s", status)
    return not_lessonspace()


LESSONS_UNREADABLE = _("Lessonspace's answer about lessons was not what lsdesk expected.")
LESSONS_REFUSED = _("Lessonspace did not let this key read the organisation's lessons (perhaps not in its plan).")


def count_of_sessions(reply: Reply) -> int | Outcome:
    """How many sessions the sessions endpoint counted, or an Outcome saying why it can't be told.

    Only `count` is read: the reference documents it, and nothing about the results' fields.
    """
    if 200 <= reply.status < 300:
        body = reply.json()
        if body is None:  # not JSON at all: a sign-in page or a proxy's, as for a check
            log.warning("the sessions endpoint answered %s with something other than JSON", reply.status)
            return not_lessonspace()
        count = body.get("count") if isinstance(body, dict) else None
        if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
            return count
        log.warning("the sessions endpoint answered %s without a count", reply.status)
        return outcome(State.UNEXPECTED, LESSONS_UNREADABLE)
    if reply.status == 403 and lessonspace_detail(reply) is not None:
        said = lessonspace_detail(reply)
        return outcome(State.UNEXPECTED, _sentences(LESSONS_REFUSED, lessonspace_says(said)))
    return classify_error(reply)


def lessonspace_detail(reply: Reply) -> str | None:
    """The `detail` of Lessonspace's own JSON error body ("" when it is blank); None for any other body."""
    body = reply.json()
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        return clean_text(body["detail"])[:MAX_DETAIL_CHARS]
    return None


def lessonspace_says(detail: str | None) -> str:
    """The sentence quoting Lessonspace's own words about a refusal; "" when it gave none."""
    # Translators: {detail} is Lessonspace's own explanation, in English as it sent it.
    return _('Lessonspace says: "{detail}"').format(detail=detail) if detail else ""


def _sentences(*sentences: str) -> str:
    """Whole sentences one after another, the empty ones left out."""
    return " ".join(sentence for sentence in sentences if sentence)


def filtered(status: int) -> Outcome:
    return outcome(
        State.UNEXPECTED,
        _(
            # Translators: {status} is the HTTP status code, 401 or 403.
            "Something between this computer and Lessonspace refused the check (error {status}), most likely a "
            "company web filter or proxy, so your key may still work: ask your IT team to allow "
            "api.thelessonspace.com, then try again."
        ).format(status=status),
    )


def wrong_address() -> Outcome:
    return outcome(
        State.UNEXPECTED,
        _(
            # Translators: "Settings" is lsdesk's own Settings dialog; --api-url is an option and stays as written.
            "Nothing answers at this API address (error 404): check the API address in Settings, "
            "or the --api-url option, then try again."
        ),
    )


def redirected(target: str | None = None) -> Outcome:
    if target:
        answered = _(
            # Translators: {address} is the web address the redirect pointed to.
            "Lessonspace answered with a redirect to {address}, which lsdesk never follows, to keep your key safe."
        ).format(address=target)
    else:
        answered = _("Lessonspace answered with a redirect, which lsdesk never follows, to keep your key safe.")
    return outcome(
        State.UNEXPECTED,
        _sentences(answered, _("If you set your own API address, check it; otherwise try again later.")),
    )


def not_lessonspace() -> Outcome:
    return outcome(
        State.UNEXPECTED,
        _(
            "Something other than Lessonspace answered, such as a Wi-Fi sign-in page or a company proxy. "
            "Check that you can open websites, then try again."
        ),
    )


def rate_limited(seconds: float | None) -> Outcome:
    if seconds:
        count = max(1, round(seconds))
        message = ngettext(
            "Lessonspace is handling too many requests right now. Wait {count} second, then try again.",
            "Lessonspace is handling too many requests right now. Wait {count} seconds, then try again.",
            count,
        ).format(count=count)
    else:
        message = _("Lessonspace is handling too many requests right now. Wait a few seconds, then try again.")
    return outcome(State.RATE_LIMITED, message, retry_after=seconds)


def too_slow(deadline: float) -> Outcome:
    count = max(1, round(deadline))
    return outcome(
        State.OFFLINE,
        ngettext(
            "Lessonspace's answer was still arriving after {count} second, so lsdesk stopped waiting: "
            "check your internet connection, then try again.",
            "Lessonspace's answer was still arriving after {count} seconds, so lsdesk stopped waiting: "
            "check your internet connection, then try again.",
            count,
        ).format(count=count),
    )


def network_failure(error: httpx.HTTPError, proxy: str | None = None) -> Outcome:
    import httpx

    check_connection = _("Check your internet connection, then try again.")
    if isinstance(error, httpx.ProxyError):
        if proxy:
            # Translators: {proxy} is the proxy server's address, such as proxy.example.com:8080.
            failed = _("lsdesk couldn't get through your proxy server ({proxy}) to Lessonspace.").format(proxy=proxy)
        else:
            failed = _("lsdesk couldn't get through your proxy server to Lessonspace.")
        advice = _("Check the proxy settings, or ask your IT team to allow api.thelessonspace.com.")
    elif _caused_by_tls(error):
        if proxy:
            # Translators: {proxy} is the proxy server's address, such as proxy.example.com:8080.
            failed = _("lsdesk couldn't make a secure connection to Lessonspace through your proxy server ({proxy}).")
            failed = failed.format(proxy=proxy)
        else:
            failed = _("lsdesk couldn't make a secure connection to Lessonspace.")
        advice = _(
            "This usually means a company proxy or firewall is in the way: ask your IT team to allow "
            "api.thelessonspace.com, or to install the company's certificate on this computer."
        )
    elif proxy and isinstance(error, httpx.ConnectError):
        # Translators: {proxy} is the proxy server's address, such as proxy.example.com:8080.
        failed = _("lsdesk couldn't reach the proxy server set on this computer ({proxy}).").format(proxy=proxy)
        advice = _("Check the proxy settings and your internet connection, or ask your IT team.")
    elif isinstance(error, httpx.TimeoutException):
        if proxy:
            # Translators: {proxy} is the proxy server's address, such as proxy.example.com:8080.
            failed = _("Lessonspace didn't answer in time through your proxy server ({proxy}).").format(proxy=proxy)
        else:
            failed = _("Lessonspace didn't answer in time.")
        advice = check_connection
    elif isinstance(error, httpx.ConnectError):
        failed, advice = _("lsdesk couldn't connect to Lessonspace."), check_connection
    elif isinstance(error, httpx.DecodingError):
        return not_lessonspace()
    else:
        if proxy:
            # Translators: {proxy} is the proxy server's address, such as proxy.example.com:8080.
            failed = _("The connection to Lessonspace through your proxy server ({proxy}) broke off.").format(
                proxy=proxy
            )
        else:
            failed = _("The connection to Lessonspace broke off.")
        advice = check_connection
    return outcome(State.OFFLINE, _sentences(failed, advice))


def _caused_by_tls(error: BaseException) -> bool:
    import ssl

    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ssl.SSLError) or "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _redirect_target(reply: Reply) -> str | None:
    """Where a redirect pointed, as scheme://host/path: no query, fragment or user name,
    which could carry a key or a password."""
    import httpx

    location = reply.headers.get("Location")
    if not location:
        return None
    try:
        url = httpx.URL(reply.url).join(location.strip()) if reply.url else httpx.URL(location.strip())
        parts = urlsplit(str(url))
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except (httpx.InvalidURL, ValueError):
        return None
    if not parts.scheme or not host:
        return None
    host = f"[{host}]" if ":" in host else host
    shown = clean_text(f"{parts.scheme}://{host}{port}{parts.path}")
    return shown if len(shown) <= MAX_ADDRESS_CHARS else shown[: MAX_ADDRESS_CHARS - 3] + "..."


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After is either whole seconds or an HTTP date; anything else is ignored."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # "²" is a digit to isdigit(), not to float()
        seconds = float(value)
    else:
        import email.utils

        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when is None or when.tzinfo is None:
            return None
        seconds = when.timestamp() - time.time()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER) or None


def clean_text(text: str) -> str:
    """Server text made safe to show: printable characters, single spaces."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def redact(text: str, key: str) -> str:
    """`text` without `key`, in any letter case: a server may echo the key back anywhere."""
    return re.sub(re.escape(key), REDACTED, text, flags=re.IGNORECASE) if key else text


def redacted(result: Outcome, key: str) -> Outcome:
    """`result` with `key` taken out of every text a server could have put it in."""
    organisation = result.organisation
    if organisation is not None and organisation.name:
        organisation = replace(organisation, name=redact(organisation.name, key))
    return replace(
        result, title=redact(result.title, key), message=redact(result.message, key), organisation=organisation
    )
