"""Why a training worker failed, in words the user can act on, from its error event and stderr."""

from __future__ import annotations

from handwriting_recognizer.core.train_config import MNIST_DOWNLOAD_FAILED
from handwriting_recognizer.core.worker import TRAINING_EXTRA_HINT

MISSING_MODULES = (
    "No module named 'tensorflow'",
    "No module named 'handwriting_recognizer.training'",
    "No module named 'keras'",
)
DATASET_CLUES = ("no such file", ".npz", "IDX")
DOWNLOAD_HINT = (
    'Check the internet connection, or choose a copy of MNIST (an .npz or a folder of IDX files) with "Use a file".'
)
# TensorFlow's C++ log lines, and absl's line before them: noise, not the reason.
LOG_PREFIXES = ("I0000", "W0000", "E0000", "WARNING: All log messages before absl::InitializeLog()")
CRASHED = (
    "the training process stopped without finishing: it crashed or was killed (by the system, for instance,"
    " when memory ran out). The current model is unchanged"
)


def explain_failure(exit_code: int, error_message: str | None, stderr: str) -> str:
    """The worker's reason in words, and how to fix it when we know. `exit_code` is negative when
    the worker crashed; `error_message` is its Error or Interrupted event's message, if any."""
    if any(missing in stderr for missing in MISSING_MODULES):
        return TRAINING_EXTRA_HINT
    if error_message:
        reason = error_message.removeprefix("error: ")
        if reason.startswith(MNIST_DOWNLOAD_FAILED):
            return f"{reason}.\n\n{DOWNLOAD_HINT}"
        if any(clue in reason for clue in DATASET_CLUES):
            return f"{reason}\n\nChoose a working MNIST copy (an .npz or a folder of IDX files) or the download."
        return reason
    lines = [line for line in stderr.splitlines() if line.strip() and not line.startswith(LOG_PREFIXES)]
    tail = "\n".join(lines[-3:])
    if "ResourceExhausted" in stderr or "out of memory" in stderr.lower():
        return f"Training ran out of memory. Try a smaller batch, the CPU, or fewer images.\n\n{tail}".strip()
    if exit_code < 0:  # its own last lines, if any, are not the reason: they come before the end
        return f"{CRASHED}." + (f"\n\nIts last output:\n{tail}" if tail else "")
    return tail or f"the training process ended with code {exit_code}"
