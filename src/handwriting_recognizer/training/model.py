"""The network: a small CNN classifier and the augmentation that makes it robust to how people draw.

The classifier is kept apart from augmentation so that the exported model is the classifier alone:
augmentation runs only while training, on the device, as the first layers of the training model.
"""

from __future__ import annotations

import math

import keras
import numpy as np
from keras import layers, ops

from handwriting_recognizer.core.contract import CLASSES, INPUT_NAME, INPUT_SHAPE, LABELS, OUTPUT_NAME
from handwriting_recognizer.core.train_config import TrainConfig

NEW_CLASS_LOGIT_MARGIN = 5.0  # a grown "not a digit" class starts this far below the least likely digit


class RandomStrokeWidth(layers.Layer):
    """Thickens or thins strokes by a random fraction of a grey-scale dilation or erosion.

    People draw with pens from hairline to marker; MNIST strokes are about two pixels wide.
    A 3x3 max filter is a one-pixel dilation, a 3x3 min filter an erosion; blending the image
    with either by a random amount gives a continuous range of stroke widths.
    """

    def __init__(self, max_amount: float = 1.0, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.max_amount = max_amount
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, images, training=None):
        if not training:
            return images
        batch = ops.shape(images)[0]
        dilated = ops.nn.max_pool(images, 3, strides=1, padding="same")
        eroded = -ops.nn.max_pool(-images, 3, strides=1, padding="same")
        amount = keras.random.uniform((batch, 1, 1, 1), -self.max_amount, self.max_amount, seed=self.seed_generator)
        thicker = images + ops.maximum(amount, 0.0) * (dilated - images)
        return thicker + ops.minimum(amount, 0.0) * (images - eroded)

    def get_config(self):
        return {**super().get_config(), "max_amount": self.max_amount}


