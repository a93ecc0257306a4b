"""The training worker's progress protocol: one event per line, a JSON object, on its stdout.

The contract between `python -m handwriting_recognizer.training --progress jsonl` and the app's retrain dialog, so both
sides name the same events and fields. Pure Python (no Qt, no Keras): the worker writes its first
events before TensorFlow loads, and the app reads them without loading TensorFlow.

On the wire an event is {"event": <name>, <field>: <value>, ...}; a Done's summary fields are the
object's own fields. A number that is not finite goes out as null and comes back as None.
"""

# No `from __future__ import annotations`: `parse` checks each value against its field's type.
import dataclasses
import json
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any, ClassVar, TypeVar

MAX_LINE_CHARS = 1_000_000  # a longer line is no event (a done line is a few KB); events are ASCII
MAX_COUNT = 2**31 - 1  # epochs, steps and a stage's counts: what a Qt progress bar can count
INTERVAL_S = 0.5  # at most one Step, and one count of a Stage, this often: the app redraws on each

_E = TypeVar("_E", bound="_Event")


@dataclass(frozen=True)
class _Event:
    name: ClassVar[str]  # the "event" value on the wire

    def fields(self) -> dict[str, Any]:
        """The JSON object's fields besides "event"."""
        return dataclasses.asdict(self)

    @classmethod
    def from_fields(cls: type[_E], obj: dict[str, Any]) -> _E | None:
        """The event these JSON fields describe, or None when one is missing or of the wrong type.
        Unknown fields are ignored: a newer worker may say more."""
        values = {}
        for f in dataclasses.fields(cls):
            if f.name in obj:
                try:
                    values[f.name] = _READERS[f.type](obj[f.name])
                except (TypeError, ValueError, OverflowError):
                    return None
            elif f.default is dataclasses.MISSING:
                return None
        return cls(**values)


@dataclass(frozen=True)
class Message(_Event):
    """An event that is a message for the user."""

    message: str


@dataclass(frozen=True)
class Device(Message):
    """What the training runs on (e.g. "GPU: ..." or "CPU"), said before the first epoch."""

    name = "device"


@dataclass(frozen=True)
class Stage(Message):
    """What the worker is doing outside the epochs (loading MNIST, reading and drawing UNIPEN's pen
    writing, exporting...), said as it begins; a long stage then says how far it is, `done` of
    `total`, at most every INTERVAL_S. `total` 0: not counted (yet)."""

    name = "stage"
    done: int = 0
    total: int = 0


@dataclass(frozen=True)
class Start(_Event):
    """Training begins: the planned epochs (early stopping may end sooner) and steps per epoch."""

    name = "start"
    epochs: int
    steps: int


@dataclass(frozen=True)
class _Progress(_Event):
    """Where the training is: epoch is 1-based; a metric is None when missing or not finite; eta_s
    is the seconds left if all epochs run (early stopping can only make it shorter)."""

    epoch: int
    epochs: int
    step: int
    steps: int
    loss: float | None = None
    accuracy: float | None = None
    val_loss: float | None = None
    val_accuracy: float | None = None
    eta_s: float | None = None


@dataclass(frozen=True)
class Step(_Progress):
    """Progress within an epoch, at most every half second; val_* are the last epoch's."""

    name = "step"


@dataclass(frozen=True)
class Epoch(_Progress):
    """An epoch has ended: its training and validation metrics, one point of the curves."""

    name = "epoch"


@dataclass(frozen=True)
class Warning(Message):  # shadows the builtin in this module only: callers write progress.Warning
    """Something the user should know that does not stop the training (e.g. skipped samples)."""

    name = "warning"


@dataclass(frozen=True)
class Error(Message):
    """The run failed; the message is the whole story. The worker then exits with code 2."""

    name = "error"


@dataclass(frozen=True)
class Interrupted(Message):
    """The run was stopped (Cancel, Ctrl+C) and wrote no model. The worker exits with code 130."""

    name = "interrupted"


@dataclass(frozen=True)
class Done(_Event):
    """The run has finished: its summary (the model card's facts), with "model", the new model's path."""

    name = "done"
    summary: dict[str, Any]

    def fields(self) -> dict[str, Any]:
        return dict(self.summary)

    @classmethod
    def from_fields(cls, obj: dict[str, Any]) -> "Done | None":
        summary = {key: value for key, value in obj.items() if key != "event"}
        return cls(summary) if isinstance(summary.get("model"), str) else None


Event = Device | Stage | Start | Step | Epoch | Warning | Error | Interrupted | Done
EVENTS: dict[str, type[Event]] = {
    cls.name: cls for cls in (Device, Stage, Start, Step, Epoch, Warning, Error, Interrupted, Done)
}


def emit(event: Event, stream: IO[str] | None = None) -> None:
    """Write the event as one JSON line (stdout by default) and flush, so the app sees it at once."""
    out = stream or sys.stdout
    out.write(json.dumps({"event": event.name, **_finite(event.fields())}) + "\n")
    out.flush()


def parse(line: str) -> Event | None:
    """The event on this line, or None when it is none (a library's own output, a cut or foreign
    line). Never raises: the app reads whatever the worker process happens to print."""
    if not isinstance(line, str) or len(line) > MAX_LINE_CHARS:
        return None
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError):  # not JSON; nested too deep
        return None
    name = obj.get("event") if isinstance(obj, dict) else None
    kind = EVENTS.get(name) if isinstance(name, str) else None
    return None if kind is None else kind.from_fields(obj)


def _finite(value: Any) -> Any:
    """The value with each non-finite float made None: JSON has no NaN or infinity."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


def _count(value: Any) -> int:
    if type(value) is not int or not 0 <= value <= MAX_COUNT:  # bool is no count
        raise ValueError(value)
    return value


def _metric(value: Any) -> float | None:
    if value is None:
        return None
    if type(value) not in (int, float):
        raise TypeError(value)
    number = float(value)
    return number if math.isfinite(number) else None


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(value)
    return value


# Keyed by a dataclass field's type (a real type here: this module has no postponed annotations).
_READERS: dict[object, Callable[[Any], object]] = {int: _count, float | None: _metric, str: _text}
