"""MNIST loading (Keras' downloader, an .npz or IDX files) and the train/validation split.

Files are read with numpy and validated: a bad file is a `DatasetError` naming the file and the
problem, which the CLI prints as one line. Nothing is unpickled. A dataset file may come from
anywhere, so it is read within the budgets below: the file's bytes, then each array's size as its
header declares it, before anything is allocated, and the bytes it really unpacks to, which never
exceed that declared size (a small compressed file can claim, or inflate to, gigabytes).
"""

from __future__ import annotations

import gzip
import io
import math
import os
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np

from handwriting_recognizer.core.contract import LABELS, SIZE
from handwriting_recognizer.core.safe_io import GB, FileRefused, describe_size, exists, is_folder, read_regular_file
from handwriting_recognizer.core.train_config import MNIST_DOWNLOAD_FAILED, MNIST_ENV

IDX_NAMES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}

# Budgets. MNIST is 70,000 images of 28x28 bytes: 55 MB of arrays, 11 MB as Keras' mnist.npz.
MAX_IMAGES = 1_000_000  # images (or labels) in one array
MAX_ARRAY_BYTES = MAX_IMAGES * SIZE * SIZE  # one array's data: 748 MB
MAX_NPZ_BYTES = 1 * GB  # an .npz file (it is read into memory whole)
MAX_NPY_HEADER_BYTES = 10_000  # an array's header in an .npz (numpy reads no longer ones either)
MAX_IDX_HEADER_BYTES = 4 + 4 * 255  # magic number and up to 255 dimensions
MAX_IDX_FILE_BYTES = MAX_IDX_HEADER_BYTES + MAX_ARRAY_BYTES  # an IDX file, raw or gzipped
# What zipfile, gzip and zlib raise on damaged data (a bad CRC, a broken deflate stream, a
# truncated file, an unsupported zip feature such as encryption).
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError)


class DatasetError(Exception):
    """A dataset file is missing or unusable; the message names the file and what is wrong."""


class DownloadError(DatasetError):
    """Keras' downloader could not fetch MNIST (no network, a proxy, a damaged cache)."""


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
    return data or os.environ.get(MNIST_ENV) or None


def load_mnist(data: str | None = None) -> Mnist:
    """Load MNIST from `data` (an .npz or a folder of IDX files) or, if None, through Keras."""
    path = resolve_source(data)
    if path is None:
        return _load_with_keras()
    p = Path(path)
    if not exists(p):
        raise DatasetError(f"{p}: no such file or folder")
    arrays = _load_idx_folder(p) if is_folder(p) else _load_npz(p)
    _validate(arrays, p)
    return Mnist(**arrays, source=str(p))