class RandomWarp(layers.Layer):
    """Rotation, slant, scale, shift and an elastic wobble, sampled once per image.

    Keras' RandomRotation, RandomShear, RandomZoom and RandomTranslation each resample the image,
    and every bilinear resampling blurs it a little more: four in a row make training digits
    blurrier than the ones the app feeds the network. Here all of them (plus Simard et al.'s
    elastic distortion, the wobble of a hand that does not draw straight lines) become one map of
    coordinates and one `map_coordinates` call.
    """

    def __init__(
        self,
        rotation: float = 10.0,
        shear: float = 0.2,
        zoom: float = 0.08,
        shift: float = 0.05,
        elastic: float = 0.0,
        elastic_grid: int = 4,
        seed: int | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.rotation, self.shear, self.zoom, self.shift = rotation, shear, zoom, shift
        self.elastic, self.elastic_grid = elastic, elastic_grid
        self.seed_generator = keras.random.SeedGenerator(seed)

    def _uniform(self, batch, limit: float):
        return keras.random.uniform((batch, 1, 1), -limit, limit, seed=self.seed_generator)

    def call(self, images, training=None):
        if not training:
            return images
        batch, height, width = ops.shape(images)[0], images.shape[1], images.shape[2]
        angle = self._uniform(batch, self.rotation * math.pi / 180)
        slant = self._uniform(batch, self.shear)
        scale = 1.0 + self._uniform(batch, self.zoom)
        rows = ops.arange(height, dtype="float32")[None, :, None] - (height - 1) / 2
        cols = ops.arange(width, dtype="float32")[None, None, :] - (width - 1) / 2
        # The output pixel (row, col) takes its value from these input coordinates.
        cos, sin = ops.cos(angle) / scale, ops.sin(angle) / scale
        src_rows = cos * rows - sin * cols + (height - 1) / 2 + self._uniform(batch, self.shift * height)
        src_cols = sin * rows + cos * cols + slant * rows + (width - 1) / 2 + self._uniform(batch, self.shift * width)
        if self.elastic > 0:
            coarse = keras.random.normal(
                (batch, self.elastic_grid, self.elastic_grid, 2), stddev=self.elastic, seed=self.seed_generator
            )
            # Bicubic upsampling of the coarse field, as two matrix products: XLA (GPU training
            # compiles with it) has no ResizeBicubic kernel.
            up_rows = _bicubic_upsampling(self.elastic_grid, height)
            up_cols = _bicubic_upsampling(self.elastic_grid, width)
            field = ops.einsum("hi,bijc,wj->bhwc", up_rows, coarse, up_cols)
            src_rows, src_cols = src_rows + field[..., 0], src_cols + field[..., 1]
        src_rows = ops.broadcast_to(src_rows, ops.shape(images)[:3])
        src_cols = ops.broadcast_to(src_cols, ops.shape(images)[:3])

        def sample(args):
            image, r, c = args
            return ops.image.map_coordinates(image, ops.stack([r, c]), order=1, fill_mode="constant")

        return ops.vectorized_map(sample, (images[..., 0], src_rows, src_cols))[..., None]

    def get_config(self):
        return {
            **super().get_config(),
            "rotation": self.rotation,
            "shear": self.shear,
            "zoom": self.zoom,
            "shift": self.shift,
            "elastic": self.elastic,
            "elastic_grid": self.elastic_grid,
        }


class RandomLowResolution(layers.Layer):
    """Makes a random share of the images look scanned at a low resolution.

    Opened pictures (a phone photo of a note, an old scan, the 8x8 UCI digits) reach the network
    blurred by the resolution they were taken at; pen data and MNIST never are. Each chosen image
    is shrunk to a side of `sizes` pixels (box filter) and enlarged back (bilinear), one 28x28
    linear operator per side, then brought back to full ink as the app's preprocessing does.
    """

    def __init__(
        self, rate: float = 0.1, sizes: tuple[int, ...] = (7, 8, 9, 10, 12, 14), seed: int | None = None, **kwargs
    ):
        super().__init__(**kwargs)
        side = INPUT_SHAPE[0]
        if not sizes or not all(2 <= n < side for n in sizes):
            raise ValueError(f"low resolutions must be from 2 to {side - 1} pixels, got {sizes}")
        self.rate, self.sizes = rate, tuple(sizes)
        self.seed_generator = keras.random.SeedGenerator(seed)
        operators = [np.eye(side, dtype=np.float32)] + [
            _bilinear_upsampling(n, side) @ _box_downsampling(side, n) for n in self.sizes
        ]
        self.operators = np.stack(operators)  # [1 + len(sizes), side, side]; the first leaves images as they are

    def call(self, images, training=None):
        if not training:
            return images
        batch = ops.shape(images)[0]
        chosen = keras.random.uniform((batch,), seed=self.seed_generator) < self.rate
        which = keras.random.randint((batch,), 1, len(self.sizes) + 1, seed=self.seed_generator)
        operator = ops.take(ops.convert_to_tensor(self.operators), ops.where(chosen, which, 0), axis=0)
        blurred = ops.einsum("bhi,bijc,bwj->bhwc", operator, images, operator)
        peak = ops.max(blurred, axis=(1, 2, 3), keepdims=True)
        return ops.where(chosen[:, None, None, None], blurred / ops.maximum(peak, 1e-6), images)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "sizes": self.sizes}


def _box_downsampling(size: int, out: int) -> np.ndarray:
    """The (out, size) matrix that averages each output pixel's share of the input (area resize)."""
    matrix = np.zeros((out, size), np.float32)
    for row in range(out):
        start, stop = row * size / out, (row + 1) * size / out
        for col in range(math.floor(start), math.ceil(stop)):
            matrix[row, col] = min(stop, col + 1) - max(start, col)
    return matrix / matrix.sum(axis=1, keepdims=True)


def _bilinear_upsampling(size: int, out: int) -> np.ndarray:
    """The (out, size) matrix of a bilinear resize at half-pixel centres, edges clamped."""
    matrix = np.zeros((out, size), np.float32)
    for row in range(out):
        centre = min(max((row + 0.5) * size / out - 0.5, 0.0), size - 1.0)
        first = min(math.floor(centre), size - 2)
        t = centre - first
        matrix[row, first], matrix[row, first + 1] = 1 - t, t
    return matrix


