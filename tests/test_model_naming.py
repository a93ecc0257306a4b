"""Which model is active, in words: the bundled one, a retrained one by its date and accuracy, a
file by its name; the real precision of what runs; Model > Info in human words."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import onnx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from handwriting_recognizer.app.dialogs import model_info_rows
from handwriting_recognizer.app.model_text import device_text, metadata_text, trained_at
from handwriting_recognizer.core.contract import int8_path_for
from handwriting_recognizer.core.recognizer import Recognizer


def test_an_int8_model_opened_directly_says_int8(bundled_model):
    assert Recognizer(int8_path_for(bundled_model), use_gpu=False).info.precision == "int8"
    assert Recognizer(bundled_model, use_gpu=False, int8=False).info.precision == "float32"
    assert Recognizer(bundled_model, use_gpu=False).info.precision == "int8"  # its copy runs


def test_the_status_bar_shows_the_precision_of_an_int8_model_opened_directly(app_window, bundled_model):
    assert app_window.open_model(int8_path_for(bundled_model))
    assert app_window.provider_status.text().endswith("int8")


@pytest.fixture
def utc(monkeypatch):
    """Local time is UTC while the test runs, so that dates shown in local time are known."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_dates_are_shown_as_local_dates(utc, monkeypatch):
    assert trained_at("2026-11-25T10:43:47+00:00") == "2026-11-25 10:43"
    assert trained_at("2026-11-25T10:43:47Z") == "2026-11-25 10:43"
    assert trained_at("2026-11-25T14:03:00") == "2026-11-25 14:03"  # no zone: as written
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    assert trained_at("2026-11-25T10:43:47+00:00") == "2026-11-25 19:43"
    assert trained_at("last Tuesday") is None and trained_at(None) is None


@pytest.mark.parametrize(
    ("device", "shown"),
    [
        ("training on CPU (no GPU visible to TensorFlow)", "CPU"),
        ("/physical_device:CPU:0", "CPU"),
        ("training on GPU (NVIDIA H100 80GB HBM3)", "GPU (NVIDIA H100 80GB HBM3)"),
        ("training on GPU (/physical_device:GPU:0)", "GPU"),
        ("training on 2 GPUs with MirroredStrategy (/physical_device:GPU:0, /physical_device:GPU:1)", "2 GPUs"),
        ("training on CPU split into 4 replicas with MirroredStrategy", "CPU split into 4 replicas"),
        ("a laptop", "A laptop"),
    ],
)
def test_devices_are_named_without_tensorflow_wording(device, shown):
    assert device_text(device) == shown


def test_metadata_is_shown_as_readable_text(utc, bundled_model):
    text = metadata_text(Recognizer(bundled_model, use_gpu=False).info.metadata)
    assert "Date: 2026-11-25 23:00" in text and "Device: CPU\n" in text
    assert "Best epoch: 9" in text and "Test accuracy: 99.37%" in text
    assert "Recipe:\n    Batch size: 128\n    Learning rate: 0.0003" in text
    assert "Labels: 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, not a digit" in text
    assert "Own samples weight: none" in text and "Parameters: 210,271" in text
    # The rejection trade-off chosen on validation writers: one threshold a line, shares as percentages.
    assert "Rejection on validation:\n    threshold 0.0, digits rejected 0.34%, digits misread 0.62%" in text
    assert "\n    threshold 0.65, digits rejected 0.99%" in text
    for raw in ("{", '"', "T23:00", "TensorFlow", "test_accuracy", "training_data", "digits_rejected"):
        assert raw not in text  # no JSON, no raw dates, no keys as code spells them


def retrained_model(tmp_path: Path, bundled_model: Path, date: str, accuracy: float) -> Path:
    """A model as a retraining leaves it: the bundled network, its own date and accuracy."""
    proto = onnx.load(bundled_model)
    for entry in proto.metadata_props:
        if entry.key == "date":
            entry.value = json.dumps(date)
        elif entry.key == "test_accuracy":
            entry.value = json.dumps(accuracy)
    path = tmp_path / "run" / "model.onnx"
    path.parent.mkdir(parents=True)
    path.write_bytes(proto.SerializeToString())
    return path


def test_use_new_model_and_revert_name_the_models_by_what_they_are(app_window, tmp_path, bundled_model):
    bundled = "Model: bundled model, 99.37% on MNIST"
    assert app_window.model_status.text() == bundled
    assert app_window.install_model(retrained_model(tmp_path, bundled_model, "2026-11-25T14:03:00", 0.995))
    retrained = "Model: retrained on 2026-11-25 14:03, 99.50% on MNIST"
    assert app_window.model_status.text() == retrained
    assert app_window.statusBar().currentMessage().startswith("Now reading with the new model (retrained on 2026")
    assert app_window.revert_model() and app_window.model_status.text() == bundled  # the store's copy of it
    assert app_window.revert_model() and app_window.model_status.text() == retrained
    assert app_window.model_choice.title == "retrained on 2026-11-25 14:03"


