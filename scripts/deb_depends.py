"""Print the Debian packages a PyInstaller bundle needs from the system, as a Depends list.

Usage: python scripts/deb_depends.py dist/stockdesk   (scripts/build_installer.sh runs it)

PyInstaller copies most libraries into the bundle; what it leaves out (glibc, OpenGL/EGL,
libxcb, and whatever it could not find on the build machine) must come from the system.
For every ELF file in the bundle this reads the libraries it names (``readelf -d``, NEEDED
only: what a system library needs in turn is its own package's business) and looks for
each one as the loader does: first in the file's RPATH/RUNPATH folders inside the bundle
and in ``_internal`` (the bootloader puts it on LD_LIBRARY_PATH), then in the system's
loader cache (``ldconfig -p``). Each library found in the system is mapped to the package
that installed it (``dpkg-query -S``). glibc's minimum version is the highest GLIBC_x.y
symbol version any file asks for. The packages, and which libraries each one is there
for, go to stderr; the Depends list to stdout.

A library found nowhere is an error: PyInstaller did not ship it either, because the build
machine lacks its package (install that and rebuild: the bundle then ships it).
"""

from __future__ import annotations

import functools
import re
import subprocess
import sys
from pathlib import Path

GLIBC_VERSION = re.compile(r"Name: GLIBC_(\d+(?:\.\d+)+)")
NEEDED = re.compile(r"\(NEEDED\)\s+Shared library: \[(.+?)\]")
SEARCH_PATH = re.compile(r"\((?:RPATH|RUNPATH)\)\s+Library r(?:un)?path: \[(.+?)\]")
CACHE_ENTRY = re.compile(r"^\s+(\S+) \((.+?)\) => (\S+)$", re.MULTILINE)


def elf_files(bundle: Path) -> list[Path]:
    """The bundle's shared libraries and executables (symbolic links skipped)."""
    found = []
    for path in sorted(bundle.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        with path.open("rb") as handle:
            if handle.read(4) == b"\x7fELF":
                found.append(path)
    return found


def dynamic_section(path: Path) -> tuple[list[str], list[Path], set[str]]:
    """The libraries ``path`` names, its RPATH/RUNPATH folders, its GLIBC symbol versions."""
    out = subprocess.run(
        ["readelf", "-d", "-V", str(path)], capture_output=True, text=True, check=False
    ).stdout
    origin = str(path.parent)
    folders = [
        Path(folder.replace("${ORIGIN}", origin).replace("$ORIGIN", origin))
        for paths in SEARCH_PATH.findall(out)
        for folder in paths.split(":")
    ]
    return NEEDED.findall(out), folders, set(GLIBC_VERSION.findall(out))


def system_libraries() -> dict[str, str]:
    """Library name -> path from the loader's cache, 64-bit x86 entries only."""
    out = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    found: dict[str, str] = {}
    for name, flags, target in CACHE_ENTRY.findall(out):
        if "x86-64" in flags:
            found.setdefault(name, target)
    return found


@functools.cache
def package_of(library: str) -> str:
    """The package that installed ``library`` (tried under /lib and /usr/lib: merged /usr)."""
    candidates = [library]
    if library.startswith("/usr/lib/"):
        candidates.append(library.removeprefix("/usr"))
    elif library.startswith("/lib/"):
        candidates.append("/usr" + library)
    for candidate in candidates:
        query = subprocess.run(
            ["dpkg-query", "-S", candidate], capture_output=True, text=True, check=False
        )
        if query.returncode == 0:  # "libxcb1:amd64: /usr/lib/x86_64-linux-gnu/libxcb.so.1"
            return query.stdout.split(":")[0].split(",")[0].strip()
    raise SystemExit(f"no installed package owns {library}")


def main() -> int:
    bundle = Path(sys.argv[1]).resolve()
    internal = bundle / "_internal"
    system = system_libraries()
    packages: dict[str, set[str]] = {}
    missing: dict[str, set[str]] = {}
    glibc: set[str] = set()
    for path in elf_files(bundle):
        names, folders, versions = dynamic_section(path)
        glibc |= versions
        # Folders outside the bundle (a build machine's own, e.g. pyenv's) are not searched:
        # they do not exist where the package is installed.
        shipped = [folder for folder in [*folders, internal] if folder.is_relative_to(bundle)]
        for name in names:
            if any((folder / name).exists() for folder in shipped):
                continue
            if name in system:
                packages.setdefault(package_of(system[name]), set()).add(name)
            else:
                missing.setdefault(name, set()).add(str(path.relative_to(bundle)))
    for name, users in sorted(missing.items()):
        print(
            f"{name} (needed by {', '.join(sorted(users))}) is neither in the bundle nor on "
            "this machine: install its package and rebuild the bundle",
            file=sys.stderr,
        )
    if missing:
        return 1
    newest_glibc = max((tuple(int(n) for n in v.split(".")) for v in glibc), default=())
    depends = []
    for package, names in sorted(packages.items()):
        print(f"  {package}: {' '.join(sorted(names))}", file=sys.stderr)
        if package == "libc6" and newest_glibc:
            depends.append(f"libc6 (>= {'.'.join(str(n) for n in newest_glibc)})")
        else:
            depends.append(package)
    print(", ".join(depends))
    return 0


if __name__ == "__main__":
    sys.exit(main())
