"""Rebuild Qt's ICU data library with only the locales StockDesk speaks (Linux bundle only).

PySide6's QtCore on Linux links ICU, whose data library (``libicudata.so.73``) holds 32 MB
for some 800 locales and 200 legacy code pages: a sixth of the bundle. Qt reads it for
collation (QCollator, the file dialog's name order), locale-aware case mapping and code
pages beyond UTF-8; text shaping and line breaking are Qt's own. So the bundle keeps every
shared table (Unicode normalisation, the root collation, time zones, break rules and the
dictionaries the root locale refers to), the root, English and Chinese locales and the
Chinese code pages: 9 MB. A locale left out falls back to root, as ICU does for any locale
it lacks; ``stockdesk --self-test`` checks that Chinese still sorts by pinyin.

Needs ``icupkg`` (Debian's ``icu-devtools``), ``readelf`` and ``gcc``:
``python scripts/icu_subset.py LIBICUDATA OUT_DIR`` writes OUT_DIR/<same name>.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

LOCALES = re.compile(r"^(root|en|zh|yue)(_|$)")
"""Locales kept: root (everyone's fallback), English and Chinese with all their regions
(Cantonese too: Hong Kong's traditional Chinese takes its number spell-out from it)."""
LOCALE_ITEM = re.compile(r"^(?:[a-z]+/)?([a-z]{2,3}(?:_[A-Za-z0-9]*)*)\.res$")
"""A per-locale resource such as ``fr_CA.res`` or ``coll/de.res`` (not ``coll/pool.res``)."""
CODE_PAGES = {
    "gb18030.cnv",
    "windows-936-2000.cnv",  # GBK
    "ibm-1383_P110-1999.cnv",  # GB 2312 (EUC-CN)
    "ibm-1386_P100-2001.cnv",  # GBK, IBM's table
    "windows-950-2000.cnv",  # Big5
    "ibm-1373_P100-2002.cnv",  # Big5's base table
}


def keep(item: str) -> bool:
    """Whether the bundle needs ``item``, a path inside the ICU package (``coll/zh.res``)."""
    name = item.rsplit("/", 1)[-1]
    if item.startswith("translit/"):  # transliterators: Qt never asks for one
        return False
    if item.endswith(".cnv"):
        return name in CODE_PAGES
    match = LOCALE_ITEM.match(item)
    if match and match.group(1) not in {"pool", "res_index"}:
        return bool(LOCALES.match(match.group(1)))
    return True


def extract_data(library: Path) -> tuple[str, bytes]:
    """The package embedded in ``library``: its symbol (``icudt73_dat``) and its bytes."""
    symbols = _readelf("-sW", library)
    match = re.search(
        r"^\s*\d+:\s+([0-9a-f]+)\s+(\d+|0x[0-9a-f]+)\s+OBJECT\s+GLOBAL\s+\w+"
        r"\s+\d+\s+(icudt\d+_dat)$",
        symbols,
        re.MULTILINE,
    )
    if match is None:
        raise SystemExit(f"{library}: no icudtNN_dat symbol")
    address, size, symbol = int(match.group(1), 16), int(match.group(2), 0), match.group(3)
    for line in _readelf("-SW", library).splitlines():
        fields = line.split("]", 1)[-1].split()
        if len(fields) > 4 and fields[0] == ".rodata":
            section_address, section_offset = int(fields[2], 16), int(fields[3], 16)
            start = section_offset + address - section_address
            return symbol, library.read_bytes()[start : start + size]
    raise SystemExit(f"{library}: no .rodata section")


def subset(library: Path, out_dir: Path) -> Path:
    """Write ``out_dir/<library's name>``: the same library with only the kept items."""
    out_dir.mkdir(parents=True, exist_ok=True)
    symbol, data = extract_data(library)
    # icupkg names the items inside after the package file ("icudt73l/coll/zh.res"), and
    # ICU looks them up by that name, so both files are called icudt73l.dat ("l": little-endian).
    package = f"{symbol.removesuffix('_dat')}l.dat"
    full = out_dir / "full" / package
    full.parent.mkdir(exist_ok=True)
    full.write_bytes(data)
    items = subprocess.run(
        ["icupkg", "-l", str(full)], capture_output=True, text=True, check=True
    ).stdout.split()
    dropped = out_dir / "dropped.txt"
    dropped.write_text("".join(f"{item}\n" for item in items if not keep(item)))
    small = out_dir / "subset" / package
    small.parent.mkdir(exist_ok=True)
    # icupkg refuses to drop an item that a kept one refers to, so the subset stays whole.
    subprocess.run(["icupkg", "-r", str(dropped), str(full), str(small)], check=True)
    assembly = out_dir / "icudata.S"
    assembly.write_text(
        f".section .rodata\n.globl {symbol}\n.type {symbol}, @object\n.balign 16\n"
        f'{symbol}:\n.incbin "{small}"\n.size {symbol}, .-{symbol}\n'
        '.section .note.GNU-stack,"",@progbits\n'
    )
    output = out_dir / library.name
    subprocess.run(
        [
            "gcc",
            "-shared",
            "-nostdlib",
            f"-Wl,-soname,{library.name}",
            "-o",
            str(output),
            str(assembly),
        ],
        check=True,
    )
    return output


def _readelf(option: str, path: Path) -> str:
    return subprocess.run(
        ["readelf", option, str(path)], capture_output=True, text=True, check=True
    ).stdout


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    made = subset(Path(sys.argv[1]), Path(sys.argv[2]))
    print(
        f"{made}: {made.stat().st_size / 1e6:.1f} MB "
        f"(was {Path(sys.argv[1]).stat().st_size / 1e6:.1f} MB)"
    )
