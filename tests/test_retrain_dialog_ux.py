"""The retrain dialog and its worker as a hands-on pass found them: each section names its finding."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog, QPushButton, QWidget

from handwriting_recognizer.app.retrain import RetrainDialog
from handwriting_recognizer.app.retrain_comparison import comparison_table
from handwriting_recognizer.app.run_folders import RunFolder
from handwriting_recognizer.app.training_curves import TrainingCurves
from handwriting_recognizer.core import progress as events
from handwriting_recognizer.core.contract import int8_path_for
from handwriting_recognizer.core.preprocess import strokes_to_input
from handwriting_recognizer.core.recognizer import Recognizer
from handwriting_recognizer.core.train_config import UNIPEN_ENV, TrainConfig
from handwriting_recognizer.training import pipeline
from handwriting_recognizer.training.samples import HOLD_OUT_EVERY, OwnSamples
from tests import handmade
from tests.commands import on_a_scaled_screen


@pytest.fixture(autouse=True)
def no_device_probe(monkeypatch):
    """The dialogs here do not ask TensorFlow which GPUs it sees (a worker process that loads it)."""
    monkeypatch.setattr(RetrainDialog, "_gpus_seen", "TensorFlow sees: (not asked in these tests)")


# --- N1: the worker says what it does before the epochs, and the dialog shows it --------------------


def test_a_stage_shows_its_name_and_where_it_counts_how_far(app_window):
    dialog = app_window.show_retrain()
    dialog.handle_event(events.Stage("Reading UNIPEN's pen writing files", 1200, 4696))
    assert dialog.status.text() == "Reading UNIPEN's pen writing files: 1,200 of 4,696"
    assert (dialog.progress.minimum(), dialog.progress.maximum(), dialog.progress.value()) == (0, 4696, 1200)
    dialog.handle_event(events.Stage("Loading TensorFlow"))  # not counted: busy
    assert dialog.status.text() == "Loading TensorFlow…" and dialog.progress.maximum() == 0
    dialog.handle_event(events.Step(epoch=1, epochs=2, step=3, steps=10))  # the epochs take over
    assert "Epoch 1/2, step 3/10" in dialog.status.text() and dialog.progress.maximum() == 20


def write_corpus(root: Path) -> Path:
    """A tiny UNIPEN copy: a training group and the validation group, each with a digit file and a
    file of a letter for each other category."""
    stroke = ".PEN_DOWN\n" + "".join(f"{x} {y}\n" for x, y in [(10, 90), (30, 60), (50, 30), (60, 10), (80, 5)])
    for group in ("tos", "ced"):
        (root / "include" / group).mkdir(parents=True)
        (root / "include" / group / "pen.dat").write_text(f".X_POINTS_PER_MM 10\n.WRITER_ID w\n{stroke}")
        for category, label in (("1a", "1"), ("1a", "7"), ("1b", "Q"), ("1c", "q"), ("1d", "%")):
            folder = root / "data" / category / group
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{label}.dat").write_text(f'.INCLUDE {group}/pen.dat\n.SEGMENT CHARACTER 0 ? "{label}"\n')
    return root


def stages(output: str) -> list[events.Stage]:
    parsed = [events.parse(line) for line in output.splitlines()]
    return [e for e in parsed if isinstance(e, events.Stage)]


@pytest.mark.parametrize("with_unipen", [True, False])
def test_the_pen_data_is_announced_and_counted_as_it_is_read_and_drawn(tmp_path, capsys, monkeypatch, with_unipen):
    monkeypatch.setattr(events, "INTERVAL_S", 0.0)  # every count goes out
    root = write_corpus(tmp_path / "unipen") if with_unipen else None
    config = TrainConfig(unipen=str(root) if root else None, progress="jsonl", limit=40)
    pen = pipeline.load_pen_data(config, 40)
    said = stages(capsys.readouterr().out)
    headlines = [e.message for e in said if e.total == 0]
    drawn = len(pen.train_y) + len(pen.val_y)
    if with_unipen:
        assert headlines == [
            "Reading UNIPEN's pen writing files",
            "Drawing UNIPEN's characters at 28x28, in varied copies",
        ]
        files = [(e.done, e.total) for e in said if e.message == headlines[0] and e.total]
        assert files == [(n, 10) for n in range(1, 11)]
    else:
        assert headlines == ['Drawing scribbles for the "not a digit" class']
    counts = [(e.done, e.total) for e in said if e.message == headlines[-1] and e.total]
    assert counts[-1][1] >= drawn > 0 and counts == [(n, counts[-1][1]) for n in range(1, counts[-1][1] + 1)]


def test_a_stage_counts_at_most_every_interval_like_the_steps(capsys):
    count = pipeline.stage(TrainConfig(progress="jsonl"), "Drawing")
    began = time.monotonic()
    for done in range(1, 5001):
        count(done, 5000)
    assert time.monotonic() - began < events.INTERVAL_S, "the machine is too slow for this test"
    assert [(e.done, e.total) for e in stages(capsys.readouterr().out)] == [(0, 0)]  # the headline only
    time.sleep(events.INTERVAL_S)
    count(5000, 5000)
    assert [(e.done, e.total) for e in stages(capsys.readouterr().out)] == [(5000, 5000)]


def test_for_people_a_stage_says_nothing(capsys):
    """Without jsonl the worker's stderr is for what went wrong: an error is its one line."""
    count = pipeline.stage(TrainConfig(progress="bar"), "Loading TensorFlow")
    count(1, 2)
    assert capsys.readouterr() == ("", "")


ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_a_run_says_each_stage_and_compares_the_int8_copies(tmp_path, mnist_path, bundled_model):
    """The worker end to end (--epochs 0: no training, the rest as a run does): every long stage is
    said before it, and the comparison's new accuracy is the int8 copy's, which the app shows."""
    args = [
        "--data",
        str(mnist_path),
        "--limit",
        "600",
        "--epochs",
        "0",
        "--init",
        str(ROOT / "assets/model.weights.h5"),
    ]
    args += ["--compare", str(bundled_model), "--out", str(tmp_path / "run"), "--progress", "jsonl"]
    proc = subprocess.run(
        [sys.executable, "-m", "handwriting_recognizer.training", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    said = [events.parse(line) for line in proc.stdout.splitlines()]
    headlines = [e for e in said if e is not None and not getattr(e, "total", 0)]  # no stage's counts
    order = [e.message if isinstance(e, events.Stage) else e.name for e in headlines]
    assert order[:4] == [
        "Loading MNIST (mnist.npz)",
        'Drawing scribbles for the "not a digit" class',
        "Loading TensorFlow",
        "device",
    ]
    assert "Exporting the new model to ONNX" in order and order[-1] == "done"
    done = said[-1]
    assert isinstance(done, events.Done)
    comparison, int8 = done.summary["comparison"], done.summary["int8"]
    assert os.path.exists(int8_path_for(tmp_path / "run" / "model.onnx"))
    assert comparison["precision"] == {"old": "int8", "new": "int8"}
    assert comparison["mnist_test"]["new"] == int8["test_accuracy"]
    assert comparison["mnist_test"]["old"] == Recognizer(bundled_model, use_gpu=False).info.test_accuracy


# --- N2: the form during a run, and Cancel once asked -------------------------------------------------


STARTS_THEN_WAITS = """import time; print('{"event": "start", "epochs": 1, "steps": 9}', flush=True); time.sleep(60)"""


def worker_runs(monkeypatch, script: str) -> None:
    """The dialog's worker is `python -c script` instead of the training CLI."""
    monkeypatch.setattr(
        "handwriting_recognizer.app.retrain_process.worker_command", lambda args: [sys.executable, "-c", script]
    )


def test_the_form_is_locked_during_a_run_and_cancel_is_asked_once(app_window, qtbot, monkeypatch):
    dialog = app_window.show_retrain()
    form = [dialog.epochs, dialog.start_from, dialog.include_samples, dialog.limit, dialog.device]
    form += [dialog.download, dialog.use_file, dialog.data_path, dialog.use_pen, dialog.pen_path, dialog.sample_weight]
    worker_runs(monkeypatch, STARTS_THEN_WAITS)
    dialog.start_button.click()
    qtbot.waitUntil(lambda: any(isinstance(e, events.Start) for e in dialog.events), timeout=30_000)
    assert not any(widget.isEnabled() for widget in form)
    assert dialog.cancel_button.isEnabled()
    dialog.cancel_button.click()
    assert dialog.status.text() == "Stopping…" and not dialog.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.process is None, timeout=20_000)
    assert "Cancelled" in dialog.status.text()
    no_samples = (dialog.include_samples, dialog.sample_weight)  # off: there are no samples
    assert all(widget.isEnabled() for widget in form if widget not in no_samples)
    assert dialog.start_button.isEnabled() and not dialog.cancel_button.isEnabled()


def test_progress_that_comes_after_cancel_leaves_stopping_shown(app_window, qtbot, monkeypatch):
    """A step the worker had on its way (or prints while it stops) replaced "Stopping…"."""
    dialog = app_window.show_retrain()
    worker_runs(
        monkeypatch,
        "import json, signal, sys, time\n"
        "def stop(*_):\n"
        "    print(json.dumps({'event': 'step', 'epoch': 1, 'epochs': 1, 'step': 5, 'steps': 9}), flush=True)\n"
        "    time.sleep(2)\n"
        "    sys.exit(130)\n"
        "signal.signal(signal.SIGTERM, stop)\n"
        "print(json.dumps({'event': 'start', 'epochs': 1, 'steps': 9}), flush=True)\n"
        "time.sleep(60)\n",
    )
    dialog.start_button.click()
    qtbot.waitUntil(lambda: any(isinstance(e, events.Start) for e in dialog.events), timeout=30_000)
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: any(isinstance(e, events.Step) for e in dialog.events), timeout=20_000)
    assert dialog.process is not None and dialog.status.text() == "Stopping…"
    qtbot.waitUntil(lambda: dialog.process is None, timeout=20_000)
    assert "Cancelled" in dialog.status.text()


