"""Atomic file writes: a reader (or a crash) never sees half a file.

The new content goes to a temporary file beside the file, is flushed to disk, then renamed over it,
and the rename is flushed too. What a user set stays: a file's permissions (a private drawing
stays private; a new file gets the user's umask, not a mode of our choosing), and a file that is a
symbolic link to a file is written where the link points, the link kept.
"""

from __future__ import annotations

import os
import stat
import uuid
from pathlib import Path

NAME_CHARS = 40  # of the file's name in its temporary file's: at most 160 bytes of UTF-8 (names: 255)
NEW_FILE_MODE = 0o666  # what a new file asks for; the user's umask takes its share (as for any program's file)


def write_bytes_atomic(path: Path | str, data: bytes) -> None:
    """Write `data` to a temporary file beside `path` (where a link at `path` points), flush it to
    disk, then rename it over that file and flush the folder."""
    try:
        path = Path(os.path.realpath(path, strict=True))  # an existing file, through the links to it
    except OSError:
        path = Path(path)  # a new file; a broken or looping link is replaced by the file
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode: int | None = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        mode = None  # a new file
    # Named after the file, cut short: the file's own name may be as long as the file system allows.
    tmp = path.parent / f".{path.name[:NAME_CHARS]}.{uuid.uuid4().hex[:8]}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), NEW_FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    sync_folder(path.parent)


def sync_file(path: Path) -> None:
    """Flush a file another writer wrote (Keras, onnx) to disk, so that what follows it (a summary
    that says it is there) cannot outlast it in a power cut."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_folder(folder: Path) -> None:
    """Make the renames in `folder` durable (best effort: Windows cannot open a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
