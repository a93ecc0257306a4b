"""The desktop's trash, for files that belong together (a sample's picture and its JSON): they go
there all or none, and come back by a rename, which needs no free disk space (a delete undone on
a full disk must not fail)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QFile

log = logging.getLogger(__name__)

Trashed = list[tuple[Path, Path]]  # (where a file was, where it is in the trash)


def to_trash(paths: Sequence[Path]) -> Trashed | None:
    """Move `paths` to the trash, in order; None when the trash would not take them all (none on
    this disk, no room for its notes, no desktop data folder), and then each is back where it was
    (one that cannot be is logged, and stays in the trash)."""
    moved: Trashed = []
    for path in paths:
        file = QFile(str(path))
        if not file.moveToTrash():
            try:
                restore(moved)
            except OSError as exc:  # what stays in the trash can still be restored from there
                log.warning("could not take %s back out of the trash: %s", moved, exc)
            return None
        moved.append((path, Path(file.fileName())))  # QFile names the file's place in the trash
    return moved


def restore(trashed: Trashed) -> None:
    """Put trashed files back, the last moved first, and drop the trash's note of each (the
    freedesktop trash's info/NAME.trashinfo: restoring from a file manager would then offer a file
    that is no longer there). OSError when one cannot be moved back; those before it are back."""
    for original, place in reversed(trashed):
        place.rename(original)
        if place.parent.name == "files":
            (place.parent.parent / "info" / f"{place.name}.trashinfo").unlink(missing_ok=True)