def test_enter_starts_the_training_and_never_opens_a_file_picker(app_window, qtbot, monkeypatch):
    """Return pressed as the dialog opened pressed the MNIST "Browse…" button, the focused one (QA)."""
    asked = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: asked.append(args) or ("", ""))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args, **kwargs: asked.append(args) or "")
    dialog = app_window.show_retrain()
    worker_runs(monkeypatch, STARTS_THEN_WAITS)
    for browse in dialog.findChildren(QPushButton, ""):
        if browse.text() == "Browse…":
            browse.setFocus()
            QTest.keyClick(browse, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: any(isinstance(e, events.Start) for e in dialog.events), timeout=30_000)
    assert asked == []
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: dialog.process is None, timeout=20_000)


# --- N3: a UNIPEN folder typed in is one to use ---------------------------------------------------------


def test_typing_a_unipen_folder_ticks_pen_writing_and_emptying_it_unticks(app_window, monkeypatch):
    monkeypatch.delenv(UNIPEN_ENV, raising=False)
    dialog = app_window.show_retrain()
    assert not dialog.use_pen.isChecked() and dialog.pen_path.text() == ""
    QTest.keyClicks(dialog.pen_path, "/data/unipen")
    assert dialog.use_pen.isChecked()
    assert dialog.run_config().unipen == "/data/unipen"
    dialog.pen_path.selectAll()
    QTest.keyClick(dialog.pen_path, Qt.Key.Key_Delete)
    assert not dialog.use_pen.isChecked()