def test_revert_after_reset_or_open_goes_back_to_the_model_used_before(app_window, tmp_path, bundled_model):
    """Found by hand: after Reset to Bundled Model, Revert swapped the store's pointer to its copy of
    the bundled model, so the status still said "bundled model" and nothing seemed to happen."""
    bundled = "Model: bundled model, 99.37% on MNIST"
    retrained = "Model: retrained on 2026-11-25 14:03, 99.50% on MNIST"
    revert = app_window.revert_action
    assert not revert.isEnabled()  # nothing to go back to yet
    assert app_window.install_model(retrained_model(tmp_path / "a", bundled_model, "2026-11-25T14:03:00", 0.995))
    assert app_window.reset_model() and app_window.model_status.text() == bundled and revert.isEnabled()
    assert app_window.revert_model() and app_window.model_status.text() == retrained
    assert app_window.revert_model() and app_window.model_status.text() == bundled  # then the one it replaced
    assert app_window.revert_model() and app_window.model_status.text() == retrained
    mine = tmp_path / "mine.onnx"
    retrained_model(tmp_path / "b", bundled_model, "2026-01-02T03:04:00", 0.99).rename(mine)
    assert app_window.open_model(mine) and revert.isEnabled()
    assert app_window.revert_model() and app_window.model_status.text() == retrained


def test_a_model_opened_from_a_file_keeps_its_file_name_after_a_retraining_replaced_it(
    app_window, tmp_path, bundled_model
):
    mine = tmp_path / "mine.onnx"
    retrained_model(tmp_path / "a", bundled_model, "2026-01-02T03:04:00", 0.99).rename(mine)
    assert app_window.open_model(mine) and app_window.model_status.text() == "Model: mine.onnx, 99.00% on MNIST"
    assert app_window.install_model(retrained_model(tmp_path / "b", bundled_model, "2026-11-25T14:03:00", 0.995))
    assert app_window.revert_model() and app_window.model_status.text() == "Model: mine.onnx, 99.00% on MNIST"
    assert "current.onnx" not in app_window.model_status.text() and "model.onnx" not in app_window.model_status.text()


def test_model_info_says_what_the_model_is_in_words(utc, app_window):
    app_window.show_model_info()
    box = app_window.findChild(QMessageBox, "model-info")
    rows = dict(model_info_rows(app_window.recognizer.info, app_window.model_choice.title))
    assert rows["Model"] == "bundled model" and rows["Runs on"] == "CPU, int8"
    assert rows["Trained"] == "2026-11-25 23:00" and rows["Trained on"] == "CPU"
    assert rows["Parameters"] == "210,271"
    assert (
        rows["Training data"]
        == "55,000 MNIST images + 46,255 drawn from UNIPEN's pen writing or made up + 0 own samples"
    )
    assert rows["Pen strokes"] == "also read by its stroke model (weight 0.25)"
    assert app_window.provider_status.toolTip().endswith("drawings also read by its stroke model")
    assert "TensorFlow" not in box.text() and "T23:00" not in box.text() and "ExecutionProvider" not in box.text()
    assert "Best epoch: 9" in box.detailedText() and "{" not in box.detailedText()
    assert box.accessibleName() == "Model Info"


def test_a_model_file_name_is_shown_as_text_never_as_markup(app_window, tmp_path, bundled_model):
    odd = tmp_path / "<b>odd.onnx"
    odd.write_bytes(bundled_model.read_bytes())
    assert app_window.open_model(odd)
    assert app_window.model_status.text().startswith("Model: <b>odd.onnx")
    assert app_window.model_status.textFormat() == Qt.TextFormat.PlainText


def test_model_info_of_a_model_retrained_without_unipen_does_not_say_unipen(bundled_model):
    """A menu retrain without pen writing said "+ 125 pen-written (UNIPEN)": its made-up scribbles (QA)."""
    info = Recognizer(bundled_model, use_gpu=False).info
    data = {"train_images": 500, "pen_images": 125, "pen_data": None, "own_samples": 2}
    rows = dict(model_info_rows(replace(info, metadata={**info.metadata, "training_data": data}), "retrained"))
    assert rows["Training data"] == "500 MNIST images + 125 made-up scribbles + 2 own samples"
