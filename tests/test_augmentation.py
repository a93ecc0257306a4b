"""Training augmentation: varied like real drawings, yet as sharp as the digits the app feeds the model."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from handwriting_recognizer.core.preprocess import strokes_to_input  # noqa: E402 (after the skip without Keras)
from handwriting_recognizer.selftest import DRAWINGS, PEN_WIDTH  # noqa: E402 (after the skip without Keras)
from handwriting_recognizer.training.model import (  # noqa: E402 (after the skip without Keras)
    RandomLowResolution,
    RandomWarp,
    build_augmentation,
)


def sharpness(images: np.ndarray) -> float:
    """Share of the inked pixels that are fully inked: bilinear resampling blurs it down."""
    return float((images >= 0.9).sum() / (images >= 0.1).sum())


@pytest.fixture(scope="module")
def digits(optional_mnist_path) -> np.ndarray:
    """Real MNIST digits when $HWR_MNIST is set (what training warps), else the app's own drawings."""
    if optional_mnist_path is not None:
        with np.load(optional_mnist_path) as data:
            return data["x_train"][:256].astype(np.float32)[..., None] / 255.0
    drawn = [strokes_to_input(strokes, PEN_WIDTH) for _, strokes in DRAWINGS.values()]
    return np.repeat(np.stack(drawn)[..., None], 32, axis=0).astype(np.float32)


def test_augmentation_is_the_identity_outside_training(digits):
    out = np.asarray(build_augmentation(seed=0, elastic=0.8)(digits, training=False))
    np.testing.assert_array_equal(out, digits)


def test_a_warp_with_no_distortion_gives_back_the_image(digits):
    out = np.asarray(RandomWarp(rotation=0, shear=0, zoom=0, shift=0, elastic=0, seed=0)(digits, training=True))
    np.testing.assert_allclose(out, digits, atol=1e-6)


@pytest.mark.parametrize("elastic", [0.0, 0.8])
def test_warped_digits_keep_their_ink_and_stay_sharp(digits, elastic):
    out = np.asarray(RandomWarp(elastic=elastic, seed=1)(digits, training=True))
    assert out.shape == digits.shape
    assert not np.allclose(out, digits), "training images must vary"
    ink_ratio = out.reshape(len(out), -1).sum(1) / digits.reshape(len(digits), -1).sum(1)
    assert 0.75 < float(np.median(ink_ratio)) < 1.3, "rotation, slant and a little zoom keep the digit's ink"
    # On MNIST one resampling keeps 0.29 of 0.49 of the ink fully inked; the four stock layers 0.11.
    assert sharpness(out) > 1.5 * sharpness(keras_stack_warp(digits)), "one resampling, not four"


def keras_stack_warp(images: np.ndarray) -> np.ndarray:
    """The same distortions from Keras' stock layers, each resampling the image once more."""
    layers = keras.layers
    stack = keras.Sequential(
        [
            layers.RandomRotation(10 / 360, fill_mode="constant", seed=1),
            layers.RandomShear(x_factor=0.2, y_factor=0.0, fill_mode="constant", seed=1),
            layers.RandomZoom((-0.08, 0.08), fill_mode="constant", seed=1),
            layers.RandomTranslation(0.05, 0.05, fill_mode="constant", seed=1),
        ]
    )
    return np.asarray(stack(images, training=True))


def test_the_same_seed_gives_the_same_warps(digits):
    a = np.asarray(RandomWarp(elastic=0.8, seed=5)(digits, training=True))
    b = np.asarray(RandomWarp(elastic=0.8, seed=5)(digits, training=True))
    np.testing.assert_array_equal(a, b)


def test_the_elastic_field_is_upsampled_as_keras_bicubic_resize_does():
    from handwriting_recognizer.training.model import _bicubic_upsampling

    coarse = np.random.default_rng(0).normal(size=(4, 4, 4, 2)).astype(np.float32)
    expected = np.asarray(keras.ops.image.resize(coarse, (28, 28), interpolation="bicubic"))
    rows = cols = _bicubic_upsampling(4, 28)
    np.testing.assert_allclose(np.einsum("hi,bijc,wj->bhwc", rows, coarse, cols), expected, atol=2e-6)


def test_a_low_resolution_image_is_shrunk_and_enlarged_as_keras_resizes_it(digits):
    """Each operator is an area shrink to `side` pixels and a bilinear enlargement back to 28."""
    layer = RandomLowResolution(rate=1.0, seed=0)
    image = digits[:1]
    for side, operator in zip(layer.sizes, layer.operators[1:], strict=True):
        small = keras.ops.image.resize(image, (side, side), interpolation="area")
        expected = np.asarray(keras.ops.image.resize(small, (28, 28), interpolation="bilinear"))
        np.testing.assert_allclose(np.einsum("hi,bijc,wj->bhwc", operator, image, operator), expected, atol=1e-5)


@pytest.mark.parametrize("sizes", [(), (1,), (28,), (7, 40)])
def test_a_low_resolution_outside_the_image_is_refused(sizes):
    with pytest.raises(ValueError, match="from 2 to 27 pixels"):
        RandomLowResolution(sizes=sizes)


def test_low_resolution_blurs_the_chosen_share_and_keeps_full_ink(digits):
    untouched = np.asarray(RandomLowResolution(rate=0.0, seed=0)(digits, training=True))
    np.testing.assert_array_equal(untouched, digits)
    blurred = np.asarray(RandomLowResolution(rate=1.0, seed=0)(digits, training=True))
    assert sharpness(blurred) < 0.5 * sharpness(digits), "a scan at 7-14 px blurs the strokes"
    np.testing.assert_allclose(blurred.max(axis=(1, 2, 3)), 1.0, atol=1e-6)  # as the app normalises a picture
    some = np.asarray(RandomLowResolution(rate=0.3, seed=0)(digits, training=True))
    changed = np.abs(some - digits).max(axis=(1, 2, 3)) > 1e-6
    assert 0.15 < changed.mean() < 0.45


@pytest.fixture
def precision_policy(request):
    """Set Keras' global dtype policy for one test, and put float32 back after it."""
    keras.mixed_precision.set_global_policy(request.param)
    yield request.param
    keras.mixed_precision.set_global_policy("float32")


@pytest.mark.slow
@pytest.mark.parametrize("precision_policy", ["float32", "mixed_float16"], indirect=True)
def test_the_training_model_compiles_with_xla_as_on_a_gpu(precision_policy):
    """GPU training compiles with XLA (jit_compile), which lacks some ops (ResizeBicubic, for one),
    and on Tensor Core GPUs computes in mixed float16 (training/devices.py)."""
    from handwriting_recognizer.training.model import build_classifier, build_training_model

    model = build_training_model(build_classifier(8), seed=0, elastic=0.8)
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3, use_ema=True), loss="sparse_categorical_crossentropy", jit_compile=True
    )
    rng = np.random.default_rng(0)
    history = model.fit(
        rng.random((64, 28, 28, 1), dtype=np.float32), rng.integers(0, 10, 64), batch_size=32, epochs=1, verbose=0
    )
    assert np.isfinite(history.history["loss"][0])
