"""lsdesk's run-time hook for PySide6, run by the bundle before lsdesk starts, in every process.

PyInstaller's own hook (pyi_rth_pyside6.py) does the same and then imports PySide6.QtCore, only to see
whether PySide6 registered its embedded qt.conf, which PySide6's PyPI wheels always do when QtCore
loads. That import loaded Qt into every command-line run (+57 ms, +12 MiB per `lsdesk check`). lsdesk is
built from those wheels only (pyproject.toml), so this hook sets the environment and leaves QtCore to the
window. .ci/bundle.sh checks that the bundle's command line opens no Qt library and that its window starts
with its icons.
"""


def _pyi_rthook():
    import os
    import sys

    from _pyi_rth_utils import is_macos_app_bundle, prepend_path_to_environment_variable
    from _pyi_rth_utils import qt as qt_rth_utils

    qt_rth_utils.ensure_single_qt_bindings_package("PySide6")

    if sys.platform.startswith("win"):
        pyside_path = os.path.join(sys._MEIPASS, "PySide6")
    else:
        pyside_path = os.path.join(sys._MEIPASS, "PySide6", "Qt")
    os.environ["QT_PLUGIN_PATH"] = os.path.join(pyside_path, "plugins")

    if sys.platform.startswith("win"):
        # Qt's network backend finds the OpenSSL libraries collected beside the executable.
        prepend_path_to_environment_variable(sys._MEIPASS, "PATH")
    if sys.platform == "darwin" and not is_macos_app_bundle:
        prepend_path_to_environment_variable(sys._MEIPASS, "DYLD_LIBRARY_PATH")


_pyi_rthook()
del _pyi_rthook
