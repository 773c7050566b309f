"""The one-folder bundle and its packages: the documented commands, the spec's choices on each platform, lsdesk's
own PySide6 run-time hook, the icons, the Linux menu entry, the .deb and .tar.gz, and finding lsdesk's resources
when lsdesk is installed rather than run from this folder.

CI builds the bundle and the packages itself and runs them (.ci/bundle.sh); these are the parts that can be
held without a build.
"""

from __future__ import annotations

import ast
import configparser
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import textwrap
from pathlib import Path

import pytest
from PySide6.QtGui import QImageReader

REPO = Path(__file__).resolve().parents[1]
PACKAGING = REPO / "resources" / "packaging"
BUILD_COMMAND = (
    ".venv/bin/pip install 'pyinstaller>=6.10,<7' && .venv/bin/pyinstaller --noconfirm resources/packaging/lsdesk.spec"
)


def test_the_readme_and_ci_build_and_pack_the_bundle_with_the_same_commands():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci_run = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    package_command = ci_list("bundle.sh", "CI_PACKAGE_COMMAND")

    assert f"```\n{BUILD_COMMAND}\n```" in readme
    assert BUILD_COMMAND in ci_run
    assert f"```\n{package_command}\n```" in readme


def test_the_readme_installs_the_packages_of_this_version_by_the_names_the_packer_gives_them():
    from lsdesk import __version__

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    architecture = "amd64"  # the README's example; the packer asks dpkg on the machine it runs on
    assert f"apt-get install ./lsdesk_{__version__}_{architecture}.deb\n" in readme
    assert f"tar -xzf lsdesk-{__version__}-linux-x86_64.tar.gz && cd lsdesk-{__version__}-linux-x86_64\n" in readme
    # The packer makes them by these names: test_the_debian_package_holds_the_bundle_and_...


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
    # The tarball carries the entry and the icon under these names (test_the_debian_package_...), and the README
    # installs them from there; the .deb installs them itself.
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"install -Dm644 lsdesk.svg ~/.local/share/icons/hicolor/scalable/apps/{desktop['Icon']}.svg\n" in readme
    assert "install -Dm644 lsdesk.desktop ~/.local/share/applications/lsdesk.desktop\n" in readme


def test_the_packages_menu_entry_describes_lsdesk_in_every_language_it_speaks(tmp_path):
    import gettext

    sys.path.insert(0, str(PACKAGING))
    from package_linux import desktop_entry

    from lsdesk.core.language import DOMAIN, LOCALE_FOLDER

    path = tmp_path / "lsdesk.desktop"
    path.write_text(desktop_entry(), encoding="utf-8")
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(path, encoding="utf-8")
    desktop = entry["Desktop Entry"]

    for language in ("fr", "es"):
        translate = gettext.translation(DOMAIN, LOCALE_FOLDER, [language]).gettext
        for key in ("GenericName", "Comment"):
            assert desktop[f"{key}[{language}]"] == translate(desktop[key]) != desktop[key]
    if shutil.which("desktop-file-validate"):  # desktop-file-utils, which .ci/run installs
        checked = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True, check=False)
        assert checked.returncode == 0 and not checked.stdout.strip(), checked.stdout


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


def test_icons_are_found_where_a_wheel_or_the_bundle_puts_them(tmp_path):
    # Installed, resources/ becomes lsdesk/resources/, a package without __init__.py: the layout
    # of the wheel and of the one-folder bundle, unlike this source folder.
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


def test_the_bundle_runs_lsdesks_own_pyside6_hook_which_leaves_qt_to_the_window():
    """PyInstaller's own PySide6 run-time hook imports QtCore in every process: the bundle's command line
    loaded Qt for nothing. hooks/rthooks.dat replaces it (PyInstaller reads user hook folders first)."""
    hooks = PACKAGING / "hooks"
    runtime_hooks = ast.literal_eval((hooks / "rthooks.dat").read_text(encoding="utf-8"))
    (hook_name,) = runtime_hooks["PySide6"]
    hook = ast.parse((hooks / "rthooks" / hook_name).read_text(encoding="utf-8"))

    imported = set()
    for node in ast.walk(hook):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module)
    assert imported == {"os", "sys", "_pyi_rth_utils"}  # no PySide6, no shiboken6: nothing of Qt loads
    # What PyInstaller's hook sets for Qt, this one sets too: where Qt's plugins (the SVG icons, the screen) are.
    assert "QT_PLUGIN_PATH" in ast.unparse(hook)
    assert "ensure_single_qt_bindings_package" in ast.unparse(hook)


