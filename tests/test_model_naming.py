"""Which model is active, in words: the bundled one, a retrained one by its date and accuracy, a
file by its name; the real precision of what runs; Model > Info in human words."""

from __future__ import annotations

from handwriting_recognizer.core.contract import int8_path_for
from handwriting_recognizer.core.recognizer import Recognizer


def test_an_int8_model_opened_directly_says_int8(bundled_model):
    assert Recognizer(int8_path_for(bundled_model), use_gpu=False).info.precision == "int8"
    assert Recognizer(bundled_model, use_gpu=False, int8=False).info.precision == "float32"
    assert Recognizer(bundled_model, use_gpu=False).info.precision == "int8"  # its copy runs


def test_the_status_bar_shows_the_precision_of_an_int8_model_opened_directly(app_window, bundled_model):
    assert app_window.open_model(int8_path_for(bundled_model))
    assert app_window.provider_status.text().endswith("int8")
