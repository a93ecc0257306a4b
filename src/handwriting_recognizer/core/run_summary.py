"""A training run's summary, saved in its output folder beside the model it describes.

The worker also sends the summary to the retrain dialog (the Done event); the saved copy is what a
later window offers when the app closed (a crash, a power cut) before the user kept or discarded a
finished run's model: hours of training are not thrown away with the window that showed them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from handwriting_recognizer.core.atomic import write_bytes_atomic
from handwriting_recognizer.core.contract import MODEL_FILE
from handwriting_recognizer.core.safe_io import MB, FileRefused, is_file, parse_json, read_regular_file

SUMMARY_FILE = "summary.json"  # written last: a run folder with one holds a whole, finished run
SUMMARY_MAX_BYTES = 4 * MB  # the shipped model's: 9 KB (with the comparison and history)


def write_summary(out: Path, summary: dict[str, Any]) -> None:
    """Save `summary` into the run folder `out`, atomically: a reader sees all of it or none."""
    write_bytes_atomic(out / SUMMARY_FILE, json.dumps(summary, indent=2).encode())


def read_summary(out: Path) -> dict[str, Any]:
    """The summary of the finished run in `out`, its "model" that folder's own model (the saved path
    may name where the folder was); FileRefused when the folder holds no finished run."""
    if not is_file(out / MODEL_FILE):
        raise FileRefused(f"{out.name}: holds no model")
    summary = parse_json(read_regular_file(out / SUMMARY_FILE, SUMMARY_MAX_BYTES, "run summary"), SUMMARY_FILE)
    if not isinstance(summary, dict):
        raise FileRefused(f"{SUMMARY_FILE}: not a run summary")
    return {**summary, "model": str(out / MODEL_FILE)}
