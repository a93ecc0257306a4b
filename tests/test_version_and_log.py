"""The app says which release it is (--version, the self-test, About, the models it trains) and keeps
a log file in the user's data folder that survives a folder it cannot write."""

from __future__ import annotations

import importlib.metadata
import logging
import os
import platform
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import onnxruntime
import PySide6
import pytest
from PySide6.QtCore import qVersion

import handwriting_recognizer
from handwriting_recognizer import selftest
from handwriting_recognizer.app.application import (
    LOG_FILE_BYTES,
    LOG_FILES,
    about_text,
    create_application,
    log_file_path,
    setup_logging,
)
from handwriting_recognizer.app.settings import open_settings, settings_path

ROOT = Path(__file__).resolve().parent.parent
LOG_FILE = Path(".local", "share", "hwr", "Handwriting Recognizer", "logs", "app.log")  # a new process, home isolated


def data_folder() -> Path:
    """The app's data folder in this test process (Qt's test mode puts it under the isolated home)."""
    from PySide6.QtCore import QStandardPaths

    create_application([])
    return Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation))


@pytest.fixture
def root_logger():
    """The root logger, given back as it was: without the handlers setup_logging added."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)


def test_version_is_the_installed_packages():
    assert (
        handwriting_recognizer.__version__
        == importlib.metadata.version("handwriting-recognizer")
        != handwriting_recognizer.UNKNOWN_VERSION
    )


def test_version_is_unknown_only_without_the_package(monkeypatch):
    def not_installed(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", not_installed)
    handwriting_recognizer.installed_version.cache_clear()
    try:
        assert handwriting_recognizer.installed_version() == "unknown"
    finally:
        handwriting_recognizer.installed_version.cache_clear()


def test_version_option_prints_name_and_version():
    proc = subprocess.run(
        [sys.executable, "-m", "handwriting_recognizer", "--version"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"handwriting-recognizer {handwriting_recognizer.__version__}\n"


def test_self_test_names_the_version_first(monkeypatch, capsys):
    monkeypatch.setattr(selftest, "training_available", lambda: False)  # the recognition part only
    assert selftest.run_self_test() == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith(
        f"self-test: handwriting-recognizer {handwriting_recognizer.__version__}, lean installation"
    )


def test_about_text_names_version_licence_and_libraries():
    text = about_text()
    assert text.splitlines()[0] == f"Handwriting Recognizer {handwriting_recognizer.__version__}"
    assert "Licence: MIT" in text
    for library in (
        f"Qt {qVersion()}",
        f"PySide6 {PySide6.__version__}",
        f"onnxruntime {onnxruntime.__version__}",
        f"Python {platform.python_version()}",
    ):
        assert library in text


def test_what_a_module_logs_goes_to_the_log_file(root_logger, isolated_user_folders):
    create_application([])
    path = setup_logging()
    assert path == log_file_path() == data_folder() / "logs" / "app.log"
    settings_path().mkdir(parents=True)  # a folder where the settings file should be: moved aside with a warning
    open_settings()
    lines = [line for line in path.read_text().splitlines() if " WARNING handwriting_recognizer.app.settings: " in line]
    assert len(lines) == 1 and "is not a regular file: moved to" in lines[0]


def test_log_files_are_rotated_within_their_budget(root_logger, isolated_user_folders):
    create_application([])
    path = setup_logging()
    line = "x" * 1000
    for _ in range(4 * LOG_FILE_BYTES // len(line)):
        logging.getLogger("handwriting_recognizer.core.recognizer").warning(line)
    files = sorted(p.name for p in path.parent.iterdir())
    assert files == ["app.log"] + [f"app.log.{n}" for n in range(1, LOG_FILES)]
    assert all((path.parent / name).stat().st_size <= LOG_FILE_BYTES for name in files)


def test_unwritable_data_folder_leaves_standard_error_only(root_logger, isolated_user_folders, caplog):
    blocked = data_folder().parent.parent
    blocked.parent.mkdir(parents=True, exist_ok=True)
    blocked.write_text("a file where the data folder should be")  # fails as root too
    handlers = list(root_logger.handlers)
    with caplog.at_level(logging.WARNING):
        assert setup_logging() is None
    assert [r.getMessage() for r in caplog.records] == [
        f"cannot write the log file {data_folder() / 'logs' / 'app.log'} (Not a directory): "
        "logging to standard error only"
    ]
    assert not [h for h in root_logger.handlers if h not in handlers and isinstance(h, logging.FileHandler)]


def test_a_fifo_in_place_of_the_log_file_does_not_block_the_start(isolated_user_folders):
    path = isolated_user_folders / LOG_FILE
    path.parent.mkdir(parents=True)
    os.mkfifo(path)
    # In a process of its own: opening the FIFO would block until a reader comes, i.e. forever.
    code = (
        "from handwriting_recognizer.app.application import create_application, setup_logging;"
        "create_application([]); print(setup_logging())"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout == "None\n", proc.stderr
    assert "(not a regular file): logging to standard error only" in proc.stderr


def start_app(*args: str) -> subprocess.Popen[str]:
    """The app in a process of its own, as a user starts it from a terminal (no platform chosen by
    the environment: the arguments must choose it)."""
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    return subprocess.Popen(
        [sys.executable, "-m", "handwriting_recognizer", *args],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("dashes", ["-", "--"])
def test_qt_options_on_the_command_line_are_qts(dashes):
    # "-platform offscreen" must reach Qt (CI has no display: the window could not open otherwise),
    # and "-style Fusion" too, not be refused as unknown options; Qt takes them with two dashes too.
    app = start_app(f"{dashes}platform", "offscreen", f"{dashes}style=Fusion")
    hung = threading.Timer(60, app.kill)  # a start that never logs ends here, as a failure
    hung.start()
    try:
        assert app.stderr is not None
        lines = []
        for line in app.stderr:  # until the app logs that it started, or ends
            lines.append(line)
            if " started (" in line:
                break
        assert lines and lines[-1].rstrip().endswith("; style fusion)"), "".join(lines)
        assert app.poll() is None  # still running: the window is open
    finally:
        hung.cancel()
        app.kill()
        app.wait(timeout=60)


def test_an_unknown_option_is_refused_beside_qt_options():
    app = start_app("-platform", "offscreen", "-modle", "x.onnx")  # one dash: refused once Qt took its own
    try:
        _, err = app.communicate(timeout=120)
    finally:
        app.kill()
    assert app.returncode == 2
    assert "unrecognized arguments: -modle x.onnx" in err


def test_a_mistyped_option_is_refused_without_a_display():
    """Two dashes are never Qt's: refused before Qt starts, which on a terminal without a display
    would abort with "could not connect to display" instead (found by review)."""
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    proc = subprocess.run(
        [sys.executable, "-m", "handwriting_recognizer", "--modle", "x.onnx"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and "unrecognized arguments: --modle x.onnx" in proc.stderr


def test_trained_models_name_this_project_and_version_as_producer():
    from handwriting_recognizer.training import export
    from handwriting_recognizer.training.model import build_classifier

    float_model = export.to_onnx(build_classifier(width=2), {})
    calibration = np.random.default_rng(0).random((8, 28, 28, 1), dtype=np.float32)
    int8_model = export.quantize(float_model.SerializeToString(), calibration)
    for proto in (float_model, int8_model):
        assert (proto.producer_name, proto.producer_version) == (
            "handwriting-recognizer",
            handwriting_recognizer.__version__,
        )
