"""The window's side of the language: Qt's own words, and the system's language where Qt knows it best.

lsdesk's sentences come from its gettext catalogues (lsdesk/core/language.py). Qt's standard dialog buttons
(Yes, No, Cancel, OK) and its context menus come from Qt's own catalogue, qtbase_<language>.qm, shipped with
PySide6; dates and numbers follow QLocale's default, set here to the same language.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QLocale

from lsdesk.core import language

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)


def system_language() -> str | None:
    """The first of the system's preferred languages that lsdesk speaks (Windows' and macOS' own setting)."""
    for tag in QLocale.system().uiLanguages():
        chosen = language.supported(tag)
        if chosen is not None:
            return chosen
    return None


def speak(app: QApplication) -> None:
    """Give Qt the language lsdesk speaks: its locale for dates, its own catalogue for its standard buttons."""
    chosen = language.current()
    if chosen not in language.LANGUAGES or chosen == language.SOURCE_LANGUAGE:
        return  # English, or the pseudo-locale (English underneath): nothing to load, nothing on the way to the window
    from PySide6.QtCore import QLibraryInfo, QTranslator

    QLocale.setDefault(QLocale(chosen))
    translator = QTranslator(app)  # the application keeps it
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(f"qtbase_{chosen}", folder):
        app.installTranslator(translator)
    else:
        log.warning("Qt's own %s catalogue is missing: its standard buttons stay in English", chosen)
