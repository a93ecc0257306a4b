"""Model > Retrain...: choose how to retrain, watch the worker train live, keep or discard the result.

The run itself (the worker process, cancel, its events) is `retrain_process.RetrainProcess`; each
event updates the progress bar, the status line, the warnings and the curves. At the end the old
and new models are compared, the dialog recommends keeping or discarding the new one
(`retrain_comparison`), and the user decides.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QProcess, QSize, Qt, QTimer
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from handwriting_recognizer.app import settings as keys
from handwriting_recognizer.app.dialogs import SCREEN_SHARE, fitted_size, inside
from handwriting_recognizer.app.retrain_comparison import Recommendation, comparison_table, number, recommend
from handwriting_recognizer.app.retrain_failures import explain_failure
from handwriting_recognizer.app.retrain_process import RetrainProcess, prepared_process, start_worker
from handwriting_recognizer.app.run_folders import RunFolder, new_run
from handwriting_recognizer.app.training_curves import TrainingCurves
from handwriting_recognizer.core import progress as events
from handwriting_recognizer.core.model_store import matching_weights
from handwriting_recognizer.core.train_config import UNIPEN_ENV, ConfigError, TrainConfig, offered, option
from handwriting_recognizer.core.worker import TRAINING_EXTRA_HINT

PROGRESS_MAX = 2**31 - 1  # QProgressBar counts in 32-bit ints
WARNINGS_SHOWN = 5  # the latest ones: the status area stays a few lines
UNUSED_MODEL_BOX = "unused-model"  # the question before closing would discard a new model
DEFAULTS = TrainConfig()  # the form's defaults, choices and ranges are the training options'
# The epochs the form suggests: a fine-tune needs a few; a run from scratch in the app is shorter
# than the CLI's full recipe (DEFAULTS.epochs), early stopping may end either sooner.
EPOCHS_FINE_TUNE = 3
EPOCHS_FROM_SCRATCH = 20
FINE_TUNE, FROM_SCRATCH = 0, 1  # the "Start from" choices, in the order the box lists them

log = logging.getLogger(__name__)

STROKES_DROPPED = (
    " The new model reads a drawing from its image only: the current one also reads its pen strokes,"
    " with a stroke model made for it (a run with the UNIPEN pen data keeps it)."
)


class RetrainDialog(QDialog):
    """Choose how to retrain, watch it run, then keep or discard the new model."""

    _gpus_seen: str | None = None  # what TensorFlow sees, probed once per app session

    def __init__(
        self,
        parent: QWidget | None,
        current_model: Path,
        samples_dir: Path,
        runs_dir: Path,
        sample_count: int,
        settings,
        install: Callable[[Path], bool],
        model_width: int | None = None,
        reads_strokes: bool = False,
        left_run: tuple[RunFolder, dict[str, Any]] | None = None,
    ):
        """`reads_strokes`: the current model reads drawings with a stroke model too (a new model
        comes without one, which the user is told before choosing). `left_run`: a finished run a
        closed app left (`run_folders.left_behind`), claimed, and its summary: shown to keep or discard."""
        super().__init__(parent)
        self.setWindowTitle("Retrain the Model")
        self.setObjectName("retrain")
        self.current_model = current_model
        self.install = install
        self.model_width = model_width
        self.reads_strokes = reads_strokes
        self.samples_dir = samples_dir
        self.runs_dir = runs_dir
        self.settings = settings
        self.process: RetrainProcess | None = None  # the run going on, if any
        self.run: RunFolder | None = None  # the run's folder, from its start until its model is kept or discarded
        self.summary: dict[str, Any] | None = None  # the finished run's Done summary, until kept or discarded
        self.events: list[events.Event] = []
        self._error_message: str | None = None
        self._closing = False  # closed during a run: the dialog goes once the worker has stopped
        self._started_at: float | None = None  # when the last run was started (time.monotonic)
        self._data_paths: dict[str, str] = {}  # the run's data files, remembered once it has read them
        self._build(sample_count)
        self._probe_devices()
        if left_run is not None:
            self.run, self.summary = left_run
            self.curves.hide()  # its epochs were shown by the window that closed: none to draw
            try:
                when = f" on {dt.datetime.fromtimestamp(os.path.getmtime(self.summary['model'])):%Y-%m-%d at %H:%M}"
            except OSError:
                when = ""
            self._show_new_model(
                f"A run that finished{when} was neither kept nor discarded: the app"
                " closed first. Compare (with the model that was current then), then keep or discard its model."
            )

    # --- form ----------------------------------------------------------------------------------

    def _build(self, sample_count: int) -> None:
        """The form, the run's progress and results in a scroll area, the buttons under it: on a
        small screen (700x450 at 200 %) the dialog fits and Start and Close stay on it."""
        self.progress = QProgressBar()
        self.progress.setObjectName("progress")
        self.status = _text_label("status", "Ready.")
        self.warnings = _text_label("warnings")
        self.warnings.hide()
        self.curves = TrainingCurves()
        self.comparison = QLabel()
        self.comparison.setObjectName("comparison")
        self.recommendation = _text_label("recommendation")
        self.form = QWidget()  # disabled while a run goes on: a change then would do nothing
        self.form.setLayout(self._form(sample_count))
        self.form.layout().setContentsMargins(0, 0, 0, 0)
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        for widget in (self.form, self.progress, self.status, self.warnings):
            column.addWidget(widget)
        column.addWidget(self.curves, 1)
        column.addWidget(self.comparison)
        column.addWidget(self.recommendation)
        self.scroll_area = _WholeScrollArea()
        self.scroll_area.setObjectName("retrain-scroll")
        self.scroll_area.setWidget(content)
        self._results_new = False  # a run's results are shown, and the user has not scrolled since
        scroll_bar = self.scroll_area.verticalScrollBar()
        scroll_bar.rangeChanged.connect(self._keep_results_in_view)
        scroll_bar.actionTriggered.connect(lambda _: setattr(self, "_results_new", False))  # wheel, keys, drag
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroll_area, 1)
        layout.addLayout(self._buttons())
        self._fit_to_screen()
        self.epochs.setFocus()  # the form's first field, with its focus frame

    def _fit_to_screen(self, grow: bool = False) -> None:
        """As large as its content asks, within SCREEN_SHARE of the screen's available area (the rest
        scrolls); `grow`: never smaller than it is (the user may have made it larger), kept inside
        the screen."""
        area = self.screen().availableGeometry()
        self.scroll_area.updateGeometry()  # its content has changed: its size hint with it
        size = fitted_size(self.sizeHint(), area.size(), SCREEN_SHARE)
        self.resize(size.expandedTo(self.size()) if grow else size)
        if self.isVisible():
            self.move(inside(self.frameGeometry(), area))

    def _form(self, sample_count: int) -> QFormLayout:
        form = QFormLayout()
        low, high = offered("epochs")
        self.epochs = QSpinBox()
        self.epochs.setRange(int(low), int(high))
        form.addRow("Epochs:", self.epochs)
        self.start_from = QComboBox()
        self.start_from.addItems(["Current model (fine-tune)", "From scratch"])
        self.start_from.currentIndexChanged.connect(lambda i: self.epochs.setValue(self._last_epochs(i)))
        if matching_weights(self.current_model) is None:
            self.start_from.setCurrentIndex(FROM_SCRATCH)
            items = self.start_from.model()
            if isinstance(items, QStandardItemModel):  # a QComboBox's own model
                items.item(FINE_TUNE).setEnabled(False)
            self.start_from.setToolTip("The current model has no Keras weights beside it, so it cannot be fine-tuned.")
        form.addRow("Start from:", self.start_from)
        self.epochs.setValue(self._last_epochs(self.start_from.currentIndex()))
        self.include_samples = QCheckBox(f"Include my samples ({sample_count})")
        self.include_samples.setChecked(sample_count > 0)
        self.include_samples.setEnabled(sample_count > 0)
        low, high = offered("samples_weight")
        self.sample_weight = QDoubleSpinBox()
        self.sample_weight.setRange(low, high)
        self.sample_weight.setValue(DEFAULTS.samples_weight)
        self.sample_weight.setSingleStep(1.0)
        self.sample_weight.setToolTip("How much each of your samples counts compared to one MNIST image")
        self.sample_weight.setAccessibleName("Weight of your samples")
        self.sample_weight.setEnabled(sample_count > 0)
        form.addRow("Your samples:", _row(self.include_samples, QLabel("weight:"), self.sample_weight))
        _, high = offered("limit")
        # 0 is the default, no limit (DEFAULTS.limit is None): "all".
        self.limit = QSpinBox()
        self.limit.setRange(0, int(high))
        self.limit.setValue(keys.read_int(self.settings, keys.RETRAIN_LIMIT, DEFAULTS.limit or 0, 0, int(high)))
        self.limit.setSingleStep(1000)
        self.limit.setSpecialValueText("all")
        self.limit.setToolTip("Train on fewer MNIST images for a quick run")
        form.addRow("MNIST images:", self.limit)
        self.device = QComboBox()
        self.device.addItems(list(option("device").choices))
        self.device.setCurrentText(DEFAULTS.device)
        self.device.setAccessibleName("Device")
        self.devices_label = QLabel("checking what TensorFlow sees…")
        form.addRow("Device:", _row(self.device, (self.devices_label, 1)))
        form.addRow("Dataset:", self._dataset_choice())
        form.addRow("Pen writing:", self._pen_choice())
        return form

    def _pen_choice(self) -> QHBoxLayout:
        self.use_pen = QCheckBox("Real pen digits, letters and symbols (UNIPEN):")
        self.use_pen.setToolTip(
            "Train on people's pen writing too (UNIPEN train_r01_v07, doi:10.5281/zenodo.1195803): the shipped "
            "model was, and the new model keeps reading drawings from their pen strokes too. Without it, a "
            "retraining learns only MNIST, your samples and made-up scribbles."
        )
        self.pen_path = QLineEdit(keys.read_text(self.settings, keys.RETRAIN_UNIPEN, os.environ.get(UNIPEN_ENV, "")))
        self.pen_path.setPlaceholderText("the train_r01_v07 folder (holding data/ and include/)")
        self.pen_path.setAccessibleName("UNIPEN folder")
        browse = _browse_button()
        browse.setAccessibleName("Browse for the UNIPEN folder")
        browse.clicked.connect(self._browse_pen)
        self.use_pen.setChecked(bool(self.pen_path.text()))
        # A folder typed or pasted is one to use, as one chosen with Browse... is; an emptied field none.
        self.pen_path.textEdited.connect(lambda text: self.use_pen.setChecked(bool(text.strip())))
        return _row(self.use_pen, (self.pen_path, 1), browse)

    def _last_epochs(self, start_from: int) -> int:
        """The epochs of the last run that started so (FINE_TUNE, FROM_SCRATCH), else the default."""
        default = EPOCHS_FROM_SCRATCH if start_from == FROM_SCRATCH else EPOCHS_FINE_TUNE
        return keys.read_int(
            self.settings, _epochs_key(start_from), default, self.epochs.minimum(), self.epochs.maximum()
        )

    def _dataset_choice(self) -> QVBoxLayout:
        self.download = QRadioButton("Download MNIST (once, then cached)")
        self.use_file = QRadioButton("Use a file:")
        group = QButtonGroup(self)
        group.addButton(self.download)
        group.addButton(self.use_file)
        self.data_path = QLineEdit(keys.read_text(self.settings, keys.RETRAIN_DATA, os.environ.get("HWR_MNIST", "")))
        self.data_path.setPlaceholderText("mnist.npz or a folder of IDX files")
        self.data_path.setAccessibleName("MNIST file or folder")
        browse = _browse_button()
        browse.setAccessibleName("Browse for the MNIST file")
        browse.clicked.connect(self._browse)
        (self.use_file if self.data_path.text() else self.download).setChecked(True)
        box = QVBoxLayout()
        box.addWidget(self.download)
        box.addLayout(_row(self.use_file, (self.data_path, 1), browse))
        return box

    def _buttons(self) -> QHBoxLayout:
        self.start_button = QPushButton("Start")
        self.start_button.clicked.connect(self.start)
        self.start_button.setDefault(True)  # Enter starts; after a run, Enter does what the dialog recommends
        self.cancel_button = QPushButton("Cancel Training")
        self.cancel_button.clicked.connect(self.cancel)
        self.use_button = QPushButton("Use New Model")
        self.use_button.clicked.connect(self.use_new_model)
        self.discard_button = QPushButton("Discard")
        self.discard_button.clicked.connect(self.discard)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        for button in (self.cancel_button, self.use_button, self.discard_button):
            button.setEnabled(False)
        buttons = _row(self.start_button, self.cancel_button, self.use_button, self.discard_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        return buttons

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "MNIST copy", self.data_path.text(), "MNIST (*.npz);;All files (*)")
        if path:
            self.data_path.setText(path)
            self.use_file.setChecked(True)

    def _browse_pen(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "UNIPEN train_r01_v07", self.pen_path.text())
        if path:
            self.pen_path.setText(path)
            self.use_pen.setChecked(True)

    def _probe_devices(self) -> None:
        """Ask TensorFlow, in a worker process, which GPUs it sees (seconds; once per session)."""
        self._probe: QProcess | None = None
        if RetrainDialog._gpus_seen is not None:
            self.devices_label.setText(RetrainDialog._gpus_seen)
            return
        self._probe = prepared_process(self)
        self._probe.finished.connect(self._show_devices)
        self._probe.errorOccurred.connect(self._probe_failed)
        start_worker(self._probe, ["--list-devices"])

    def _probe_failed(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self.devices_label.setText("training is not available")

    def _show_devices(self, code: int, status: QProcess.ExitStatus) -> None:
        probe = self._probe
        if status == QProcess.ExitStatus.CrashExit or probe is None:  # killed: the dialog is closing
            return
        text = bytes(probe.readAllStandardOutput().data()).decode(errors="replace").strip().splitlines()
        try:
            gpus = [str(gpu) for gpu in json.loads(text[-1])["gpus"]]
        except (IndexError, ValueError, KeyError, TypeError):
            stderr = bytes(probe.readAllStandardError().data()).decode(errors="replace")
            self.devices_label.setText(explain_failure(code, None, stderr) if code else "unknown")
            self.devices_label.setWordWrap(True)
            return
        RetrainDialog._gpus_seen = "TensorFlow sees: " + (", ".join(gpus) if gpus else "no GPU (CPU training)")
        self.devices_label.setText(RetrainDialog._gpus_seen)

    # --- running -------------------------------------------------------------------------------

    def run_config(self) -> TrainConfig:
        """The training run the form describes, into `run`'s folder; ConfigError if a value (the current
        model's width, say) is not one training accepts."""
        fine_tune = self.start_from.currentIndex() == FINE_TUNE
        samples = self.include_samples.isChecked()
        data = self.data_path.text().strip() if self.use_file.isChecked() else ""
        return TrainConfig(
            data=data or None,
            epochs=self.epochs.value(),
            device=self.device.currentText(),
            progress="jsonl",
            out=None if self.run is None else self.run.path,
            compare=self.current_model,
            init=matching_weights(self.current_model) if fine_tune else None,
            # The architecture the weights belong to.
            width=self.model_width if fine_tune and self.model_width else DEFAULTS.width,
            samples=self.samples_dir if samples else None,
            samples_weight=self.sample_weight.value() if samples else DEFAULTS.samples_weight,
            limit=self.limit.value() or None,
            unipen=(self.pen_path.text().strip() or None) if self.use_pen.isChecked() else None,
        )

    def arguments(self) -> list[str]:
        """The training CLI arguments for the choices in the form (and a new run folder, claimed)."""
        self.run = new_run(self.runs_dir)
        return self.run_config().arguments()

    def start(self) -> None:
        if self.process is not None:
            return
        try:
            self.run_config()  # the form first: a mistake in it must not cost a finished run's model
        except ConfigError as exc:
            if self.has_unused_model():
                self.status.setText(f"Cannot start: {exc}")
            else:
                self._clear_results()
                self._fail(str(exc))
            return
        if self.has_unused_model():  # another run would replace it: not without asking
            self.ask_about_unused_model(starting=True)
            return
        self._data_paths = {
            key: field.text().strip()
            for key, field, used in (
                (keys.RETRAIN_DATA, self.data_path, self.use_file),
                (keys.RETRAIN_UNIPEN, self.pen_path, self.use_pen),
            )
            if used.isChecked()
        }
        self.settings.setValue(_epochs_key(self.start_from.currentIndex()), self.epochs.value())
        self.settings.setValue(keys.RETRAIN_LIMIT, self.limit.value())
        self._clear_results()
        self._started_at = time.monotonic()
        args = self.arguments()  # names the new run's folder
        self.process = RetrainProcess(self)
        self.process.received.connect(self.handle_event)
        self.process.finished.connect(self._finished)
        self.process.failed_to_start.connect(self._could_not_start)
        self.status.setText("Starting the training process…")
        self.progress.setRange(0, 0)
        self.start_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.form.setEnabled(False)
        self.scroll_area.ensureWidgetVisible(self.status)
        self.cancel_button.setFocus()  # the form and Start are locked: the focus would be nowhere
        self.process.start(args, dataset_from_env=self.use_file.isChecked())

    def _keep_results_in_view(self) -> None:
        """The advice in view: the content grows in steps after a run ends (the comparison's table,
        the warnings, the dialog's new size), and one scroll before the last step left it below."""
        if self._results_new:
            self.scroll_area.ensureWidgetVisible(self.recommendation)

    def _clear_results(self) -> None:
        """Forget the last run's results, and its folder (one that failed or was discarded)."""
        self._results_new = False
        self._remove_run()
        self.use_button.setEnabled(False)
        self.discard_button.setEnabled(False)
        self.events.clear()
        self.curves.clear()
        self.curves.show()
        self.comparison.clear()
        self.recommendation.clear()
        self.warnings.clear()
        self.warnings.hide()
        self.summary, self._error_message = None, None

    def cancel(self) -> None:
        """Stop the run; the worker writes no model. Returns at once: the end comes as `_finished`."""
        if self.process is not None:
            self.status.setText("Stopping…")
            self.setFocus()  # not passed on to Close, where Enter would close the dialog while it stops
            self.cancel_button.setEnabled(False)  # asked once: the worker is stopping
            self.process.cancel()

    def handle_event(self, event: events.Event) -> None:
        """Show one progress event of the worker; once it was asked to stop, "Stopping…" stays shown.
        Its data files are remembered once it trains on them: a path that failed came back in the
        next dialog and failed again (QA pass)."""
        self.events.append(event)
        if isinstance(event, events.Step | events.Epoch):
            for key, path in self._data_paths.items():
                self.settings.setValue(key, path)
            self._data_paths = {}
        progress = (events.Device, events.Stage, events.Step, events.Epoch)
        if self.process is not None and self.process.cancelled and isinstance(event, progress):
            return
        match event:
            case events.Device(message=text):
                self.status.setText(text)
            case events.Stage():
                self._show_stage(event)
            case events.Step() | events.Epoch():
                self._show_progress(event)
            case events.Warning():
                shown = [f"Warning: {e.message}" for e in self.events if isinstance(e, events.Warning)]
                self.warnings.setText("\n".join(shown[-WARNINGS_SHOWN:]))
                self.warnings.show()
            case events.Error(message=text) | events.Interrupted(message=text):
                self._error_message = text
            case events.Done(summary=summary):
                self.summary = summary

    def _show_stage(self, event: events.Stage) -> None:
        """What the worker is doing outside the epochs; how far, where it counts."""
        if event.total > 0:
            self.progress.setRange(0, event.total)
            self.progress.setValue(min(event.done, event.total))
            self.status.setText(f"{event.message}: {event.done:,} of {event.total:,}")
        else:
            self.progress.setRange(0, 0)
            self.status.setText(f"{event.message}…")

    def _show_progress(self, event: events.Step | events.Epoch) -> None:
        total = event.epochs * event.steps
        done = min(max((event.epoch - 1) * event.steps + event.step, 0), total)
        unit = max(1, math.ceil(total / PROGRESS_MAX))  # a run too long to count step by step
        self.progress.setRange(0, total // unit)
        self.progress.setValue(done // unit)
        self.status.setText(
            f"Epoch {event.epoch}/{event.epochs}, step {event.step}/{event.steps} — "
            f"loss {number(event.loss, '.4f')}, accuracy {number(event.accuracy, '.2%')}"
            f" — about {_duration(event.eta_s or 0)} left"
        )
        if isinstance(event, events.Epoch):
            for series in TrainingCurves.SERIES:
                self.curves.add(series, event.epoch, getattr(event, series))

    def _finished(self, code: int, stderr_tail: str) -> None:
        if self.process is not None and self.process.cancelled:
            self._show_outcome("Cancelled. The current model is unchanged.")
            self._remove_run()
        elif code == 0 and self.summary is not None:
            # The wait the user had, not the summary's training time (export, int8 and report follow it).
            took = "" if self._started_at is None else f" in {_duration(time.monotonic() - self._started_at)}"
            self._show_new_model(f"Done{took}. Compare, then keep or discard the new model.")
        else:
            tail = f"; the end of its stderr:\n{stderr_tail[-4000:]}" if stderr_tail.strip() else ""
            log.warning(
                "training worker ended with code %s (%s)%s", code, self._error_message or "no reason sent", tail
            )
            self._fail(explain_failure(code, self._error_message, stderr_tail))
        self._end_run()

    def _show_new_model(self, headline: str) -> None:
        """The finished run's results (`summary`): the comparison, the advice, and Use and Discard."""
        assert self.summary is not None
        kept = self.summary.get("stroke_model") is not None  # refitted where the run had pen data
        without = STROKES_DROPPED if self.reads_strokes and not kept else ""
        self._show_outcome(f"{headline}{without}", done=True)
        self.comparison.setText(comparison_table(self.summary.get("comparison")))
        self.use_button.setEnabled(True)
        self.discard_button.setEnabled(True)
        self._recommend(recommend(self.summary.get("comparison")))
        self._fit_to_screen(grow=True)  # room for the comparison, where the screen has it
        # Where it has not, the results are scrolled to once they are laid out (next event loop turn),
        # and again each time the content's height changes while they are new (`_keep_results_in_view`).
        self._results_new = True
        QTimer.singleShot(0, self, self._keep_results_in_view)

    def _recommend(self, advice: Recommendation | None) -> None:
        """Say which to do, and make that button the default (Enter) one."""
        self.recommendation.setText(advice.text if advice else "")
        chosen = None if advice is None else self.use_button if advice.keep else self.discard_button
        for button in (self.use_button, self.discard_button):
            button.setDefault(button is chosen)
        if chosen is not None:
            chosen.setFocus()

    def _could_not_start(self, reason: str) -> None:
        self._fail(f"The training process could not start ({reason}).\n\n{TRAINING_EXTRA_HINT}")
        self._end_run()

    def _fail(self, message: str) -> None:
        self._show_outcome(f"Training failed: {message}")
        self._remove_run()

    def _show_outcome(self, text: str, done: bool = False) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(1 if done else 0)
        self.status.setText(text)

    def _end_run(self) -> None:
        """Forget the ended run's process; the form is ready for another run, or closes if asked to."""
        process, self.process = self.process, None
        if process is not None:
            process.deleteLater()
        self.start_button.setEnabled(True)
        if self.focusWidget() not in (self.use_button, self.discard_button):  # not on the advice: on Start
            self.start_button.setFocus()
        self.cancel_button.setEnabled(False)
        self.form.setEnabled(True)
        if self._closing:
            self.reject()

    # --- the result ----------------------------------------------------------------------------

    def new_model_path(self) -> Path | None:
        return None if self.summary is None else Path(self.summary["model"])

    def use_new_model(self) -> None:
        """Hand the new model to the app; the run folder goes only once it is installed."""
        path = self.new_model_path()
        if path is not None and self.install(path):
            self._remove_run()
            self.summary = None
            self.accept()

    def discard(self) -> None:
        """Drop the new model; the advice on it goes with it (it stayed, under "Discarded")."""
        self._remove_run()
        self.summary = None
        self.recommendation.clear()
        self.use_button.setEnabled(False)
        self.discard_button.setEnabled(False)
        self.start_button.setDefault(True)
        self.start_button.setFocus()  # else the focus leaves the disabled Discard for Close, which Enter presses
        self.status.setText("Discarded. The current model is unchanged.")

    def _remove_run(self) -> None:
        if self.run is not None:
            self.run.remove()
            self.run = None

    def has_unused_model(self) -> bool:
        """A finished run's new model that the user has neither used nor discarded."""
        return self.summary is not None and self.use_button.isEnabled()

    def reject(self) -> None:
        """Close. A running training is cancelled first and the dialog closes once the worker has
        stopped (at most KILL_AFTER_MS): waiting here for it would freeze the whole window. A new
        model not used yet is not thrown away on one key (Esc): `ask_about_unused_model` first."""
        if self._probe is not None and self._probe.state() != QProcess.ProcessState.NotRunning:
            self._probe.kill()
        if self.process is not None:
            self._closing = True
            self.cancel()
            return
        if self.has_unused_model():
            self.ask_about_unused_model()
            return
        self._remove_run()
        super().reject()

    def ask_about_unused_model(self, starting: bool = False) -> QMessageBox:
        """Closing (or `starting` another run) with a new model not used yet: use it, discard it (and
        close, or start), or stay (Esc)."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Keep the new model?",
            f"The new model is not in use yet. {'Starting another run' if starting else 'Closing now'} discards it.",
            QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName(UNUSED_MODEL_BOX)
        # Using it closes the dialog, also when starting: this dialog's form, comparison and start are
        # the replaced model's (a run started here trained from it and compared with it; QA pass).
        use = box.addButton("Use It and Close" if starting else "Use New Model", QMessageBox.ButtonRole.AcceptRole)
        then = self.start if starting else self.reject
        discard = box.addButton(
            f"Discard It and {'Start' if starting else 'Close'}", QMessageBox.ButtonRole.DestructiveRole
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def chosen(button: QAbstractButton) -> None:
            if button is use:
                self.use_new_model()
            elif button is discard:
                self.discard()
                then()

        box.buttonClicked.connect(chosen)
        box.open()
        return box


class _WholeScrollArea(QScrollArea):
    """A scroll area that asks for all of its content's room (QScrollArea asks for at most 24 lines):
    the dialog opens as large as it needs, within the screen, and scrolls only where it must."""

    def __init__(self) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)

    def sizeHint(self) -> QSize:
        """The content's, and room for a vertical scroll bar (a narrow screen may need it)."""
        scrollbar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        return self.widget().sizeHint() + QSize(scrollbar, 0)


def _text_label(name: str, text: str = "") -> QLabel:
    """A wrapped plain-text label: worker messages are text, whatever they contain (`<module>`)."""
    label = QLabel(text)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def _epochs_key(start_from: int) -> str:
    """Where the epochs of a run that started so are remembered: a quick fine-tune and a long run
    from scratch each keep their own."""
    return f"{keys.RETRAIN_EPOCHS}/{'scratch' if start_from == FROM_SCRATCH else 'fine-tune'}"


def _browse_button() -> QPushButton:
    """A "Browse…" button that Enter never presses, even with the focus on it (a dialog's buttons are
    pressed by Enter when focused: the first one in the form opened a file picker): Space does."""
    button = QPushButton("Browse…")
    button.setAutoDefault(False)
    return button


def _row(*items: QWidget | tuple[QWidget, int]) -> QHBoxLayout:
    """A row of widgets; a (widget, stretch) pair takes the room left."""
    row = QHBoxLayout()
    for item in items:
        widget, stretch = item if isinstance(item, tuple) else (item, 0)
        row.addWidget(widget, stretch)
    return row


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"
