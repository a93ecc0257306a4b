"""The retrain dialog's run folders (`<app data>/runs/<time>`), and what a closed app left there.

A dialog claims its run's folder with a lock file beside it (`<time>.lock`, a QLockFile) from the
start of the run until its model is kept or discarded. A folder no live process claims was left by
an app that closed first (a crash, a power cut, a kill): a finished run in it (one with a saved
summary, `core.run_summary`) is offered again, an unfinished one is removed. A second window never
touches the run another one is showing: that one's lock is held by a live process.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import re
import shutil
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLockFile

from handwriting_recognizer.core.run_summary import SUMMARY_FILE, read_summary
from handwriting_recognizer.core.safe_io import FileRefused, exists, is_folder

log = logging.getLogger(__name__)

RUN_NAME = re.compile(r"\d{8}-\d{6}(-\d+)?")  # how `new_run` names a folder: nothing else there is a run


class RunFolder:
    """One run's folder, and the lock that claims it for this process."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = QLockFile(f"{path}.lock")
        self._lock.setStaleLockTime(0)  # a run may take hours: only a lock whose process is gone is stale

    def claim(self) -> bool:
        """Whether this process now holds the folder (no other live process does)."""
        return self._lock.tryLock(0)

    def held_elsewhere(self) -> bool:
        """After a failed `claim`: whether another live process holds it (else it cannot be made)."""
        return self._lock.error() == QLockFile.LockError.LockFailedError

    def release(self) -> None:
        self._lock.unlock()

    def remove(self) -> None:
        """Delete the folder, then its lock."""
        shutil.rmtree(self.path, ignore_errors=True)
        self.release()


def new_run(runs_dir: Path) -> RunFolder:
    """A new run folder's name (now: "20261126-190501", "-2" after it where another window started
    a run in the same second), claimed. Where no lock can be made (the folder cannot be written),
    the run is returned unclaimed: the worker then says why it cannot write there."""
    try:
        runs_dir.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass  # the lock fails below, and the worker says why
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for n in itertools.count(1):
        run = RunFolder(runs_dir / (stamp if n == 1 else f"{stamp}-{n}"))
        if run.claim():
            if not exists(run.path):
                return run
            run.release()  # a folder a closed app left: `left_behind` decides what becomes of it
        elif not run.held_elsewhere():
            return run
    raise AssertionError("unreachable")  # itertools.count never ends


def left_behind(
    runs_dir: Path, unreadable: list[tuple[Path, str]] | None = None
) -> tuple[RunFolder, dict[str, Any]] | None:
    """Clear up after apps that closed during or after a run: remove the unfinished runs no live
    process claims, and return the newest finished one, claimed, with its summary (older finished
    ones stay, to be offered next). A finished run whose summary cannot be read is kept, and added
    to `unreadable` (its folder, why) for the user to be told."""
    if not is_folder(runs_dir):
        return None
    try:
        names = sorted((p.name for p in runs_dir.iterdir() if RUN_NAME.fullmatch(p.name)), reverse=True)
    except OSError:
        return None
    offered = None
    for name in names:
        run = RunFolder(runs_dir / name)
        if not run.claim():
            continue  # another window's run
        if not exists(run.path / SUMMARY_FILE):  # written last: the run never finished
            log.info("removing a run a closed app left unfinished: %s", name)
            run.remove()
            continue
        try:
            summary = read_summary(run.path)
        except FileRefused as exc:  # finished, but unreadable now (permissions, damage): kept for the user
            log.warning("a finished run cannot be offered: %s: %s", run.path, exc)
            if unreadable is not None:
                unreadable.append((run.path, str(exc)))
            run.release()
            continue
        if offered is None:
            offered = run, summary
        else:
            run.release()
    return offered