# --- N4: why no sample was held out ----------------------------------------------------------------------


def one_of_each_digit() -> OwnSamples:
    """7 samples, one each of 0-6: too few of any digit for one to be held out."""
    from handwriting_recognizer.training.samples import split_held_out

    x, y = np.zeros((7, 28, 28), np.uint8), np.arange(7, dtype=np.uint8)
    x[:, 10:18, 13:15] = 255
    train_x, train_y, held_x, held_y = split_held_out(x, y)
    return OwnSamples(train_x, train_y, held_x, held_y, 0)


def test_no_sample_held_out_says_why(bundled_model):
    own = one_of_each_digit()
    old = pipeline.open_model_to_compare(bundled_model)
    x, y = np.zeros((4, 28, 28, 1), np.float32), np.zeros(4, np.int64)
    compared = pipeline.compare_models(old, bundled_model.read_bytes(), "float32", 0.5, x, y, own)
    assert compared["own_held_out"] == {"images": 0, "old": None, "new": None, "held_out_every": HOLD_OUT_EVERY}
    table = comparison_table(compared)
    assert "Your held-out samples (0)" in table
    assert f"none held out: 1 in {HOLD_OUT_EVERY} of each digit's samples is held out" in table
    assert f"no digit has {HOLD_OUT_EVERY} yet" in table
    without = pipeline.compare_models(old, bundled_model.read_bytes(), "float32", 0.5, x, y, None)
    assert "none held out: your samples were not part of this run" in comparison_table(without)
    assert "none held out" not in comparison_table({"own_held_out": {"images": 3, "old": 1.0, "new": 1.0}})


