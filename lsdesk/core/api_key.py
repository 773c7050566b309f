"""The one rule for what counts as a Lessonspace API key.

Lessonspace keys are UUID-shaped (36 characters, 8-4-4-4-12 hex digits) and
Lessonspace's own plugin refuses anything else before sending it; so do we.
The window's field, the command line and the rotation dialog all call
`parse_api_key`, so the rule lives here and nowhere else.
"""

from __future__ import annotations

import re
import unicodedata

from lsdesk.core.language import _

_UUID_SHAPE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
# Admins sometimes copy the whole header value from documentation.
_HEADER_PREFIX = re.compile(r"organisation(\s+|$)", re.IGNORECASE)
MAX_INPUT_LENGTH = 4096
KEY_SHAPE_EXAMPLE = "1a2b3c4d-0000-1111-2222-333344445555"


class ApiKeyInputError(ValueError):
    """Input that is not an API key. Its message is a sentence for the user
    and never repeats the input."""


def parse_api_key(raw: str) -> str:
    """Return the key in `raw`, or raise ApiKeyInputError saying what to fix.

    Surrounding whitespace and an accidentally pasted "Organisation " prefix
    are dropped; everything else must already be a UUID-shaped key.
    """
    if len(raw) > MAX_INPUT_LENGTH:
        raise ApiKeyInputError(
            _("That is far too long to be an API key. Copy just the key from Lessonspace and paste it again.")
        )
    text = raw.strip()
    text = _HEADER_PREFIX.sub("", text, count=1)
    if not text:
        raise ApiKeyInputError(_("Paste your API key first."))
    if any(ch.isspace() for ch in text):
        raise ApiKeyInputError(
            _("The key contains spaces or line breaks. Copy it again from Lessonspace without them.")
        )
    if any(unicodedata.category(ch).startswith("C") for ch in text):
        raise ApiKeyInputError(
            _("The key contains hidden characters. Copy it again from Lessonspace and paste it here.")
        )
    if not _UUID_SHAPE.fullmatch(text):
        raise ApiKeyInputError(
            # Translators: {example} is an example of a key's shape, 1a2b3c4d-0000-1111-2222-333344445555.
            _("That doesn't look like a Lessonspace API key. A key has 36 characters, like {example}.").format(
                example=KEY_SHAPE_EXAMPLE
            )
        )
    return text


def key_ending(key: str | None) -> str | None:
    """The last four characters of a key: all of it that may ever be shown."""
    return key[-4:] if key else None
