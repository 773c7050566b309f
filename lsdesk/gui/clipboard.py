"""Putting a key on the clipboard for a short while only.

The copy is marked as a secret in the ways clipboard managers and the OS
clipboard history look for (the same marks KeePassXC sets), so those that
honour the hint do not keep it: KDE's Klipper and others read
"x-kde-passwordManagerHint"; Windows' clipboard history, cloud clipboard
and monitors read the three formats Microsoft documents; macOS clipboard
managers read the nspasteboard.org concealed type. It is cleared after
CLEAR_AFTER_MS, and when lsdesk quits, if the clipboard still holds it.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QMimeData, QTimer
from PySide6.QtGui import QClipboard, QGuiApplication

CLEAR_AFTER_MS = 30_000

_DWORD_ZERO = b"\x00\x00\x00\x00"


def _windows_format(name: str) -> str:
    """Qt's name for a native Windows clipboard format."""
    return f'application/x-qt-windows-mime;value="{name}"'


def secret_marks(platform: str = sys.platform) -> dict[str, bytes]:
    """The extra clipboard formats that ask clipboard managers and histories
    not to keep the copy, for `platform` (a sys.platform value)."""
    if platform == "win32":
        # learn.microsoft.com: "Cloud clipboard and clipboard history formats".
        return {
            _windows_format("ExcludeClipboardContentFromMonitorProcessing"): b"\x01\x00\x00\x00",
            _windows_format("CanIncludeInClipboardHistory"): _DWORD_ZERO,
            _windows_format("CanUploadToCloudClipboard"): _DWORD_ZERO,
        }
    if platform == "darwin":
        # nspasteboard.org: Qt maps this mime type to the org.nspasteboard.ConcealedType pasteboard type.
        return {"application/x-nspasteboard-concealed-type": b"secret"}
    return {"x-kde-passwordManagerHint": b"secret"}


def secret_mime_data(text: str, platform: str = sys.platform) -> QMimeData:
    mime = QMimeData()
    mime.setText(text)
    for mime_type, value in secret_marks(platform).items():
        mime.setData(mime_type, value)
    return mime


class _Copied:
    """What lsdesk last put on the clipboard, to clear it only if it is still there."""

    text: str | None = None
    quit_hooked = False


def copy_for_a_while(text: str) -> None:
    """Copy `text` marked as a secret, and clear the clipboard after
    CLEAR_AFTER_MS, or when lsdesk quits, if it still holds that text (the
    user may have copied something else since)."""
    clipboard = QGuiApplication.clipboard()
    # Qt takes ownership of the mime data: a fresh one per clipboard.
    clipboard.setMimeData(secret_mime_data(text), QClipboard.Mode.Clipboard)
    _Copied.text = text
    app = QGuiApplication.instance()
    if not _Copied.quit_hooked:
        app.aboutToQuit.connect(clear_if_still_ours)
        _Copied.quit_hooked = True

    def clear_after_a_while() -> None:
        if clipboard.text() == text:
            clipboard.clear()
            if _Copied.text == text:
                _Copied.text = None

    # Timed on the application, so the clearing happens even if the dialog
    # that copied is long closed.
    QTimer.singleShot(CLEAR_AFTER_MS, app, clear_after_a_while)


def clear_if_still_ours() -> None:
    """Clear the clipboard if it still holds what lsdesk copied (run when lsdesk quits)."""
    copied, _Copied.text = _Copied.text, None
    if copied is None:
        return
    clipboard = QGuiApplication.clipboard()
    if clipboard.text() == copied:
        clipboard.clear()