def test_a_held_out_sample_counts_as_read_right_only_when_the_app_would_show_it(bundled_model):
    """A sample the current model reads Unsure (its likeliest digit under its threshold) counted as
    read right, so a new model that reads it was called no better and advised against (QA pass)."""
    current = pipeline.open_model_to_compare(bundled_model)
    x = blends()
    probabilities = current.predict_batch(x)
    unsure = np.flatnonzero(
        (probabilities[:, :10].max(1) < current.unsure_below(drawn=False) - 0.05)
        & (probabilities[:, :10].max(1) > probabilities[:, 10])
    )
    assert len(unsure), "no sample the current model reads unsure: no test"
    held_x = np.rint(x[unsure[:1], ..., 0] * 255).astype(np.uint8)
    held_y = probabilities[unsure[:1], :10].argmax(1)  # its likeliest digit: right by argmax, Unsure on screen
    own = OwnSamples(held_x[:0], held_y[:0], held_x, held_y, 0)
    # The same network as the new model, with a threshold under that sample's confidence: it shows the digit.
    compared = pipeline.compare_models(current, bundled_model.read_bytes(), "float32", 0.0, x[:1], held_y, own)
    assert compared["own_held_out"]["old"] == 0.0 and compared["own_held_out"]["new"] == 1.0


# --- D7: the accuracy of the model the app runs ---------------------------------------------------------


def blends() -> np.ndarray:
    """Inputs half-way between two handmade digits, in steps: some are read one way by the float
    model and another by its int8 copy (16 of these 3,321 by the bundled model's)."""
    drawn = [handmade.zero(), handmade.one(), handmade.seven(), handmade.crossed_seven(), handmade.european_one()]
    drawn += [handmade.write(digit) for digit in "3852"]
    inputs = [strokes_to_input(strokes) for strokes in drawn]
    mixed = [w * p + (1 - w) * q for p in inputs for q in inputs for w in np.linspace(0, 1, 41)]
    return np.stack(mixed).astype(np.float32)[..., None]


def test_the_current_model_is_compared_as_the_app_runs_it_its_int8_copy(bundled_model):
    """The status bar shows the accuracy of what runs, on the CPU the int8 copy; the comparison
    measured the float model. Images the two read differently, labelled as the int8 copy reads them,
    tell which one was measured."""
    assert int8_path_for(bundled_model).exists()
    app_runs = Recognizer(bundled_model, use_gpu=False, strokes=False)
    as_float = Recognizer(bundled_model, use_gpu=False, int8=False, strokes=False)
    assert app_runs.info.precision == "int8"
    x = blends()
    y = app_runs.predict_batch(x).argmax(1)
    differ = as_float.predict_batch(x).argmax(1) != y
    assert differ.any(), "float and int8 read these alike: no test"
    x, y = x[differ], y[differ]
    current = pipeline.open_model_to_compare(bundled_model)
    compared = pipeline.compare_models(current, int8_path_for(bundled_model).read_bytes(), "int8", 0.5, x, y, None)
    assert compared["mnist_test"]["old"] == 1.0 and compared["mnist_test"]["new"] == 1.0
    assert compared["precision"] == {"old": "int8", "new": "int8"}
    assert "<th>current model (int8)</th><th>new model (int8)</th>" in comparison_table(compared)
    assert "(int8)" not in comparison_table({"precision": {"old": "float32", "new": "float32"}})


