"""The recognizer: contract checks on load, clear errors for bad files, metadata, latency bookkeeping."""

from __future__ import annotations

import gc
import json
import logging
import re
import threading
from pathlib import Path

import numpy as np
import onnx
import pytest
import tomllib
from onnx import TensorProto, helper
from packaging.requirements import Requirement

from handwriting_recognizer.core import recognizer as engine
from handwriting_recognizer.core.contract import CLASSES, LABELS, LABELS_KEY, UNSURE_BELOW_KEY, int8_path_for
from handwriting_recognizer.core.preprocess import empty_input, strokes_to_input
from handwriting_recognizer.core.recognizer import (
    BLANK,
    CPU,
    CUDA,
    NOT_A_DIGIT,
    UNSURE,
    ModelError,
    Recognizer,
    read,
    session_options,
)
from handwriting_recognizer.selftest import DRAWINGS, PEN_WIDTH
from tests.fakes import contract_model, fake_cuda, model_bytes


def test_bundled_model_meets_the_contract(bundled_model):
    r = Recognizer(bundled_model)
    probs = r.predict(np.zeros((28, 28), np.float32))
    assert probs.shape == (len(r.info.labels),) and probs.dtype == np.float32
    assert abs(float(probs.sum()) - 1) < 1e-4
    assert r.info.provider in ("CPUExecutionProvider", "CUDAExecutionProvider")
    assert r.info.labels in (LABELS, CLASSES)
    assert r.last_ms > 0


def test_metadata_is_read(bundled_model):
    meta = Recognizer(bundled_model).info.metadata
    for key in (
        "labels",
        "preprocessing",
        "test_accuracy",
        "val_accuracy",
        "training_data",
        "epochs",
        "date",
        "parameters",
    ):
        assert key in meta, key
    assert meta["preprocessing"]["version"] >= 1


def test_model_info_holds_checked_values(bundled_model):
    info = Recognizer(bundled_model).info
    assert 0.99 < info.test_accuracy <= 1 and 0.95 < info.val_accuracy <= 1  # validation has pen writers too
    assert info.parameters > 100_000 and info.epochs >= 1
    assert info.date.startswith("20") and isinstance(info.device, str)


def test_batch_and_single_agree(bundled_model):
    r = Recognizer(bundled_model)
    x = np.random.default_rng(0).random((4, 28, 28, 1), dtype=np.float32)
    batch = r.predict_batch(x)
    for i in range(4):
        np.testing.assert_allclose(r.predict(x[i, ..., 0]), batch[i], atol=1e-5)


def test_cpu_session_is_tuned_for_batch_one():
    options = session_options()
    assert options.intra_op_num_threads == 1 and options.inter_op_num_threads == 1


def _model(inputs, outputs, nodes) -> bytes:
    return model_bytes(helper.make_graph(nodes, "g", inputs, outputs))


def incompatible_models():
    image = helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", 28, 28, 1])
    flat = helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", 784])
    shape = helper.make_tensor("shape", TensorProto.INT64, [2], [-1, 784])
    yield (
        "wrong input name",
        _model(
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 28, 28, 1])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 28, 28, 1])],
            [helper.make_node("Identity", ["x"], ["y"])],
        ),
        "one input named 'image'",
    )
    yield (
        "wrong input shape",
        _model(
            [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", 32, 32, 3])],
            [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", 32, 32, 3])],
            [helper.make_node("Identity", ["image"], ["probabilities"])],
        ),
        "[N,28,28,1]",
    )
    yield (
        "no probabilities output",
        _model(
            [image],
            [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 28, 28, 1])],
            [helper.make_node("Identity", ["image"], ["logits"])],
        ),
        "'probabilities'",
    )
    reshape = onnx.helper.make_graph(
        [helper.make_node("Reshape", ["image", "shape"], ["probabilities"])], "g", [image], [flat], [shape]
    )
    yield (
        "wrong output size",
        model_bytes(reshape),
        "softmax probabilities, got shape",
    )


