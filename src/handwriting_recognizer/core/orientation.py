"""The EXIF orientation of PNG and WebP files, which Qt's readers of those formats do not apply
(JPEG and TIFF they do): a phone's or an editor's picture stored sideways read sideways.

Pure byte parsing within a budget: at most MAX_CHUNKS chunks are walked before the orientation is
found or the picture's data begins, and every read is bounds-checked (a damaged tag is no tag).
"""

from __future__ import annotations

import struct

import numpy as np

MAX_CHUNKS = 1_000  # budget: chunks of a PNG or WebP walked to find its EXIF
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ORIENTATION_TAG = 0x0112


def exif_orientation(data: bytes) -> int:
    """The EXIF orientation (1-8) a PNG (eXIf chunk) or WebP (EXIF chunk) file asks for; 1 when it
    asks for none, or is another kind of file."""
    if data.startswith(PNG_SIGNATURE):
        exif = _chunk(data, len(PNG_SIGNATURE), b"eXIf", png=True)
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        exif = _chunk(data, 12, b"EXIF", png=False)
    else:
        exif = b""
    return _orientation(exif) if exif else 1


def _chunk(data: bytes, at: int, wanted: bytes, png: bool) -> bytes:
    """The data of the first `wanted` chunk from `at`, else b"": PNG's chunks are a length, a type,
    the data and a CRC (none is looked for once the image data begins); RIFF's a type, a length
    and the data, padded to an even size."""
    for _ in range(MAX_CHUNKS):
        if at + 8 > len(data):
            break
        length, kind = struct.unpack_from(">I4s", data, at) if png else struct.unpack_from("<4sI", data, at)[::-1]
        if kind == wanted:
            return data[at + 8 : at + 8 + length]
        if png and kind in (b"IDAT", b"IEND"):
            break
        at += 8 + length + (4 if png else length & 1)
    return b""


def _orientation(exif: bytes) -> int:
    """The orientation tag of EXIF data (a TIFF header and its first directory), else 1."""
    exif = exif.removeprefix(b"Exif\x00\x00")  # some writers keep JPEG's APP1 prefix
    order = {b"II": "<", b"MM": ">"}.get(exif[:2])
    if order is None:
        return 1
    try:
        (first,) = struct.unpack_from(order + "I", exif, 4)
        (count,) = struct.unpack_from(order + "H", exif, first)
        for entry in range(min(count, MAX_CHUNKS)):
            tag, kind, _, value = struct.unpack_from(order + "HHIH", exif, first + 2 + 12 * entry)
            if tag == ORIENTATION_TAG and kind == 3:  # a SHORT
                return value if 1 <= value <= 8 else 1
    except struct.error:
        pass
    return 1


def oriented(pixels: np.ndarray, orientation: int) -> np.ndarray:
    """A picture (rows, columns, ...) turned upright as its EXIF `orientation` says."""
    turns = {
        2: lambda a: a[:, ::-1],
        3: lambda a: a[::-1, ::-1],
        4: lambda a: a[::-1],
        5: lambda a: a.swapaxes(0, 1),
        6: lambda a: np.rot90(a, -1),
        7: lambda a: a[::-1, ::-1].swapaxes(0, 1),
        8: lambda a: np.rot90(a, 1),
    }
    turn = turns.get(orientation)
    return pixels if turn is None else np.ascontiguousarray(turn(pixels))
