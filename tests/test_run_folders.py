"""Retrain run folders: claimed while a window shows them, and what a crashed app left behind."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from handwriting_recognizer.app import run_folders
from handwriting_recognizer.app.run_folders import RunFolder, left_behind, new_run
from handwriting_recognizer.core.run_summary import SUMMARY_FILE, SUMMARY_MAX_BYTES, read_summary, write_summary
from handwriting_recognizer.core.safe_io import FileRefused

HOLD = """
import sys, time
from PySide6.QtCore import QLockFile
lock = QLockFile(sys.argv[1] + ".lock")
assert lock.tryLock(0)
print("locked", flush=True)
time.sleep(120)
"""


def crashed_run(runs: Path, name: str, finished: bool, model: Path, **summary: object) -> Path:
    """A run folder as an app that died during (or after) the run left it: its lock file stays."""
    folder = runs / name
    (folder / ".staging-x").mkdir(parents=True)
    if finished:
        shutil.copy(model, folder / "model.onnx")
        write_summary(folder, {"model": "/elsewhere/model.onnx", "test_accuracy": 0.99, **summary})
    app = subprocess.Popen([sys.executable, "-c", HOLD, str(folder)], stdout=subprocess.PIPE, text=True)
    assert app.stdout is not None and app.stdout.readline() == "locked\n"
    app.kill()  # as kill -9 or a crash ends it: the lock file stays, naming a process that is gone
    app.wait(timeout=30)
    assert Path(f"{folder}.lock").exists()
    return folder


def test_a_crashed_apps_finished_run_is_offered_and_its_unfinished_one_removed(tmp_path, bundled_model):
    runs = tmp_path / "runs"
    older = crashed_run(runs, "20261126-090000", True, bundled_model)
    finished = crashed_run(runs, "20261126-100000", True, bundled_model)
    unfinished = crashed_run(runs, "20261126-110000", False, bundled_model)
    shown = RunFolder(runs / "20261126-120000")  # another window's run, going on
    assert shown.claim()
    shown.path.mkdir()
    (runs / "my notes").mkdir()  # not a run: never touched

    run, summary = left_behind(runs)

    assert run.path == finished and summary == {"model": str(finished / "model.onnx"), "test_accuracy": 0.99}
    assert not RunFolder(finished).claim()  # held for the dialog that shows it
    assert not unfinished.exists() and not Path(f"{unfinished}.lock").exists()
    assert shown.path.exists() and (runs / "my notes").exists()
    assert older.exists() and RunFolder(older).claim()  # offered once the newer one is decided
    run.remove()
    assert not finished.exists() and not Path(f"{finished}.lock").exists()


def test_a_finished_run_whose_summary_cannot_be_read_is_kept_not_removed(tmp_path, bundled_model):
    """A run whose summary was unreadable (no permission, a byte order mark) was removed as
    unfinished, and its model with it (QA review)."""
    runs = tmp_path / "runs"
    damaged = crashed_run(runs, "20261126-100000", True, bundled_model)
    (damaged / SUMMARY_FILE).write_text("[1, 2]")
    assert left_behind(runs) is None
    assert (damaged / "model.onnx").exists() and RunFolder(damaged).claim()


def test_nothing_is_left_where_no_run_ran(tmp_path):
    assert left_behind(tmp_path / "runs") is None
    (tmp_path / "runs").write_text("a file where the folder would be")
    assert left_behind(tmp_path / "runs") is None


def test_two_windows_starting_a_run_in_the_same_second_get_a_folder_each(tmp_path, monkeypatch):
    now = dt.datetime(2026, 11, 26, 19, 5, 1)
    monkeypatch.setattr(run_folders, "dt", SimpleNamespace(datetime=SimpleNamespace(now=lambda: now)))
    first, second = new_run(tmp_path), new_run(tmp_path)
    assert [first.path.name, second.path.name] == ["20261126-190501", "20261126-190501-2"]
    crashed = tmp_path / "20261126-190501-3"
    crashed.mkdir()  # a folder a closed app left, no longer locked: not reused
    assert new_run(tmp_path).path.name == "20261126-190501-4"


def test_a_run_folder_that_cannot_be_written_is_left_to_the_worker_to_explain(tmp_path):
    blocked = tmp_path / "runs"
    blocked.write_text("a file where the folder would be")
    run = new_run(blocked)  # returns, unclaimed: the worker says "--out ...: is a file, not a folder"
    assert run.path.parent == blocked and not run.claim()


def test_a_summary_is_read_only_beside_its_model_and_within_its_budget(tmp_path):
    with pytest.raises(FileRefused, match="holds no model"):
        write_summary(tmp_path, {"test_accuracy": 0.99}) or read_summary(tmp_path)
    (tmp_path / "model.onnx").write_bytes(b"model")
    assert read_summary(tmp_path) == {"test_accuracy": 0.99, "model": str(tmp_path / "model.onnx")}
    (tmp_path / SUMMARY_FILE).write_text("[1, 2]")
    with pytest.raises(FileRefused, match="not a run summary"):
        read_summary(tmp_path)
    (tmp_path / SUMMARY_FILE).write_text(" " * (SUMMARY_MAX_BYTES + 1))
    with pytest.raises(FileRefused, match="more than a run summary may be"):
        read_summary(tmp_path)
