"""One training run in the worker process, seen by the UI as typed progress events and an end.

The worker is `python -m handwriting_recognizer.training ... --progress jsonl` (the frozen app
re-invokes itself), run with QProcess so the UI never waits on it: not while it trains, not while it stops.
"""

from __future__ import annotations

import codecs
import os

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, QTimer, Signal

from handwriting_recognizer.core.progress import MAX_LINE_CHARS, parse
from handwriting_recognizer.core.worker import worker_command, worker_cwd, worker_environment

KILL_AFTER_MS = 15_000  # how long a cancelled worker may take to stop by itself before it is killed
STDERR_TAIL_CHARS = 20_000  # what is kept of the worker's stderr: its last lines say why it failed
CRASHED = -1  # the exit code reported for a worker that crashed or was killed


def prepared_process(parent: QObject, dataset_from_env: bool = True) -> QProcess:
    """A QProcess with the worker's environment and working folder, not started yet."""
    process = QProcess(parent)
    env = QProcessEnvironment()
    for key, value in worker_environment(os.environ, dataset_from_env, stop_with_app=True).items():
        env.insert(key, value)
    process.setProcessEnvironment(env)
    if worker_cwd() is not None:
        process.setWorkingDirectory(str(worker_cwd()))
    return process


def start_worker(process: QProcess, args: list[str]) -> None:
    """Run the training CLI with `args` in `process`."""
    program, *rest = worker_command(args)
    process.start(program, rest)


class RetrainProcess(QObject):
    """One run of the worker (use a new one for each run).

    `received(event)`: each progress event, typed (core.progress); other stdout lines are
    dropped. `finished(code, stderr_tail)`: the worker has ended (code CRASHED if it crashed or was
    killed). `failed_to_start(reason)`: it never ran; `finished` does not follow.
    """

    received = Signal(object)
    finished = Signal(int, str)
    failed_to_start = Signal(str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._stdout = b""  # the start of a line not ended yet
        self._overlong = False  # that line grew past MAX_LINE_CHARS: its end is dropped too
        self._stderr_decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._stderr = ""
        self.cancelled = False
        self._kill_timer = QTimer(self)
        self._kill_timer.setSingleShot(True)
        self._process: QProcess | None = None

    def start(self, args: list[str], dataset_from_env: bool = True) -> None:
        """Start the worker with the training CLI's `args`; $HWR_MNIST is passed on if `dataset_from_env`."""
        self._process = prepared_process(self, dataset_from_env)
        self._process.readyReadStandardOutput.connect(self._read_stdout)
        self._process.readyReadStandardError.connect(self._read_stderr)
        self._process.finished.connect(self._finished)
        self._process.errorOccurred.connect(self._error)
        self._kill_timer.timeout.connect(self._process.kill)
        start_worker(self._process, args)

    def is_running(self) -> bool:
        return self._process is not None and self._process.state() != QProcess.ProcessState.NotRunning

    def _started(self) -> QProcess:
        """The worker's QProcess; the slots that use it are connected only once it exists."""
        if self._process is None:
            raise RuntimeError("the worker has not been started")
        return self._process

    def cancel(self) -> None:
        """Ask the worker to stop (SIGTERM, and the end of its standard input, which it watches: it
        stops cleanly and writes no model) and kill it if it has not stopped after KILL_AFTER_MS:
        on Windows, terminate() is only a request a console program ignores. The worker publishes its
        model by renames at the very end, so a kill leaves no partial model either. Returns at once;
        `finished` tells when the worker has ended."""
        if self.is_running() and not self.cancelled:
            self.cancelled = True
            self._started().closeWriteChannel()
            self._started().terminate()
            self._kill_timer.start(KILL_AFTER_MS)

    def _read_stdout(self) -> None:
        self._stdout += bytes(self._started().readAllStandardOutput().data())
        *lines, self._stdout = self._stdout.split(b"\n")
        if lines and self._overlong:
            lines, self._overlong = lines[1:], False
        if len(self._stdout) > MAX_LINE_CHARS:
            self._stdout, self._overlong = b"", True
        for line in lines:
            event = parse(line.decode(errors="replace"))
            if event is not None:
                self.received.emit(event)

    def _read_stderr(self) -> None:
        text = self._stderr_decoder.decode(bytes(self._started().readAllStandardError().data()))
        self._stderr = (self._stderr + text)[-STDERR_TAIL_CHARS:]

    def _finished(self, code: int, status: QProcess.ExitStatus) -> None:
        self._kill_timer.stop()
        self._read_stdout()
        self._read_stderr()
        crashed = status == QProcess.ExitStatus.CrashExit
        self.finished.emit(CRASHED if crashed else code, self._stderr)

    def _error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self.failed_to_start.emit(self._started().errorString())
