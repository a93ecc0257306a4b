"""How the app starts the training worker, from a checkout or from the frozen executable.

The worker is the training CLI in its own process: `python -m handwriting_recognizer.training ...`
from a checkout, or the executable re-invoked with `--training-worker ...` when frozen. No Qt
and no TensorFlow here: the retrain dialog and the self-test share it.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from handwriting_recognizer.core.train_config import MNIST_ENV, UNIPEN_ENV

# Set in the worker's environment by the app: the worker stops when its standard input ends, which
# the app holds open while it lives (a worker left running by a killed app wrote on into a run folder
# the app's next start removes as abandoned).
STOP_WITH_APP_ENV = "HWR_STOP_WITH_APP"
PROJECT_ROOT = Path(__file__).resolve().parents[3]  # a checkout's root (unused when frozen)
SOURCE_ROOT = PROJECT_ROOT / "src"  # where the package is, in a checkout
TRAINING_EXTRA_HINT = (
    "Retraining needs TensorFlow. Install the training extra next to the app: "
    "pip install -e '.[cpu,train]' (or use the full build of the app)."
)


def frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def training_available() -> bool:
    """Whether this installation can train: a full build, or a checkout with the `train` extra.
    (find_spec looks without importing: the app process never loads TensorFlow.)"""
    return all(importlib.util.find_spec(name) is not None for name in ("handwriting_recognizer.training", "tensorflow"))


def worker_command(args: list[str]) -> list[str]:
    """The command line that runs the training CLI with `args`."""
    if frozen():
        return [sys.executable, "--training-worker", *args]
    return [sys.executable, "-m", "handwriting_recognizer.training", *args]


def worker_environment(
    base: Mapping[str, str], dataset_from_env: bool = True, stop_with_app: bool = False
) -> dict[str, str]:
    """The worker's environment: unbuffered output, quiet TensorFlow, the checkout importable.
    `dataset_from_env` False drops $HWR_MNIST, for when the user asked for the real download;
    $HWR_UNIPEN is always dropped: the retrain dialog names the pen data it chose, or none.
    `stop_with_app`: the worker stops when its standard input ends (the app holds it open; the
    self-test, which gives it none, does not ask for that)."""
    env = dict(base, PYTHONUNBUFFERED="1", TF_CPP_MIN_LOG_LEVEL="2")
    if stop_with_app:
        env[STOP_WITH_APP_ENV] = "1"
    else:
        env.pop(STOP_WITH_APP_ENV, None)
    env.pop(UNIPEN_ENV, None)
    if not dataset_from_env:
        env.pop(MNIST_ENV, None)
    if not frozen():
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SOURCE_ROOT), env.get("PYTHONPATH")]))
    return env


def worker_cwd() -> Path | None:
    """The worker's working folder: the checkout's root, or None (inherit) when frozen."""
    return None if frozen() else PROJECT_ROOT
