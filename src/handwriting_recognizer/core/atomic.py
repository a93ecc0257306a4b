"""Atomic file writes: a reader (or a crash) never sees half a file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

NAME_CHARS = 40  # of the file's name in its temporary file's: at most 160 bytes of UTF-8 (names: 255)


def write_bytes_atomic(path: Path | str, data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, flush it to disk, then rename over `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Named after the file, cut short: the file's own name may be as long as the file system allows.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:NAME_CHARS]}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