@pytest.mark.parametrize("case", ["empty", "garbage", "truncated", "missing"])
def test_unusable_files_raise_model_error(tmp_path, bundled_model, case):
    path = tmp_path / "bad.onnx"
    if case == "empty":
        path.write_bytes(b"")
    elif case == "garbage":
        path.write_bytes(b"this is not a model" * 50)
    elif case == "truncated":
        path.write_bytes(bundled_model.read_bytes()[:2000])
    with pytest.raises(ModelError) as info:
        Recognizer(path)
    assert "bad.onnx" in str(info.value)


def test_incompatible_models_are_refused_with_the_reason(tmp_path):
    for case, data, reason in incompatible_models():
        path = tmp_path / "other.onnx"
        path.write_bytes(data)
        with pytest.raises(ModelError) as info:
            Recognizer(path)
        assert "incompatible" in str(info.value) and reason in str(info.value), case


def test_reading_is_unsure_when_blank_or_low_confidence():
    confident = np.array([0.01] * 9 + [0.91], np.float32)
    assert read(confident, blank=False).label == 9
    assert read(confident, blank=True).label is None
    assert read(confident, blank=True).probabilities.sum() == 0
    flat = np.full(10, 0.1, np.float32)
    assert read(flat, blank=False).label is None
    assert read(flat, blank=False).reason == UNSURE and read(confident, blank=True).reason == BLANK


def test_a_model_with_a_not_a_digit_class_reads_letters_as_not_a_digit():
    letter = np.array([0.02] * 10 + [0.8], np.float32)
    reading = read(letter, blank=False)
    assert reading.label is None and reading.reason == NOT_A_DIGIT and reading.not_a_digit == pytest.approx(0.8)
    assert reading.probabilities.shape == (10,)  # the bars show the digits
    seven = np.array([0.0] * 7 + [0.7, 0.0, 0.0, 0.3], np.float32)
    assert read(seven, blank=False).label == 7 and read(seven, blank=False).not_a_digit == pytest.approx(0.3)
    assert read(seven, blank=False, threshold=0.75).reason == UNSURE


def test_a_model_with_the_not_a_digit_class_and_its_threshold_is_used(tmp_path):
    path = tmp_path / "eleven.onnx"
    proto = onnx.load_from_string(contract_model(classes=len(CLASSES)))
    entry = proto.metadata_props.add()
    entry.key, entry.value = UNSURE_BELOW_KEY, "0.8"
    names = proto.metadata_props.add()
    names.key, names.value = LABELS_KEY, json.dumps(CLASSES)
    path.write_bytes(proto.SerializeToString())
    model = Recognizer(path, use_gpu=False)
    assert model.predict(empty_input()).shape == (len(CLASSES),)
    assert model.info.unsure_below == 0.8 and model.info.labels == CLASSES  # "not a digit" is a label too
    reading = model.read(strokes_to_input([np.array([(0.0, 0.0), (10.0, 0.0), (4.0, 14.0)])]))
    assert reading.probabilities.shape == (10,)
    assert reading.probabilities.sum() + reading.not_a_digit == pytest.approx(1)
    assert reading.label is None or reading.confidence >= 0.8


def _model_pair(folder, bundled_model):
    """A copy of the bundled model and its int8 copy in `folder`."""
    model = folder / "model.onnx"
    model.write_bytes(bundled_model.read_bytes())
    int8_path_for(model).write_bytes(int8_path_for(bundled_model).read_bytes())
    return model


def test_the_cpu_runs_the_matching_int8_copy(tmp_path, bundled_model):
    model = _model_pair(tmp_path, bundled_model)
    fast, exact = Recognizer(model, use_gpu=False), Recognizer(model, use_gpu=False, int8=False)
    assert (fast.info.precision, exact.info.precision) == ("int8", "float32")
    assert fast.info.path == model  # the user's model is still the float file
    # The int8 copy reads the built-in drawings as the float model does.
    for expected, strokes in DRAWINGS.values():
        x = strokes_to_input(strokes, PEN_WIDTH)
        p_fast, p_exact = fast.predict(x), exact.predict(x)
        assert int(p_fast.argmax()) == int(p_exact.argmax()) == expected
        assert np.abs(p_fast - p_exact).max() < 0.05


