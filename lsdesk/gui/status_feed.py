"""Feeding the worker's results into the profile's status model.

This is the one place where what the worker reports becomes what lsdesk
knows; every view (window, tray, watch) reads the model, never the worker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsdesk.core.outcome import State
from lsdesk.core.status import Action, StatusModel

if TYPE_CHECKING:
    from lsdesk.core.outcome import Outcome
    from lsdesk.core.rotation import RotationResult
    from lsdesk.core.usecases import SaveResult
    from lsdesk.gui.worker import KeyServiceHost


def feed(host: KeyServiceHost, model: StatusModel) -> None:
    """Connect `host`'s signals to `model` (both live on the GUI thread)."""
    host.operation_started.connect(lambda: model.started(host.activity))
    host.operation_finished.connect(model.stopped)
    host.keyring_waiting.connect(model.keyring_waiting)
    host.keyring_answered.connect(model.keyring_answered)
    host.recovered.connect(model.recovered)
    host.checked.connect(model.checked)
    host.lessons_counted.connect(lambda counted: model.checked(counted[0]))  # a lessons count checks the key too

    def saved(result: SaveResult) -> None:
        model.acted(Action.SAVE, result.outcome, succeeded=result.saved)  # another organisation's key: says so

    def rotated(result: RotationResult) -> None:
        if not result.needs_confirmation:
            model.acted(Action.ROTATE, result.outcome, succeeded=result.rotated)

    def forgotten(result: Outcome) -> None:
        if result.state is State.NOT_SET:
            model.forgotten(result)
        else:
            model.acted(Action.FORGET, result, succeeded=False)

    host.saved.connect(saved)
    host.rotated.connect(rotated)
    host.forgotten.connect(forgotten)
