"""The retrain dialog and its worker as a hands-on pass found them: each section names its finding."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from handwriting_recognizer.app.retrain import RetrainDialog
from handwriting_recognizer.app.retrain_comparison import comparison_table
from handwriting_recognizer.app.training_curves import TrainingCurves
from handwriting_recognizer.core import progress as events
from handwriting_recognizer.core.contract import int8_path_for
from handwriting_recognizer.core.preprocess import strokes_to_input
from handwriting_recognizer.core.recognizer import Recognizer
from handwriting_recognizer.core.train_config import UNIPEN_ENV
from handwriting_recognizer.training import pipeline
from handwriting_recognizer.training.samples import HOLD_OUT_EVERY, OwnSamples
from tests import handmade


@pytest.fixture(autouse=True)
def no_device_probe(monkeypatch):
    """The dialogs here do not ask TensorFlow which GPUs it sees (a worker process that loads it)."""
    monkeypatch.setattr(RetrainDialog, "_gpus_seen", "TensorFlow sees: (not asked in these tests)")


# --- N2: the form during a run, and Cancel once asked -------------------------------------------------


def worker_runs(monkeypatch, script: str) -> None:
    """The dialog's worker is `python -c script` instead of the training CLI."""
    monkeypatch.setattr(
        "handwriting_recognizer.app.retrain_process.worker_command", lambda args: [sys.executable, "-c", script]
    )


def test_the_form_is_locked_during_a_run_and_cancel_is_asked_once(app_window, qtbot, monkeypatch):
    dialog = app_window.show_retrain()
    form = [dialog.epochs, dialog.start_from, dialog.include_samples, dialog.limit, dialog.device]
    form += [dialog.download, dialog.use_file, dialog.data_path, dialog.use_pen, dialog.pen_path, dialog.sample_weight]
    worker_runs(
        monkeypatch, 'import time; print(\'{"event": "start", "epochs": 1, "steps": 9}\', flush=True); time.sleep(60)'
    )
    dialog.start_button.click()
    qtbot.waitUntil(lambda: any(isinstance(e, events.Start) for e in dialog.events), timeout=30_000)
    assert not any(widget.isEnabled() for widget in form)
    assert dialog.cancel_button.isEnabled()
    dialog.cancel_button.click()
    assert dialog.status.text() == "Stopping…" and not dialog.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.process is None, timeout=20_000)
    assert "Cancelled" in dialog.status.text()
    assert all(widget.isEnabled() for widget in form if widget is not dialog.include_samples)  # no samples
    assert dialog.start_button.isEnabled() and not dialog.cancel_button.isEnabled()


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
    compared = pipeline.compare_models(old, bundled_model.read_bytes(), "float32", x, y, own)
    assert compared["own_held_out"] == {"images": 0, "old": None, "new": None, "held_out_every": HOLD_OUT_EVERY}
    table = comparison_table(compared)
    assert "Your held-out samples (0)" in table
    assert f"none held out: 1 in {HOLD_OUT_EVERY} of each digit's samples is held out" in table
    assert f"no digit has {HOLD_OUT_EVERY} yet" in table
    without = pipeline.compare_models(old, bundled_model.read_bytes(), "float32", x, y, None)
    assert "none held out: your samples were not part of this run" in comparison_table(without)
    assert "none held out" not in comparison_table({"own_held_out": {"images": 3, "old": 1.0, "new": 1.0}})


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
    compared = pipeline.compare_models(current, int8_path_for(bundled_model).read_bytes(), "int8", x, y, None)
    assert compared["mnist_test"]["old"] == 1.0 and compared["mnist_test"]["new"] == 1.0
    assert compared["precision"] == {"old": "int8", "new": "int8"}
    assert "<th>current model (int8)</th><th>new model (int8)</th>" in comparison_table(compared)
    assert "(int8)" not in comparison_table({"precision": {"old": "float32", "new": "float32"}})


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
