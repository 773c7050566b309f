"""Packs the one-folder Linux bundle (dist/lsdesk/, from lsdesk.spec) as a .tar.gz and a Debian package.

    .venv/bin/python resources/packaging/package_linux.py [--bundle dist/lsdesk] [--out dist]

makes dist/lsdesk-<version>-linux-<machine>.tar.gz (the folder, with the menu entry and icon beside it) and
dist/lsdesk_<version>_<architecture>.deb (the folder in /opt/lsdesk, /usr/bin/lsdesk, the menu entry and icon
under /usr/share) with dpkg-deb, which downloads nothing. The package's Depends are worked out from the bundle
itself: every library a bundled program or library links that the bundle does not carry, named by the Debian
package that holds it on this machine (dpkg -S). Build on the oldest system you support (Debian 12 or Ubuntu
22.04): the names are the same on the newer ones. See "Installing lsdesk" in README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGING = Path(__file__).resolve().parent
REPO = PACKAGING.parent.parent
DESKTOP_ENTRY = PACKAGING / "lsdesk.desktop"
ICON = REPO / "resources" / "icons" / "app.svg"
INSTALL_ROOT = "/opt/lsdesk"
MAINTAINER = "lsdesk <lsdesk@users.noreply.github.com>"
# What the bundle reads from the system besides libraries: the certificates its OpenSSL trusts (with openssl's
# /usr/lib/ssl), and fontconfig's configuration and a font (without them Qt draws no text at all).
DATA_DEPENDS = ["ca-certificates", "fontconfig-config"]
# The Secret Service that keeps the key, on desktops that do not bring their own (KDE's KWallet can serve it too).
RECOMMENDS = ["gnome-keyring"]
SUMMARY = "check, save and rotate your Lessonspace API key"
DESCRIPTION = (
    "lsdesk tells you whether your organisation's Lessonspace API key still works, and lets you replace\n"
    "and rotate it, in one small window. It keeps the key in your desktop's keyring. A command line does\n"
    "the same for scripts and monitoring."
)
ELF_MAGIC = b"\x7fELF"


class PackagingError(RuntimeError):
    """Something the packages cannot be made without; the message says what to do."""


def version() -> str:
    sys.path.insert(0, str(REPO))
    from lsdesk import __version__

    return __version__


def elf_files(folder: Path) -> list[Path]:
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as file:
                if file.read(4) == ELF_MAGIC:
                    found.append(path)
    return found


def needed_libraries(elf: Path) -> set[str]:
    """The sonames an ELF file links (its DT_NEEDED entries), read by objdump (binutils)."""
    dump = run(["objdump", "-p", str(elf)])
    return set(re.findall(r"^\s+NEEDED\s+(\S+)$", dump, flags=re.MULTILINE))


def system_library_paths() -> dict[str, str]:
    """soname -> path of the libraries the system's dynamic linker knows (ldconfig's cache, this architecture)."""
    paths: dict[str, str] = {}
    for line in run(["ldconfig", "-p"]).splitlines()[1:]:
        match = re.match(r"\s*(\S+) \((.*?)\) => (\S+)$", line)
        if match and ("x86-64" in match[2]) == (platform.machine() == "x86_64"):
            paths.setdefault(match[1], match[3])
    return paths


def glibc_needed(elves: list[Path]) -> str | None:
    """The newest glibc symbol version any of `elves` uses (as dpkg-shlibdeps would put it: libc6 (>= it))."""
    versions = set()
    for elf in elves:
        versions.update(re.findall(r"\bGLIBC_(\d+(?:\.\d+)+)\b", run(["objdump", "-T", str(elf)])))
    return max(versions, key=lambda text: tuple(map(int, text.split("."))), default=None)


def debian_depends(bundle: Path) -> list[str]:
    """The Debian packages that hold every library the bundle links and does not carry, and its data ones.

    libc6 gets the version the bundle was linked against: a bundle built on Debian 12 carries that system's
    libstdc++ and needs glibc 2.36, so it will not install where glibc is older (Ubuntu 22.04 has 2.35).
    """
    carried = {path.name for path in bundle.rglob("*") if path.is_file() or path.is_symlink()}
    elves = elf_files(bundle)
    wanted = set().union(*(needed_libraries(elf) for elf in elves)) - carried
    known = system_library_paths()
    missing = sorted(wanted - known.keys())
    if missing:
        raise PackagingError(
            f"The bundle links libraries this computer does not have: {', '.join(missing)}. Install the packages "
            "from the README's list, then run this again."
        )
    packages = set()
    for soname in sorted(wanted):
        path = os.path.realpath(known[soname])
        owner = run_or_none(["dpkg-query", "--search", path]) or run_or_none(["dpkg-query", "--search", known[soname]])
        if owner is None:
            raise PackagingError(f"No Debian package holds {known[soname]}: build on Debian or Ubuntu.")
        packages.add(owner.split(":")[0].split(",")[0].strip())
    glibc = glibc_needed(elves)
    return sorted(
        f"{package} (>= {glibc})" if package == "libc6" and glibc else package
        for package in packages | set(DATA_DEPENDS)
    )


def desktop_entry() -> str:
    """The menu entry, its description in every language lsdesk speaks (GenericName[fr]=..., from the catalogues)."""
    import gettext

    sys.path.insert(0, str(REPO))
    from lsdesk.core.language import DOMAIN, LANGUAGES, LOCALE_FOLDER, SOURCE_LANGUAGE
    from resources.translations.catalogues import DESKTOP_KEYS

    translations = {
        code: gettext.translation(DOMAIN, LOCALE_FOLDER, [code]).gettext
        for code in sorted(set(LANGUAGES) - {SOURCE_LANGUAGE})
    }
    lines = []
    for line in DESKTOP_ENTRY.read_text(encoding="utf-8").splitlines():
        lines.append(line)
        key, equals, english = line.partition("=")
        if equals and key in DESKTOP_KEYS:
            lines += [f"{key}[{code}]={translate(english)}" for code, translate in translations.items()]
    return "\n".join(lines) + "\n"


def make_tarball(bundle: Path, out: Path, name: str, entry: Path) -> Path:
    target = out / f"{name}.tar.gz"
    with tarfile.open(target, "w:gz") as archive:
        archive.add(bundle, arcname=f"{name}/lsdesk")
        archive.add(entry, arcname=f"{name}/lsdesk.desktop")
        archive.add(ICON, arcname=f"{name}/lsdesk.svg")
    return target


def control_file(the_version: str, architecture: str, depends: list[str], installed_kib: int) -> str:
    return (
        f"Package: lsdesk\n"
        f"Version: {the_version}\n"
        f"Architecture: {architecture}\n"
        f"Maintainer: {MAINTAINER}\n"
        f"Installed-Size: {installed_kib}\n"
        f"Depends: {', '.join(depends)}\n"
        f"Recommends: {', '.join(RECOMMENDS)}\n"
        f"Section: utils\n"
        f"Priority: optional\n"
        f"Description: {SUMMARY}\n" + "".join(f" {line}\n" if line else " .\n" for line in DESCRIPTION.splitlines())
    )


def make_deb(bundle: Path, out: Path, the_version: str, depends: list[str], entry: Path) -> Path:
    architecture = run(["dpkg", "--print-architecture"]).strip()
    target = out / f"lsdesk_{the_version}_{architecture}.deb"
    with tempfile.TemporaryDirectory(prefix="lsdesk-deb-") as staging_folder:
        root = Path(staging_folder)
        shutil.copytree(bundle, root / INSTALL_ROOT.lstrip("/"), symlinks=True)
        (root / "usr" / "bin").mkdir(parents=True)
        (root / "usr" / "bin" / "lsdesk").symlink_to(f"{INSTALL_ROOT}/lsdesk")
        install(entry, root / "usr/share/applications/lsdesk.desktop")
        install(ICON, root / "usr/share/icons/hicolor/scalable/apps/lsdesk.svg")
        size = sum(path.stat().st_size for path in root.rglob("*") if path.is_file() and not path.is_symlink())
        (root / "DEBIAN").mkdir()
        (root / "DEBIAN" / "control").write_text(
            control_file(the_version, architecture, depends, -(-size // 1024)), encoding="utf-8"
        )
        for path in [root, *root.rglob("*")]:  # packages carry 0755 folders and no group- or world-writable files
            if not path.is_symlink():
                path.chmod(0o755 if path.is_dir() or os.access(path, os.X_OK) else 0o644)
        run(["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(root), str(target)])
    return target


def install(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def run(command: list[str]) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout
    except FileNotFoundError:
        raise PackagingError(f"{command[0]} is missing: install binutils and dpkg (the README's build list).") from None
    except subprocess.CalledProcessError as error:
        raise PackagingError(f"{' '.join(command)} failed: {error.stderr.strip()}") from None


def run_or_none(command: list[str]) -> str | None:
    try:
        return run(command)
    except PackagingError:
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="package_linux.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--bundle", type=Path, default=REPO / "dist" / "lsdesk", help="the one-folder bundle")
    parser.add_argument("--out", type=Path, default=REPO / "dist", help="where the packages go")
    args = parser.parse_args(argv)
    if not (args.bundle / "lsdesk").is_file():
        print(f"There is no bundle in {args.bundle}: build it first (README, Building lsdesk).", file=sys.stderr)
        return 2
    the_version = version()
    try:
        depends = debian_depends(args.bundle)
        with tempfile.TemporaryDirectory(prefix="lsdesk-entry-") as folder:
            entry = Path(folder) / "lsdesk.desktop"
            entry.write_text(desktop_entry(), encoding="utf-8")
            tarball = make_tarball(args.bundle, args.out, f"lsdesk-{the_version}-linux-{platform.machine()}", entry)
            deb = make_deb(args.bundle, args.out, the_version, depends, entry)
    except PackagingError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"{tarball}\n{deb}\nDepends: {', '.join(depends)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
