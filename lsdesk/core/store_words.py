"""The credential store in the operating system's own words: what it is called, how to unlock it, why it is missing.

Every sentence lsdesk says about the store reads these, so the window, the
command line and the history use one vocabulary on each system.
"""

from __future__ import annotations

import sys
from typing import NamedTuple

from lsdesk.core.language import _


class StoreWords(NamedTuple):  # not a dataclass: the window's first frame reads these, and dataclasses costs it 3 ms
    name: str
    """The store, as the system calls it: "Windows Credential Manager"."""
    short: str
    """The store in a headline or after "your": "Your keyring is locked"."""
    unlock: str
    """How to unlock it, or get lsdesk to ask for its password."""
    missing: str
    """Why no secure storage could be used, in terms the admin can act on."""

    def locked_title(self) -> str:
        # Translators: {store} is the credential store's short name: "keyring" (Linux), "Keychain" (macOS) or
        # "Credential Manager" (Windows).
        return _("Your {store} is locked").format(store=self.short)


LINUX = StoreWords(
    # Translators: where lsdesk keeps the key on Linux, after "Saved in": the desktop's keyring.
    name=_("your desktop's keyring (GNOME Keyring or KDE Wallet)"),
    # Translators: the Linux credential store in a headline or after "your": "Your keyring is locked".
    short=_("keyring"),
    unlock=_(
        # Translators: "Login" is the keyring's name, Passwords and Keys and KDE Wallet Manager are programs: write
        # them as the desktop shows them in your language.
        'Unlock "Login" in Passwords and Keys (on KDE Plasma: in KDE Wallet Manager), '
        "or try again to be asked for your password."
    ),
    missing=_(
        # Translators: "System Settings > KDE Wallet" is KDE Plasma's own menu: write it as Plasma shows it.
        "No keyring service is running in this desktop session. Install GNOME Keyring, or on KDE Plasma turn on "
        "KDE Wallet (System Settings > KDE Wallet), then sign out, sign back in and try again."
    ),
)
MACOS = StoreWords(
    # Translators: where lsdesk keeps the key on macOS, after "Saved in": the Keychain, as macOS calls it.
    name=_("your macOS Keychain"),
    # Translators: the macOS credential store in a headline or after "your": "Your Keychain is locked".
    short=_("Keychain"),
    # Translators: "login" is the keychain's name and Keychain Access the macOS app: as macOS shows them.
    unlock=_('Unlock the "login" keychain in Keychain Access, or try again to be asked for your password.'),
    missing=_("macOS did not let lsdesk use your Keychain. Restart your Mac, then try again."),
)
WINDOWS = StoreWords(
    # Translators: where lsdesk keeps the key on Windows, after "Saved in": Credential Manager, as Windows calls it.
    name=_("Windows Credential Manager"),
    # Translators: the Windows credential store in a headline or after "your": "Your Credential Manager is locked".
    short=_("Credential Manager"),
    unlock=_("Sign out of Windows and back in, then try again."),
    missing=_("Windows Credential Manager could not be used. Sign out of Windows and back in, then try again."),
)


def store_words(platform: str = sys.platform) -> StoreWords:
    """The words for `platform` (a sys.platform value); Linux's for the other Unix desktops too."""
    if platform.startswith("win"):
        return WINDOWS
    if platform == "darwin":
        return MACOS
    return LINUX


WORDS = store_words()
