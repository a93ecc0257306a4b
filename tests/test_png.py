"""The samples' PNG codec (core/png.py): it reads what other encoders write, and refuses the rest."""

from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handwriting_recognizer.core.png import SIGNATURE, PngError, decode_gray, encode_gray


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def filtered_png(image: np.ndarray, kinds: list[int], colour: int = 0) -> bytes:
    """A PNG whose row y uses filter kinds[y], written the way the PNG specification filters."""
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
    pixels = np.repeat(image[..., None], channels, axis=2).reshape(image.shape[0], -1).astype(int)
    rows, previous = [], np.zeros(pixels.shape[1], int)
    for y, kind in enumerate(kinds):
        line, out = pixels[y], []
        for x, value in enumerate(line):
            left = line[x - channels] if x >= channels else 0
            up, corner = previous[x], previous[x - channels] if x >= channels else 0
            predictor = [0, left, up, (left + up) // 2, paeth(left, up, corner)][kind]
            out.append((value - predictor) % 256)
        rows.append(bytes([kind, *out]))
        previous = line
    h, w = image.shape
    header = struct.pack(">IIBBBBB", w, h, 8, colour, 0, 0, 0)
    return SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b"")


@pytest.mark.parametrize("colour", [0, 2, 4, 6])
def test_every_filter_and_colour_type_decodes_to_the_image(colour):
    image = np.random.default_rng(colour).integers(0, 256, (28, 28)).astype(np.uint8)
    data = filtered_png(image, [y % 5 for y in range(28)], colour)
    np.testing.assert_array_equal(decode_gray(data, 28), image)


def test_what_it_writes_it_reads_back():
    image = np.random.default_rng(1).integers(0, 256, (28, 28)).astype(np.uint8)
    np.testing.assert_array_equal(decode_gray(encode_gray(image), 28), image)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"GIF89a", "not a PNG file"),
        (
            SIGNATURE + chunk(b"IHDR", struct.pack(">IIBBBBB", 9**5, 9**5, 8, 0, 0, 0, 0)) + chunk(b"IEND", b""),
            "more than 28",
        ),
        (SIGNATURE + chunk(b"IHDR", struct.pack(">IIBBBBB", 28, 28, 16, 0, 0, 0, 0)) + chunk(b"IEND", b""), "8-bit"),
        (encode_gray(np.zeros((28, 28), np.uint8))[:-5], "cut short"),
        (encode_gray(np.zeros((28, 28), np.uint8)).replace(b"IDAT", b"IDAt"), "CRC"),
    ],
)
def test_other_files_are_refused_with_a_reason(data, message):
    with pytest.raises(PngError, match=message):
        decode_gray(data, 28)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_any_bytes_give_an_image_or_a_png_error(data):
    try:
        image = decode_gray(SIGNATURE + data, 28)
    except PngError:
        return
    assert image.dtype == np.uint8 and image.shape[0] <= 28 and image.shape[1] <= 28
