"""How many operations (nodes) an ONNX model file holds, counted before onnxruntime opens it.

Opening a model takes time and memory in proportion to its nodes, before any watchdog can stop it
(a crafted 28 MB chain of a million nodes took 72 s and 2.7 GB), so a model is refused over a node
budget first. The app never imports the onnx package: the count walks the file's protobuf encoding
(varint keys; only length-delimited fields are entered) along the few fields that hold nodes:
ModelProto.graph (7) and .functions (25), GraphProto.node (1), FunctionProto.node (7),
NodeProto.attribute (5), AttributeProto.g (6) and .graphs (11), the subgraphs of If and Loop.
A file that is not such an encoding (groups, which onnxruntime skips but no exporter writes, a cut
or garbled file), or holds more fields than MAX_FIELDS (the walk is Python: a 64 MB model padded
with two-byte fields took 11 s), is refused: past the walk, such a file could hide any graph.
"""

from __future__ import annotations

from collections.abc import Iterator

MAX_FIELDS = 100_000  # fields walked in all (the shipped models: a few hundred); about 0.35 s of Python
_LENGTH_DELIMITED = 2
_FIXED_BYTES = {1: 8, 5: 4}  # wire types 1 (64-bit) and 5 (32-bit)
# For each message kind, its fields that are messages to enter: field number -> kind.
_MODEL, _GRAPH, _FUNCTION, _NODE, _ATTRIBUTE = range(5)
_ENTERED = {
    _MODEL: {7: _GRAPH, 25: _FUNCTION},
    _GRAPH: {1: _NODE},
    _FUNCTION: {7: _NODE},
    _NODE: {5: _ATTRIBUTE},
    _ATTRIBUTE: {6: _GRAPH, 11: _GRAPH},
}


class NotAModelEncoding(ValueError):
    """The file is not the plain protobuf encoding of a model, or too long a walk; says which."""


def _varint(data: bytes, at: int, end: int) -> tuple[int, int]:
    value = shift = 0
    while at < end and shift < 64:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, at
        shift += 7
    raise NotAModelEncoding("not an ONNX model's encoding")


def _fields(data: bytes, at: int, end: int, walked: list[int]) -> Iterator[tuple[int, int, int]]:
    """(field number, start, end) of each length-delimited field of the message in data[at:end];
    every field walked counts in `walked[0]`."""
    while at < end:
        walked[0] += 1
        if walked[0] > MAX_FIELDS:
            raise NotAModelEncoding(f"more than {MAX_FIELDS:,} fields, far more than a digit model has")
        key, at = _varint(data, at, end)
        wire = key & 7
        if wire == 0:
            _, at = _varint(data, at, end)
        elif wire in _FIXED_BYTES:
            at += _FIXED_BYTES[wire]
        elif wire == _LENGTH_DELIMITED:
            size, at = _varint(data, at, end)
            if at + size > end:
                raise NotAModelEncoding("not an ONNX model's encoding (cut short)")
            yield key >> 3, at, at + size
            at += size
        else:  # groups (long deprecated: no exporter writes them) or no wire type at all
            raise NotAModelEncoding("not an ONNX model's encoding")


def count_nodes(data: bytes, limit: int) -> int:
    """The nodes of the model in `data`, in all its graphs and functions; counting stops once over
    `limit`. NotAModelEncoding when the file cannot be walked (see the module)."""
    count, stack, walked = 0, [(_MODEL, 0, len(data))], [0]
    while stack:
        kind, at, end = stack.pop()
        for field, start, stop in _fields(data, at, end, walked):
            entered = _ENTERED[kind].get(field)
            if entered is None:
                continue
            count += entered == _NODE
            if count > limit:
                return count
            stack.append((entered, start, stop))
    return count
