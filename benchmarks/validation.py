"""Weights side by side on the validation data that training chooses on, split into what it mixes.

A run's validation accuracy mixes MNIST's 5,000 held-out training images with the ced writers'
digits and non-digits, so two runs can score alike while one reads MNIST better and the other
pen writing. This reads each part apart, with the network's plain answer (the most likely
class; no temperature, no unsure threshold): MNIST validation read right and called "not a
digit"; the ced writers' digits read right, rejected as not a digit, misread; their non-digits
shown as a digit. The test writers and the test set are not read here.

    .venv/bin/python benchmarks/validation.py --data mnist.npz --unipen train_r01_v07 W.weights.h5 ...
    .venv/bin/python benchmarks/validation.py --data mnist.npz --pen pen.npz W.weights.h5 ...

`--pen` takes the pen data `python -m handwriting_recognizer.training.on_jax render` wrote
(seconds instead of rendering the ced writers again). Weights of another width: `--width`.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from handwriting_recognizer.core.contract import NOT_A_DIGIT_CLASS, to_model_input  # noqa: E402
from handwriting_recognizer.core.train_config import TrainConfig  # noqa: E402
from handwriting_recognizer.training.data import load_mnist, split_validation  # noqa: E402
from handwriting_recognizer.training.train import VALIDATION_IMAGES  # noqa: E402


def pen_validation(unipen: str | None, pen: Path | None, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The ced writers' validation images and classes, as training builds them for `seed`."""
    from handwriting_recognizer.training.on_jax import read_pen
    from handwriting_recognizer.training.pipeline import load_pen_data

    data = read_pen(pen) if pen is not None else load_pen_data(TrainConfig(unipen=unipen, seed=seed), None)
    return data.val_x, data.val_y


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("weights", type=Path, nargs="+")
    parser.add_argument("--data", required=True, help="MNIST (.npz or IDX folder)")
    parser.add_argument("--unipen", help="a copy of UNIPEN train_r01_v07")
    parser.add_argument("--pen", type=Path, help="pen data rendered by training.on_jax render")
    parser.add_argument("--seed", type=int, default=TrainConfig.seed)
    parser.add_argument("--width", type=int, default=TrainConfig.width)
    args = parser.parse_args()
    if args.unipen is None and args.pen is None:
        parser.error("name the ced writers' pen data: --unipen or --pen")

    from handwriting_recognizer.training.model import build_classifier

    mnist = load_mnist(args.data)
    _, _, mnist_x, mnist_y = split_validation(mnist.x_train, mnist.y_train, VALIDATION_IMAGES, args.seed)
    pen_x, pen_y = pen_validation(args.unipen, args.pen, args.seed)
    digit = pen_y != NOT_A_DIGIT_CLASS
    classifier = build_classifier(args.width)
    print(
        "| weights | MNIST validation: right / not a digit | ced digits: right / rejected / misread "
        "| ced non-digits shown as a digit |"
    )
    print("|---|---:|---:|---:|")
    for weights in args.weights:
        try:
            classifier.load_weights(weights)
        except (ValueError, OSError) as exc:  # another width, or a ten-class model from before "not a digit"
            reason = str(exc).splitlines()[0][:100]
            print(f"| {weights} | does not fit this network (width {args.width}, eleven classes): {reason} | | |")
            continue
        on_mnist = classifier.predict(to_model_input(mnist_x), batch_size=1000, verbose=0).argmax(1)
        on_pen = classifier.predict(to_model_input(pen_x), batch_size=1000, verbose=0).argmax(1)
        right, rejected = on_pen[digit] == pen_y[digit], on_pen[digit] == NOT_A_DIGIT_CLASS
        print(
            f"| {weights} | {np.mean(on_mnist == mnist_y):.2%} / {np.mean(on_mnist == NOT_A_DIGIT_CLASS):.2%} "
            f"| {right.mean():.2%} / {rejected.mean():.2%} / {np.mean(~right & ~rejected):.2%} "
            f"| {np.mean(on_pen[~digit] != NOT_A_DIGIT_CLASS):.2%} |"
        )


if __name__ == "__main__":
    main()
