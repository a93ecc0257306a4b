"""How well the app reads *photos* of handwritten digits: the same digits under the light people
photograph paper in.

MNIST test digits are thinned into pen strokes (tests/drawn_digits.py), written on a 480x360 sheet
at a random size (35-60 % of its height), place and pen (6-14 px), and photographed
(tests/photos.py: even light, dim, light falling off across the sheet, dark corners, a soft
shadow across it, the sheet on a dark desk, chalk on a board; sensor noise on all). Each photo is
read as the app reads an opened picture: `image_to_input`, then the model's verdict (a digit, or
unsure / not a digit). Also: blank sheets under each light, which should read as blank, as taken
and saved as JPEG at quality JPEG_QUALITY (which smooths grain away but not its blocks), and the
same digits' own MNIST pictures cropped to their ink and enlarged to CROP_SIDE pixels, dark on
white: blurry, thick and with little paper, they are read as photos too.

    .venv/bin/python benchmarks/photos.py --data PATH/mnist.npz [--n 300] [--model assets/model.onnx]
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # small matrices: one thread (see robustness.py)

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
for _p in (ROOT, ROOT / "tests"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

from drawn_digits import mnist_to_strokes, place, render  # noqa: E402
from handwriting_recognizer.core.preprocess import image_to_input, resize  # noqa: E402
from handwriting_recognizer.core.recognizer import Recognizer  # noqa: E402
from photos import LIGHTS, photograph  # noqa: E402

SHEET = (480, 360)  # (width, height)
BLANKS = 20  # blank sheets per light
CROP_SIDE = 300  # pixels: the longer side of an enlarged crop
JPEG_QUALITY = 75  # of the blank sheets saved as JPEG (Pillow's default)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=os.environ.get("HWR_MNIST"), help="MNIST .npz (or HWR_MNIST)")
    parser.add_argument("--model", type=Path, default=ROOT / "assets" / "model.onnx")
    parser.add_argument("--n", type=int, default=300, help="test digits per light (default 300)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.data is None:
        parser.error("pass --data PATH to MNIST's mnist.npz or set HWR_MNIST")
    with np.load(args.data) as mnist:
        images, labels = mnist["x_test"][: args.n], mnist["y_test"][: args.n]
    model = Recognizer(args.model, use_gpu=False)
    rng = np.random.default_rng(args.seed)
    sheets = []
    for image in images:
        strokes = place(mnist_to_strokes(image), SHEET, rng.uniform(0.35, 0.6), tuple(rng.uniform(0.35, 0.65, 2)), rng)
        sheets.append(render(strokes, SHEET, rng.uniform(6, 14)))
    print(f"{len(labels)} MNIST test digits on a {SHEET[0]}x{SHEET[1]} sheet, photographed; seed {args.seed}")
    print(f"model {args.model} ({model.info.precision}); blank sheets: {BLANKS} per light\n")
    print(
        "| light | read right | misread | unsure or not a digit | blank sheets read as blank | "
        f"the same as JPEG (quality {JPEG_QUALITY}) | ms per photo |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for index, light in enumerate(LIGHTS):
        light_rng = np.random.default_rng([args.seed, index])
        photos = [photograph(ink, light, light_rng) for ink in sheets]
        start = time.perf_counter()
        readings = [model.read(image_to_input(photo)) for photo in photos]
        ms = (time.perf_counter() - start) / len(photos) * 1000
        shown = np.array([-1 if r.label is None else r.label for r in readings])
        empty = np.zeros(sheets[0].shape)
        blanks = [photograph(empty, light, light_rng) for _ in range(BLANKS)]
        blank = sum(model.read(image_to_input(photo)).blank for photo in blanks)
        blank_jpeg = sum(model.read(image_to_input(as_jpeg(photo))).blank for photo in blanks)
        print(
            f"| {light} | {(shown == labels).mean():.1%} | {((shown >= 0) & (shown != labels)).mean():.1%} | "
            f"{(shown < 0).mean():.1%} | {blank} of {BLANKS} | {blank_jpeg} of {BLANKS} | {ms:.1f} |"
        )
    crops = [enlarged_crop(image) for image in images]
    read = np.array([model.read(image_to_input(crop)).label for crop in crops])
    right = (read == labels).mean()
    print(f"\nthe same digits' MNIST pictures cropped to their ink, enlarged to {CROP_SIDE} px: {right:.1%} read right")


def as_jpeg(photo: np.ndarray) -> np.ndarray:
    """A photo saved as JPEG at JPEG_QUALITY and read back, as a phone or an editor saves it."""
    from PIL import Image

    saved = io.BytesIO()
    Image.fromarray(photo).save(saved, "JPEG", quality=JPEG_QUALITY)
    return np.asarray(Image.open(io.BytesIO(saved.getvalue())))


def enlarged_crop(image: np.ndarray) -> np.ndarray:
    """An MNIST picture cropped to its ink, its longer side enlarged to CROP_SIDE, dark on white."""
    rows, cols = np.nonzero(image)
    crop = image[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1] / 255.0
    scale = CROP_SIDE / max(crop.shape)
    big = resize(crop, max(1, round(crop.shape[0] * scale)), max(1, round(crop.shape[1] * scale)))
    return np.rint((1.0 - np.clip(big, 0.0, 1.0)) * 255).astype(np.uint8)


if __name__ == "__main__":
    main()
