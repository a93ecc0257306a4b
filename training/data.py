"""MNIST loading (Keras' downloader, an .npz or IDX files) and the train/validation split.

Files are read with numpy and validated: a bad file is a `DatasetError` naming the file and the
problem, which the CLI prints as one line. Nothing is unpickled.
"""
from __future__ import annotations

import gzip
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ENV_VAR = "HWR_MNIST"
IDX_NAMES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}


class DatasetError(Exception):
    """A dataset file is missing or unusable; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Mnist:
    """MNIST in Keras layout: uint8 images (N,28,28) and uint8 labels (N,)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str


def resolve_source(data: str | None) -> str | None:
    """The explicit dataset path: `--data`, else $HWR_MNIST, else None (Keras' downloader)."""
    return data or os.environ.get(ENV_VAR) or None


def load_mnist(data: str | None = None) -> Mnist:
    """Load MNIST from `data` (an .npz or a folder of IDX files) or, if None, through Keras."""
    path = resolve_source(data)
    if path is None:
        return _load_with_keras()
    p = Path(path)
    if not p.exists():
        raise DatasetError(f"{p}: no such file or folder")
    arrays = _load_idx_folder(p) if p.is_dir() else _load_npz(p)
    _validate(arrays, p)
    return Mnist(**arrays, source=str(p))


def _load_with_keras() -> Mnist:
    import keras  # training-only dependency

    try:
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as exc:  # network or cache problems surface as many exception types
        raise DatasetError(
            f"keras.datasets.mnist: download failed ({exc}); pass --data PATH or set {ENV_VAR}"
        ) from exc
    arrays = dict(x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    _validate(arrays, Path("keras.datasets.mnist"))
    return Mnist(**arrays, source="keras.datasets.mnist")


def _load_npz(path: Path) -> dict[str, np.ndarray]:
    if not zipfile.is_zipfile(path):
        raise DatasetError(f"{path}: not a readable .npz file (not a zip archive; Keras layout .npz or IDX folder expected)")
    try:
        with np.load(path, allow_pickle=False) as npz:
            missing = [k for k in IDX_NAMES if k not in npz.files]
            if missing:
                raise DatasetError(f"{path}: missing arrays {', '.join(missing)} (Keras layout expected)")
            return {k: npz[k] for k in IDX_NAMES}
    except DatasetError:
        raise
    except ValueError as exc:  # object arrays would need pickle
        raise DatasetError(f"{path}: unreadable array ({exc})") from exc
    except (OSError, zipfile.BadZipFile, EOFError) as exc:
        raise DatasetError(f"{path}: not a readable .npz file ({exc})") from exc


def _find_idx_file(folder: Path, stem: str) -> Path:
    for name in (stem, stem + ".gz", stem.replace("-idx", ".idx"), stem.replace("-idx", ".idx") + ".gz"):
        candidate = folder / name
        if candidate.is_file():
            return candidate
    raise DatasetError(f"{folder}: missing {stem} (or {stem}.gz)")


def read_idx(path: Path) -> np.ndarray:
    """Read one IDX file (optionally gzipped) of unsigned bytes into an array of its shape."""
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as exc:
        raise DatasetError(f"{path}: cannot read ({exc})") from exc
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise DatasetError(f"{path}: not an IDX file of unsigned bytes (bad magic number)")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DatasetError(f"{path}: truncated header")
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = int(np.prod(shape))
    if len(raw) - header != expected:
        raise DatasetError(f"{path}: truncated or padded: {len(raw) - header} bytes of data, expected {expected}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def _load_idx_folder(folder: Path) -> dict[str, np.ndarray]:
    return {key: read_idx(_find_idx_file(folder, stem)) for key, stem in IDX_NAMES.items()}


def _validate(arrays: dict[str, np.ndarray], path: Path) -> None:
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.ndim != 3 or x.shape[1:] != (28, 28):
            raise DatasetError(f"{path}: x_{split} has shape {x.shape}, expected (N, 28, 28)")
        if y.shape != (x.shape[0],):
            raise DatasetError(f"{path}: y_{split} has shape {y.shape}, expected ({x.shape[0]},)")
        if x.shape[0] == 0:
            raise DatasetError(f"{path}: x_{split} is empty")
        if not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() > 9:
            raise DatasetError(f"{path}: y_{split} must hold integer labels 0..9")
        if x.dtype != np.uint8:
            raise DatasetError(f"{path}: x_{split} has dtype {x.dtype}, expected uint8")


def to_model_input(images: np.ndarray) -> np.ndarray:
    """uint8 (N,28,28) -> float32 (N,28,28,1) in 0..1, the ONNX contract's input."""
    return (images.astype(np.float32) / 255.0)[..., None]


def split_validation(
    x: np.ndarray, y: np.ndarray, val_size: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Hold out `val_size` random training images for checkpoint selection and early stopping."""
    order = np.random.default_rng(seed).permutation(len(x))
    val, train = order[:val_size], order[val_size:]
    return x[train], y[train], x[val], y[val]
