"""Replaces PyInstaller's own hook for PySide6.QtGui, which collects every
plugin type QtGui can load. On Linux lsdesk keeps only the plugins it uses, so
the libraries the others link (GTK, EGL, evdev, VNC, ...) stay out of the
bundle: binary dependencies are worked out after the hooks run, so a plugin
left out here also leaves out whatever it alone needed. Windows and macOS
builds keep PyInstaller's usual set."""

import os
import sys

from PyInstaller.utils.hooks.qt import add_qt6_dependencies

# plugin folder -> plugin names (file name without "lib" and extension)
KEPT_LINUX_PLUGINS = {
    # X11, Wayland, and offscreen for a machine without a screen.
    "platforms": {"qxcb", "qwayland", "qoffscreen"},
    # The window's icons are SVG files.
    "imageformats": {"qsvg"},
    "iconengines": {"qsvgicon"},
    # The desktop's colour scheme and dialogs, through the XDG portal.
    "platformthemes": {"qxdgdesktopportal"},
    # Compose and dead keys, and IBus input methods, as in other Qt applications.
    "platforminputcontexts": {"composeplatforminputcontextplugin", "ibusplatforminputcontextplugin"},
    # What the Wayland platform plugin needs to give the window a frame.
    "wayland-shell-integration": {"xdg-shell"},
    "wayland-decoration-client": {"bradient", "adwaita"},
}


def _kept(source: str, destination: str) -> bool:
    parts = destination.replace("\\", "/").split("/")
    if "plugins" not in parts:
        return True  # not a plugin: Qt's own libraries
    folder = "/".join(parts[parts.index("plugins") + 1 :])
    name = os.path.basename(source).split(".")[0]
    name = name[3:] if name.startswith("lib") else name
    return name in KEPT_LINUX_PLUGINS.get(folder, ())


hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
if sys.platform.startswith("linux"):
    binaries = [(source, destination) for source, destination in binaries if _kept(source, destination)]
