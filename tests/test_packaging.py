"""The single-executable build: its documented command, its icons, its Linux menu entry, and
finding lsdesk's resources when lsdesk is installed rather than run from this folder.

CI builds the executable itself and runs it (.ci/bundle.sh); these are the parts that can be
held without a build.
"""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtGui import QImageReader

REPO = Path(__file__).resolve().parents[1]
PACKAGING = REPO / "resources" / "packaging"
BUILD_COMMAND = (
    ".venv/bin/pip install 'pyinstaller>=6.10,<7' && .venv/bin/pyinstaller --noconfirm resources/packaging/lsdesk.spec"
)


def test_the_readme_and_ci_build_the_single_executable_with_the_same_command():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci_run = (REPO / ".ci" / "run").read_text(encoding="utf-8")

    assert BUILD_COMMAND in readme
    assert BUILD_COMMAND in ci_run


def ci_list(script: str, name: str) -> str:
    """A package list as the CI scripts set it: NAME="..." in .ci/SCRIPT."""
    text = (REPO / ".ci" / script).read_text(encoding="utf-8")
    (value,) = re.findall(rf'^{name}="([^"$]*)"', text, flags=re.MULTILINE)
    return value


def test_the_readme_lists_the_same_system_packages_ci_installs():
    """Before: the README's list lacked libglib2.0-0 (the window did not start on a bare Debian 12), and
    building on Debian's own Python needed libpython3.11, which neither list had."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    runtime = ci_list("gui-keyring.sh", "CI_APT_QT")
    build = ci_list("bundle.sh", "CI_APT_BUILD")
    assert "libglib2.0-0" in runtime.split() and "libpython3.11" in build.split()
    assert f"apt-get install {runtime}\n" in readme
    assert f"`apt-get install {build}`" in readme


def test_the_desktop_entry_starts_lsdesk_with_the_icon_the_readme_installs():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # desktop entry keys are case-sensitive
    entry.read(PACKAGING / "lsdesk.desktop", encoding="utf-8")
    desktop = entry["Desktop Entry"]

    assert desktop["Type"] == "Application"
    assert desktop["Exec"] == "lsdesk"
    assert desktop["Terminal"] == "false"
    # Qt names the window's class after the program, so the desktop groups it under this entry.
    assert desktop["StartupWMClass"] == "lsdesk"
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"resources/icons/app.svg ~/.local/share/icons/hicolor/scalable/apps/{desktop['Icon']}.svg" in readme
    assert "resources/packaging/lsdesk.desktop ~/.local/share/applications/lsdesk.desktop" in readme


@pytest.mark.parametrize(
    ("suffix", "sizes"),
    [
        (".ico", [16, 24, 32, 48, 64, 128, 256]),
        (".icns", [16, 32, 32, 64, 128, 256, 256, 512, 512, 1024]),
    ],
)
def test_the_windows_and_macos_icons_are_made_from_the_svg_at_every_size(qapp, tmp_path, suffix, sizes):
    target = tmp_path / f"lsdesk{suffix}"
    made = subprocess.run(
        [sys.executable, str(PACKAGING / "make_icon.py"), str(REPO / "resources" / "icons" / "app.svg"), str(target)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert made.returncode == 0, made.stderr

    reader = QImageReader(str(target))
    assert reader.format().data() == suffix[1:].encode()
    found = []
    for index in range(reader.imageCount()):
        assert reader.jumpToImage(index)
        image = reader.read()
        assert not image.isNull(), reader.errorString()
        assert image.width() == image.height()
        # The icon's teal corner is there, not a blank square.
        assert image.pixelColor(image.width() // 4, image.height() // 2).name() == "#00796b"
        found.append(image.width())
    assert found == sizes


def test_icons_are_found_where_a_wheel_or_the_single_executable_puts_them(tmp_path):
    # Installed, resources/ becomes lsdesk/resources/, a package without __init__.py: the layout
    # of the wheel and of the single executable, unlike this source folder.
    installed = tmp_path / "site"
    (installed / "lsdesk").mkdir(parents=True)
    for module in ("__init__.py", "resource_files.py"):
        shutil.copy(REPO / "lsdesk" / module, installed / "lsdesk" / module)
    shutil.copytree(REPO / "resources" / "icons", installed / "lsdesk" / "resources" / "icons")
    probe = textwrap.dedent(
        """
        from lsdesk.resource_files import resource
        found = resource("icons", "app.svg")
        print(found.is_file(), found)
        """
    )

    # -S: without site-packages, so the editable install of this folder cannot answer instead.
    result = subprocess.run(
        [sys.executable, "-S", "-c", probe],
        cwd=tmp_path,
        env={"PYTHONPATH": str(installed)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", str(installed / "lsdesk" / "resources" / "icons" / "app.svg")]
