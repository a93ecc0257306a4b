"""The contract between training and the app (core/contract.py): a model made to it is what the
recognizer accepts, the shipped model is one, and a model made for other preprocessing is refused."""

from __future__ import annotations

import json

import numpy as np
import onnx
import pytest

from handwriting_recognizer.core.contract import (
    CLASSES,
    INPUT_NAME,
    INPUT_SHAPE,
    LABELS,
    LABELS_KEY,
    MODEL_FILE,
    NOT_A_DIGIT_CLASS,
    OUTPUT_NAME,
    PREPROCESSING,
    PREPROCESSING_KEY,
    PREPROCESSING_VERSION,
    to_model_input,
)
from handwriting_recognizer.core.preprocess import empty_input, strokes_to_input
from handwriting_recognizer.core.recognizer import ModelError, Recognizer
from handwriting_recognizer.selftest import PEN_WIDTH
from tests import handmade
from tests.fakes import contract_model, with_metadata


def test_a_model_with_the_contract_names_loads(tmp_path):
    path = tmp_path / "named.onnx"
    path.write_bytes(contract_model())
    model = Recognizer(path, use_gpu=False)
    assert model.predict_batch(np.zeros((2, *INPUT_SHAPE), np.float32)).shape == (2, len(LABELS))
    assert model.info.labels == LABELS


def test_the_shipped_model_was_exported_to_the_contract(bundled_model):
    proto = onnx.load(bundled_model)
    assert [i.name for i in proto.graph.input] == [INPUT_NAME]
    assert OUTPUT_NAME in [o.name for o in proto.graph.output]
    assert [d.dim_value for d in proto.graph.input[0].type.tensor_type.shape.dim[1:]] == list(INPUT_SHAPE)
    meta = {entry.key: json.loads(entry.value) for entry in proto.metadata_props}
    assert meta[LABELS_KEY] == list(CLASSES) and meta[PREPROCESSING_KEY]["version"] == PREPROCESSING_VERSION


def test_training_exports_what_the_recognizer_expects(tmp_path):
    """training/export.py names the graph's input and output from the contract, as the recognizer reads them."""
    pytest.importorskip("tf2onnx")
    from handwriting_recognizer.training import export
    from handwriting_recognizer.training.model import build_classifier

    path = tmp_path / MODEL_FILE
    export.save_atomic(export.to_onnx(build_classifier(width=2), {PREPROCESSING_KEY: PREPROCESSING}), path)
    model = Recognizer(path, use_gpu=False)
    assert model.predict(empty_input()).shape == (len(CLASSES),)  # the digits and "not a digit"


def test_a_model_made_for_another_preprocessing_version_is_refused(tmp_path, bundled_model):
    path = tmp_path / "future.onnx"
    path.write_bytes(with_metadata(bundled_model, {PREPROCESSING_KEY: json.dumps({"version": 99})}))
    with pytest.raises(
        ModelError,
        match=rf"future.onnx: .*made for preprocessing version 99; "
        rf"this app prepares input version {PREPROCESSING_VERSION}",
    ):
        Recognizer(path, use_gpu=False, int8=False)


@pytest.mark.parametrize("preprocessing", [{"version": PREPROCESSING_VERSION}, None, "another tool's", {"steps": 3}])
def test_a_model_of_this_version_or_that_does_not_say_loads(tmp_path, preprocessing):
    """The version is checked only where a model names one: older models and other tools' do not."""
    path = tmp_path / "model.onnx"
    path.write_bytes(contract_model())
    if preprocessing is not None:
        path.write_bytes(with_metadata(path, {PREPROCESSING_KEY: json.dumps(preprocessing)}))
    assert Recognizer(path, use_gpu=False).info.metadata.get(PREPROCESSING_KEY) == preprocessing


@pytest.fixture(scope="module")
def cpu_model(bundled_model) -> Recognizer:
    return Recognizer(bundled_model, use_gpu=False)


TAP = [np.array([[200.0, 200.0]])]  # a click on the canvas: a dot, no digit


@pytest.mark.parametrize("x", [empty_input(), strokes_to_input(TAP, PEN_WIDTH)], ids=["empty", "a dot"])
def test_read_of_no_digit_is_blank(cpu_model, x):
    reading = cpu_model.read(x)
    assert reading.blank and reading.label is None and reading.confidence == 0
    assert not reading.probabilities.any() and reading.probabilities.shape == (len(LABELS),)


def test_read_of_a_digit_is_the_models_answer(cpu_model):
    x = strokes_to_input(handmade.seven(), PEN_WIDTH)
    reading = cpu_model.read(x)
    assert not reading.blank and reading.label == 7
    answer = cpu_model.predict(x)  # the ten digits' probabilities, then "not a digit"'s
    np.testing.assert_array_equal(reading.probabilities, answer[: len(LABELS)])
    assert reading.not_a_digit == answer[NOT_A_DIGIT_CLASS]
    assert reading.confidence == pytest.approx(float(reading.probabilities.max()))


def test_to_model_input_scales_uint8_images_to_ink_one():
    """MNIST's uint8 images, ink = 255 on 0, become the float32 input the app's preprocessing makes."""
    images = np.zeros((2, *INPUT_SHAPE[:2]), np.uint8)
    images[1, 3, 4], images[1, 5, 6] = 255, 51
    x = to_model_input(images)
    assert x.dtype == np.float32 and x.shape == (2, *INPUT_SHAPE)
    assert x[1, 3, 4, 0] == 1.0 and x[1, 5, 6, 0] == pytest.approx(0.2) and x.sum() == pytest.approx(1.2)
