"""Model > Retrain...: runs the training CLI in a separate process and shows its progress live.

The worker is `python -m training ... --progress jsonl` (the frozen app re-invokes itself with
`--training-worker`), started with QProcess so the UI never waits on it. Each JSON line updates the
progress bar, the ETA and the curves. Cancel sends SIGTERM: the worker stops and writes nothing.
At the end the old and new models are compared and the user keeps or discards the new one.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QPointF, QProcess, QProcessEnvironment, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop import settings as keys
from desktop.model_store import matching_weights
from desktop.worker import TRAINING_EXTRA_HINT, worker_command, worker_cwd, worker_environment

KILL_AFTER_MS = 15_000  # how long Cancel waits for the worker to stop by itself


def explain_failure(exit_code: int, error_event: str | None, stderr: str) -> str:
    """The worker's reason in words, and how to fix it when we know."""
    if "No module named 'tensorflow'" in stderr or "No module named 'training'" in stderr or "No module named 'keras'" in stderr:
        return TRAINING_EXTRA_HINT
    if error_event:
        reason = error_event.removeprefix("error: ")
        if "no such file" in reason or ".npz" in reason or "IDX" in reason or "download failed" in reason:
            return f"{reason}\n\nChoose a working MNIST copy (an .npz or a folder of IDX files) or the download."
        return reason
    lines = [line for line in stderr.splitlines() if line.strip() and not line.startswith(("I0000", "W0000", "E0000"))]
    tail = "\n".join(lines[-3:]) or f"the training process ended with code {exit_code}"
    if "ResourceExhausted" in stderr or "out of memory" in stderr.lower():
        return f"Training ran out of memory. Try a smaller batch, the CPU, or fewer images.\n\n{tail}"
    return tail


class TrainingCurves(QWidget):
    """Loss and accuracy per epoch, train and validation, drawn as the epochs finish."""

    SERIES = {"loss": ("loss", QColor(30, 110, 220)), "val_loss": ("loss", QColor(230, 120, 20)),
              "accuracy": ("accuracy", QColor(30, 110, 220)), "val_accuracy": ("accuracy", QColor(230, 120, 20))}

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("curves")
        self.setMinimumSize(420, 160)
        self._points: dict[str, list[tuple[float, float]]] = {name: [] for name in self.SERIES}

    def points(self, series: str) -> list[tuple[float, float]]:
        return list(self._points[series])

    def clear(self) -> None:
        for values in self._points.values():
            values.clear()
        self.update()

    def add(self, series: str, x: float, y: float | None) -> None:
        if y is not None:
            self._points[series].append((x, y))
            self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        half = self.width() / 2
        for i, panel in enumerate(("loss", "accuracy")):
            self._panel(painter, QRectF(i * half + 30, 8, half - 40, self.height() - 30), panel)
        painter.end()

    def _panel(self, painter: QPainter, box: QRectF, panel: str) -> None:
        painter.setPen(QColor(190, 190, 200))
        painter.drawRect(box)
        painter.setPen(QColor(60, 60, 70))
        painter.drawText(QRectF(box.left(), box.bottom() + 2, box.width(), 18), Qt.AlignmentFlag.AlignCenter,
                         f"{panel} (blue: train, orange: validation)")
        series = [name for name, (p, _) in self.SERIES.items() if p == panel]
        values = [pt for name in series for pt in self._points[name]]
        if not values:
            return
        xs, ys = [x for x, _ in values], [y for _, y in values]
        x0, x1 = min(xs), max(max(xs), min(xs) + 1e-9)
        y0, y1 = min(ys), max(max(ys), min(ys) + 1e-9)
        painter.drawText(QRectF(box.left() - 30, box.top() - 2, 28, 14), Qt.AlignmentFlag.AlignRight, f"{y1:.3g}")
        painter.drawText(QRectF(box.left() - 30, box.bottom() - 12, 28, 14), Qt.AlignmentFlag.AlignRight, f"{y0:.3g}")
        for name in series:
            pts = self._points[name]
            if not pts:
                continue
            mapped = [QPointF(box.left() + (x - x0) / (x1 - x0) * box.width(), box.bottom() - (y - y0) / (y1 - y0) * box.height()) for x, y in pts]
            path = QPainterPath(mapped[0])
            for p in mapped[1:]:
                path.lineTo(p)
            painter.setPen(QPen(self.SERIES[name][1], 2))
            painter.drawPath(path)
            for p in mapped:
                painter.drawEllipse(p, 2, 2)


