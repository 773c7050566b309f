"""The last known status of a profile's key, kept in QSettings.

Shown at launch while the fresh check runs. Only conclusive answers are
kept (valid, rejected, none saved): a failed connection says nothing new
about the key. Never the key itself; its last four characters at most.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QSettings

from lsdesk.core.outcome import Organisation, Outcome, State

_REMEMBERED = (State.VALID, State.REJECTED, State.NOT_SET)


class StatusMemory:
    def __init__(self, settings: QSettings, profile: str):
        self._settings = settings
        self._group = f"profiles/{profile}/last_status"

    def remember(self, result: Outcome) -> None:
        if result.state not in _REMEMBERED:
            return
        org = result.organisation
        values = {
            "state": result.state.value,
            "title": result.title,
            "key_ending": result.key_ending or "",
            "organisation_id": org.id if org else "",
            "organisation_name": (org.name or "") if org else "",
            "checked_at": result.checked_at.isoformat(),
        }
        self._settings.beginGroup(self._group)
        for name, value in values.items():
            self._settings.setValue(name, value)
        self._settings.endGroup()
        self._settings.sync()

    def recall(self) -> Outcome | None:
        """The remembered status, or None if there is none or it is unreadable."""
        self._settings.beginGroup(self._group)
        try:
            state = State(self._settings.value("state", ""))
            checked_at = datetime.fromisoformat(str(self._settings.value("checked_at", "")))
            org_id = str(self._settings.value("organisation_id", ""))
            org_name = str(self._settings.value("organisation_name", "")) or None
            return Outcome(
                state,
                str(self._settings.value("title", "")),
                "",
                organisation=Organisation(int(org_id), org_name) if org_id.isdigit() else None,
                key_ending=str(self._settings.value("key_ending", "")) or None,
                checked_at=checked_at,
            )
        except ValueError:
            return None
        finally:
            self._settings.endGroup()
