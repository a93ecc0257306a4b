"""How well the model reads digits written by people who are not in MNIST.

The UCI "optical recognition of handwritten digits" test set (43 writers of NIST forms, none in
MNIST; the copy that ships inside scikit-learn) keeps each digit only as an 8x8 grid of ink
counts. Each grid is scaled back up to the forms' 32x32 bitmap size and read as a picture through
the app's own `image_to_input`, as if the user had opened it as a PNG; the coarse grid blurs the
strokes, so this is a hard, out-of-distribution check rather than a like-for-like score.

    .venv/bin/pip install -e '.[bench]'        # scikit-learn, for its copy of the data
    .venv/bin/python benchmarks/other_writers.py [--model assets/model.onnx ...]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from handwriting_recognizer.core.preprocess import image_to_input, resize  # noqa: E402
from handwriting_recognizer.core.recognizer import Recognizer  # noqa: E402


def uci_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 UCI test digits as 32x32 uint8 pictures (ink light on dark), and their labels."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    pictures = np.stack([resize(grid / 16.0, 32, 32) for grid in digits.images])
    return np.clip(pictures * 255, 0, 255).astype(np.uint8), digits.target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, nargs="+", default=[ROOT / "assets" / "model.onnx"])
    args = parser.parse_args()
    pictures, labels = uci_digits()
    inputs = np.stack([image_to_input(p) for p in pictures])[..., None].astype(np.float32)
    print(f"{len(labels)} UCI digits by 43 writers outside MNIST, read as 32x32 pictures\n")
    print("| model | precision | accuracy | per digit 0-9 |\n|---|---|---:|---|")
    for path in args.model:
        recognizer = Recognizer(path, use_gpu=False)
        read = recognizer.predict_batch(inputs).argmax(1)
        per_digit = " ".join(f"{(read[labels == d] == d).mean():.0%}" for d in range(10))
        print(f"| {path} | {recognizer.info.precision} | {(read == labels).mean():.1%} | {per_digit} |")


if __name__ == "__main__":
    main()
