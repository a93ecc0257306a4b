"""Every option of a training run: its default, its meaning and the values it accepts, in one place.

The training CLI builds its argparse options from these fields (flags, defaults, help, checks), the
retrain dialog its form (defaults, choices, the ranges its spin boxes offer) and the command line it
starts the worker with, and the training code reads the run's settings from a `TrainConfig`. Pure
Python (no Qt, no TensorFlow, no arrays): both sides import it.

A `TrainConfig` is checked when it is made (`validate`): one that exists holds usable values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

MIN_WIDTH = 2  # the first stage of the network has width // 2 channels
MAX_SEED = 2**32 - 1  # numpy's seeds are 32-bit
MNIST_TRAIN_IMAGES = 60_000
LEARNING_RATE_FROM_SCRATCH = 2e-3
LEARNING_RATE_FINE_TUNE = 3e-4  # with --init: a gentler start keeps what the weights know
MNIST_ENV = "HWR_MNIST"  # names a local MNIST copy when --data does not
MNIST_DOWNLOAD_FAILED = "MNIST could not be downloaded"  # how a failed download begins: the retrain dialog advises
UNIPEN_ENV = "HWR_UNIPEN"  # names a copy of UNIPEN train_r01_v07 when --unipen does not


class ConfigError(ValueError):
    """An option's value is not one it accepts; the message names the option and says why."""


@dataclass(frozen=True)
class Limits:
    """The numbers an option accepts: `minimum` (excluded if `above_minimum`) up to `maximum`;
    `whole` numbers only, or finite ones (NaN would train nothing and be noticed only at the end)."""

    minimum: float
    maximum: float | None = None
    whole: bool = True
    above_minimum: bool = False

    def parse(self, text: str) -> int | float:
        """The value `text` spells; ValueError with a one-line reason when it is not accepted."""
        try:
            value: int | float = int(text) if self.whole else float(text)
        except ValueError:
            raise ValueError(f"expected a {'whole number' if self.whole else 'number'}, got {text!r}") from None
        problem = self.problem(value, shown=text)
        if problem is not None:
            raise ValueError(problem)
        return value

    def problem(self, value: object, shown: str | None = None) -> str | None:
        """None when `value` is accepted, else why not ("must be at least 1, got 0"); `shown` is how
        the value was written, if it was."""
        if isinstance(value, bool) or not isinstance(value, int if self.whole else (int, float)):
            return f"expected a {'whole number' if self.whole else 'number'}, got {value!r}"
        shown = str(value) if shown is None else shown
        if isinstance(value, int) and self.whole:
            if value < self.minimum or (self.maximum is not None and value > self.maximum):
                return f"must be {self._bounds()}, got {shown}"
            return None
        try:
            number = float(value)
        except OverflowError:  # an int too big for a float
            number = math.inf
        low = number < self.minimum or (self.above_minimum and number == self.minimum)
        if not math.isfinite(number) or low or (self.maximum is not None and number > self.maximum):
            return f"must be a finite number {self._bounds()}, got {shown}"
        return None

    def _bounds(self) -> str:
        low, high = _shown(self.minimum), None if self.maximum is None else _shown(self.maximum)
        if high is not None:
            return f"from {low} to {high}"
        if self.whole:
            return f"at least {low}"
        return f"above {low}" if self.above_minimum else f"of at least {low}"


@dataclass(frozen=True)
class Option:
    """What an interface needs to know of one option besides its name and default."""

    meaning: str  # one line, the --help text (the CLI adds the default)
    limits: Limits | None = None  # a number: the values accepted
    choices: tuple[str, ...] = ()  # a word: the values accepted
    path: bool = False  # a file or folder
    offered: tuple[float, float] | None = None  # the range a form offers (within `limits`)
    hidden: bool = False  # for the tests: not in --help, not in a form