# --- N10: the dialog on a small screen --------------------------------------------------------------------

FINISHED = {  # a run's Done summary: the comparison and the advice under the curves
    "model": "/runs/1/model.onnx",
    "comparison": {
        "mnist_test": {"images": 10000, "old": 0.9937, "new": 0.992},
        "own_held_out": {"images": 0, "old": None, "new": None, "held_out_every": HOLD_OUT_EVERY},
        "precision": {"old": "int8", "new": "int8"},
    },
}
SMALL_SCREEN_DIALOG = """
import json, sys
from pathlib import Path
from PySide6.QtCore import QPoint, QRect, QSettings, QStandardPaths
from PySide6.QtWidgets import QApplication, QPushButton
QStandardPaths.setTestModeEnabled(True)
app = QApplication(sys.argv)
from handwriting_recognizer.app.retrain import RetrainDialog
RetrainDialog._gpus_seen = "TensorFlow sees: (not asked)"  # no probe process
tmp = Path(sys.argv[1])
settings = QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat)
model = Path(sys.argv[3])
dialog = RetrainDialog(None, model, tmp / "samples", tmp / "runs", 7, settings, lambda p: True)
dialog.show()
app.processEvents()
rect = lambda r: [r.x(), r.y(), r.width(), r.height()]
buttons = {b.text(): b for b in dialog.findChildren(QPushButton)}
shown = {
    "available": rect(dialog.screen().availableGeometry()),
    "frame": rect(dialog.frameGeometry()),
    "inside": rect(dialog.rect()),
    "buttons": {t: rect(QRect(buttons[t].mapTo(dialog, QPoint(0, 0)), buttons[t].size())) for t in ("Start", "Close")},
}
dialog.summary = json.loads(sys.argv[2])
dialog._finished(0, "")
app.processEvents()
advice = dialog.recommendation
shown["frame_after_run"] = rect(dialog.frameGeometry())
shown["advice_in_view"] = advice.visibleRegion().boundingRect() == advice.rect() and bool(advice.text())
print(json.dumps(shown))
"""


def test_at_scale_factor_2_on_a_1400x900_screen_the_dialog_fits_with_its_buttons(tmp_path, bundled_model):
    """Found at 200 % on a 1400x900 screen: the dialog was 1082x1018 pixels, Start and Close below the screen."""
    shown = on_a_scaled_screen(
        SMALL_SCREEN_DIALOG, 1400, 900, tmp_path, str(tmp_path), json.dumps(FINISHED), str(bundled_model)
    )
    assert shown["available"] == [0, 0, 700, 450]
    assert QRect(*shown["available"]).contains(QRect(*shown["frame"]))
    for button in ("Start", "Close"):
        assert QRect(*shown["inside"]).contains(QRect(*shown["buttons"][button])), button
    # At the end of a run the results are scrolled into view, and the dialog stays on the screen.
    assert shown["advice_in_view"] and QRect(*shown["available"]).contains(QRect(*shown["frame_after_run"]))


def test_the_dialog_grows_for_the_results_where_the_screen_has_room(app_window, qtbot):
    dialog = app_window.show_retrain()
    qtbot.waitExposed(dialog)
    before = dialog.height()
    dialog.summary = dict(FINISHED)
    dialog._finished(0, "")
    qtbot.waitUntil(lambda: dialog.recommendation.visibleRegion().boundingRect() == dialog.recommendation.rect())
    assert dialog.height() > before
    assert dialog.screen().availableGeometry().contains(dialog.frameGeometry())


def test_the_dialog_can_be_as_small_as_a_700x450_screen(app_window):
    dialog = app_window.show_retrain()
    least = dialog.minimumSizeHint()
    assert least.width() <= 700 and least.height() <= 450 - 40  # and its title bar
    assert dialog.height() <= dialog.screen().availableGeometry().height()


# --- N5: the curves of a one-epoch run --------------------------------------------------------------------


