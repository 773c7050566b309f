"""What a check or a save ends in: one state, with words for people.

Every operation in lsdesk ends in exactly one `State`. The window draws its
badge from it, the command line picks its exit code and JSON from it. The
`title` and `message` are what a tutoring-company admin reads: a headline and
one plain sentence that says what to do next. Technical detail goes to the
log, never here, and the API key never appears in any of it.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from lsdesk.core.language import _


class State(enum.Enum):
    VALID = "valid"
    REJECTED = "rejected"
    RATE_LIMITED = "rate_limited"
    SERVER_ERROR = "server_error"
    OFFLINE = "offline"
    UNEXPECTED = "unexpected"
    NOT_SET = "not_set"
    NO_STORAGE = "no_storage"
    BAD_INPUT = "bad_input"
    UNFINISHED = "unfinished"  # a problem on this computer or in lsdesk: the key's validity is unknown

    @property
    def exit_code(self) -> int:
        """The command line's exit code for this state (see the README)."""
        return _EXIT_CODES[self]

    @property
    def is_network_problem(self) -> bool:
        """True when the key's validity is unknown because Lessonspace could not answer."""
        return self in _NETWORK_PROBLEMS


_EXIT_CODES = {
    State.VALID: 0,
    State.REJECTED: 1,
    State.BAD_INPUT: 2,
    State.NOT_SET: 3,
    State.NO_STORAGE: 3,
    State.OFFLINE: 4,
    State.RATE_LIMITED: 4,
    State.SERVER_ERROR: 4,
    State.UNEXPECTED: 4,
    State.UNFINISHED: 5,
}

# The command line's exit codes and what each means: the one table that
# `lsdesk --help` prints and the README's table is tested against.
EXIT_INTERRUPTED = 130
EXIT_CODE_MEANINGS = {
    # Translators: what an exit code of the command line means, under "exit codes:" in `lsdesk --help`.
    0: _("the key is valid / done"),
    # Translators: "rotate" is the command's name and stays as written.
    1: _("Lessonspace rejected the key (rotate: the new key, or the saved key is no longer valid)"),
    # Translators: "save" and "rotate" are commands, --allow-other-organisation an option: they stay as written.
    2: _("bad input or usage (save, rotate: also a key for another organisation without --allow-other-organisation)"),
    3: _("no key saved, or no secure storage on this computer (locked, or no answer in time)"),
    4: _("offline, rate limited, server error or unexpected reply"),
    5: _("lsdesk could not finish (a problem on this computer or in lsdesk): the key's validity is unknown"),
    EXIT_INTERRUPTED: _("stopped with Ctrl-C"),
}
assert set(_EXIT_CODES.values()) <= EXIT_CODE_MEANINGS.keys()


_NETWORK_PROBLEMS = frozenset({State.OFFLINE, State.RATE_LIMITED, State.SERVER_ERROR, State.UNEXPECTED})


@dataclass(frozen=True)
class Organisation:
    """The Lessonspace organisation a key belongs to."""

    id: int
    name: str | None = None

    def describe(self) -> str:
        if self.name:
            # Translators: an organisation, as Lessonspace names it, and its number there: "Northside Tutors (id 42)".
            return _("{name} (id {id})").format(name=self.name, id=self.id)
        # Translators: an organisation whose name is not known, by its number in Lessonspace.
        return _("Organisation id {id}").format(id=self.id)

    def to_json(self) -> dict:
        return {"id": self.id, "name": self.name}


@dataclass(frozen=True)
class Outcome:
    """The result of one operation, ready to show.

    `title` is the badge headline, `message` one sentence saying what to do.
    `key_ending` is at most the last four characters of the key involved.
    """

    state: State
    title: str
    message: str
    organisation: Organisation | None = None
    key_ending: str | None = None
    retry_after: float | None = None
    checked_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    key_saved_at: datetime | None = None
    """When the saved key this is about was saved or rotated to; None when unknown or not a saved key."""

    def with_key_ending(self, key_ending: str | None) -> Outcome:
        return replace(self, key_ending=key_ending)

    def to_json(self) -> dict:
        """The command line's JSON object (one line of stdout)."""
        return {
            "state": self.state.value,
            "organisation": self.organisation.to_json() if self.organisation else None,
            "key_ending": self.key_ending,
            "detail": self.message,
            # Whole seconds to wait before asking again; null when unknown or not rate limited.
            "retry_after": math.ceil(self.retry_after) if self.retry_after else None,
            "key_saved_at": self.key_saved_at.isoformat() if self.key_saved_at else None,
            "key_age_days": (datetime.now(UTC) - self.key_saved_at).days if self.key_saved_at else None,
        }


# Headlines for each state, as the badge shows them. A few failures (a locked
# keychain, say) use their own headline; these are the defaults.
TITLES = {
    State.VALID: _("Valid API key (no changes required)"),
    State.REJECTED: _("Invalid API key (new API key required)"),
    State.RATE_LIMITED: _("Lessonspace is busy, try again shortly"),
    State.SERVER_ERROR: _("Lessonspace had a problem"),
    State.OFFLINE: _("Can't reach Lessonspace"),
    State.UNEXPECTED: _("Unexpected reply from Lessonspace"),
    State.NOT_SET: _("No API key saved"),
    State.NO_STORAGE: _("No secure storage on this computer"),
    State.BAD_INPUT: _("That doesn't look like an API key"),
    State.UNFINISHED: _("lsdesk could not finish"),
}


# Which of several profiles' states the command line reports for all of them: the first that occurs.
WORST_FIRST = (
    State.REJECTED,
    State.NO_STORAGE,
    State.UNFINISHED,
    State.OFFLINE,
    State.SERVER_ERROR,
    State.UNEXPECTED,
    State.RATE_LIMITED,
    State.NOT_SET,
    State.BAD_INPUT,
    State.VALID,
)
assert set(WORST_FIRST) == set(State)


def outcome(state: State, message: str, **details) -> Outcome:
    """An Outcome with the state's usual headline."""
    return Outcome(state, details.pop("title", TITLES[state]), message, **details)
