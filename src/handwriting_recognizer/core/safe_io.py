"""Reading the files a user points the product at, within a budget.

Every loader (drawings, pictures, models, samples, datasets) reads through `read_regular_file`:
only regular files are read (a FIFO, a device or a socket would block or never end), and never
more than the loader's stated number of bytes, checked before reading and while reading.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

KB = 1024
MB = 1024 * KB
GB = 1024 * MB


class FileRefused(Exception):
    """The file is not a regular file, cannot be read or is over its budget; the message says which."""


def describe_size(n: int) -> str:
    """Bytes for people: '812 bytes', '3.2 MB', '1.4 GB' (binary units)."""
    for unit, size in (("GB", GB), ("MB", MB), ("KB", KB)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} bytes"


def exists(path: Path | str) -> bool:
    """Whether anything is at `path`; False, not OSError, where the system cannot even look (a
    name longer than the file system allows, a folder that cannot be entered): pathlib raises for
    those, and a remembered or companion path must not stop a load."""
    return os.path.exists(path)


def is_file(path: Path | str) -> bool:
    """Whether `path` is a regular file (or a link to one); False where the system cannot look
    (see `exists`: a folder without its search permission makes pathlib raise PermissionError)."""
    return os.path.isfile(path)


def is_folder(path: Path | str) -> bool:
    """Whether `path` is a folder; False where the system cannot look (see `exists`)."""
    return os.path.isdir(path)


def entries(folder: Path) -> list[Path]:
    """What `folder` holds, by name; nothing where it cannot be listed (missing, not a folder, no
    permission: pathlib's glob raises PermissionError where it cannot look at the folder itself)."""
    try:
        with os.scandir(folder) as listing:
            return sorted(folder / entry.name for entry in listing)
    except OSError:
        return []


def read_regular_file(path: Path | str, max_bytes: int, what: str = "file") -> bytes:
    """The bytes of `path` if it is a regular file of at most `max_bytes`; else FileRefused.

    Opened without blocking (a FIFO with no writer would wait forever), then checked with fstat on
    the open descriptor, so a file swapped in between cannot slip past the check.
    """
    path = Path(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)  # POSIX | Windows
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise FileRefused(f"{path.name}: cannot read ({exc.strerror or exc})") from exc
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise FileRefused(f"{path.name}: is a folder, not a {what}")
        if not stat.S_ISREG(info.st_mode):
            raise FileRefused(f"{path.name}: not a regular file (a pipe, device or socket), not a {what}")
        if info.st_size > max_bytes:
            raise FileRefused(
                f"{path.name}: {describe_size(info.st_size)} is more than a {what} may be ({describe_size(max_bytes)})"
            )
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)  # a regular file: network file systems may honour O_NONBLOCK
        with os.fdopen(os.dup(fd), "rb") as f:
            data = f.read(info.st_size + 1)  # the size it says, and one byte to see whether it grew
            if len(data) > info.st_size:  # it grew, or it is a file of no stated size (/proc)
                data += f.read(max_bytes + 1 - len(data))
    except OSError as exc:
        raise FileRefused(f"{path.name}: cannot read ({exc.strerror or exc})") from exc
    finally:
        os.close(fd)
    if len(data) > max_bytes:  # the file grew while being read
        raise FileRefused(f"{path.name}: more than a {what} may be ({describe_size(max_bytes)})")
    return data


def parse_json(data: bytes, name: str) -> object:
    """Parse JSON bytes from a file; FileRefused says, for a person, why they are not JSON.

    json.loads raises more than JSONDecodeError on hostile input: RecursionError when nested too
    deeply, ValueError for an integer of more digits than Python converts.
    """
    try:
        text = data.decode("utf-8-sig")  # a byte order mark first: Notepad wrote it
    except UnicodeDecodeError:
        raise FileRefused(f"{name}: not UTF-8 text") from None
    if not text.strip():
        raise FileRefused(f"{name}: the file is empty")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileRefused(f"{name}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
    except RecursionError:
        raise FileRefused(f"{name}: nested too deeply") from None
    except ValueError:
        raise FileRefused(f"{name}: a number is too long") from None
