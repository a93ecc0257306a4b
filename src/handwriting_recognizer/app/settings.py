"""The app's remembered settings (QSettings), read with their types checked.

A settings file that a person edited, or that a crash cut short, can hold anything. Each value is
checked where it is read and a bad one is ignored with a log line, as if it had never been set; a
file Qt cannot parse, or one over its budget, is moved aside (kept for the user) and the app starts
with defaults.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import stat
import tempfile
import uuid
from pathlib import Path

from PySide6.QtCore import QByteArray, QCoreApplication, QSettings, QStandardPaths

from handwriting_recognizer.core.safe_io import MB

GEOMETRY = "window/geometry"
MODEL_PATH = "model/path"
FILES_FOLDER = "files/folder"
SAMPLES_FOLDER = "samples/folder"  # where My Samples last exported or imported an archive
RETRAIN_DATA = "retrain/data"
RETRAIN_UNIPEN = "retrain/unipen"
RETRAIN_EPOCHS = "retrain/epochs"  # the last run's, per way of starting, offered again: a quick run stays quick
RETRAIN_LIMIT = "retrain/limit"
PEN_WIDTH = "canvas/pen_width"
MAX_FILE_BYTES = 1 * MB  # budget: the settings file (a few hundred bytes in use)

log = logging.getLogger(__name__)


def settings_path() -> Path:
    """The settings file: `<config folder>/<organization>/<application>.conf`, where Qt keeps an
    application's INI settings on Linux (the same file on every system here)."""
    config = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericConfigLocation)
    app = QCoreApplication.instance()
    organization = app.organizationName() if app else ""
    application = app.applicationName() if app else "settings"
    return Path(config) / organization / f"{application}.conf"


def open_settings() -> QSettings:
    """The app's QSettings, after moving aside a settings file that cannot be used.

    The file is checked before Qt opens it: QSettings reads the whole file as it is constructed
    (a FIFO would block it forever, a huge file would fill the memory)."""
    path = settings_path()
    problem = _file_problem(path)
    if problem is None:
        settings = QSettings(str(path), QSettings.Format.IniFormat)
        if settings.status() == QSettings.Status.NoError:
            return settings
        problem = "cannot be parsed"
    kept = path.with_name(f"{path.name}.bad-{dt.datetime.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}")
    try:
        os.replace(path, kept)
    except OSError as exc:
        log.warning(
            "settings file %s %s and cannot be moved aside (%s): nothing is remembered this time",
            path,
            problem,
            exc.strerror,
        )
        return QSettings(str(Path(tempfile.mkdtemp(prefix="hwr-settings-")) / path.name), QSettings.Format.IniFormat)
    log.warning("settings file %s %s: moved to %s, starting with defaults", path, problem, kept.name)
    return QSettings(str(path), QSettings.Format.IniFormat)


def _file_problem(path: Path) -> str | None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file"
    if info.st_size > MAX_FILE_BYTES:
        return f"is larger than {MAX_FILE_BYTES // MB} MB"
    return None


def read_bytes(settings: QSettings, key: str) -> QByteArray | None:
    """A binary value (e.g. window geometry), or None when unset or of another type."""
    value = settings.value(key)
    if value is None or isinstance(value, QByteArray):
        return value
    log.warning("settings: ignoring %s: expected binary data, found %s", key, type(value).__name__)
    return None


def read_text(settings: QSettings, key: str, default: str = "") -> str:
    """A text value, or `default` when unset or of another type."""
    value = settings.value(key)
    if value is None:
        return default
    if isinstance(value, str) and "\0" not in value:
        return value
    log.warning("settings: ignoring %s: expected text, found %r", key, value if isinstance(value, str) else type(value))
    return default


def read_int(settings: QSettings, key: str, default: int, lowest: int, highest: int) -> int:
    """A whole number from `lowest` to `highest`, or `default` when unset, of another type or outside
    those limits (an INI file stores numbers as text)."""
    value = settings.value(key)
    if value is None:
        return default
    try:
        number = int(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else None
    except ValueError:
        number = None
    if number is not None and lowest <= number <= highest:
        return number
    log.warning("settings: ignoring %s: expected a whole number from %d to %d, found %r", key, lowest, highest, value)
    return default
