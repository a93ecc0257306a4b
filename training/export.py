"""ONNX export (tf2onnx, opset 17) under the app's contract, with a parity check against Keras.

Contract: input `image` float32 [N,28,28,1] in 0..1 (ink = 1 on 0); output `probabilities`
float32 [N,10] (softmax); metadata_props hold JSON strings describing the model.
"""
from __future__ import annotations

import json
from pathlib import Path

import keras
import numpy as np
import onnx
import onnxruntime as ort
import tensorflow as tf
import tf2onnx

from desktop.atomic import write_bytes_atomic
from training.model import IMAGE_SHAPE, build_classifier

OPSET = 17
INPUT_NAME = "image"
OUTPUT_NAME = "probabilities"
PARITY_TOLERANCE = 1e-4


class ExportError(Exception):
    """The exported model does not match Keras or the contract."""


def float32_copy(classifier: keras.Model, width: int) -> keras.Model:
    """The classifier rebuilt in float32 (training may run in mixed precision) with its weights."""
    policy = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy("float32")
    try:
        copy = build_classifier(width)
    finally:
        keras.mixed_precision.set_global_policy(policy)
    copy.set_weights([np.asarray(w, dtype=np.float32) for w in classifier.get_weights()])
    return copy


def to_onnx(model: keras.Model, metadata: dict[str, object]) -> onnx.ModelProto:
    """Convert through a float32 tf.function (from_keras fails on Keras 3 models)."""
    spec = (tf.TensorSpec((None, *IMAGE_SHAPE), tf.float32, name=INPUT_NAME),)

    @tf.function(input_signature=spec)
    def serve(image):
        return {OUTPUT_NAME: model(image, training=False)}

    proto, _ = tf2onnx.convert.from_function(serve, input_signature=spec, opset=OPSET)
    _rename_io(proto)
    for key, value in metadata.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, json.dumps(value)
    proto.producer_name = "hwr-training"
    onnx.checker.check_model(proto)
    return proto


def _rename_io(proto: onnx.ModelProto) -> None:
    """Give the graph's single input and output the contract's names."""
    renames = {proto.graph.input[0].name: INPUT_NAME, proto.graph.output[0].name: OUTPUT_NAME}
    for value in (*proto.graph.input, *proto.graph.output):
        value.name = renames.get(value.name, value.name)
    for node in proto.graph.node:
        node.input[:] = [renames.get(n, n) for n in node.input]
        node.output[:] = [renames.get(n, n) for n in node.output]


def check_parity(proto: onnx.ModelProto, model: keras.Model, images: np.ndarray) -> float:
    """Max |onnxruntime - Keras| over `images` (float32 N,28,28,1); raises ExportError past tolerance."""
    session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    got = session.run([OUTPUT_NAME], {INPUT_NAME: images})[0]
    want = model.predict(images, batch_size=500, verbose=0)
    diff = float(np.max(np.abs(got - want)))
    if not diff <= PARITY_TOLERANCE:
        raise ExportError(f"ONNX and Keras disagree: max abs difference {diff:.2e} > {PARITY_TOLERANCE:.0e}")
    return diff


def save_atomic(proto: onnx.ModelProto, path: Path) -> None:
    """Write the model through a temporary file and a rename: readers never see a partial model."""
    write_bytes_atomic(path, proto.SerializeToString())
