"""ONNX export (tf2onnx, opset 17) under the app's contract (core/contract.py), with a parity check
against Keras, and an int8 copy of it for the CPU.

Contract: input `image` float32 [N,28,28,1] in 0..1 (ink = 1 on 0); output `probabilities`
float32 [N,10] (softmax); metadata_props hold JSON strings describing the model.

`model.onnx` is the float32 model, checked against Keras. `model.int8.onnx` beside it is the same
network statically quantized (QDQ, int8 weights per channel, uint8 activations calibrated on
training images): about 2.5x faster at batch 1 on a CPU core. It names the float model's SHA-256,
so the app only uses it next to the exact model it was made from. Likewise `model.onnx` names the
SHA-256 of the Keras weights written beside it (`weights_sha256`, set by the CLI): weights left
beside another model are told apart.
"""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
from pathlib import Path

import keras
import numpy as np
import onnx
import onnxruntime as ort
import tensorflow as tf
import tf2onnx

from handwriting_recognizer import DISTRIBUTION, __version__
from handwriting_recognizer.core.atomic import write_bytes_atomic
from handwriting_recognizer.core.contract import INPUT_NAME, INPUT_SHAPE, INT8_SOURCE_KEY, OUTPUT_NAME
from handwriting_recognizer.training.model import build_classifier

OPSET = 17
PARITY_TOLERANCE = 1e-4
MIN_INT8_AGREEMENT = 0.99  # below this the int8 copy is not written and the app runs the float model


class ExportError(Exception):
    """The exported model does not match Keras or the contract."""


def float32_copy(classifier: keras.Model, width: int) -> keras.Model:
    """The classifier rebuilt in float32 (training may run in mixed precision) with its weights."""
    policy = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy("float32")
    try:
        copy = build_classifier(width, classes=classifier.output_shape[-1])
    finally:
        keras.mixed_precision.set_global_policy(policy)
    copy.set_weights([np.asarray(w, dtype=np.float32) for w in classifier.get_weights()])
    return copy


def to_onnx(
    model: keras.Model,
    metadata: dict[str, object],
    input_name: str = INPUT_NAME,
    input_shape: tuple[int, ...] = INPUT_SHAPE,
) -> onnx.ModelProto:
    """Convert through a float32 tf.function (from_keras fails on Keras 3 models); the image model's
    input by default, the stroke model's with its name and shape."""
    spec = (tf.TensorSpec((None, *input_shape), tf.float32, name=input_name),)

    @tf.function(input_signature=spec)
    def serve(x):
        return {OUTPUT_NAME: model(x, training=False)}

    proto, _ = tf2onnx.convert.from_function(serve, input_signature=spec, opset=OPSET)
    _rename_io(proto, input_name)
    add_metadata(proto, metadata)
    _set_producer(proto)
    onnx.checker.check_model(proto)
    return proto


def _set_producer(proto: onnx.ModelProto) -> None:
    """Name this project and its version as the model's producer, so that a model file says which
    release of the trainer wrote it (tf2onnx and the quantizer put their own names there)."""
    proto.producer_name, proto.producer_version = DISTRIBUTION, __version__


def add_metadata(proto: onnx.ModelProto, metadata: dict[str, object]) -> None:
    """Store each entry as a JSON string in the model's metadata_props, in place of an entry of
    the same key (a model may carry one of each)."""
    kept = [(e.key, e.value) for e in proto.metadata_props if e.key not in metadata]
    del proto.metadata_props[:]
    for key, value in kept:
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    for key, value in metadata.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, json.dumps(value)


def _rename_io(proto: onnx.ModelProto, input_name: str) -> None:
    """Give the graph's single input and output the contract's names."""
    renames = {proto.graph.input[0].name: input_name, proto.graph.output[0].name: OUTPUT_NAME}
    for value in (*proto.graph.input, *proto.graph.output):
        value.name = renames.get(value.name, value.name)
    for node in proto.graph.node:
        node.input[:] = [renames.get(n, n) for n in node.input]
        node.output[:] = [renames.get(n, n) for n in node.output]