def spec_configuration(platform: str, tmp_path: Path, *options: str) -> dict[str, list[dict]]:
    """What lsdesk.spec asks PyInstaller for on PLATFORM, by target (tests/helpers/spec_configuration.py)."""
    ran = subprocess.run(
        [sys.executable, "-m", "tests.helpers.spec_configuration", platform, str(tmp_path), *options],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    targets: dict[str, list[dict]] = {}
    for call in json.loads(ran.stdout.splitlines()[-1]):
        targets.setdefault(call["target"], []).append(call)
    return targets


# Windows and macOS cannot build here: the spec's branches for them are checked by what they ask PyInstaller for.
def test_on_linux_the_spec_builds_one_folder_with_one_stripped_terminal_program(tmp_path):
    targets = spec_configuration("linux", tmp_path)

    (program,) = targets["EXE"]
    assert program["options"]["name"] == "lsdesk"
    assert program["options"]["console"] is True
    assert program["options"]["exclude_binaries"] is True  # the libraries go in the folder, not in the program
    assert program["options"]["strip"] is True
    assert program["options"]["icon"] is None  # the .desktop entry names the icon on Linux
    (folder,) = targets["COLLECT"]
    assert folder["options"]["name"] == "lsdesk"
    assert folder["contents"][0] == "lsdesk"
    assert folder["options"]["strip"] is True
    assert "BUNDLE" not in targets
    (analysis,) = targets["Analysis"]
    # Of Qt's translations, only qtbase in the languages lsdesk speaks; lsdesk's own files, its catalogues among them.
    assert analysis["datas"] == ["lsdesk/resources/icons/app.svg", "PySide6/Qt/translations/qtbase_fr.qm"]
    catalogues = {target for _source, target in analysis["options"]["datas"] if "locale" in target}
    assert catalogues == {"lsdesk/locale/es/LC_MESSAGES", "lsdesk/locale/fr/LC_MESSAGES"}


def test_on_windows_the_spec_builds_a_windowed_lsdesk_and_a_console_lsdesk_cli_side_by_side(tmp_path):
    targets = spec_configuration("win32", tmp_path)

    programs = {program["options"]["name"]: program["options"] for program in targets["EXE"]}
    assert set(programs) == {"lsdesk", "lsdesk-cli"}
    assert programs["lsdesk"]["console"] is False  # no console window beside the settings window
    assert programs["lsdesk-cli"]["console"] is True  # so `lsdesk-cli check` prints
    for options in programs.values():
        assert options["exclude_binaries"] is True
        assert options["strip"] is False  # Windows has no strip tool
        assert Path(options["icon"]).name == "lsdesk.ico" and Path(options["icon"]).is_file()
    (folder,) = targets["COLLECT"]
    assert folder["contents"][:2] == ["lsdesk", "lsdesk-cli"]  # both in dist\lsdesk, from the same libraries
    assert "BUNDLE" not in targets


def test_on_macos_the_spec_builds_an_app_with_its_icon_identifier_and_version(tmp_path):
    from lsdesk import __version__

    targets = spec_configuration("darwin", tmp_path)

    (program,) = targets["EXE"]
    assert program["options"]["exclude_binaries"] is True
    (app,) = targets["BUNDLE"]
    assert app["contents"] == ["lsdesk"]  # the one folder, inside lsdesk.app
    options = app["options"]
    assert options["name"] == "lsdesk.app"
    assert options["bundle_identifier"] == "com.github.lsdesk"
    assert options["version"] == __version__
    assert Path(options["icon"]).name == "lsdesk.icns" and Path(options["icon"]).is_file()
    assert options["info_plist"]["CFBundleShortVersionString"] == __version__
    assert options["info_plist"]["NSHighResolutionCapable"] is True


@pytest.mark.parametrize("platform", ["linux", "win32", "darwin"])
def test_the_one_file_build_stays_an_option(tmp_path, platform):
    targets = spec_configuration(platform, tmp_path, "--onefile")

    (program,) = targets["EXE"]
    assert program["options"]["name"] == "lsdesk"
    assert program["options"].get("exclude_binaries") is False  # everything inside the one file
    assert "COLLECT" not in targets and "BUNDLE" not in targets


def fake_bundle(folder: Path) -> Path:
    """A one-folder bundle in miniature: a real program (dpkg-deb, on every Debian system) as lsdesk, and in
    _internal a copy of one library it links, which the package must then not depend on."""
    bundle = folder / "lsdesk"
    internal = bundle / "_internal"
    internal.mkdir(parents=True)
    program = Path(shutil.which("dpkg-deb"))
    shutil.copy(program, bundle / "lsdesk")
    linked = dict(
        re.findall(
            r"^\s+(\S+) => (\S+)",
            subprocess.run(["ldd", str(program)], capture_output=True, text=True, check=True).stdout,
            flags=re.MULTILINE,
        )
    )
    shutil.copy(linked["libz.so.1"], internal / "libz.so.1")
    return bundle


def dpkg_deb(*arguments: str) -> str:
    return subprocess.run(["dpkg-deb", *arguments], capture_output=True, text=True, timeout=60, check=True).stdout


@pytest.mark.skipif(
    (shutil.which("dpkg-deb") is None or shutil.which("objdump") is None)
    and not os.environ.get("LSDESK_REQUIRE_REAL_KEYRING"),  # .ci/run installs binutils: there it must run
    reason="needs Debian's dpkg-deb and binutils' objdump (apt-get install binutils)",
)
def test_the_debian_package_holds_the_bundle_and_depends_on_what_it_links_and_does_not_carry(tmp_path):
    from lsdesk import __version__

    bundle = fake_bundle(tmp_path / "dist")
    made = subprocess.run(
        [sys.executable, str(PACKAGING / "package_linux.py"), "--bundle", str(bundle), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert made.returncode == 0, made.stderr

    architecture = subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    ).stdout.strip()
    deb = tmp_path / f"lsdesk_{__version__}_{architecture}.deb"
    fields = dict(line.split(": ", 1) for line in dpkg_deb("--field", str(deb)).splitlines() if ": " in line)
    assert fields["Package"] == "lsdesk"
    assert fields["Version"] == __version__
    assert fields["Architecture"] == architecture
    assert fields["Recommends"] == "gnome-keyring"
    depends = fields["Depends"].split(", ")
    # Linked by the program and not in the bundle; glibc at least as new as the program was linked against.
    assert "liblzma5" in depends
    (libc,) = [package for package in depends if package.startswith("libc6")]
    assert re.fullmatch(r"libc6 \(>= 2\.\d+\)", libc)
    assert {"ca-certificates", "fontconfig-config"} <= set(depends)  # what the bundle reads besides libraries
    assert "zlib1g" not in depends  # the bundle carries its own libz.so.1
    assert depends == sorted(depends)

    listing = {line.split()[5].lstrip("."): line for line in dpkg_deb("--contents", str(deb)).splitlines()}
    assert listing["/opt/lsdesk/lsdesk"].startswith("-rwxr-xr-x root/root")
    assert listing["/opt/lsdesk/_internal/libz.so.1"].startswith("-rw")
    assert "/usr/bin/lsdesk -> /opt/lsdesk/lsdesk" in listing["/usr/bin/lsdesk"]
    assert "/usr/share/applications/lsdesk.desktop" in listing
    assert "/usr/share/icons/hicolor/scalable/apps/lsdesk.svg" in listing

    with tarfile.open(tmp_path / f"lsdesk-{__version__}-linux-{platform.machine()}.tar.gz") as tarball:
        names = set(tarball.getnames())
    top = f"lsdesk-{__version__}-linux-{platform.machine()}"
    assert {
        f"{top}/lsdesk/lsdesk",
        f"{top}/lsdesk/_internal/libz.so.1",
        f"{top}/lsdesk.desktop",
        f"{top}/lsdesk.svg",
    } <= names


def test_packaging_without_a_bundle_says_to_build_it_first(tmp_path):
    made = subprocess.run(
        [
            sys.executable,
            str(PACKAGING / "package_linux.py"),
            "--bundle",
            str(tmp_path / "nothing"),
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert made.returncode == 2
    assert (
        made.stderr.strip()
        == f"There is no bundle in {tmp_path / 'nothing'}: build it first (README, Building lsdesk)."
    )
    assert list(tmp_path.iterdir()) == []