def test_the_curves_of_one_epoch_show_epoch_1_alone_in_the_middle(qtbot):
    curves = TrainingCurves()
    qtbot.addWidget(curves)
    curves.resize(560, 240)
    for series, value in (("loss", 0.3), ("val_loss", 0.25), ("accuracy", 0.9), ("val_accuracy", 0.92)):
        curves.add(series, 1, value)
    for panel in curves.layout_now().panels:
        assert panel.x is not None and panel.x.ticks == (1.0,)
        assert panel.x.low < 1 < panel.x.high < 2
        assert panel.point(1, 0).x() == pytest.approx(panel.plot.center().x())
    curves.add("loss", 2, 0.2)  # a second epoch: the axis runs from the first to the last
    loss = curves.layout_now().panels[0]
    assert loss.x is not None and (loss.x.low, loss.x.high) == (1, 2)


def test_the_keyboard_focus_is_always_somewhere_visible_and_every_field_has_a_name(app_window, tmp_path, monkeypatch):
    """The dialog opened with the focus on its scroll area (no frame, no name), and Start left it on
    nothing: the next Tab could reach Close and end the run; four fields had no name a screen
    reader could say (found by a keyboard-only QA pass)."""
    from PySide6.QtGui import QAccessible
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractSpinBox,
        QComboBox,
        QDoubleSpinBox,
        QLineEdit,
        QSpinBox,
    )

    from handwriting_recognizer.app.retrain_process import RetrainProcess

    monkeypatch.setattr(RetrainProcess, "start", lambda process, args, **kwargs: None)  # no worker
    dialog = app_window.show_retrain()
    assert dialog.focusWidget() is dialog.epochs

    def said(widget) -> str:  # what a screen reader says the widget is: its name, or its label's text
        return QAccessible.queryAccessibleInterface(widget).text(QAccessible.Text.Name)

    fields = (QSpinBox, QDoubleSpinBox, QComboBox, QLineEdit)
    shown = [w for w in dialog.findChildren(QWidget) if w.isVisible() and not isinstance(w.parent(), QAbstractSpinBox)]
    unnamed = [w for w in shown if isinstance(w, fields) and not said(w)]  # a spin box's own line edit aside
    assert [type(w).__name__ for w in unnamed] == []
    browse = [said(b) for b in dialog.findChildren(QAbstractButton) if b.text() == "Browse…"]
    assert len(set(browse)) == len(browse) == 2  # each says what it browses for
    dialog.start()
    assert dialog.focusWidget() is dialog.cancel_button
    monkeypatch.setattr(dialog.process, "cancel", lambda: None)  # no worker to stop
    dialog.cancel()  # Space on Cancel Training: the focus must not pass on to Close, which Enter would press
    assert dialog.focusWidget() is not next(b for b in dialog.findChildren(QAbstractButton) if b.text() == "Close")
    dialog._end_run()  # the worker has stopped
    assert dialog.focusWidget() is dialog.start_button
    dialog.reject()


def test_the_advice_stays_in_view_while_the_results_grow_after_a_run(app_window, tmp_path, qtbot):
    """At the end of a real run the content grew in steps, and the one scroll to the advice came
    before the last: it sat 100 px below the view (found by a keyboard-only QA pass)."""
    from PySide6.QtWidgets import QApplication

    dialog = app_window.show_retrain()
    dialog.resize(500, 320)
    dialog.run, dialog.summary = RunFolder(tmp_path / "run"), dict(FINISHED)
    dialog._finished(0, "")
    QApplication.processEvents()
    dialog.warnings.setText("\n".join(f"warning {i}: a long explanation of what happened" for i in range(12)))
    dialog.warnings.show()  # the content grows above the advice once more
    QApplication.processEvents()  # laid out: the advice moved down
    qtbot.waitUntil(lambda: dialog.recommendation.visibleRegion().boundingRect() == dialog.recommendation.rect())
    scroll_bar = dialog.scroll_area.verticalScrollBar()
    scroll_bar.triggerAction(scroll_bar.SliderAction.SliderToMinimum)  # the user scrolls up to the curves
    dialog.resize(dialog.width() + 40, dialog.height() - 60)  # and resizes: the view stays where they put it
    QApplication.processEvents()
    assert scroll_bar.value() == 0
