"""Build a smaller ICU data library for the packaged app: English and root locale data only.

    python scripts/trim_icu.py OUT_DIR      (build.spec runs it; needs icupkg and a C compiler)

PySide6's Qt links ICU, whose data library (libicudata.so.NN, 32 MB) holds every locale's names,
collation, currencies, time zones and calendars, the legacy charset converters, and the break
iterators' rules and CJK/Thai/Khmer/Lao/Burmese word dictionaries. The app's UI is English and it
never converts legacy charsets, so this keeps the locale-independent data (Unicode properties,
normalization, time zones, UCA collation) plus `root` and `en*` locales; ICU falls back to `root`
for any other locale. The break iterators' data (3.4 MB) goes too, as the data build tool's
`brkitr_*` filters do: Qt finds text boundaries itself (qunicodetools) and calls no ICU break
iterator (its libraries use ICU's collation, calendars, converters and case mapping only). It is
the ICU data build tool's "filter" idea, done on the shipped package with ICU's own `icupkg`.

Writes OUT_DIR/libicudata.so.NN and prints its path; exits 1 with the reason when it cannot.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

LOCALE_TREES = {"", "coll", "curr", "lang", "rbnf", "region", "unit", "zone"}
DROP_TREES = {"translit", "brkitr"}  # transliterators; break iterators' rules and dictionaries
LOCALE_FILE = re.compile(r"(?:[a-z]{2,3}|root)(?:_[A-Za-z0-9]*)*\.res")
KEEP_LOCALE = re.compile(r"(?:root|en(?:_[A-Za-z0-9]+)*)\.res")
DROP_SUFFIXES = (".cnv",)  # legacy charset converters
DROP_ITEMS = {"unames.icu", "confusables.cfu", "confusablesWholeScript.cfu"}  # character names, spoof checks


def wanted(item: str) -> bool:
    """Whether the app keeps this ICU data item (a path like `coll/de.res`)."""
    tree, _, name = item.rpartition("/")
    if tree in DROP_TREES or name in DROP_ITEMS or name.endswith(DROP_SUFFIXES):
        return False
    if tree in LOCALE_TREES and LOCALE_FILE.fullmatch(name):
        return bool(KEEP_LOCALE.fullmatch(name))
    return True


def icu_data_library() -> Path:
    import PySide6

    found = sorted((Path(PySide6.__file__).parent / "Qt" / "lib").glob("libicudata.so.*"))
    if not found:
        raise RuntimeError("PySide6 carries no libicudata.so")
    return found[0]


def data_blob(library: Path) -> tuple[str, bytes]:
    """The ICU common-data package inside the library: its symbol name and bytes."""
    symbols = subprocess.run(
        ["nm", "-D", "--defined-only", "-S", str(library)], check=True, capture_output=True, text=True
    ).stdout
    match = re.search(r"^([0-9a-f]+) ([0-9a-f]+) R (icudt\d+_dat)$", symbols, re.MULTILINE)
    if not match:
        raise RuntimeError(f"{library.name}: no icudtNN_dat symbol")
    address, size, symbol = int(match[1], 16), int(match[2], 16), match[3]
    sections = subprocess.run(["readelf", "-S", "-W", str(library)], check=True, capture_output=True, text=True).stdout
    for line in sections.splitlines():
        fields = line.replace("[ ", "[").split()
        if len(fields) > 5 and fields[1] == ".rodata":
            section_address, section_offset = int(fields[3], 16), int(fields[4], 16)
            start = section_offset + address - section_address
            return symbol, library.read_bytes()[start : start + size]
    raise RuntimeError(f"{library.name}: no .rodata section")


def package_name(symbol: str) -> str:
    """The file name icupkg needs for the package behind `symbol`: icudtNN + endianness + .dat."""
    return f"{symbol.removesuffix('_dat')}{'l' if sys.byteorder == 'little' else 'b'}.dat"


def trim(out_dir: Path) -> Path:
    for tool in ("icupkg", "nm", "readelf", "cc"):
        if shutil.which(tool) is None:
            raise RuntimeError(f"{tool} not found (Debian: apt-get install icu-devtools binutils gcc)")
    library = icu_data_library()
    symbol, blob = data_blob(library)
    with tempfile.TemporaryDirectory() as tmp:
        # icupkg reads the package's name (icudtNNl: version, little-endian) from the file's name.
        package = package_name(symbol)
        (Path(tmp) / "full").mkdir(), (Path(tmp) / "small").mkdir()
        full, small, drop = Path(tmp) / "full" / package, Path(tmp) / "small" / package, Path(tmp) / "drop.txt"
        full.write_bytes(blob)
        items = subprocess.run(["icupkg", "-l", str(full)], check=True, capture_output=True, text=True).stdout.split()
        drop.write_text("\n".join(item for item in items if not wanted(item)) + "\n")
        subprocess.run(["icupkg", "-r", str(drop), str(full), str(small)], check=True)
        assembly = Path(tmp) / "icudata.S"
        assembly.write_text(
            f"\t.section .rodata\n\t.globl {symbol}\n\t.type {symbol}, @object\n\t.balign 16\n{symbol}:\n"
            f'\t.incbin "{small}"\n\t.size {symbol}, . - {symbol}\n\t.section .note.GNU-stack,"",@progbits\n'
        )
        out_dir.mkdir(parents=True, exist_ok=True)
        target = out_dir / library.name
        subprocess.run(
            ["cc", "-shared", "-nostdlib", f"-Wl,-soname,{library.name}", "-o", str(target), str(assembly)], check=True
        )
    return target


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 64
    try:
        print(trim(Path(sys.argv[1])))
    except (RuntimeError, subprocess.CalledProcessError, OSError) as exc:
        print(f"trim_icu: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
