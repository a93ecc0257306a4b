"""Pictures in and out through Qt's image codecs (the app ships no other imaging library).

Every picture is decoded within a budget: the file's bytes, the decoded pixels (checked from the
header before decoding, and by Qt's allocation limit while decoding), then shrunk to at most
MAX_PIXELS before it is turned into numbers. SVG is rendered only when it is self-contained (no
links to files or other documents, no DTD), gzip-compressed SVG only up to MAX_SVG_BYTES inflated.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QMessageLogContext,
    QSize,
    Qt,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtGui import QColor, QImage, QImageIOHandler, QImageReader

from handwriting_recognizer.core.atomic import write_bytes_atomic
from handwriting_recognizer.core.orientation import exif_orientation, oriented
from handwriting_recognizer.core.picture_ends import cut_short
from handwriting_recognizer.core.safe_io import MB, FileRefused, describe_size, read_regular_file

IMAGE_SUFFIXES = {"png", "jpg", "jpeg", "bmp", "gif", "pbm", "pgm", "ppm", "webp", "tif", "tiff", "svg", "svgz"}
MAX_FILE_BYTES = 64 * MB  # budget: a picture file
MAX_DECODED_PIXELS = 64_000_000  # budget: a picture's pixels when decoded (8000 x 8000; 256 MB as RGBA)
MAX_PIXELS = 4_000_000  # pictures are shrunk to at most this many pixels before recognition
MAX_SVG_BYTES = 4 * MB  # budget: an SVG document's text, after inflating .svgz
# Budget: what an SVG draws, each element and each point of its path or polygon, counting each time a
# <use> repeats one. Drawing time grows with both where they span the picture: one path zigzagging
# across it took 0.6 ms a point at SVG_SIDE, one of curves 0.9 ms a coordinate pair, a full-size
# circle 0.5 ms (on this 2-core machine); eight nested groups of ten <use> over 30 s. So at most
# about 3 s here, 1 s on a usual desktop; a handwritten number drawn as SVG is a few hundred points.
MAX_SVG_DRAWN = 4_000
MAX_SVG_DEPTH = 100  # budget: elements nested in each other
SVG_SIDE = 1024  # an SVG is rendered with its longer side this many pixels
# What makes an SVG reach outside itself: a link to anything but an element of the same document
# (files, URLs, data), entities or an internal DTD subset (a DOCTYPE line alone is harmless: Qt
# fetches no DTD), a CSS import.
_SVG_OUTSIDE = re.compile(rb"""<!ENTITY|<!DOCTYPE[^>]*\[|@import|href\s*=\s*["'](?!\s*#)""", re.IGNORECASE)
# Dashed lines: each dash is drawn as a stroke of its own, so one wide dashed circle of 150 bytes took
# 11 s to draw, ten of them over 100 s (QA pass); no budget on elements bounds that. Told on the
# parsed document, as Qt reads it (a character reference hid a raw text search's; review).
_SVG_DASHES = re.compile(r"stroke-dasharray\s*:\s*([^;}]*)", re.IGNORECASE)
_CSS_NOISE = re.compile(r"/\*.*?\*/|\\", re.DOTALL)  # comments and escapes, which Qt's CSS reads past
_HREFS = ("href", "{http://www.w3.org/1999/xlink}href")
_SVG_NUMBER = re.compile(r"[-+]?(?:\d*\.\d+|\d+\.?)(?:[eE][-+]?\d+)?")  # in path data: "1.5.5" is 1.5 and .5


log = logging.getLogger(__name__)
CUT_SHORT = "premature end of data"  # libjpeg's warning for a file that ends before its picture does


class ImageError(Exception):
    """A file is not an image Qt can read, or is over its budget."""


def qimage_to_array(image: QImage) -> np.ndarray:
    """Any QImage -> an (H, W, 4) uint8 RGBA array (a copy)."""
    rgba = image.convertToFormat(QImage.Format.Format_RGBA8888)
    h, w = rgba.height(), rgba.width()
    buffer = np.frombuffer(rgba.constBits(), np.uint8, count=rgba.bytesPerLine() * h)
    return buffer.reshape(h, rgba.bytesPerLine())[:, : w * 4].reshape(h, w, 4).copy()


@dataclass(frozen=True)
class ImageFile:
    """A decoded image file: its first picture as RGBA, and how many pictures it holds (the pages
    of a TIFF, the frames of a GIF; only the first is read)."""

    pixels: np.ndarray
    pictures: int = 1


def read_image_file(path: Path | str) -> ImageFile:
    """Decode an image file to RGBA within the budgets, with the number of pictures it holds;
    ImageError says why it cannot."""
    path = Path(path)
    try:
        data = read_regular_file(path, MAX_FILE_BYTES, "picture")
    except FileRefused as exc:
        raise ImageError(str(exc)) from None
    return _decode_file(data, path.name)


def decode_image(data: bytes, name: str = "image") -> np.ndarray:
    """Decode image bytes (any format Qt reads, SVG when self-contained) to RGBA within the budgets."""
    return _decode_file(data, name).pixels


def _decode_file(data: bytes, name: str) -> ImageFile:
    if not data:
        raise ImageError(f"{name}: the file is empty")
    if data[:2] == b"\x1f\x8b":  # gzip: only .svgz is a compressed picture format
        data = _inflate_svg(data, name)
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    try:
        return _decode(reader, data, name)
    finally:
        # The reader does not own its device, and some format handlers use it until they are
        # destroyed (TIFF's closes its libtiff client then): the handler must go while the buffer is
        # alive, not whenever Python frees the reader (after the buffer, here: a segfault).
        reader.setDevice(None)  # type: ignore[arg-type]  # Qt takes no device (nullptr); the stub says otherwise


def _decode(reader: QImageReader, data: bytes, name: str) -> ImageFile:
    reader.setAutoTransform(True)  # honour EXIF orientation: phone photos are often stored sideways
    pictures = max(reader.imageCount(), 1)  # first: TIFF's handler cannot count its pages once asked their size
    kind = bytes(reader.format().data()).lower()
    if kind.startswith(b"svg"):
        _check_svg(data, name)
        size = reader.size()
        if size.isValid() and not size.isEmpty():
            reader.setScaledSize(size.scaled(SVG_SIDE, SVG_SIDE, Qt.AspectRatioMode.KeepAspectRatio))
    else:
        size = reader.size()
        if size.isValid() and size.width() * size.height() > MAX_DECODED_PIXELS:
            raise ImageError(
                f"{name}: {size.width()} x {size.height()} pixels is more than a picture may have "
                f"({MAX_DECODED_PIXELS / 1e6:.0f} megapixels)"
            )
        depth = QImage.toPixelFormat(reader.imageFormat()).bitsPerPixel()  # 0 for a format not known yet
        limit = QImageReader.allocationLimit() * MB  # Qt's own (QT_IMAGEIO_MAXALLOC); 0: none
        if limit and size.isValid() and size.width() * size.height() * depth // 8 > limit:
            # Qt refused it as "Unable to read image data" (a 48-bit scan of 36 megapixels; QA pass).
            raise ImageError(
                f"{name}: {size.width()} x {size.height()} pixels of {depth} bits each is more than a "
                f"picture may hold decoded ({describe_size(limit)}): save it with 8 bits a colour"
            )
    with _decoder_warnings() as warnings:
        image = reader.read()
    if image.isNull():
        raise ImageError(f"{name}: not a readable image ({reader.errorString()})")
    if any(CUT_SHORT in warning for warning in warnings) or cut_short(kind, data):
        raise ImageError(f"{name}: the picture is cut short (a download or copy that did not finish?)")
    pixels = qimage_to_array(within_pixel_budget(image))
    if kind in (b"png", b"webp") and reader.transformation() == QImageIOHandler.Transformation.TransformationNone:
        pixels = oriented(pixels, exif_orientation(data))  # Qt applies only JPEG's and TIFF's (QA pass)
    return ImageFile(pixels, pictures)


@contextlib.contextmanager
def _decoder_warnings() -> Iterator[list[str]]:
    """The messages Qt logs while the block runs (passed on as before): a JPEG cut short decodes with
    grey where its end was, and says so only there. (Where QT_LOGGING_RULES turns Qt's image
    warnings off, none comes, and such a picture opens as before.)"""
    said: list[str] = []

    def handler(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
        said.append(message)
        if callable(previous):  # another handler the process installed (None: Qt's own)
            previous(mode, context, message)
        else:
            log.warning("%s", message)

    previous = qInstallMessageHandler(handler)
    try:
        yield said
    finally:
        qInstallMessageHandler(previous)


def within_pixel_budget(image: QImage) -> QImage:
    """The image, shrunk (aspect kept, smoothly) to at most MAX_PIXELS: enough for any digit."""
    pixels = image.width() * image.height()
    if pixels <= MAX_PIXELS:
        return image
    factor = (MAX_PIXELS / pixels) ** 0.5
    return image.scaled(
        QSize(max(1, int(image.width() * factor)), max(1, int(image.height() * factor))),
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )


def _inflate_svg(data: bytes, name: str) -> bytes:
    """A gzip stream's content, at most MAX_SVG_BYTES of it: a small .svgz can inflate to gigabytes."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        text = inflater.decompress(data, MAX_SVG_BYTES + 1)
    except zlib.error as exc:
        raise ImageError(f"{name}: damaged compressed data ({exc})") from None
    if len(text) > MAX_SVG_BYTES or inflater.unconsumed_tail:
        raise ImageError(f"{name}: inflates to more than a drawing may be ({describe_size(MAX_SVG_BYTES)})")
    return text


def _check_svg(data: bytes, name: str) -> None:
    """Refuse SVG that is too long, reaches outside itself (files, URLs, entities) or would draw
    too much: a few nested groups of <use> repeat an element exponentially often, and a dashed
    line is as many strokes as it has dashes."""
    if len(data) > MAX_SVG_BYTES:
        raise ImageError(
            f"{name}: {describe_size(len(data))} of SVG is more than a drawing may be ({describe_size(MAX_SVG_BYTES)})"
        )
    if _SVG_OUTSIDE.search(data):
        raise ImageError(f"{name}: the SVG links to files or other documents; only self-contained SVG is read")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise ImageError(f"{name}: not a readable SVG ({exc})") from None
    if _dashed(root):
        raise ImageError(
            f"{name}: the SVG draws dashed lines, which can take minutes to draw; save it with solid lines, or as PNG"
        )
    if not _draws_within_budget(root):
        raise ImageError(
            f"{name}: the SVG draws more than {MAX_SVG_DRAWN:,} elements and points, or nests them deeper than"
            f" {MAX_SVG_DEPTH}: it would take too long to draw"
        )


def _dashed(root: ElementTree.Element) -> bool:
    """Whether any element's attribute, style or style sheet asks for dashes ("none", or dashes
    all of length 0, draw a solid line)."""
    for element in root.iter():
        values = [element.get("stroke-dasharray") or ""]
        values += _SVG_DASHES.findall(_CSS_NOISE.sub("", element.get("style") or ""))
        if element.tag.rsplit("}", 1)[-1] == "style":
            values += _SVG_DASHES.findall(_CSS_NOISE.sub("", element.text or ""))
        if any(float(n) != 0 for value in values for n in _SVG_NUMBER.findall(value)):
            return True
    return False


def _draws_within_budget(root: ElementTree.Element) -> bool:
    """Walk the elements as rendering would, following each <use> to what it repeats, counting each
    element and the points of its path or polygon; stop as soon as the walk exceeds the budget (so
    the walk itself is bounded, cycles included)."""
    by_id = {element.get("id"): element for element in root.iter() if element.get("id")}
    stack, drawn = [(root, 1)], 0
    while stack:
        element, depth = stack.pop()
        geometry = element.get("d") or element.get("points") or ""
        numbers = sum(1 for _ in itertools.islice(_SVG_NUMBER.finditer(geometry), 2 * MAX_SVG_DRAWN + 2))
        drawn += 1 + numbers // 2  # a point is two numbers (a curve's control points count too)
        if drawn > MAX_SVG_DRAWN or depth > MAX_SVG_DEPTH:
            return False
        stack.extend((child, depth + 1) for child in element)
        if element.tag.rsplit("}", 1)[-1] == "use":
            target = next((value for key in _HREFS if (value := element.get(key))), "")
            if target.strip().startswith("#") and target.strip()[1:] in by_id:
                stack.append((by_id[target.strip()[1:]], depth + 1))
    return True


def gray_to_qimage(gray: np.ndarray, invert: bool = True) -> QImage:
    """A 0..1 ink image as an 8-bit grey QImage (dark ink on white when `invert`)."""
    values = np.clip(gray, 0.0, 1.0)
    values = (255 * (1.0 - values) if invert else 255 * values).round().astype(np.uint8)
    values = np.ascontiguousarray(values)
    h, w = values.shape
    return QImage(values.data, w, h, w, QImage.Format.Format_Grayscale8).copy()


def ink_on_paper(ink: np.ndarray, paper: QColor, colour: QColor) -> QImage:
    """A 0..1 ink image in the canvas' colours (`contrast.paper_and_ink`): thumbnails of ink look
    like the canvas they came from, on a dark theme too."""
    share = np.clip(ink, 0.0, 1.0)[..., None]
    rgb = np.array([paper.red(), paper.green(), paper.blue()], np.float32) * (1.0 - share)
    rgb += np.array([colour.red(), colour.green(), colour.blue()], np.float32) * share
    values = np.ascontiguousarray(rgb.round().astype(np.uint8))
    h, w = ink.shape
    return QImage(values.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


def encode_png(image: QImage) -> bytes:
    """PNG bytes of `image`, encoded in memory."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # PySide6's stub types the format as bytes, but at runtime only str is accepted.
    if not image.save(buffer, "PNG"):  # type: ignore[call-overload]
        raise ImageError("could not encode PNG")
    buffer.close()
    return bytes(data.data())


def save_png(image: QImage, path: Path | str) -> None:
    """Encode to PNG in memory, then write atomically."""
    write_bytes_atomic(path, encode_png(image))