def _bicubic_upsampling(size: int, out: int) -> np.ndarray:
    """The (out, size) matrix that upsamples a vector as TensorFlow's bicubic resize does.

    Keys' cubic kernel (a = -0.5) at half-pixel centres, with the fractional position rounded to
    1/1024 (TensorFlow's coefficient table) and taps outside the input dropped and renormalised;
    it matches `ops.image.resize(..., interpolation="bicubic")` to float precision.
    """

    def keys(x: float, a: float = -0.5) -> float:
        x = abs(x)
        return ((a + 2) * x - (a + 3)) * x * x + 1 if x <= 1 else (((x - 5) * x + 8) * x - 4) * a if x < 2 else 0.0

    matrix = np.zeros((out, size), np.float32)
    for row in range(out):
        centre = (row + 0.5) * size / out - 0.5
        first = math.floor(centre)
        t = round((centre - first) * 1024) / 1024
        for tap, distance in zip(range(first - 1, first + 3), (1 + t, t, 1 - t, 2 - t), strict=True):
            if 0 <= tap < size:
                matrix[row, tap] = keys(distance)
        matrix[row] /= matrix[row].sum()
    return matrix


def build_augmentation(seed: int | None, elastic: float) -> keras.Sequential:
    """Random rotation, slant, scale, shift, elastic wobble, stroke width and a low resolution:
    how drawings and pictures differ.

    The app's preprocessing already normalises size, position and (for strokes) stroke width, so
    scale and shift are only jittered a little; rotation and slant, which preprocessing keeps, vary
    the most.
    """
    # float32 whatever the global policy: under mixed_float16 (GPUs) the coordinates would lose
    # precision, and the layers' float32 random draws would not mix with float16 images.
    return keras.Sequential(
        [
            RandomWarp(rotation=10, shear=0.2, zoom=0.08, shift=0.05, elastic=elastic, seed=seed, dtype="float32"),
            RandomStrokeWidth(0.4, seed=seed, dtype="float32"),
            RandomLowResolution(0.1, seed=seed, dtype="float32"),
        ],
        name="augmentation",
    )


def _conv(x, filters: int, kernel: int = 3, strides: int = 1):
    x = layers.Conv2D(filters, kernel, strides=strides, padding="same", use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    return layers.ReLU()(x)


def build_classifier(width: int = TrainConfig.width, dropout: float = 0.3, classes: int = len(CLASSES)) -> keras.Model:
    """A compact CNN: three resolution stages (28, 14, 7), BatchNorm, a dense softmax head.

    Strided convolutions downsample; the 7x7 feature map is flattened (not pooled) so that the
    head keeps where strokes are, which matters for telling 4/9 and 7/1 apart. Input `image` is
    float32 [N,28,28,1] in 0..1 with ink = 1; output `probabilities` [N,11] (the digits, then "not a
    digit"). This is the model
    exported to ONNX: it has no training-only parts but Dropout.
    """
    inputs = keras.Input(INPUT_SHAPE, name=INPUT_NAME)
    x = _conv(inputs, width // 2)
    x = _conv(x, width, strides=2)  # 14x14
    x = _conv(x, width)
    x = _conv(x, width * 2, strides=2)  # 7x7
    x = _conv(x, width * 2)
    x = _conv(x, width * 2)
    x = layers.Flatten()(x)
    x = layers.Dropout(dropout)(x)
    logits = layers.Dense(classes, name="logits")(x)
    outputs = layers.Activation("softmax", dtype="float32", name=OUTPUT_NAME)(logits)
    return keras.Model(inputs, outputs, name="digits_cnn")


def grow_not_a_digit(classifier: keras.Model, digits_only: keras.Model) -> None:
    """Give `classifier` the weights of `digits_only` (the same network answering the ten digits
    alone, e.g. a model trained before "not a digit" existed), with a new "not a digit" output that
    starts out unlikely: every digit reads as before until training teaches the new class."""
    for new, old in zip(classifier.layers, digits_only.layers, strict=True):
        if new.name != "logits":
            new.set_weights(old.get_weights())
            continue
        kernel, bias = old.get_weights()
        grown_kernel = np.zeros((kernel.shape[0], len(CLASSES)), kernel.dtype)
        grown_kernel[:, : len(LABELS)] = kernel
        grown_bias = np.append(bias, bias.min() - NEW_CLASS_LOGIT_MARGIN).astype(bias.dtype)
        new.set_weights([grown_kernel, grown_bias])


def build_training_model(classifier: keras.Model, seed: int | None, elastic: float) -> keras.Model:
    """The classifier behind the augmentation layers, for `fit` only (the recipe, `elastic` included,
    is core.train_config.TrainConfig's)."""
    inputs = keras.Input(INPUT_SHAPE, name=INPUT_NAME)
    outputs = classifier(build_augmentation(seed, elastic)(inputs))
    return keras.Model(inputs, outputs, name="digits_cnn_training")
