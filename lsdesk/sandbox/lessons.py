"""The sandbox's lessons: Lessonspace's sessions endpoint, as far as its public reference describes it.

`GET /v2/organisations/{id}/sessions/` lists an organisation's sessions, paginated
as Django REST Framework does (`count`, `next`, `previous`, `results`), with the
filters `start_time_after` and `include_single_user` (a session with one person
is left out unless it is set) and `page`. A session exists once someone joins a
Space; here, once `Lessons.start` is called (the developer page's "Start a
lesson with this key" does).
"""

from __future__ import annotations

import re
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlencode

SESSIONS_PATH = re.compile(r"/v2/organisations/(?P<organisation>\d+)/sessions/")
PAGE_SIZE = 10
# Lessonspace's reference: "usually 5 requests per second" for this endpoint, per key.
SESSIONS_PER_SECOND = 5


@dataclass(frozen=True)
class _Session:
    id: str
    organisation_id: int
    start_time: datetime
    participants: int

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "start_time": self.start_time.isoformat(), "participants": self.participants}


class QueryError(ValueError):
    """A filter value Lessonspace would refuse; the message is DRF's field error."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class Lessons:
    """Every organisation's sessions; safe to use from the server's threads and a test's."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: list[_Session] = []

    def start(self, organisation_id: int, participants: int = 2, at: datetime | None = None) -> None:
        with self._lock:
            self._sessions.append(
                _Session(str(uuid.uuid4()), organisation_id, at or datetime.now(UTC), max(1, participants))
            )

    def clear(self) -> None:
        with self._lock:
            self._sessions.clear()

    def page(self, organisation_id: int, query: str, page_url: str) -> dict[str, Any]:
        """One page of the organisation's sessions for `query` (the request's query string), newest first."""
        options = parse_qs(query)
        after = _time(options, "start_time_after")
        single = options.get("include_single_user", ["false"])[-1].lower() in ("true", "1")
        try:
            number = int(options.get("page", ["1"])[-1])
        except ValueError:
            raise QueryError("page", "Invalid page.") from None
        with self._lock:
            found = [
                session
                for session in self._sessions
                if session.organisation_id == organisation_id
                and (after is None or session.start_time > after)
                and (single or session.participants >= 2)
            ]
        found.sort(key=lambda session: session.start_time, reverse=True)
        pages = max(1, -(-len(found) // PAGE_SIZE))
        if not 1 <= number <= pages:
            raise QueryError("page", "Invalid page.")
        shown = found[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]

        def link(to: int) -> str | None:
            if not 1 <= to <= pages:
                return None
            kept = {name: values[-1] for name, values in options.items() if name != "page"}
            return f"{page_url}?{urlencode({**kept, 'page': to})}"

        return {
            "count": len(found),
            "next": link(number + 1),
            "previous": link(number - 1),
            "results": [session.as_json() for session in shown],
        }


def _time(options: dict[str, list[str]], name: str) -> datetime | None:
    if name not in options:
        return None
    raw = options[name][-1]
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise QueryError(name, "Enter a valid date/time.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
