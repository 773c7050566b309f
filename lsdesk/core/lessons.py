"""Proof that lessons launch: how many lessons have started since a moment (the key's saving, say).

Read-only: Lessonspace's sessions endpoint is asked once per question, and
whatever goes wrong (rate limited, a plan without that endpoint, an answer of
the wrong shape, no connection) ends in "couldn't tell", never in a state of
the key. Only the endpoint's `count` is read: its results' fields are not
documented.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from lsdesk.core.language import _, ngettext
from lsdesk.core.moments import when
from lsdesk.core.outcome import Outcome


@dataclass(frozen=True)
class LessonsSince:
    """`count` lessons have started since `since`; None when Lessonspace could not say, and `problem` says why."""

    since: datetime
    count: int | None
    problem: Outcome | None = None
    checked_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def told(self) -> bool:
        return self.count is not None

    def sentence(self) -> str:
        since = when(self.since)
        if self.count is None:
            reason = self.problem.message if self.problem else ""
            # Translators: {when} is a date and time, such as "01 Dec 2026, 09:00".
            unknown = _("lsdesk couldn't tell whether lessons have started since {when}.").format(when=since)
            return f"{unknown} {reason}".strip()
        if self.count == 0:
            return _(
                # Translators: {when} is a date and time, such as "01 Dec 2026, 09:00".
                "No lessons have started since {when}. If lessons were planned since then, check that every place "
                "that uses the key has the one saved here."
            ).format(when=since)
        return ngettext(
            # Translators: {when} is a date and time, such as "01 Dec 2026, 09:00".
            "{count} lesson has started since {when}. If the old key no longer works, it was launched with the "
            "new one.",
            "{count} lessons have started since {when}. If the old key no longer works, they were launched with the "
            "new one.",
            self.count,
        ).format(count=self.count, when=since)

    def to_json(self) -> dict:
        return {
            "lessons_since": self.count,
            "since": self.since.isoformat(),
            "checked_at": self.checked_at.isoformat(),
        }