def test_a_stale_or_broken_int8_copy_is_ignored_and_logged(tmp_path, bundled_model, caplog):
    model = _model_pair(tmp_path, bundled_model)
    changed = onnx.load(model)  # the same network, but another file: e.g. retrained since
    entry = changed.metadata_props.add()
    entry.key, entry.value = "note", '"edited"'
    onnx.save(changed, model)
    with caplog.at_level(logging.WARNING, logger="handwriting_recognizer.core.recognizer"):
        assert Recognizer(model, use_gpu=False).info.precision == "float32"
        assert "made from another model" in caplog.text
        model.write_bytes(bundled_model.read_bytes())
        int8_path_for(model).write_bytes(b"\x08\x07garbage")
        recognizer = Recognizer(model, use_gpu=False)
    assert recognizer.info.precision == "float32"
    assert recognizer.predict(np.zeros((28, 28), np.float32)).shape == (len(recognizer.info.labels),)
    assert [r.message.split(":")[0] for r in caplog.records] == ["ignoring the int8 copy, the float model runs"] * 2
    assert "model.int8.onnx: not a usable ONNX model" in caplog.records[1].message


@pytest.mark.parametrize("failure", ["raises", "silent"])
def test_a_cuda_that_does_not_work_is_logged_and_the_cpu_runs(bundled_model, monkeypatch, caplog, failure):
    real = engine.ort.InferenceSession

    def broken_cuda(data, options, providers, **options_too):
        if CUDA in providers and failure == "raises":
            raise RuntimeError("CUDA failure 100: no CUDA-capable device is detected")
        return real(data, options, providers=[CPU], **options_too)  # onnxruntime's own fallback when CUDA cannot load

    monkeypatch.setattr(engine.ort, "get_available_providers", lambda: [CUDA, CPU])
    monkeypatch.setattr(engine.ort, "InferenceSession", broken_cuda)
    with caplog.at_level(logging.WARNING, logger="handwriting_recognizer.core.recognizer"):
        recognizer = Recognizer(bundled_model)
    assert recognizer.info.provider == CPU
    assert len(caplog.records) == 1 and "CUDA" in caplog.text and "using the CPU" in caplog.text
    assert failure != "raises" or "no CUDA-capable device" in caplog.text


def test_cuda_libraries_are_loaded_before_the_cuda_session_and_what_onnxruntime_prints_is_logged(
    bundled_model, monkeypatch, caplog, capsys
):
    """onnxruntime-gpu's CUDA provider finds NVIDIA's pip-installed CUDA and cuDNN only once they
    are loaded (`onnxruntime.preload_dlls`); it prints what it cannot load, which must not reach
    `predict --json`'s output."""
    calls = []
    real = engine.ort.InferenceSession

    def preload() -> None:
        calls.append("preload")
        print("Failed to load libcudart.so.13: cannot open shared object file")

    def session(data, options, providers, **options_too):
        calls.append(providers[0])
        return real(data, options, providers=[CPU], **options_too)

    engine.load_cuda_libraries.cache_clear()
    monkeypatch.setattr(engine.ort, "preload_dlls", preload, raising=False)
    monkeypatch.setattr(engine.ort, "get_available_providers", lambda: [CUDA, CPU])
    monkeypatch.setattr(engine.ort, "InferenceSession", session)
    try:
        with caplog.at_level(logging.WARNING, logger="handwriting_recognizer.core.recognizer"):
            Recognizer(bundled_model)
            Recognizer(bundled_model)
    finally:
        engine.load_cuda_libraries.cache_clear()
    assert calls[:2] == ["preload", CUDA] and calls.count("preload") == 1  # once a process
    assert capsys.readouterr().out == ""
    assert "Failed to load libcudart.so.13" in caplog.text


def test_the_gpu_extra_and_its_locks_bring_the_cuda_libraries():
    """`pip install '.[gpu]'` alone must give a CUDA provider that can load: onnxruntime-gpu links
    CUDA and cuDNN but does not ship them (its `cuda` and `cudnn` extras do, as NVIDIA's packages)."""
    root = Path(__file__).resolve().parent.parent
    extra = tomllib.loads((root / "pyproject.toml").read_text())["project"]["optional-dependencies"]["gpu"]
    (onnxruntime_gpu,) = (Requirement(r) for r in extra if Requirement(r).name == "onnxruntime-gpu")
    assert {"cuda", "cudnn"} <= onnxruntime_gpu.extras
    for lock in ("requirements-gpu.txt", "requirements-dev-gpu.txt"):
        pinned = {line.split("==")[0] for line in (root / lock).read_text().splitlines() if "==" in line}
        assert {"onnxruntime-gpu", "nvidia-cuda-runtime", "nvidia-cublas"} <= pinned, lock
        assert any(name.startswith("nvidia-cudnn") for name in pinned), lock


