"""Grey PNG files in and out with zlib and numpy alone, for the samples' 28x28 inputs.

The samples format belongs to the core that the app and training share, which imports neither Qt
nor TensorFlow: so it has its own small codec. It writes 8-bit grey PNG and reads the non-interlaced
8-bit PNG that any encoder writes for such an image (grey, grey + alpha, RGB, RGBA; every filter),
keeping the first channel; anything else is refused with PngError.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np

SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}  # colour type -> samples per pixel (8 bits each)


class PngError(ValueError):
    """The bytes are not a PNG this codec reads, or not within the size asked for."""


def encode_gray(image: np.ndarray) -> bytes:
    """An (H, W) uint8 array as an 8-bit grey PNG (filter 0 on every row)."""
    pixels = np.ascontiguousarray(image, np.uint8)
    h, w = pixels.shape
    rows = np.concatenate([np.zeros((h, 1), np.uint8), pixels], axis=1).tobytes()
    header = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    return SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows, 9)) + _chunk(b"IEND", b"")


def decode_gray(data: bytes, max_side: int) -> np.ndarray:
    """The first channel of a PNG as an (H, W) uint8 array; sides above `max_side` are refused
    from the header, before anything is inflated."""
    if not data.startswith(SIGNATURE):
        raise PngError("not a PNG file")
    chunks = _chunks(data)
    if not chunks or chunks[0][0] != b"IHDR" or len(chunks[0][1]) != 13:
        raise PngError("a PNG without its header")
    w, h, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    if not (0 < w <= max_side and 0 < h <= max_side):
        raise PngError(f"{w} x {h} pixels, more than {max_side} x {max_side}")
    if depth != 8 or colour not in CHANNELS or interlace:
        raise PngError("not an 8-bit non-interlaced grey or colour PNG")
    channels = CHANNELS[colour]
    stride = w * channels
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"), h * (stride + 1) + 1)
    except zlib.error as exc:
        raise PngError(f"damaged PNG data ({exc})") from None
    if len(raw) != h * (stride + 1):
        raise PngError("PNG data of the wrong length")
    rows = np.frombuffer(raw, np.uint8).reshape(h, stride + 1)
    return _unfilter(rows, channels).reshape(h, w, channels)[:, :, 0].copy()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """(type, body) of each chunk up to IEND, each checked against its CRC."""
    found: list[tuple[bytes, bytes]] = []
    at = len(SIGNATURE)
    while at + 12 <= len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        if len(body) != length or data[at + 8 + length : at + 12 + length] != struct.pack(
            ">I", zlib.crc32(kind + body)
        ):
            raise PngError("damaged PNG (a chunk is cut short or fails its CRC)")
        if kind == b"IEND":
            return found
        found.append((kind, body))
        at += 12 + length
    raise PngError("a PNG cut short (no IEND)")


def _unfilter(rows: np.ndarray, bpp: int) -> np.ndarray:
    """Undo PNG's per-row filters (None, Sub, Up, Average, Paeth)."""
    h, width = rows.shape[0], rows.shape[1] - 1
    out = np.zeros((h, width), np.int32)
    previous = np.zeros(width, np.int32)
    for y in range(h):
        kind, line = int(rows[y, 0]), rows[y, 1:].astype(np.int32)
        if kind == 0:
            current = line
        elif kind == 2:
            current = (line + previous) & 0xFF
        elif kind in (1, 3, 4):
            current = _unfilter_left(kind, line, previous, bpp)
        else:
            raise PngError(f"unknown PNG filter {kind}")
        out[y] = current
        previous = current
    return out.astype(np.uint8)


def _unfilter_left(kind: int, line: np.ndarray, up: np.ndarray, bpp: int) -> np.ndarray:
    """Sub, Average and Paeth depend on the pixel to the left: one byte at a time."""
    current = np.zeros_like(line)
    for x in range(len(line)):
        left = int(current[x - bpp]) if x >= bpp else 0
        above, corner = int(up[x]), int(up[x - bpp]) if x >= bpp else 0
        if kind == 1:
            predictor = left
        elif kind == 3:
            predictor = (left + above) // 2
        else:
            p = left + above - corner
            pa, pb, pc = abs(p - left), abs(p - above), abs(p - corner)
            predictor = left if pa <= pb and pa <= pc else above if pb <= pc else corner
        current[x] = (int(line[x]) + predictor) & 0xFF
    return current
