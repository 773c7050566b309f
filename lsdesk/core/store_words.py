"""The credential store in the operating system's own words: what it is called, how to unlock it, why it is missing.

Every sentence lsdesk says about the store reads these, so the window, the
command line and the history use one vocabulary on each system.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class StoreWords:
    name: str
    """The store, as the system calls it: "Windows Credential Manager"."""
    short: str
    """The store in a headline or after "your": "Your keyring is locked"."""
    unlock: str
    """How to unlock it, or get lsdesk to ask for its password."""
    missing: str
    """Why no secure storage could be used, in terms the admin can act on."""

    def locked_title(self) -> str:
        return f"Your {self.short} is locked"


LINUX = StoreWords(
    name="your desktop's keyring (GNOME Keyring or KDE Wallet)",
    short="keyring",
    unlock=(
        'Unlock "Login" in Passwords and Keys (on KDE Plasma: in KDE Wallet Manager), '
        "or try again to be asked for your password."
    ),
    missing=(
        "No keyring service is running in this desktop session. Install GNOME Keyring, or on KDE Plasma turn on "
        "KDE Wallet (System Settings > KDE Wallet), then sign out, sign back in and try again."
    ),
)
MACOS = StoreWords(
    name="your macOS Keychain",
    short="Keychain",
    unlock='Unlock the "login" keychain in Keychain Access, or try again to be asked for your password.',
    missing="macOS did not let lsdesk use your Keychain. Restart your Mac, then try again.",
)
WINDOWS = StoreWords(
    name="Windows Credential Manager",
    short="Credential Manager",
    unlock="Sign out of Windows and back in, then try again.",
    missing="Windows Credential Manager could not be used. Sign out of Windows and back in, then try again.",
)


def store_words(platform: str = sys.platform) -> StoreWords:
    """The words for `platform` (a sys.platform value); Linux's for the other Unix desktops too."""
    if platform.startswith("win"):
        return WINDOWS
    if platform == "darwin":
        return MACOS
    return LINUX


WORDS = store_words()