def _load_with_keras() -> Mnist:
    import keras  # training-only dependency

    try:
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as exc:  # network or cache problems surface as many exception types
        raise DownloadError(f"{MNIST_DOWNLOAD_FAILED} ({exc})") from exc
    arrays = dict(x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    _validate(arrays, Path("keras.datasets.mnist"))
    return Mnist(**arrays, source="keras.datasets.mnist")


def _read_file(path: Path, max_bytes: int, what: str) -> bytes:
    """The file's bytes within `max_bytes`; a folder, a pipe (which would block) or a bigger file
    is a DatasetError."""
    try:
        return read_regular_file(path, max_bytes, what)
    except FileRefused as exc:
        raise DatasetError(str(exc)) from exc


def _declared_bytes(path: Path, array: str, shape: tuple[int, ...], itemsize: int) -> int:
    """The bytes an array of `shape` declares (Python ints: no overflow), if within the budgets."""
    nbytes = math.prod(shape) * itemsize
    if (shape and shape[0] > MAX_IMAGES) or nbytes > MAX_ARRAY_BYTES:
        raise DatasetError(
            f"{path}: {array} declares shape {shape}, more than the {MAX_IMAGES:,} images of "
            f"{SIZE}x{SIZE} bytes ({describe_size(MAX_ARRAY_BYTES)}) an array may hold"
        )
    return nbytes


def _check_length(path: Path, array: str, data: bytes, nbytes: int) -> None:
    """The data read (at most `nbytes` + 1 bytes) is exactly what the header declares."""
    if len(data) < nbytes:
        raise DatasetError(f"{path}: {array} is truncated: {len(data)} bytes of data, its header declares {nbytes}")
    if len(data) > nbytes:
        raise DatasetError(f"{path}: {array} is padded: more data than the {nbytes} bytes its header declares")


def _load_npz(path: Path) -> dict[str, np.ndarray]:
    data = _read_file(path, MAX_NPZ_BYTES, "dataset (.npz)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except _DAMAGED as exc:
        raise DatasetError(
            f"{path}: not a readable .npz file ({exc}; Keras layout .npz or IDX folder expected)"
        ) from exc
    with archive:
        members = set(archive.namelist())
        missing = [k for k in IDX_NAMES if f"{k}.npy" not in members]
        if missing:
            raise DatasetError(f"{path}: missing arrays {', '.join(missing)} (Keras layout expected)")
        return {k: _read_npy(path, archive, archive.getinfo(f"{k}.npy"), k) for k in IDX_NAMES}


def _read_npy(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo, array: str) -> np.ndarray:
    """One array of an .npz, checked on its declared sizes before its data is unpacked."""
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise DatasetError(
            f"{path}: {array} is compressed in a way numpy never writes (zip method {info.compress_type})"
        )
    if info.file_size > MAX_NPY_HEADER_BYTES + MAX_ARRAY_BYTES:
        raise DatasetError(
            f"{path}: {array} declares {describe_size(info.file_size)} unpacked, more than an array "
            f"may be ({describe_size(MAX_ARRAY_BYTES)})"
        )
    try:
        with archive.open(info) as member:
            shape, fortran_order, dtype = _read_npy_header(member)
            if dtype.kind not in "biuf":  # Python objects (they would need pickle), text, records
                raise DatasetError(f"{path}: unreadable array {array} (of {dtype}, not of numbers)")
            nbytes = _declared_bytes(path, array, shape, dtype.itemsize)
            # Deflate unpacks at most what is asked for: never more than the declared size + 1.
            data = member.read(nbytes + 1)
    except _DAMAGED as exc:
        raise DatasetError(f"{path}: {array} is damaged ({exc})") from exc
    _check_length(path, array, data, nbytes)
    return np.frombuffer(data, dtype).reshape(shape, order="F" if fortran_order else "C")


def _read_npy_header(member: IO[bytes]) -> tuple[tuple[int, ...], bool, np.dtype]:
    """Shape, Fortran order and dtype from an .npy header (format 1.0 or 2.0, what np.savez writes)."""
    version = np.lib.format.read_magic(member)
    if version == (1, 0):
        return np.lib.format.read_array_header_1_0(member, max_header_size=MAX_NPY_HEADER_BYTES)
    if version == (2, 0):
        return np.lib.format.read_array_header_2_0(member, max_header_size=MAX_NPY_HEADER_BYTES)
    raise ValueError(f"unsupported .npy format version {version[0]}.{version[1]}")


def _find_idx_file(folder: Path, stem: str) -> Path | None:
    for name in (stem, stem + ".gz", stem.replace("-idx", ".idx"), stem.replace("-idx", ".idx") + ".gz"):
        candidate = folder / name
        if exists(candidate):  # not only regular files: a folder or a pipe of this name is refused by name
            return candidate
    return None


def read_idx(path: Path) -> np.ndarray:
    """Read one IDX file (optionally gzipped) of unsigned bytes into an array of its shape."""
    data = _read_file(path, MAX_IDX_FILE_BYTES, "dataset file (IDX)")
    stream = gzip.GzipFile(fileobj=io.BytesIO(data)) if path.suffix == ".gz" else io.BytesIO(data)
    try:
        magic = stream.read(4)
        if len(magic) < 4 or magic[:3] != b"\0\0\x08":
            raise DatasetError(f"{path}: not an IDX file of unsigned bytes (bad magic number)")
        dims = stream.read(4 * magic[3])
        if len(dims) < 4 * magic[3]:
            raise DatasetError(f"{path}: truncated header")
        shape = tuple(int.from_bytes(dims[i : i + 4], "big") for i in range(0, len(dims), 4))
        nbytes = _declared_bytes(path, "its header", shape, 1)
        # gzip inflates at most what is asked for: a small file cannot expand past the declared size + 1.
        raw = stream.read(nbytes + 1)
    except _DAMAGED as exc:  # only a gzip stream can fail here
        raise DatasetError(f"{path}: not a readable gzip file ({exc})") from exc
    _check_length(path, "the data", raw, nbytes)
    return np.frombuffer(raw, dtype=np.uint8).reshape(shape)


def _load_idx_folder(folder: Path) -> dict[str, np.ndarray]:
    files = {key: _find_idx_file(folder, stem) for key, stem in IDX_NAMES.items()}
    found = {key: path for key, path in files.items() if path is not None}
    missing = [IDX_NAMES[key] for key in files if key not in found]
    if missing:
        raise DatasetError(
            f"{folder}: missing {', '.join(missing)} (IDX files, raw or .gz; or pass a Keras-layout .npz)"
        )
    return {key: read_idx(path) for key, path in found.items()}


def _validate(arrays: dict[str, np.ndarray], path: Path) -> None:
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.ndim != 3 or x.shape[1:] != (SIZE, SIZE):
            raise DatasetError(f"{path}: x_{split} has shape {x.shape}, expected (N, {SIZE}, {SIZE})")
        if y.shape != (x.shape[0],):
            raise DatasetError(f"{path}: y_{split} has shape {y.shape}, expected ({x.shape[0]},)")
        if x.shape[0] == 0:
            raise DatasetError(f"{path}: x_{split} is empty")
        if not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() >= len(LABELS):
            raise DatasetError(f"{path}: y_{split} must hold integer labels 0..{len(LABELS) - 1}")
        if x.dtype != np.uint8:
            raise DatasetError(f"{path}: x_{split} has dtype {x.dtype}, expected uint8")


def split_validation(
    x: np.ndarray, y: np.ndarray, val_size: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Hold out `val_size` random training images for checkpoint selection and early stopping."""
    order = np.random.default_rng(seed).permutation(len(x))
    val, train = order[:val_size], order[val_size:]
    return x[train], y[train], x[val], y[val]
