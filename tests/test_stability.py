"""A long drawing session in one process: the app stays up and exits by itself (tests/soak.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.soak import TOLERANCE

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_a_long_session_keeps_reference_counts_flat_and_exits_cleanly(tmp_path):
    """PySide6 6.12.0 aborted this run ("none_dealloc") after about 1,700 mouse moves."""
    env = dict(
        os.environ,
        HOME=str(tmp_path),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        QT_QPA_PLATFORM="offscreen",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "tests.soak", "--moves", "20000"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["moves"] == 20000
    assert all(abs(d) <= TOLERANCE for d in result["drift"].values()), result
