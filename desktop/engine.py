"""The recognizer: an ONNX model in onnxruntime, checked against the app's contract when loaded.

Contract: input `image` float32 [N,28,28,1] (0..1, ink = 1), output `probabilities` float32 [N,10].
CUDA is used when onnxruntime offers it and a session really gets it; otherwise the CPU, tuned for
batch-1 latency (one thread, sequential, all graph optimisations). On the CPU, the model's int8 copy
(`model.int8.onnx`, written by training) runs instead when it was made from this exact file.
"""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import onnxruntime as ort

INPUT_NAME = "image"
OUTPUT_NAME = "probabilities"
CUDA = "CUDAExecutionProvider"
CPU = "CPUExecutionProvider"
INT8_SOURCE_KEY = "float_model_sha256"  # in an int8 model's metadata: the float model it was made from
INT8_EXPORT_FAILED = "no int8 model: quantization failed"  # what training says when it cannot quantize


def int8_path_for(model: Path) -> Path:
    """Where a model's int8 copy lives: `model.onnx` -> `model.int8.onnx`."""
    return model.with_suffix(".int8.onnx")


class ModelError(Exception):
    """The model file cannot be used; the message says why in words."""


@dataclass(frozen=True)
class ModelInfo:
    """What the app shows about a model."""

    path: Path
    provider: str
    labels: tuple[str, ...]
    metadata: dict[str, object] = field(default_factory=dict)
    precision: str = "float32"  # "int8" when the quantized copy runs

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def test_accuracy(self) -> float | None:
        value = self.metadata.get("test_accuracy")
        return float(value) if isinstance(value, (int, float)) else None


def session_options() -> ort.SessionOptions:
    """Options for the lowest batch-1 latency: the work is far too small to share across threads."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    return options


class Recognizer:
    """A loaded, validated model. Construction raises ModelError; a Recognizer is always usable."""

    def __init__(self, path: Path | str, use_gpu: bool = True, int8: bool = True):
        """`int8=False` runs the float32 model even where its int8 copy would do (comparisons)."""
        self.path = Path(path)
        data = self._read(self.path)
        on_cpu = not (use_gpu and CUDA in ort.get_available_providers())
        self._session = self._open_int8(data) if on_cpu and int8 else None
        precision = "int8" if self._session is not None else "float32"
        if self._session is None:
            self._session = self._open(data, use_gpu)
            self._check_contract(self._session)
        meta = self._session.get_modelmeta().custom_metadata_map
        metadata: dict[str, object] = {}
        for key, value in meta.items():
            try:
                metadata[key] = json.loads(value)
            except json.JSONDecodeError:
                metadata[key] = value
        labels = metadata.get("labels")
        if not (isinstance(labels, list) and len(labels) == 10):
            labels = [str(i) for i in range(10)]
        self.info = ModelInfo(self.path, self._session.get_providers()[0], tuple(str(x) for x in labels), metadata, precision)
        self.last_ms = 0.0

    @staticmethod
    def _read(path: Path) -> bytes:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ModelError(f"{path.name}: cannot read the file ({exc.strerror})") from exc
        if not data:
            raise ModelError(f"{path.name}: the file is empty")
        return data

    def _open(self, data: bytes, use_gpu: bool) -> ort.InferenceSession:
        wanted = [CUDA, CPU] if use_gpu and CUDA in ort.get_available_providers() else [CPU]
        try:
            return ort.InferenceSession(data, session_options(), providers=wanted)
        except Exception as exc:  # onnxruntime raises several types for bad files
            if wanted[0] == CUDA:
                try:  # a broken CUDA install should not stop the app
                    return ort.InferenceSession(data, session_options(), providers=[CPU])
                except Exception:
                    pass
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ModelError(f"{self.path.name}: not a usable ONNX model ({reason[:200]})") from exc

    def _open_int8(self, data: bytes) -> ort.InferenceSession | None:
        """The int8 copy's session when it exists, names this model as its source and meets the
        contract; else None and the float model runs (a stale or broken copy only costs speed)."""
        path = int8_path_for(self.path)
        try:
            session = ort.InferenceSession(path.read_bytes(), session_options(), providers=[CPU])
        except Exception:  # missing or unreadable: not an error, the float model is the model
            return None
        source = session.get_modelmeta().custom_metadata_map.get(INT8_SOURCE_KEY, "")
        if source.strip('"') != hashlib.sha256(data).hexdigest():
            return None
        try:
            self._check_contract(session)
        except ModelError:
            return None
        return session

    def _check_contract(self, session: ort.InferenceSession) -> None:
        inputs, outputs = session.get_inputs(), session.get_outputs()
        problem = None
        if len(inputs) != 1 or inputs[0].name != INPUT_NAME:
            problem = f"expected one input named '{INPUT_NAME}', found {[i.name for i in inputs]}"
        elif inputs[0].type != "tensor(float)" or list(inputs[0].shape[1:]) != [28, 28, 1]:
            problem = f"input must be float32 [N,28,28,1], found {inputs[0].type} {inputs[0].shape}"
        elif not any(o.name == OUTPUT_NAME for o in outputs):
            problem = f"expected an output named '{OUTPUT_NAME}', found {[o.name for o in outputs]}"
        if problem is None:
            try:
                probs = session.run([OUTPUT_NAME], {INPUT_NAME: np.zeros((1, 28, 28, 1), np.float32)})[0]
            except Exception as exc:
                problem = f"running it failed ({str(exc).splitlines()[0][:200]})"
            else:
                if probs.shape != (1, 10) or not np.isfinite(probs).all() or abs(float(probs.sum()) - 1) > 1e-3:
                    problem = f"output must be 10 softmax probabilities, got shape {probs.shape}"
        if problem:
            raise ModelError(f"{self.path.name}: incompatible model: {problem}")

    def predict_batch(self, images: np.ndarray) -> np.ndarray:
        """float32 (N,28,28,1) -> probabilities (N,10)."""
        out = self._session.run([OUTPUT_NAME], {INPUT_NAME: np.ascontiguousarray(images, np.float32)})[0]
        return np.asarray(out, np.float32)

    def predict(self, image: np.ndarray) -> np.ndarray:
        """One 28x28 input -> its 10 probabilities; records the time taken in `last_ms`."""
        start = time.perf_counter()
        probs = self.predict_batch(image.reshape(1, 28, 28, 1))[0]
        self.last_ms = (time.perf_counter() - start) * 1000.0
        return probs


@dataclass(frozen=True)
class Reading:
    """What the model reads in one input: the top label (None when unsure or blank) and all
    probabilities (zeros when blank)."""

    label: int | None
    confidence: float
    probabilities: np.ndarray
    blank: bool = False


UNSURE_BELOW = 0.5


def read(probabilities: np.ndarray, blank: bool, threshold: float = UNSURE_BELOW) -> Reading:
    """Decide what to show: no digit for a top probability under `threshold`, and for a blank input
    nothing at all (the network's output for no ink is meaningless, so its probabilities are zeros)."""
    if blank:
        return Reading(None, 0.0, np.zeros_like(probabilities), blank=True)
    top = int(np.argmax(probabilities))
    confidence = float(probabilities[top])
    return Reading(None if confidence < threshold else top, confidence, probabilities)
