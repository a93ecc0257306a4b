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
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from desktop.safe_io import MB

GEOMETRY = "window/geometry"
MODEL_PATH = "model/path"
FILES_FOLDER = "files/folder"
RETRAIN_DATA = "retrain/data"
MAX_FILE_BYTES = 1 * MB  # budget: the settings file (a few hundred bytes in use)

log = logging.getLogger(__name__)


def open_settings() -> QSettings:
    """The app's QSettings, after moving aside a settings file that cannot be used."""
    settings = QSettings()
    path = Path(settings.fileName())
    problem = _file_problem(path, settings)
    if problem is None:
        return settings
    kept = path.with_name(f"{path.name}.bad-{dt.datetime.now():%Y%m%d-%H%M%S}")
    try:
        os.replace(path, kept)
    except OSError as exc:
        log.warning("settings file %s %s and cannot be moved aside (%s): using defaults", path, problem, exc.strerror)
        settings.clear()
        return settings
    log.warning("settings file %s %s: moved to %s, starting with defaults", path, problem, kept.name)
    return QSettings()


def _file_problem(path: Path, settings: QSettings) -> str | None:
    if not path.exists():
        return None
    if not path.is_file():
        return "is not a regular file"
    if path.stat().st_size > MAX_FILE_BYTES:
        return f"is larger than {MAX_FILE_BYTES // MB} MB"
    if settings.status() != QSettings.Status.NoError:
        return "cannot be parsed"
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
