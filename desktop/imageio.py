"""Pictures in and out through Qt's image codecs (the app ships no other imaging library)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QByteArray, QBuffer, QIODevice
from PySide6.QtGui import QImage, QImageReader

from desktop.atomic import write_bytes_atomic

IMAGE_SUFFIXES = {"png", "jpg", "jpeg", "bmp", "gif", "pbm", "pgm", "ppm", "webp", "tif", "tiff"}


class ImageError(Exception):
    """A file is not an image Qt can read."""


def qimage_to_array(image: QImage) -> np.ndarray:
    """Any QImage -> an (H, W, 4) uint8 RGBA array (a copy)."""
    rgba = image.convertToFormat(QImage.Format.Format_RGBA8888)
    h, w = rgba.height(), rgba.width()
    buffer = np.frombuffer(rgba.constBits(), np.uint8, count=rgba.bytesPerLine() * h)
    return buffer.reshape(h, rgba.bytesPerLine())[:, : w * 4].reshape(h, w, 4).copy()


def read_image(path: Path | str) -> np.ndarray:
    """Decode an image file to RGBA; ImageError with Qt's reason when it is not an image."""
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)  # honour EXIF orientation: phone photos are often stored sideways
    image = reader.read()
    if image.isNull():
        raise ImageError(f"{Path(path).name}: not a readable image ({reader.errorString()})")
    return qimage_to_array(image)


def gray_to_qimage(gray: np.ndarray, invert: bool = True) -> QImage:
    """A 0..1 ink image as an 8-bit grey QImage (dark ink on white when `invert`)."""
    values = np.clip(gray, 0.0, 1.0)
    values = (255 * (1.0 - values) if invert else 255 * values).round().astype(np.uint8)
    values = np.ascontiguousarray(values)
    h, w = values.shape
    return QImage(values.data, w, h, w, QImage.Format.Format_Grayscale8).copy()


def decode_image(data: bytes) -> np.ndarray:
    """Decode image bytes (any format Qt reads) to RGBA."""
    image = QImage.fromData(data)
    if image.isNull():
        raise ImageError("not a readable image")
    return qimage_to_array(image)


def encode_png(image: QImage) -> bytes:
    """PNG bytes of `image`, encoded in memory."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise ImageError("could not encode PNG")
    buffer.close()
    return bytes(data)


def save_png(image: QImage, path: Path | str) -> None:
    """Encode to PNG in memory, then write atomically."""
    write_bytes_atomic(path, encode_png(image))
