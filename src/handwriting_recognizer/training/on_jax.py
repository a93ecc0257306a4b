"""Train the network on a GPU machine that has JAX but no TensorFlow, the training pipeline's way.

UNIPEN's raw files (72 MB) need not travel there, nor TensorFlow, so the work is split in three:

    .venv/bin/python -m handwriting_recognizer.training.on_jax render --data mnist.npz --unipen train_r01_v07 \
        --out pen.npz
    KERAS_BACKEND=jax python -m handwriting_recognizer.training.on_jax train --data mnist.npz --pen pen.npz \
        --out run/ [the training options]
    ./dev train --data mnist.npz --unipen train_r01_v07 --init run/model.weights.h5 --epochs 0  # export

`render` builds the pen data exactly as `./dev train` does for the same --data, --unipen, --seed and
--limit (pipeline.load_pen_data);
`train` runs training.train.train on it under Keras' JAX backend (one device) and writes the weights
of the best validation epoch and the history; `--epochs 0` then calibrates, exports, quantizes and
reports those weights on a machine with TensorFlow.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from handwriting_recognizer.core.atomic import write_bytes_atomic
from handwriting_recognizer.core.contract import MODEL_FILE, weights_for
from handwriting_recognizer.core.train_config import TrainConfig, flag
from handwriting_recognizer.training import pen_data
from handwriting_recognizer.training.cli import EXIT_BAD_INPUT, EXIT_INTERRUPTED, build_parser, config_from, parse_args

PEN_ARRAYS = ("train_x", "train_y", "val_x", "val_y")
NOT_FOR_TRAIN = ("unipen", "samples", "compare")  # train reads the rendered --pen; no own samples, no comparison


class StageError(Exception):
    """A stage cannot go on; the message says why."""


def render(config: TrainConfig, out: Path) -> None:
    """The pen data `./dev train` would build with the same --data, --unipen, --seed and --limit, as
    one .npz (without --unipen: the scribbles it trains "not a digit" on)."""
    from handwriting_recognizer.training.data import DatasetError, load_mnist, resolve_source
    from handwriting_recognizer.training.pipeline import UserFacingError, load_pen_data

    try:
        mnist_images = len(load_mnist(config.data).y_train) if resolve_source(config.data) else None
        pen = load_pen_data(config, mnist_images)
    except (DatasetError, UserFacingError) as exc:
        raise StageError(str(exc)) from exc
    buffer = io.BytesIO()
    np.savez_compressed(buffer, source=np.array(pen.source or ""), **{k: getattr(pen, k) for k in PEN_ARRAYS})
    write_bytes_atomic(out, buffer.getvalue())
    print(f"{out}: {len(pen.train_y)} training and {len(pen.val_y)} validation images", file=sys.stderr)


def read_pen(path: Path) -> pen_data.PenData:
    """The pen data `render` wrote."""
    try:
        with np.load(path) as arrays:
            return pen_data.PenData(**{k: arrays[k] for k in PEN_ARRAYS}, source=str(arrays["source"]) or None)
    except (OSError, KeyError, ValueError) as exc:
        raise StageError(f"--pen {path}: not pen data that render wrote ({exc})") from exc


def train(config: TrainConfig, pen: pen_data.PenData, out: Path) -> None:
    """Train as the pipeline does, on rendered pen data; write the weights and the history to `out`."""
    from handwriting_recognizer.training.data import DatasetError, load_mnist
    from handwriting_recognizer.training.devices import DeviceError, plan_devices
    from handwriting_recognizer.training.train import TrainingError
    from handwriting_recognizer.training.train import train as fit

    start = time.monotonic()
    try:
        out.mkdir(parents=True, exist_ok=True)
        plan = plan_devices(config.device)
        print(plan.description, file=sys.stderr)
        result = fit(load_mnist(config.data), config, plan, workdir=out, pen=pen)
    except (DatasetError, DeviceError, TrainingError, OSError) as exc:
        raise StageError(str(exc)) from exc
    weights = weights_for(out / MODEL_FILE)
    staged = weights.with_name(".staging-" + weights.name)
    result.classifier.save_weights(staged)
    os.replace(staged, weights)
    summary = {
        "device": plan.description,
        "arguments": config.arguments(),
        "best_epoch": result.best_epoch,
        "val_accuracy": result.val_accuracy,
        "seconds": round(time.monotonic() - start, 1),
        "history": result.history,
    }
    write_bytes_atomic(out / "history.json", json.dumps(summary, indent=1).encode())
    print(json.dumps({k: v for k, v in summary.items() if k != "history"}), file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()  # the training CLI's options, checked the same way
    parser.description = __doc__
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("stage", choices=("render", "train"))
    parser.add_argument("--pen", type=Path, help="train: the pen data that render wrote")
    args = parse_args(argv, parser)
    config = config_from(args)
    if config.out is None:
        parser.error("name where to write with --out")
    try:
        if args.stage == "render":
            if config.out.suffix != ".npz":
                parser.error("render: --out names the .npz file to write")
            render(config, config.out)
            return 0
        given = [flag(name) for name in NOT_FOR_TRAIN if getattr(config, name) is not None]
        if args.pen is None or given or config.cpu_replicas != 1:
            refused = ", ".join([*map(flag, NOT_FOR_TRAIN), "--cpu-replicas"])
            parser.error(f"train takes --pen (the rendered pen data) and none of {refused}")
        train(config, read_pen(args.pen), config.out)
        return 0
    except StageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
