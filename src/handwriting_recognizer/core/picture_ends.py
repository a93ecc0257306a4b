"""Whether a BMP or GIF file ends before its first picture does. Qt decodes both with black for the
missing end and says nothing (half a BMP of a 7 read "0" at 83 %; QA pass), where it warns of a
JPEG cut short and refuses a PNG.

Pure byte parsing: every read is bounds-checked, and a GIF's blocks are walked at most MAX_BLOCKS
times. A compressed BMP that does not say its pixels' size is held to the file's size it writes;
a GIF past the budget is taken to be whole, as Qt takes it.
"""

from __future__ import annotations

import struct

MAX_BLOCKS = 1_000_000  # budget: a GIF's blocks walked to its first picture's end (a 64 MB file: 250,000)
ROW_PADDING = 3  # a BMP's rows are padded to 4 bytes: some writers leave out the last row's padding
GIF_SCREEN = 13  # a GIF's header and logical screen descriptor
GIF_IMAGE = 10  # an image descriptor


def cut_short(kind: bytes, data: bytes) -> bool:
    """Whether the file of this Qt format name ends before its first picture does."""
    try:
        if kind == b"bmp":
            return _bmp_cut_short(data)
        if kind == b"gif":
            return not _gif_first_picture_ends(data)
    except (struct.error, IndexError):
        return True  # a header cut short
    return False


def _bmp_cut_short(data: bytes) -> bool:
    """Uncompressed rows take the size the header gives (BITMAPCOREHEADER's or a later one's); a
    compressed bitmap takes the size it says, when it says one."""
    written, offset, header = struct.unpack_from("<I4xII", data, 2)
    if header == 12:
        width, height, _, bits = struct.unpack_from("<HHHH", data, 18)
        compression, size = 0, 0
    else:
        width, height, _, bits, compression, size = struct.unpack_from("<iiHHII", data, 18)
    if compression in (0, 3, 6):  # BI_RGB, BI_BITFIELDS, BI_ALPHABITFIELDS: rows of a known size
        return len(data) < offset + (abs(width) * bits + 31) // 32 * 4 * abs(height) - ROW_PADDING
    return len(data) < (offset + size if size else written)  # else the file's size, as written


def _gif_first_picture_ends(data: bytes) -> bool:
    """Whether the blocks before the first picture, and its data's blocks to their end, are all in
    the file (what follows is not read: other frames, a trailer or none, stray bytes)."""
    at = GIF_SCREEN + _colour_table(data[10])
    for _ in range(MAX_BLOCKS):
        if data[at] == 0x21:  # an extension: its label, then blocks of data
            end = _after_blocks(data, at + 2)
        elif data[at] == 0x2C:  # the first picture: its descriptor, colours, LZW code size, data
            end = _after_blocks(data, at + GIF_IMAGE + _colour_table(data[at + 9]) + 1)
            return end is None or end <= len(data)
        else:
            return True  # no picture before the trailer or stray bytes: Qt says what it makes of that
        if end is None:
            return True  # past the budget: taken as whole
        if end > len(data):
            return False
        at = end
    return True


def _colour_table(flags: int) -> int:
    """The bytes of the colour table that these descriptor flags announce."""
    return 3 * (2 << (flags & 7)) if flags & 0x80 else 0


def _after_blocks(data: bytes, at: int) -> int | None:
    """Where a run of data blocks (each its length, then that many bytes; a 0 ends the run) ends;
    past the end of `data` when it is cut short; None past the budget."""
    for _ in range(MAX_BLOCKS):
        if at >= len(data):
            return len(data) + 1
        length = data[at]
        at += 1 + length
        if length == 0:
            return at
    return None
