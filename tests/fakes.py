"""Small fakes the tests share: MNIST-shaped arrays and their IDX files, ONNX models that follow
(or bend) the model contract (no real data)."""

from __future__ import annotations

import errno
import gzip
import os
import stat
import struct
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper

from handwriting_recognizer.core import recognizer as engine
from handwriting_recognizer.core.contract import INPUT_NAME, INPUT_SHAPE, LABELS, OUTPUT_NAME
from handwriting_recognizer.core.recognizer import CPU, CUDA, ModelInfo


def fake_mnist(n_train: int = 60, n_test: int = 20, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "x_train": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, n_train, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, n_test, dtype=np.uint8),
    }


def write_idx(path: Path, array: np.ndarray, gz: bool) -> None:
    data = bytes([0, 0, 8, array.ndim]) + b"".join(struct.pack(">I", d) for d in array.shape) + array.tobytes()
    if gz:
        with gzip.open(path, "wb") as f:
            f.write(data)
    else:
        path.write_bytes(data)


IDX = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}


def write_idx_folder(folder: Path, arrays: dict[str, np.ndarray], gz: bool) -> Path:
    folder.mkdir(exist_ok=True)
    for key, stem in IDX.items():
        write_idx(folder / (stem + (".gz" if gz else "")), arrays[key], gz)
    return folder


def contract_model(
    tail: list[onnx.NodeProto] | None = None,
    initializers: list[onnx.TensorProto] = (),
    classes: int = len(LABELS),
    input_name: str = INPUT_NAME,
    input_shape: tuple[int, ...] = INPUT_SHAPE,
    rows: int = -1,
) -> bytes:
    """A model with the contract's input (the image model's by default; the stroke model's with its
    name and shape) that reads `classes` `logits` from it (the digits; one more is "not a digit"),
    then `tail` (default: a softmax) makes the contract's output, `probabilities`, from them.
    `rows=1` makes one that declares a batch of any size but reads only one input at a time."""
    rng = np.random.default_rng(0)
    image = helper.make_tensor_value_info(input_name, TensorProto.FLOAT, ["N", *input_shape])
    probs = helper.make_tensor_value_info(OUTPUT_NAME, TensorProto.FLOAT, ["N", "classes"])
    pixels = int(np.prod(input_shape))
    inits = [
        helper.make_tensor("shape", TensorProto.INT64, [2], [rows, pixels]),
        helper.make_tensor(
            "w", TensorProto.FLOAT, [pixels, classes], rng.normal(0, 0.1, pixels * classes).astype(np.float32)
        ),
        *initializers,
    ]
    nodes = [
        helper.make_node("Reshape", [input_name, "shape"], ["flat"]),
        helper.make_node("MatMul", ["flat", "w"], ["logits"]),
        *(tail or [helper.make_node("Softmax", ["logits"], [OUTPUT_NAME], axis=-1)]),
    ]
    return model_bytes(helper.make_graph(nodes, "g", [image], [probs], inits))


# Made models say the IR version the exported ones have (tf2onnx writes 8), not the onnx package's
# newest: onnxruntime-gpu 1.31.1 reads up to 13, and onnx 1.23 writes 14 unless told.
MADE_IR_VERSION = 8


def model_bytes(graph: onnx.GraphProto) -> bytes:
    """A model file's bytes for `graph`, as the app's exported models are made (opset 17, IR 8)."""
    return helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=MADE_IR_VERSION
    ).SerializeToString()


def with_metadata(bundled_model: Path, entries: dict[str, str]) -> bytes:
    proto = onnx.load(bundled_model)
    for key, value in entries.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    return proto.SerializeToString()


def sure_of_nothing(info: ModelInfo) -> ModelInfo:
    """`info` with unsure thresholds no reading reaches: a picture's, and a drawing's read with the
    stroke model."""
    fusion = None if info.fusion is None else replace(info.fusion, unsure_below=1.01)
    return replace(info, unsure_below=1.01, fusion=fusion)


class FakeCudaSession:
    """A CPU session that reports CUDA, as a GPU machine's would: its runs fail with `error`, or are
    `slow_runs` seconds slower (the first run's one-time setup, or every run's) than the CPU's."""

    def __init__(self, real, slow_runs: list[float], error: str | None):
        self._real, self._slow_runs, self._error = real, list(slow_runs), error

    def get_providers(self) -> list[str]:
        return [CUDA, CPU]

    def __getattr__(self, name: str):
        return getattr(self._real, name)

    def run(self, names, feeds, options=None):
        if self._error:
            raise RuntimeError(self._error)
        if self._slow_runs:
            time.sleep(self._slow_runs.pop(0))  # the run stops here if the watchdog set terminate meanwhile
        return self._real.run(names, feeds, options)


def fake_cuda(monkeypatch, slow_runs: list[float] = (), error: str | None = None) -> None:
    """Make onnxruntime offer CUDA and give CUDA sessions as FakeCudaSession describes."""
    real = engine.ort.InferenceSession

    def session(data, options, providers, **options_too):
        cpu = real(data, options, providers=[CPU], **options_too)
        return FakeCudaSession(cpu, slow_runs, error) if CUDA in providers else cpu

    monkeypatch.setattr(engine.ort, "get_available_providers", lambda: [CUDA, CPU])
    monkeypatch.setattr(engine.ort, "InferenceSession", session)


def disk_full_at(monkeypatch, write: int) -> None:
    """The `write`-th file flushed to disk from now on (an atomic write's fsync of its file; the
    folders flushed after each rename do not count) finds the disk full."""
    real_fsync, files = os.fsync, []

    def fsync(fd: int) -> None:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            files.append(fd)
            if len(files) == write:
                raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