def test_a_model_from_a_newer_onnx_is_refused_saying_why(tmp_path, bundled_model):
    """onnxruntime's error code and C++ source location must not push the reason out of the message."""
    model = onnx.load(bundled_model)
    model.ir_version = 99
    newer = tmp_path / "newer.onnx"
    onnx.save(model, newer)
    with pytest.raises(ModelError) as info:
        Recognizer(newer, use_gpu=False)
    said = r"newer\.onnx: not a usable ONNX model \(Unsupported model IR version: 99, max supported IR version: \d+\)"
    assert re.fullmatch(said, str(info.value)), str(info.value)


def test_a_cuda_sessions_first_run_may_take_its_setup_time(bundled_model, monkeypatch, caplog):
    monkeypatch.setattr(engine, "CHECK_SECONDS", 0.2)
    fake_cuda(monkeypatch, slow_runs=[0.5])  # cuDNN and cuBLAS set up on the first run
    with caplog.at_level(logging.WARNING, logger="handwriting_recognizer.core.recognizer"):
        recognizer = Recognizer(bundled_model)
    assert recognizer.info.provider == CUDA and caplog.records == []
    assert int(recognizer.predict(strokes_to_input(engine.CHECK_STROKES)).argmax()) == 7


@pytest.mark.parametrize("failure", ["error", "slow"])
def test_a_cuda_session_that_fails_the_check_is_logged_and_the_cpu_runs(bundled_model, monkeypatch, caplog, failure):
    monkeypatch.setattr(engine, "CHECK_SECONDS", 0.2)
    monkeypatch.setattr(engine, "CUDA_WARMUP_SECONDS", 0.2)
    fake_cuda(
        monkeypatch, **({"error": "CUDNN_STATUS_EXECUTION_FAILED"} if failure == "error" else {"slow_runs": [0.5]})
    )
    with caplog.at_level(logging.WARNING, logger="handwriting_recognizer.core.recognizer"):
        recognizer = Recognizer(bundled_model)
    assert (recognizer.info.provider, recognizer.info.precision) == (CPU, "int8")  # what the CPU runs
    assert len(caplog.records) == 1 and "CUDA" in caplog.text and "using the CPU" in caplog.text
    assert ("CUDNN_STATUS_EXECUTION_FAILED" if failure == "error" else "took longer than 0.2 s") in caplog.text


def watchdogs() -> set[threading.Thread]:
    return {thread for thread in threading.enumerate() if thread.name == engine.WATCHDOG_THREAD_NAME}


@pytest.mark.parametrize("cuda_offered", [False, True])
def test_switching_models_leaves_no_threads_behind(tmp_path, bundled_model, monkeypatch, cuda_offered):
    """The app opens a model on each switch, retrain and revert; each Recognizer's watchdog ends with
    it, also when CUDA is offered and a model's failed CUDA open is logged (seen on a real GPU: the
    log record held the exception, whose traceback held the Recognizer)."""
    if cuda_offered:
        monkeypatch.setattr(engine.ort, "get_available_providers", lambda: [CUDA, CPU])
    before = watchdogs()
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not a model")
    recognizers = [Recognizer(bundled_model, use_gpu=False) for _ in range(5)]
    for _ in range(5):
        with pytest.raises(ModelError):
            Recognizer(broken)
    started = watchdogs() - before
    assert len(started) >= 5 and all(thread.daemon for thread in started)  # they never keep the app running
    del recognizers
    gc.collect()
    for thread in started:
        thread.join(1)
    assert not any(thread.is_alive() for thread in started)


def test_a_large_batch_gets_time_in_proportion(bundled_model):
    """Training compares models on the 10,000 test images in one batch: seconds, not a hang."""
    from handwriting_recognizer.core.recognizer import Recognizer

    recognizer = Recognizer(bundled_model, use_gpu=False)
    probs = recognizer.predict_batch(np.zeros((10_000, 28, 28, 1), np.float32))
    assert probs.shape == (10_000, len(recognizer.info.labels))
