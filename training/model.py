"""The network: a small CNN classifier and the augmentation that makes it robust to how people draw.

The classifier is kept apart from augmentation so that the exported model is the classifier alone:
augmentation runs only while training, on the device, as the first layers of the training model.
"""
from __future__ import annotations

import keras
from keras import layers, ops

IMAGE_SHAPE = (28, 28, 1)
NUM_CLASSES = 10


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
        amount = keras.random.uniform(
            (batch, 1, 1, 1), -self.max_amount, self.max_amount, seed=self.seed_generator
        )
        thicker = images + ops.maximum(amount, 0.0) * (dilated - images)
        return thicker + ops.minimum(amount, 0.0) * (images - eroded)

    def get_config(self):
        return {**super().get_config(), "max_amount": self.max_amount}


def build_augmentation(seed: int | None = None) -> keras.Sequential:
    """Random rotation, slant (shear), scale, shift and stroke width: how real drawings differ.

    The app's preprocessing already normalises size, position and (for strokes) stroke width, so
    scale and shift are only jittered a little; rotation and slant, which preprocessing keeps, vary
    the most.
    """
    return keras.Sequential(
        [
            layers.RandomRotation(10 / 360, fill_mode="constant", seed=seed),
            layers.RandomShear(x_factor=0.2, y_factor=0.0, fill_mode="constant", seed=seed),
            layers.RandomZoom((-0.08, 0.08), fill_mode="constant", seed=seed),
            layers.RandomTranslation(0.05, 0.05, fill_mode="constant", seed=seed),
            RandomStrokeWidth(0.4, seed=seed),
        ],
        name="augmentation",
    )


def _conv(x, filters: int, kernel: int = 3, strides: int = 1):
    x = layers.Conv2D(filters, kernel, strides=strides, padding="same", use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    return layers.ReLU()(x)


def build_classifier(width: int = 40, dropout: float = 0.3) -> keras.Model:
    """A compact CNN: three resolution stages (28, 14, 7), BatchNorm, a dense softmax head.

    Strided convolutions downsample; the 7x7 feature map is flattened (not pooled) so that the
    head keeps where strokes are, which matters for telling 4/9 and 7/1 apart. Input `image` is
    float32 [N,28,28,1] in 0..1 with ink = 1; output `probabilities` [N,10]. This is the model
    exported to ONNX: it has no training-only parts but Dropout.
    """
    inputs = keras.Input(IMAGE_SHAPE, name="image")
    x = _conv(inputs, width // 2)
    x = _conv(x, width, strides=2)  # 14x14
    x = _conv(x, width)
    x = _conv(x, width * 2, strides=2)  # 7x7
    x = _conv(x, width * 2)
    x = _conv(x, width * 2)
    x = layers.Flatten()(x)
    x = layers.Dropout(dropout)(x)
    logits = layers.Dense(NUM_CLASSES, name="logits")(x)
    outputs = layers.Activation("softmax", dtype="float32", name="probabilities")(logits)
    return keras.Model(inputs, outputs, name="digits_cnn")


def build_training_model(classifier: keras.Model, seed: int | None = None) -> keras.Model:
    """The classifier behind the augmentation layers, for `fit` only."""
    inputs = keras.Input(IMAGE_SHAPE, name="image")
    outputs = classifier(build_augmentation(seed)(inputs))
    return keras.Model(inputs, outputs, name="digits_cnn_training")
