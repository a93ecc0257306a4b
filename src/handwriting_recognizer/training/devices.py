"""Which device trains: the GPU(s) when TensorFlow sees them, else the CPU, said in one clear line.

TensorFlow is the training backend. Under Keras' JAX backend (KERAS_BACKEND=jax) the same network
trains on one device of a machine whose GPU stack has JAX but no TensorFlow; exporting to ONNX still
needs TensorFlow (`--epochs 0 --init` exports such weights there).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

import keras

from handwriting_recognizer.core.train_config import TrainConfig

if TYPE_CHECKING:
    import tensorflow as tf


class DeviceError(Exception):
    """The requested device is not available."""


@dataclass(frozen=True)
class DevicePlan:
    """The distribution strategy and how it was chosen."""

    strategy: tf.distribute.Strategy | OneJaxDevice
    description: str
    on_gpu: bool
    replicas: int
    jit_compile: bool  # XLA: on a GPU under TensorFlow; always under JAX, which runs nothing un-jitted fast


class OneJaxDevice:
    """Under JAX, the stand-in for a tf.distribute strategy: one device, whose scope is no scope."""

    def scope(self) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()


def plan_devices(device: str = TrainConfig.device, cpu_replicas: int = TrainConfig.cpu_replicas) -> DevicePlan:
    """Pick the strategy for `device` (TrainConfig.device's choices); call before TensorFlow (or JAX)
    touches a device: JAX keeps the devices it started with.

    Several GPUs train under MirroredStrategy (one replica per GPU, gradients all-reduced).
    `cpu_replicas` > 1 splits the CPU into logical devices under MirroredStrategy: it exercises the
    multi-device path on machines without GPUs (used by the tests).
    """
    backend = keras.backend.backend()
    if backend == "jax":
        return _plan_jax(device)
    if backend != "tensorflow":
        raise DeviceError(f"Keras' {backend} backend: training runs under tensorflow or jax (KERAS_BACKEND)")
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if device == "gpu" and not gpus:
        raise DeviceError("--device gpu: TensorFlow sees no GPU (check the CUDA install, or use --device auto)")
    if device == "cpu" and gpus:
        tf.config.set_visible_devices([], "GPU")
        gpus = []
    if gpus:
        for gpu in gpus:
            tf.config.experimental.set_memory_growth(gpu, True)
        names = ", ".join(tf.config.experimental.get_device_details(g).get("device_name", g.name) for g in gpus)
        if _benefits_from_mixed_precision(gpus[0]):
            keras.mixed_precision.set_global_policy("mixed_float16")
        if len(gpus) > 1:
            strategy = tf.distribute.MirroredStrategy()
            description = f"training on {len(gpus)} GPUs with MirroredStrategy ({names})"
            return DevicePlan(strategy, description, on_gpu=True, replicas=len(gpus), jit_compile=True)
        gpu = tf.distribute.OneDeviceStrategy("/gpu:0")
        return DevicePlan(gpu, f"training on GPU ({names})", on_gpu=True, replicas=1, jit_compile=True)
    if cpu_replicas > 1:
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * cpu_replicas)
        devices = [f"/cpu:{i}" for i in range(cpu_replicas)]
        strategy = tf.distribute.MirroredStrategy(devices)
        description = f"training on CPU split into {cpu_replicas} replicas with MirroredStrategy"
        return DevicePlan(strategy, description, on_gpu=False, replicas=cpu_replicas, jit_compile=False)
    cpu = "training on CPU (no GPU visible to TensorFlow)"
    return DevicePlan(tf.distribute.get_strategy(), cpu, on_gpu=False, replicas=1, jit_compile=False)


def _plan_jax(device: str) -> DevicePlan:
    """One device under JAX: its first GPU, else the CPU (float32 on both)."""
    import jax

    if device == "cpu":
        jax.config.update("jax_platforms", "cpu")
    gpus = [d for d in jax.devices() if d.platform == "gpu"]
    if device == "gpu" and not gpus:
        raise DeviceError("--device gpu: JAX sees no GPU (check its CUDA plugin, or use --device auto)")
    if gpus:
        described = f"training on GPU with JAX ({gpus[0].device_kind})"
        return DevicePlan(OneJaxDevice(), described, on_gpu=True, replicas=1, jit_compile=True)
    cpu = "training on CPU with JAX (no GPU visible to JAX)"
    return DevicePlan(OneJaxDevice(), cpu, on_gpu=False, replicas=1, jit_compile=True)


def describe_devices() -> dict[str, object]:
    """What TensorFlow sees: GPU names (empty when it would train on the CPU)."""
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    names = [tf.config.experimental.get_device_details(g).get("device_name", g.name) for g in gpus]
    return {"gpus": names, "tensorflow": tf.__version__}


def _benefits_from_mixed_precision(gpu) -> bool:
    """float16 compute pays off on Tensor Core GPUs (compute capability 7.0 and newer)."""
    import tensorflow as tf

    capability = tf.config.experimental.get_device_details(gpu).get("compute_capability")
    return bool(capability) and capability >= (7, 0)