def _option(default: Any, meaning: str, **details: Any) -> Any:
    return field(default=default, metadata={"option": Option(meaning, **details)})


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a training run; the recipe part is recorded in the model card."""

    data: str | None = _option(
        None,
        "MNIST as a Keras-layout .npz or a folder of IDX files (gz or raw); "
        f"default: ${MNIST_ENV}, else keras.datasets.mnist.load_data() (downloads once)",
    )
    unipen: str | None = _option(
        None,
        "a copy of UNIPEN train_r01_v07 (the folder holding data/ and include/): real pen digits, letters "
        f"and symbols to train on as well; default: ${UNIPEN_ENV}, else MNIST and synthetic scribbles only",
    )
    epochs: int = _option(
        40,
        "maximum epochs; early stopping may end sooner; 0: export the --init weights without training",
        limits=Limits(0),
        offered=(1, 200),
    )
    batch_size: int = _option(128, "per-replica batch size", limits=Limits(1))
    out: Path | None = _option(None, "output folder for model.onnx and report/ (default runs/<time>)", path=True)
    seed: int = _option(0, "seed for the split, shuffling, augmentation and init", limits=Limits(0, MAX_SEED))
    device: str = _option("auto", "auto uses the GPU when TensorFlow sees one", choices=("auto", "cpu", "gpu"))
    limit: int | None = _option(
        None,
        "train on the first N training images only (quick runs)",
        limits=Limits(1),
        offered=(1, MNIST_TRAIN_IMAGES),
    )
    progress: str = _option("bar", "bar for people, jsonl for programs", choices=("bar", "jsonl"))
    samples: Path | None = _option(None, "folder of your own labelled samples to train on as well", path=True)
    samples_weight: float = _option(
        5.0, "loss weight of each own sample", limits=Limits(0, whole=False), offered=(0.5, 100.0)
    )
    init: Path | None = _option(None, "start from these weights (model.weights.h5) instead of from scratch", path=True)
    width: int = _option(40, "channels of the middle stage; the CNN's size", limits=Limits(MIN_WIDTH))
    elastic: float = _option(
        0.8, "strength of the elastic distortion in training, in pixels; 0: none", limits=Limits(0, whole=False)
    )
    learning_rate: float | None = _option(
        None,
        f"initial learning rate (default {LEARNING_RATE_FROM_SCRATCH:g}; {LEARNING_RATE_FINE_TUNE:g} with --init)",
        limits=Limits(0, whole=False, above_minimum=True),
    )
    compare: Path | None = _option(
        None, "an ONNX model to compare the new one with (test set and held-out own samples)", path=True
    )
    cpu_replicas: int = _option(
        1, "split the CPU into this many MirroredStrategy replicas", limits=Limits(1), hidden=True
    )

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """ConfigError naming the first option whose value is not accepted."""
        for f in fields(self):
            value, spec = getattr(self, f.name), option(f.name)
            if value is None and f.default is None:
                continue
            problem = None
            if spec.limits is not None:
                problem = spec.limits.problem(value)
            elif spec.choices and value not in spec.choices:
                problem = f"must be one of {', '.join(spec.choices)}, got {value!r}"
            if problem is not None:
                raise ConfigError(f"{flag(f.name)}: {problem}")
        if self.epochs == 0 and self.init is None:
            raise ConfigError("--epochs 0 exports the --init weights without training: name them with --init")

    def effective_learning_rate(self) -> float:
        """`learning_rate`, else the default for how the run starts (gentler from --init weights)."""
        if self.learning_rate is not None:
            return self.learning_rate
        return LEARNING_RATE_FINE_TUNE if self.init is not None else LEARNING_RATE_FROM_SCRATCH

    def arguments(self) -> list[str]:
        """The training CLI's arguments for this config: the options that differ from their default,
        as `--flag=value` (a value may begin with a dash)."""
        return [f"{flag(f.name)}={getattr(self, f.name)}" for f in fields(self) if getattr(self, f.name) != f.default]


def option(name: str) -> Option:
    """The meaning and accepted values of TrainConfig's field `name`."""
    return _OPTIONS[name]


def offered(name: str) -> tuple[float, float]:
    """The range a form offers for TrainConfig's field `name` (ValueError if it offers none)."""
    spec = option(name)
    if spec.offered is None:
        raise ValueError(f"{name}: no range is offered to forms")
    return spec.offered


def flag(name: str) -> str:
    """The command-line flag of TrainConfig's field `name` (batch_size: --batch-size)."""
    return "--" + name.replace("_", "-")


def _shown(number: float) -> str:
    return f"{number:g}" if isinstance(number, float) else str(number)


_OPTIONS: dict[str, Option] = {f.name: f.metadata["option"] for f in fields(TrainConfig)}
