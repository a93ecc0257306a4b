"""A model in words a person reads: its name (the bundled model, a retrained one by its date, a file
by its name), its accuracy, when and on what it was trained, and its metadata as plain text.

The words come from the model's metadata, which may hold anything: whatever cannot be read as a
date or a known device string is shown as it is, never as markup (the callers show plain text or
escape it).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from handwriting_recognizer.core.model_store import Origin
from handwriting_recognizer.core.recognizer import ModelInfo

_SHARES = ("accuracy", "rejected", "misread", "shown")  # a number under such a key is a share: a percentage
BUNDLED = "bundled model"
RETRAINED = "retrained model"  # a retrained model whose metadata has no usable date
DATE_FORMAT = "%Y-%m-%d %H:%M"  # local time: unambiguous in every locale, and short
VALUE_MAX_CHARS = 400  # a metadata value longer than this is shortened in the details
# Training's device strings, TensorFlow's words, as a person says them.
_DEVICE_WORDS = (
    (re.compile(r"^\s*training on\s+", re.IGNORECASE), ""),
    (re.compile(r"\s*\([^()]*TensorFlow[^()]*\)"), ""),  # "(no GPU visible to TensorFlow)"
    (re.compile(r"\s+with MirroredStrategy"), ""),
    (re.compile(r"/(?:physical_)?device:(CPU|GPU):\d+", re.IGNORECASE), r"\1"),  # "/physical_device:GPU:0"
    (re.compile(r"/(cpu|gpu):\d+", re.IGNORECASE), r"\1"),  # "/gpu:0"
    (re.compile(r"\s*\((?:CPU|GPU)(?:, (?:CPU|GPU))*\)", re.IGNORECASE), ""),  # what the two above leave
)


def trained_at(date: str | None) -> str | None:
    """A model's ISO date (`2026-11-25T10:43:47+00:00`) as local time, `2026-11-25 11:43`; None when
    it is not a date."""
    if date is None:
        return None
    try:
        when = dt.datetime.fromisoformat(date.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return (when.astimezone() if when.tzinfo is not None else when).strftime(DATE_FORMAT)


def device_text(device: str) -> str:
    """Where training ran, without TensorFlow's wording: "training on CPU (no GPU visible to
    TensorFlow)" is "CPU", "/physical_device:GPU:0" is "GPU"."""
    text = device
    for pattern, words in _DEVICE_WORDS:
        text = pattern.sub(words, text)
    text = text.strip()
    return text[:1].upper() + text[1:] if text else device


def runs_on(provider: str) -> str:
    """Where onnxruntime runs the model, in words: "CPU", "GPU (CUDA)"."""
    where = provider.removesuffix("ExecutionProvider")
    return "GPU (CUDA)" if where == "CUDA" else where


def accuracy_text(info: ModelInfo) -> str | None:
    """ "99.65% on MNIST", from the model's test accuracy; None when it does not say."""
    return None if info.test_accuracy is None else f"{info.test_accuracy:.2%} on MNIST"


def model_title(info: ModelInfo, origin: Origin | None, bundled: bool) -> str:
    """What the model is: the bundled model, a retrained one by its date, else the file it came from."""
    if bundled:
        return BUNDLED
    if origin is not None and origin.retrained:
        date = trained_at(info.date)
        return f"retrained on {date}" if date else RETRAINED
    return origin.name if origin is not None else info.name


def _words(key: str) -> str:
    return key.replace("_", " ").strip().capitalize() or "(no name)"


def _value_text(key: str, value: object) -> str:
    """One metadata value as words: numbers as numbers, dates and devices as people say them."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and any(word in key for word in _SHARES) and 0 <= value <= 1:
        return f"{value:.2%}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        return ", ".join(_value_text(key, item) for item in value) or "none"
    text = str(value)
    if key == "date":
        text = trained_at(text) or text
    elif key == "device":
        text = device_text(text)
    return text if len(text) <= VALUE_MAX_CHARS else text[: VALUE_MAX_CHARS - 1] + "…"


def metadata_text(metadata: Mapping[str, object], indent: str = "") -> str:
    """Every metadata entry as a line "Name: value", nested entries indented beneath their name, and a
    list of records (the rejection trade-off) one record a line."""
    lines = []
    for key, value in metadata.items():
        if isinstance(value, dict):
            inner = metadata_text(value, indent + "    ")
            lines.append(f"{indent}{_words(key)}:" + (f"\n{inner}" if inner else " none"))
        elif isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
            lines.append(f"{indent}{_words(key)}:")
            for item in value:
                words = ", ".join(f"{_words(k).lower()} {_value_text(k, v)}" for k, v in item.items())
                lines.append(f"{indent}    {words}")
        else:
            lines.append(f"{indent}{_words(key)}: {_value_text(key, value)}")
    return "\n".join(lines)
