"""Teaching samples and Model > Retrain... end to end: the real dialog, QProcess and training CLI."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from desktop.engine import int8_path_for
from desktop.retrain import explain_failure
from tests import handmade
from tests.test_app import draw, shown_digit
from tests.test_data import fake_mnist


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> tuple[Path, bool]:
    """Real MNIST when available (so the retrained model must still read digits), else a tiny fake."""
    real = os.environ.get("HWR_MNIST")
    if real and Path(real).is_file():
        return Path(real), True
    path = tmp_path_factory.mktemp("data") / "fake.npz"
    np.savez(path, **fake_mnist(n_train=3000, n_test=500))
    return path, False


def teach(window, qtbot, strokes, digit: int) -> None:
    draw(window.canvas, strokes)
    QTest.keyClick(window, Qt.Key(Qt.Key.Key_0 + digit))
    assert window.label_to_teach() == digit
    QTest.keyClick(window, Qt.Key.Key_Return)


def test_teaching_saves_samples_with_the_chosen_label(app_window, qtbot):
    teach(app_window, qtbot, handmade.european_one(), 1)
    teach(app_window, qtbot, handmade.crossed_seven(), 7)
    app_window.bars.digitClicked.emit(4)  # a click on the "4" bar picks 4
    assert app_window.label_to_teach() == 4
    samples = app_window.samples.samples()
    assert [s.label for s in samples] == [1, 7]
    assert all(s.png.exists() and s.meta.exists() for s in samples)
    assert app_window.canvas.is_empty()  # ready for the next one
    image = app_window.samples.image(samples[0])
    assert image.shape == (28, 28) and image.max() > 0.9


def test_teaching_a_blank_canvas_saves_nothing(app_window):
    assert not app_window.teach()
    assert app_window.samples.samples() == []


def configure(dialog, data: Path, limit: int, epochs: int) -> None:
    dialog.use_file.setChecked(True)
    dialog.data_path.setText(str(data))
    dialog.limit.setValue(limit)
    dialog.epochs.setValue(epochs)


@pytest.mark.slow
def test_retrain_end_to_end_and_use_the_new_model(app_window, qtbot, dataset):
    data, real = dataset
    for _ in range(5):
        teach(app_window, qtbot, handmade.seven(), 7)
    old_path = app_window.recognizer.info.path
    dialog = app_window.show_retrain()
    configure(dialog, data, limit=600, epochs=2)
    assert dialog.include_samples.isChecked()
    assert dialog.start_from.currentIndex() == 0  # fine-tune: the bundled model has its weights
    dialog.start_button.click()
    qtbot.waitUntil(lambda: dialog.process is None, timeout=300_000)
    assert dialog.result is not None, dialog.status.text()
    kinds = {e["event"] for e in dialog.events}
    assert {"device", "start", "step", "epoch", "done"} <= kinds
    assert len(dialog.curves.points("loss")) == 2 and len(dialog.curves.points("val_accuracy")) == 2
    assert dialog.progress.value() == dialog.progress.maximum()
    assert "MNIST test set" in dialog.comparison.text() and "held-out" in dialog.comparison.text()
    assert dialog.result["training_data"]["own_samples"] == 4 and dialog.result["training_data"]["own_samples_held_out"] == 1
    assert dialog.use_button.isEnabled()
    dialog.use_button.click()
    assert app_window.recognizer.info.path == app_window.models.current
    # The run's int8 copy came along, and the CPU runs it.
    assert int8_path_for(app_window.models.current).exists() == (app_window.recognizer.info.precision == "int8")
    if real and app_window.recognizer.info.provider == "CPUExecutionProvider":
        assert app_window.recognizer.info.precision == "int8"
    assert app_window.models.previous.read_bytes() == old_path.read_bytes()
    draw(app_window.canvas, handmade.seven())
    # The prediction runs from a zero-delay timer: wait for the event loop to run it.
    qtbot.waitUntil(lambda: app_window.bars.probabilities().sum() > 0, timeout=2000)
    if real:
        qtbot.waitUntil(lambda: shown_digit(app_window) == 7, timeout=2000)
    assert app_window.bars.probabilities().sum() == pytest.approx(1, abs=1e-3)
    assert app_window.revert_action.isEnabled()
    assert app_window.revert_model()
    assert app_window.models.current.read_bytes() == old_path.read_bytes()


def start_then_cancel(app_window, qtbot, data, epochs: int, stop_within_ms: int):
    """Start a retrain, cancel it at its first step, and wait until its process has ended."""
    dialog = app_window.show_retrain()
    configure(dialog, data, limit=0, epochs=epochs)
    dialog.start_button.click()
    qtbot.waitUntil(lambda: any(e["event"] == "step" for e in dialog.events), timeout=120_000)
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: dialog.process is None, timeout=stop_within_ms)
    assert "Cancelled" in dialog.status.text()
    return dialog


@pytest.mark.slow
def test_cancel_leaves_the_current_model_untouched(app_window, qtbot, dataset):
    before = app_window.recognizer
    dialog = start_then_cancel(app_window, qtbot, dataset[0], epochs=20, stop_within_ms=60_000)
    assert any(e["event"] == "interrupted" for e in dialog.events), "the worker itself stopped on SIGTERM"
    assert dialog.result is None and not dialog.use_button.isEnabled()
    assert app_window.recognizer is before
    assert not app_window.models.current.exists()
    assert not dialog.out_dir.exists()


def test_cancel_kills_a_worker_that_ignores_the_stop_request(app_window, qtbot, dataset, monkeypatch):
    # Windows' terminate() is a request a console program ignores; this worker ignores SIGTERM.
    stubborn = ("import json, signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                "print(json.dumps({'event': 'step', 'epoch': 1, 'epochs': 1, 'step': 1, 'steps': 9}), flush=True); "
                "time.sleep(120)")
    monkeypatch.setattr("desktop.retrain.worker_command", lambda args: [sys.executable, "-c", stubborn])
    monkeypatch.setattr("desktop.retrain.KILL_AFTER_MS", 300)
    dialog = start_then_cancel(app_window, qtbot, dataset[0], epochs=1, stop_within_ms=10_000)
    assert dialog.result is None and not app_window.models.current.exists()


@pytest.mark.slow
def test_a_failing_run_shows_its_reason(app_window, qtbot, tmp_path):
    broken = tmp_path / "mnist-broken.npz"
    broken.write_bytes(b"this is not a dataset")
    dialog = app_window.show_retrain()
    configure(dialog, broken, limit=100, epochs=1)
    dialog.start_button.click()
    qtbot.waitUntil(lambda: dialog.process is None, timeout=120_000)
    assert "Training failed" in dialog.status.text()
    assert "mnist-broken.npz" in dialog.status.text()
    assert dialog.result is None and not dialog.use_button.isEnabled()


def test_missing_tensorflow_is_explained_with_the_install_line():
    text = explain_failure(1, None, "Traceback...\nModuleNotFoundError: No module named 'tensorflow'\n")
    assert "pip install" in text and "train" in text


def test_without_tensorflow_retrain_explains_what_to_install(app_window, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr("desktop.worker.training_available", lambda: False)
    assert app_window.show_retrain() is None
    box = app_window.findChild(QMessageBox, "retrain-unavailable")
    assert box is not None and box.isVisible()
    assert "pip install" in box.text() and "full build" in box.text()


def test_progress_without_numbers_does_not_break_the_dialog(app_window):
    dialog = app_window.show_retrain()
    dialog._handle({"event": "step", "epoch": 1, "epochs": 2, "step": 3, "steps": 10, "loss": None,
                    "accuracy": None, "val_loss": None, "val_accuracy": None, "eta_s": 12})
    assert "Epoch 1/2, step 3/10" in dialog.status.text() and "loss –" in dialog.status.text()
    assert dialog.progress.value() == 3


def test_a_model_that_cannot_be_installed_is_kept_for_another_try(app_window, tmp_path):
    from desktop.retrain import RetrainDialog

    run = tmp_path / "runs" / "r1"
    run.mkdir(parents=True)
    (run / "model.onnx").write_bytes(b"not really a model")
    dialog = RetrainDialog(app_window, app_window.recognizer.info.path, tmp_path / "samples", tmp_path / "runs", 0,
                           app_window.settings, install=app_window.install_model)
    dialog.out_dir, dialog.result = run, {"model": str(run / "model.onnx")}
    dialog.use_button.setEnabled(True)
    dialog.use_new_model()
    assert (run / "model.onnx").exists() and dialog.result is not None
    assert app_window.last_error.windowTitle() == "Cannot use the new model"
    assert "model.onnx" in app_window.last_error.text() and "current model stays active" in app_window.last_error.text()
    assert not app_window.models.current.exists()
    dialog.reject()
    assert not run.exists()  # closing without using it removes the run