class RetrainDialog(QDialog):
    """Choose how to retrain, watch it run, then keep or discard the new model."""

    _gpus_seen: str | None = None  # what TensorFlow sees, probed once per app session

    def __init__(self, parent: QWidget | None, current_model: Path, samples_dir: Path, runs_dir: Path,
                 sample_count: int, settings, install: Callable[[Path], bool], model_width: int | None = None):
        super().__init__(parent)
        self.setWindowTitle("Retrain the Model")
        self.setObjectName("retrain")
        self.current_model = current_model
        self.install = install
        self.model_width = model_width
        self.samples_dir = samples_dir
        self.runs_dir = runs_dir
        self.settings = settings
        self.process: QProcess | None = None
        self.out_dir: Path | None = None
        self.result: dict | None = None
        self.events: list[dict] = []
        self._stdout_buffer = b""
        self._stderr = ""
        self._error_event: str | None = None
        self._cancelled = False
        self._build(sample_count)
        self._probe_devices()

    # --- form ----------------------------------------------------------------------------------

    def _build(self, sample_count: int) -> None:
        form = QFormLayout()
        self.epochs = QSpinBox(minimum=1, maximum=200, value=3)
        form.addRow("Epochs:", self.epochs)
        self.start_from = QComboBox()
        self.start_from.addItems(["Current model (fine-tune)", "From scratch"])
        self.start_from.currentIndexChanged.connect(lambda i: self.epochs.setValue(20 if i == 1 else 3))
        if matching_weights(self.current_model) is None:
            self.start_from.setCurrentIndex(1)
            self.start_from.model().item(0).setEnabled(False)
            self.start_from.setToolTip("The current model has no Keras weights beside it, so it cannot be fine-tuned.")
        form.addRow("Start from:", self.start_from)
        self.include_samples = QCheckBox(f"Include my samples ({sample_count})")
        self.include_samples.setChecked(sample_count > 0)
        self.include_samples.setEnabled(sample_count > 0)
        self.sample_weight = QDoubleSpinBox(minimum=0.5, maximum=100.0, value=5.0, singleStep=1.0)
        self.sample_weight.setToolTip("How much each of your samples counts compared to one MNIST image")
        row = QHBoxLayout()
        row.addWidget(self.include_samples)
        row.addWidget(QLabel("weight:"))
        row.addWidget(self.sample_weight)
        form.addRow("Your samples:", row)
        self.limit = QSpinBox(minimum=0, maximum=60000, value=0, singleStep=1000)
        self.limit.setSpecialValueText("all")
        self.limit.setToolTip("Train on fewer MNIST images for a quick run")
        form.addRow("MNIST images:", self.limit)
        self.device = QComboBox()
        self.device.addItems(["auto", "cpu", "gpu"])
        self.devices_label = QLabel("checking what TensorFlow sees…")
        row = QHBoxLayout()
        row.addWidget(self.device)
        row.addWidget(self.devices_label, 1)
        form.addRow("Device:", row)
        self.download = QRadioButton("Download MNIST (once, then cached)")
        self.use_file = QRadioButton("Use a file:")
        group = QButtonGroup(self)
        group.addButton(self.download)
        group.addButton(self.use_file)
        self.data_path = QLineEdit(keys.read_text(self.settings, keys.RETRAIN_DATA, os.environ.get("HWR_MNIST", "")))
        self.data_path.setPlaceholderText("mnist.npz or a folder of IDX files")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        (self.use_file if self.data_path.text() else self.download).setChecked(True)
        row = QHBoxLayout()
        row.addWidget(self.use_file)
        row.addWidget(self.data_path, 1)
        row.addWidget(browse)
        data_box = QVBoxLayout()
        data_box.addWidget(self.download)
        data_box.addLayout(row)
        form.addRow("Dataset:", data_box)

        self.progress = QProgressBar()
        self.progress.setObjectName("progress")
        self.status = QLabel("Ready.")
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        self.curves = TrainingCurves()
        self.comparison = QLabel()
        self.comparison.setObjectName("comparison")
        self.start_button = QPushButton("Start")
        self.start_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Cancel Training")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setEnabled(False)
        self.use_button = QPushButton("Use New Model")
        self.use_button.clicked.connect(self.use_new_model)
        self.discard_button = QPushButton("Discard")
        self.discard_button.clicked.connect(self.discard)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        for b in (self.use_button, self.discard_button):
            b.setEnabled(False)
        buttons = QHBoxLayout()
        for b in (self.start_button, self.cancel_button, self.use_button, self.discard_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.curves, 1)
        layout.addWidget(self.comparison)
        layout.addLayout(buttons)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "MNIST copy", self.data_path.text(), "MNIST (*.npz);;All files (*)")
        if path:
            self.data_path.setText(path)
            self.use_file.setChecked(True)

    def _probe_devices(self) -> None:
        """Ask TensorFlow, in a worker process, which GPUs it sees (seconds; once per session)."""
        self._probe: QProcess | None = None
        if RetrainDialog._gpus_seen is not None:
            self.devices_label.setText(RetrainDialog._gpus_seen)
            return
        self._probe = QProcess(self)
        program, *args = worker_command(["--list-devices"])
        self._prepare(self._probe)
        self._probe.finished.connect(self._show_devices)
        self._probe.errorOccurred.connect(self._probe_failed)
        self._probe.start(program, args)

    def _probe_failed(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self.devices_label.setText("training is not available")

    def _show_devices(self, code: int, status: QProcess.ExitStatus) -> None:
        if status == QProcess.ExitStatus.CrashExit:  # killed: the dialog is closing
            return
        text = bytes(self._probe.readAllStandardOutput()).decode(errors="replace").strip().splitlines()
        try:
            gpus = json.loads(text[-1])["gpus"]
        except (IndexError, ValueError, KeyError):
            stderr = bytes(self._probe.readAllStandardError()).decode(errors="replace")
            self.devices_label.setText(explain_failure(code, None, stderr) if code else "unknown")
            self.devices_label.setWordWrap(True)
            return
        RetrainDialog._gpus_seen = "TensorFlow sees: " + (", ".join(gpus) if gpus else "no GPU (CPU training)")
        self.devices_label.setText(RetrainDialog._gpus_seen)

    # --- running -------------------------------------------------------------------------------

    def arguments(self) -> list[str]:
        """The training CLI arguments for the choices in the form (and a new run folder)."""
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        self.out_dir = self.runs_dir / stamp
        args = ["--epochs", str(self.epochs.value()), "--device", self.device.currentText(), "--progress", "jsonl",
                "--out", str(self.out_dir), "--compare", str(self.current_model)]
        if self.use_file.isChecked() and self.data_path.text().strip():
            args += ["--data", self.data_path.text().strip()]
        if self.start_from.currentIndex() == 0:
            args += ["--init", str(matching_weights(self.current_model))]
            if self.model_width:
                args += ["--width", str(self.model_width)]  # the architecture the weights belong to
        if self.include_samples.isChecked():
            args += ["--samples", str(self.samples_dir), "--samples-weight", str(self.sample_weight.value())]
        if self.limit.value():
            args += ["--limit", str(self.limit.value())]
        return args

    def _prepare(self, process: QProcess) -> None:
        env = QProcessEnvironment()
        for key, value in worker_environment(os.environ, dataset_from_env=self.use_file.isChecked()).items():
            env.insert(key, value)
        process.setProcessEnvironment(env)
        if worker_cwd() is not None:
            process.setWorkingDirectory(str(worker_cwd()))

    def start(self) -> None:
        if self.process is not None:
            return
        if self.use_file.isChecked():
            self.settings.setValue(keys.RETRAIN_DATA, self.data_path.text().strip())
        self._remove_run()  # a finished run the user neither used nor discarded
        self.use_button.setEnabled(False)
        self.discard_button.setEnabled(False)
        self.events.clear()
        self.curves.clear()
        self.result, self._error_event, self._stderr, self._stdout_buffer, self._cancelled = None, None, "", b"", False
        self.comparison.clear()
        self.process = QProcess(self)
        self._prepare(self.process)
        self.process.readyReadStandardOutput.connect(self._read_stdout)
        self.process.readyReadStandardError.connect(self._read_stderr)
        self.process.finished.connect(self._finished)
        self.process.errorOccurred.connect(self._process_error)
        program, *args = worker_command(self.arguments())
        self.status.setText("Starting the training process…")
        self.progress.setRange(0, 0)
        self.start_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.process.start(program, args)

    def cancel(self) -> None:
        """Stop the worker cleanly (SIGTERM); it writes no model. A worker that does not stop in
        time (on Windows, terminate() is only a request a console program ignores) is killed: it
        publishes its model by renames at the very end, so a kill leaves no partial model either."""
        if self.process is not None:
            self._cancelled = True
            self.status.setText("Stopping…")
            self.process.terminate()
            process = self.process
            QTimer.singleShot(KILL_AFTER_MS, self, lambda: process is self.process and process.kill())

    def _read_stderr(self) -> None:
        self._stderr += bytes(self.process.readAllStandardError()).decode(errors="replace")
        self._stderr = self._stderr[-20000:]

    def _read_stdout(self) -> None:
        self._stdout_buffer += bytes(self.process.readAllStandardOutput())
        *lines, self._stdout_buffer = self._stdout_buffer.split(b"\n")
        for line in lines:
            try:
                event = json.loads(line)
            except ValueError:
                continue  # not a progress line (a library's own output)
            if isinstance(event, dict):
                self._handle(event)

    def _handle(self, event: dict) -> None:
        self.events.append(event)
        kind = event.get("event")
        if kind == "device":
            self.status.setText(event.get("message", ""))
        elif kind in ("step", "epoch"):
            steps, epochs = event["steps"], event["epochs"]
            done = (event["epoch"] - 1) * steps + event["step"]
            self.progress.setRange(0, epochs * steps)
            self.progress.setValue(done)
            eta = event.get("eta_s") or 0
            self.status.setText(f"Epoch {event['epoch']}/{epochs}, step {event['step']}/{steps} — "
                                f"loss {_number(event.get('loss'), '.4f')}, accuracy {_number(event.get('accuracy'), '.2%')}"
                                f" — about {_duration(eta)} left")
            if kind == "epoch":
                for series in TrainingCurves.SERIES:
                    self.curves.add(series, event["epoch"], event.get(series))
        elif kind in ("error", "interrupted"):
            self._error_event = event.get("message")
        elif kind == "done":
            self.result = event

    def _process_error(self, error) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self._fail(f"The training process could not start ({self.process.errorString()}).\n\n{TRAINING_EXTRA_HINT}")

    def _finished(self, code: int, _status) -> None:
        self._read_stdout()
        self._read_stderr()
        process, self.process = self.process, None
        process.deleteLater()
        self.cancel_button.setEnabled(False)
        self.start_button.setEnabled(True)
        self.progress.setRange(0, 1)
        if self._cancelled:
            self.progress.setValue(0)
            self.status.setText("Cancelled. The current model is unchanged.")
            self._remove_run()
        elif code == 0 and self.result is not None:
            self.progress.setValue(1)
            self.status.setText(f"Done in {_duration(self.result.get('seconds', 0))}. Compare, then keep or discard the new model.")
            self._show_comparison(self.result.get("comparison") or {})
            self.use_button.setEnabled(True)
            self.discard_button.setEnabled(True)
        else:
            self._fail(explain_failure(code, self._error_event, self._stderr))

    def _fail(self, message: str) -> None:
        self.process = None
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.start_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.status.setText(f"Training failed: {message}")
        self._remove_run()

    def _show_comparison(self, comparison: dict) -> None:
        def cell(value) -> str:
            return "—" if value is None else f"{value:.2%}"

        rows = []
        for key, title in (("mnist_test", "MNIST test set"), ("own_held_out", "Your held-out samples")):
            c = comparison.get(key, {})
            rows.append(f"<tr><td>{title} ({c.get('images', 0)})</td><td align=right>{cell(c.get('old'))}</td>"
                        f"<td align=right><b>{cell(c.get('new'))}</b></td></tr>")
        self.comparison.setText("<table cellspacing=6><tr><th></th><th>current model</th><th>new model</th></tr>"
                                + "".join(rows) + "</table>")

    def new_model_path(self) -> Path | None:
        return None if self.result is None else Path(self.result["model"])

    def use_new_model(self) -> None:
        """Hand the new model to the app; the run folder goes only once it is installed."""
        path = self.new_model_path()
        if path is not None and self.install(path):
            self._remove_run()
            self.result = None
            self.accept()

    def discard(self) -> None:
        self._remove_run()
        self.result = None
        self.use_button.setEnabled(False)
        self.discard_button.setEnabled(False)
        self.status.setText("Discarded. The current model is unchanged.")

    def _remove_run(self) -> None:
        if self.out_dir is not None:
            shutil.rmtree(self.out_dir, ignore_errors=True)

    def reject(self) -> None:
        """Close: a running training is cancelled, an unused result removed."""
        for process in (self.process, self._probe):
            if process is not None and process.state() != QProcess.ProcessState.NotRunning:
                if process is self.process:
                    self.cancel()
                else:
                    process.kill()
                process.waitForFinished(15000)
        self._remove_run()
        super().reject()


def _number(value: float | None, spec: str) -> str:
    """A metric for the status line; a missing (non-finite) one shows as a dash."""
    return "–" if value is None else format(value, spec)


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"
