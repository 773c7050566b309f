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

RETRY_SOON = "Wait a minute, then try again."
NO_ACCESS_TITLE = "API access refused (check your plan)"
NO_ACCESS_ADVICE = (
    " If your organisation's Lessonspace plan no longer includes API access, a new key will not help:"
    " check the plan, or ask Lessonspace's support. Otherwise paste a new API key from Lessonspace and save it."
)
REDACTED = "[API key]"


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
            return outcome(State.VALID, "Lessonspace accepted this key.")
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
        said = f' Lessonspace says: "{detail}"' if detail else ""
        if status == 403:
            # Lessonspace knew the key and refused it this access: a permission or plan problem.
            return outcome(
                State.REJECTED, "Lessonspace refused this key access." + said + NO_ACCESS_ADVICE, title=NO_ACCESS_TITLE
            )
        return outcome(
            State.REJECTED,
            "Lessonspace did not accept this key." + said + " Paste a new API key from Lessonspace and save it.",
        )
    if status == 429:
        return rate_limited(retry_after_seconds(reply.headers.get("Retry-After")))
    if 500 <= status < 600:
        return outcome(
            State.SERVER_ERROR,
            f"Lessonspace had a problem answering (error {status}). " + RETRY_SOON,
        )
    if 300 <= status < 400:
        log.warning("the API answered with a redirect (%s); not followed", status)
        return redirected(_redirect_target(reply))
    if status == 404:
        log.warning("the API answered 404: nothing at this address")
        return wrong_address()
    log.warning("the API answered with an unexpected status %s", status)
    return not_lessonspace()


LESSONS_UNREADABLE = "Lessonspace's answer about lessons was not what lsdesk expected."
LESSONS_REFUSED = "Lessonspace did not let this key read the organisation's lessons (perhaps not in its plan)."


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
        return outcome(State.UNEXPECTED, LESSONS_REFUSED + (f' Lessonspace says: "{said}"' if said else ""))
    return classify_error(reply)


def lessonspace_detail(reply: Reply) -> str | None:
    """The `detail` of Lessonspace's own JSON error body ("" when it is blank); None for any other body."""
    body = reply.json()
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        return clean_text(body["detail"])[:MAX_DETAIL_CHARS]
    return None


def filtered(status: int) -> Outcome:
    return outcome(
        State.UNEXPECTED,
        f"Something between this computer and Lessonspace refused the check (error {status}), most likely a "
        "company web filter or proxy, so your key may still work: ask your IT team to allow "
        "api.thelessonspace.com, then try again.",
    )


def wrong_address() -> Outcome:
    return outcome(
        State.UNEXPECTED,
        "Nothing answers at this API address (error 404): check the API address in Settings, "
        "or the --api-url option, then try again.",
    )


def redirected(target: str | None = None) -> Outcome:
    to = f" to {target}" if target else ""
    return outcome(
        State.UNEXPECTED,
        f"Lessonspace answered with a redirect{to}, which lsdesk never follows, to keep your key safe. "
        "If you set your own API address, check it; otherwise try again later.",
    )


def not_lessonspace() -> Outcome:
    return outcome(
        State.UNEXPECTED,
        "Something other than Lessonspace answered, such as a Wi-Fi sign-in page or a company proxy. "
        "Check that you can open websites, then try again.",
    )


def rate_limited(seconds: float | None) -> Outcome:
    wait = f"Wait {max(1, round(seconds))} seconds" if seconds else "Wait a few seconds"
    return outcome(
        State.RATE_LIMITED,
        f"Lessonspace is handling too many requests right now. {wait}, then try again.",
        retry_after=seconds,
    )


def too_slow(deadline: float) -> Outcome:
    return outcome(
        State.OFFLINE,
        f"Lessonspace's answer was still arriving after {max(1, round(deadline))} seconds, so lsdesk stopped "
        "waiting: check your internet connection, then try again.",
    )


def network_failure(error: httpx.HTTPError, proxy: str | None = None) -> Outcome:
    import httpx

    named = f" ({proxy})" if proxy else ""
    through = f" through your proxy server{named}" if proxy else ""
    if isinstance(error, httpx.ProxyError):
        message = (
            f"lsdesk couldn't get through your proxy server{named} to Lessonspace. "
            "Check the proxy settings, or ask your IT team to allow api.thelessonspace.com."
        )
    elif _caused_by_tls(error):
        message = (
            f"lsdesk couldn't make a secure connection to Lessonspace{through}. This usually means a company "
            "proxy or firewall is in the way: ask your IT team to allow api.thelessonspace.com, or to install "
            "the company's certificate on this computer."
        )
    elif proxy and isinstance(error, httpx.ConnectError):
        message = (
            f"lsdesk couldn't reach the proxy server set on this computer ({proxy}). "
            "Check the proxy settings and your internet connection, or ask your IT team."
        )
    elif isinstance(error, httpx.TimeoutException):
        message = f"Lessonspace didn't answer in time{through}. Check your internet connection, then try again."
    elif isinstance(error, httpx.ConnectError):
        message = "lsdesk couldn't connect to Lessonspace. Check your internet connection, then try again."
    elif isinstance(error, httpx.DecodingError):
        return not_lessonspace()
    else:
        message = f"The connection to Lessonspace{through} broke off. Check your internet connection, then try again."
    return outcome(State.OFFLINE, message)


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