def check_parity(proto: onnx.ModelProto, model: keras.Model, images: np.ndarray, input_name: str = INPUT_NAME) -> float:
    """Max |onnxruntime - Keras| over `images` (float32 N,28,28,1; the stroke model's pen paths with
    its input name); raises ExportError past tolerance."""
    session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    got = session.run([OUTPUT_NAME], {input_name: images})[0]
    want = model.predict(images, batch_size=500, verbose=0)
    diff = float(np.max(np.abs(got - want)))
    if not diff <= PARITY_TOLERANCE:
        raise ExportError(f"ONNX and Keras disagree: max abs difference {diff:.2e} > {PARITY_TOLERANCE:.0e}")
    return diff


def quantize(float_model: bytes, calibration: np.ndarray) -> onnx.ModelProto:
    """The float model statically quantized to int8 (QDQ); `calibration` are training images.

    Its only metadata is the float model's hash (and its producer is this project); the caller adds the rest.
    """
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static

    class Batches(CalibrationDataReader):
        def __init__(self) -> None:
            self._batches = iter(np.array_split(calibration, max(1, len(calibration) // 64)))

        def get_next(self) -> dict[str, np.ndarray] | None:
            batch = next(self._batches, None)
            return None if batch is None else {INPUT_NAME: batch}

    with tempfile.TemporaryDirectory(prefix="quantize-") as tmp:
        # No quant_pre_process: on this small static graph it changes neither accuracy nor speed,
        # and it needs onnxruntime.transformers, which the executable leaves out.
        quantized = Path(tmp) / "int8.onnx"
        model = onnx.load_from_string(float_model)
        # Softmax stays float: quantized to uint8, the probabilities would come in steps of 1/255
        # and no longer sum to 1. So does a convolution over the single grey channel: with nine
        # multiply-adds per output there is nothing for int8 to win, and quantizing its input and
        # requantizing its output made it three times slower than in float (25 vs 8 us).
        initializers = {init.name: init for init in model.graph.initializer}
        float_nodes = [
            node.name
            for node in model.graph.node
            if node.op_type == "Softmax"
            or (node.op_type == "Conv" and _input_channels(initializers.get(node.input[1])) == 1)
        ]
        root_logger = logging.getLogger()
        level = root_logger.level
        root_logger.setLevel(logging.ERROR)  # its advice to pre-process (see above) goes to the root logger
        try:
            quantize_static(
                model,
                quantized,
                Batches(),
                quant_format=QuantFormat.QDQ,
                per_channel=True,
                activation_type=QuantType.QUInt8,
                weight_type=QuantType.QInt8,
                nodes_to_exclude=float_nodes,
            )
        finally:
            root_logger.setLevel(level)
        proto = onnx.load(quantized)
    del proto.metadata_props[:]
    _set_producer(proto)
    add_metadata(proto, {INT8_SOURCE_KEY: hashlib.sha256(float_model).hexdigest()})
    return proto


def _input_channels(weight: onnx.TensorProto | None) -> int | None:
    """A Conv weight's input channels (ONNX layout: out, in, kh, kw), None when not a constant."""
    return weight.dims[1] if weight is not None and len(weight.dims) == 4 else None


def compare_int8(int8_model: bytes, float_model: bytes, images: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """The int8 model's test accuracy, and how often and how closely it agrees with the float one."""

    def run(model: bytes) -> np.ndarray:
        session = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
        return np.concatenate(
            [session.run([OUTPUT_NAME], {INPUT_NAME: images[i : i + 1000]})[0] for i in range(0, len(images), 1000)]
        )

    got, want = run(int8_model), run(float_model)
    return {
        "test_accuracy": round(float((got.argmax(1) == labels).mean()), 5),
        "agreement": round(float((got.argmax(1) == want.argmax(1)).mean()), 5),
        "max_abs_diff": round(float(np.max(np.abs(got - want))), 4),
    }


def save_atomic(proto: onnx.ModelProto | bytes, path: Path) -> None:
    """Write the model through a temporary file and a rename: readers never see a partial model."""
    write_bytes_atomic(path, proto if isinstance(proto, bytes) else proto.SerializeToString())
