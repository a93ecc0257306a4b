"""Train the network on a GPU machine that has JAX but no TensorFlow, the training pipeline's way.

UNIPEN's raw files (72 MB) need not travel there, nor TensorFlow, so the work is split in three:

    .venv/bin/python -m handwriting_recognizer.training.on_jax render --unipen train_r01_v07 --out pen.npz
    KERAS_BACKEND=jax python -m handwriting_recognizer.training.on_jax train --data mnist.npz --pen pen.npz \
        --out run/ [the training options]
    ./dev train --data mnist.npz --unipen train_r01_v07 --init run/model.weights.h5 --epochs 0  # export

`render` builds the pen data exactly as `./dev train --unipen` does for the same seed (pen_data.build);
`train` runs training.train.train on it under Keras' JAX backend (one device) and writes the weights
of the best validation epoch and the history; `--epochs 0` then calibrates, exports, quantizes and
reports those weights on a machine with TensorFlow.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from handwriting_recognizer.core.atomic import write_bytes_atomic
from handwriting_recognizer.core.contract import MODEL_FILE, weights_for
from handwriting_recognizer.core.train_config import TrainConfig
from handwriting_recognizer.training import pen_data
from handwriting_recognizer.training.cli import build_parser, config_from

PEN_ARRAYS = ("train_x", "train_y", "val_x", "val_y")


def render(config: TrainConfig) -> None:
    """The pen data `./dev train` would build with the same --unipen, --seed and --limit, as one .npz
    (without --unipen: the scribbles it trains "not a digit" on)."""
    from handwriting_recognizer.training.pipeline import load_pen_data

    if config.out is None:
        raise SystemExit("render needs --out")
    pen = load_pen_data(config, None)
    np.savez_compressed(config.out, source=np.array(pen.source or ""), **{k: getattr(pen, k) for k in PEN_ARRAYS})
    print(f"{config.out}: {len(pen.train_y)} training and {len(pen.val_y)} validation images", file=sys.stderr)


def train(config: TrainConfig, pen_file: Path | None) -> None:
    """Train as the pipeline does, on rendered pen data; write the weights and the history to config.out."""
    from handwriting_recognizer.training.data import DatasetError, load_mnist
    from handwriting_recognizer.training.devices import DeviceError, plan_devices
    from handwriting_recognizer.training.train import TrainingError
    from handwriting_recognizer.training.train import train as fit

    if config.out is None or pen_file is None:
        raise SystemExit("train needs --pen and --out")
    start = time.monotonic()
    with np.load(pen_file) as arrays:
        pen = pen_data.PenData(**{name: arrays[name] for name in PEN_ARRAYS}, source=str(arrays["source"]) or None)
    config.out.mkdir(parents=True, exist_ok=True)
    try:
        plan = plan_devices(config.device)
        print(plan.description, file=sys.stderr)
        result = fit(load_mnist(config.data), config, plan, workdir=config.out, pen=pen)
    except (DatasetError, DeviceError, TrainingError) as exc:
        raise SystemExit(f"error: {exc}") from exc
    weights = weights_for(config.out / MODEL_FILE)
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
    write_bytes_atomic(config.out / "history.json", json.dumps(summary, indent=1).encode())
    print(json.dumps({k: v for k, v in summary.items() if k != "history"}), file=sys.stderr)


def main() -> None:
    parser = build_parser()  # the training CLI's options, checked the same way
    parser.description = __doc__
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("stage", choices=("render", "train"))
    parser.add_argument("--pen", type=Path, help="train: the pen data that render wrote")
    args = parser.parse_args()
    config = config_from(args)
    if args.stage == "render":
        render(config)
    else:
        train(config, args.pen)


if __name__ == "__main__":
    main()
