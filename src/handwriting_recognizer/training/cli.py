"""`python -m training`: train, export to ONNX, check parity, write the model card.

Exit codes: 0 done, 2 bad input (dataset, device, arguments), 130 interrupted (no model written).
Every input is checked before TensorFlow loads (seconds) and training starts (minutes to hours):
the options, the output folder, the weights to start from, the model to compare with, the dataset
and the own samples. Each problem is one line saying what is wrong.

The options, their defaults and the values they accept are `core.train_config.TrainConfig`'s (the
retrain dialog reads the same); the arguments become one TrainConfig, which `pipeline.run` runs.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import Field, fields
from pathlib import Path
from typing import Any, NoReturn

from handwriting_recognizer.core import progress as events
from handwriting_recognizer.core.train_config import ConfigError, Limits, TrainConfig, flag, option
from handwriting_recognizer.core.worker import STOP_WITH_APP_ENV
from handwriting_recognizer.training.pipeline import UserFacingError, list_devices, run, say

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ info lines bury the progress

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)  # Ctrl+C, and the retrain dialog's Cancel

__all__ = ["EXIT_BAD_INPUT", "EXIT_INTERRUPTED", "UserFacingError", "config_from", "entry", "main", "parse_args"]


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (the app shows the worker's last lines) and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see --help)\n")


def _checked(limits: Limits) -> Callable[[str], int | float]:
    """An argparse type: a number `limits` accepts, else its one-line reason."""

    def parse(text: str) -> int | float:
        try:
            return limits.parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return parse


def _add_option(parser: argparse.ArgumentParser, f: Field[Any]) -> None:
    """TrainConfig's field `f` as an option: its flag, default, help and the values it accepts."""
    spec = option(f.name)
    shown = f"{f.default:g}" if isinstance(f.default, float) else f.default
    meaning = spec.meaning + ("" if f.default is None else f" (default {shown})")
    kwargs: dict[str, Any] = {"default": f.default, "help": argparse.SUPPRESS if spec.hidden else meaning}
    if spec.choices:
        kwargs["choices"] = list(spec.choices)
    elif spec.limits is not None:
        kwargs["type"] = _checked(spec.limits)
    elif spec.path:
        kwargs["type"] = Path
    parser.add_argument(flag(f.name), **kwargs)


def build_parser() -> argparse.ArgumentParser:
    """The options: one per TrainConfig field, and --list-devices."""
    parser = _Parser(
        prog="python -m training",
        description="Train the digit CNN on MNIST (plus your own samples) and export it to ONNX.",
    )
    for f in fields(TrainConfig):
        _add_option(parser, f)
    parser.add_argument("--list-devices", action="store_true", help="print the devices TensorFlow sees (JSON) and exit")
    return parser


def parse_args(argv: list[str] | None = None, parser: argparse.ArgumentParser | None = None) -> argparse.Namespace:
    """The arguments, checked by `parser` (build_parser's by default) and as one TrainConfig."""
    parser = parser or build_parser()
    args = parser.parse_args(argv)
    try:
        config_from(args)  # options that only go together (--epochs 0 needs --init)
    except ConfigError as exc:
        parser.error(str(exc))
    return args


def config_from(args: argparse.Namespace) -> TrainConfig:
    """The run's config from the parsed arguments (already checked by parse_args)."""
    return TrainConfig(**{f.name: getattr(args, f.name) for f in fields(TrainConfig)})


@contextlib.contextmanager
def _stop_signals_interrupt() -> Iterator[None]:
    """SIGTERM and SIGINT raise KeyboardInterrupt, so training stops cleanly wherever it is. Only the
    first: later ones are ignored, so that a second Cancel cannot break off the cleanup."""

    def interrupt(signum, frame):
        for sig in STOP_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, interrupt) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, signal.SIG_DFL if handler is None else handler)


def _stop_with_the_app() -> None:
    """A worker the app started ($STOP_WITH_APP_ENV) stops as its Cancel stops it once its standard
    input ends: the app holds it open while it lives, so a killed or crashed app leaves no worker
    writing on into a run folder its next start removes as abandoned."""

    def watch() -> None:
        # The file descriptor, not sys.stdin: a daemon thread blocked in a buffered read holds its
        # lock, and the interpreter aborts at exit (SIGABRT) when a stop ends the worker first.
        try:
            while os.read(0, 4096):
                pass
        except OSError:  # no standard input at all: nothing to watch
            return
        signal.raise_signal(signal.SIGTERM)

    threading.Thread(target=watch, name="stop-with-app", daemon=True).start()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    config = config_from(args)
    with _stop_signals_interrupt():
        try:
            if os.environ.get(STOP_WITH_APP_ENV) == "1":  # in the try: its stop may come at once
                _stop_with_the_app()
            if args.list_devices:
                list_devices()
            else:
                run(config)
            return 0
        except KeyboardInterrupt:
            say(config, events.Interrupted, "interrupted: stopped cleanly, no model written")
            return EXIT_INTERRUPTED
        except UserFacingError as exc:
            say(config, events.Error, f"error: {exc}")
            return EXIT_BAD_INPUT


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main())
