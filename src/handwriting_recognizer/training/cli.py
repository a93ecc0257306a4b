"""`python -m training`: train, export to ONNX, check parity, write the model card.

Exit codes: 0 done, 2 bad input (dataset, device, arguments), 130 interrupted (no model written).
Every input is checked before TensorFlow loads (seconds) and training starts (minutes to hours):
the options, the output folder, the weights to start from, the model to compare with, the dataset
and the own samples. Each problem is one line saying what is wrong.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import math
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from handwriting_recognizer.core import progress as events
from handwriting_recognizer.core.safe_io import FileRefused, read_regular_file

if TYPE_CHECKING:
    from handwriting_recognizer.core.recognizer import Recognizer

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's C++ info lines bury the progress

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)  # Ctrl+C, and the retrain dialog's Cancel
MIN_WIDTH = 2  # the first stage of the network has width // 2 channels
MAX_SEED = 2**32 - 1  # numpy's seeds are 32-bit
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"  # how a Keras .weights.h5 file begins


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (the app shows the worker's last lines) and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see --help)\n")


def _whole_number(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """An argparse type: an integer in minimum..maximum."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum or (maximum is not None and value > maximum):
            bounds = f"at least {minimum}" if maximum is None else f"from {minimum} to {maximum}"
            raise argparse.ArgumentTypeError(f"must be {bounds}, got {value}")
        return value
    return parse


def _finite_number(positive: bool) -> Callable[[str], float]:
    """An argparse type: a finite float above 0 (`positive`) or at least 0. NaN would train
    nothing and be noticed only at the end."""
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if not math.isfinite(value) or value < 0 or (positive and value == 0):
            raise argparse.ArgumentTypeError(f"must be a finite number {'above' if positive else 'of at least'} 0, got {text}")
        return value
    return parse


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = _Parser(
        prog="python -m training",
        description="Train the digit CNN on MNIST (plus your own samples) and export it to ONNX.",
    )
    p.add_argument("--data", help="MNIST as a Keras-layout .npz or a folder of IDX files (gz or raw); "
                   "default: $HWR_MNIST, else keras.datasets.mnist.load_data() (downloads once)")
    p.add_argument("--epochs", type=_whole_number(1), default=40,
                   help="maximum epochs; early stopping may end sooner (default 40)")
    p.add_argument("--batch-size", type=_whole_number(1), default=128, help="per-replica batch size (default 128)")
    p.add_argument("--out", type=Path, help="output folder for model.onnx and report/ (default runs/<time>)")
    p.add_argument("--seed", type=_whole_number(0, MAX_SEED), default=0,
                   help="seed for the split, shuffling, augmentation and init")
    p.add_argument("--device", choices=["auto", "cpu", "gpu"], default="auto", help="auto uses the GPU when TensorFlow sees one")
    p.add_argument("--limit", type=_whole_number(1), help="train on the first N training images only (quick runs)")
    p.add_argument("--progress", choices=["bar", "jsonl"], default="bar", help="bar for people, jsonl for programs")
    p.add_argument("--samples", type=Path, help="folder of your own labelled samples to train on as well")
    p.add_argument("--samples-weight", type=_finite_number(positive=False), default=5.0,
                   help="loss weight of each own sample (default 5)")
    p.add_argument("--init", type=Path, help="start from these weights (model.weights.h5) instead of from scratch")
    p.add_argument("--width", type=_whole_number(MIN_WIDTH), default=40,
                   help="channels of the middle stage; the CNN's size (default 40)")
    p.add_argument("--elastic", type=_finite_number(positive=False), default=0.8,
                   help="strength of the elastic distortion in training, in pixels (0: none; default 0.8)")
    p.add_argument("--learning-rate", type=_finite_number(positive=True),
                   help="initial learning rate (default 2e-3; 3e-4 with --init)")
    p.add_argument("--compare", type=Path, help="an ONNX model to compare the new one with (test set and held-out own samples)")
    p.add_argument("--list-devices", action="store_true", help="print the devices TensorFlow sees (JSON) and exit")
    p.add_argument("--cpu-replicas", type=_whole_number(1), default=1, help=argparse.SUPPRESS)
    return p.parse_args(argv)


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


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with _stop_signals_interrupt():
        try:
            return _main(args)
        except KeyboardInterrupt:
            _say(args, events.Interrupted, "interrupted: stopped cleanly, no model written")
            return EXIT_INTERRUPTED
        except UserFacingError as exc:
            _say(args, events.Error, f"error: {exc}")
            return EXIT_BAD_INPUT


def _main(args: argparse.Namespace) -> int:
    if args.list_devices:
        from handwriting_recognizer.training.devices import describe_devices

        print(json.dumps(describe_devices()))
        return 0
    compare = _open_model_to_compare(args.compare) if args.compare else None
    if args.init:
        _check_weights(args.init)
    out = args.out or Path("runs") / dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    staging = _make_staging(out)
    try:
        summary = run(args, staging, compare)
        _publish(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    summary["model"] = str(out / "model.onnx")
    if args.progress == "jsonl":
        events.emit(events.Done(summary))
    else:
        print(f"test accuracy {summary['test_accuracy']:.4%} (validation {summary['val_accuracy']:.4%}); "
              f"wrote {out / 'model.onnx'} in {summary['seconds']:.0f} s")
    return 0


class UserFacingError(Exception):
    """An error whose message is the whole story (no traceback)."""


def _say(args: argparse.Namespace, event: type[events.Message], message: str) -> None:
    """One message: the `event` in jsonl mode, else a line on stderr.

    progress_events loads neither Keras nor TensorFlow: after a Cancel that broke off TensorFlow's
    import, importing it again fails, and an error found before TensorFlow loads should not wait for it.
    """
    if args.progress == "jsonl":
        events.emit(event(message))
    else:
        print(message, file=sys.stderr)


def _open_model_to_compare(path: Path) -> Recognizer:
    """The model to compare with, loaded and checked now rather than after the training."""
    from handwriting_recognizer.core.recognizer import ModelError, Recognizer

    try:
        return Recognizer(path, use_gpu=False, int8=False)
    except ModelError as exc:
        raise UserFacingError(f"--compare: {exc}") from exc


def _check_weights(path: Path) -> None:
    """Refuse an --init file that is missing, a folder, a pipe, too big or no HDF5 file, before
    Keras would call it weights that do not fit."""
    from handwriting_recognizer.core.model_store import WEIGHTS_MAX_BYTES

    try:
        data = read_regular_file(path, WEIGHTS_MAX_BYTES, "weights file")
    except FileRefused as exc:
        raise UserFacingError(f"--init: {exc}") from exc
    if not data.startswith(HDF5_SIGNATURE):
        raise UserFacingError(f"--init: {path.name}: not a Keras weights file (model.weights.h5)")


def _make_staging(out: Path) -> Path:
    """The staging folder, made inside `out` (created if need be): proof that `out` is writable
    before any work."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(dir=out, prefix=".staging-"))
    except OSError as exc:
        blocker = next((p for p in (out, *out.parents) if p.exists() and not p.is_dir()), None)
        if blocker == out:
            raise UserFacingError(f"--out {out}: is a file, not a folder") from exc
        if blocker is not None:
            raise UserFacingError(f"--out {out}: {blocker} is a file, not a folder") from exc
        raise UserFacingError(f"--out {out}: cannot write there ({exc.strerror or exc})") from exc


def _publish(staging: Path, out: Path) -> None:
    """Move results into `out`, each by an atomic rename, the model last. An interruption leaves
    the old model; new weights beside it are told apart by the model's weights hash."""
    report = out / "report"
    report.mkdir(exist_ok=True)
    for f in (staging / "report").iterdir():
        os.replace(f, report / f.name)
    os.replace(staging / "model.weights.h5", out / "model.weights.h5")
    if (staging / "model.int8.onnx").exists():
        os.replace(staging / "model.int8.onnx", out / "model.int8.onnx")
    else:
        (out / "model.int8.onnx").unlink(missing_ok=True)
    os.replace(staging / "model.onnx", out / "model.onnx")


def run(args: argparse.Namespace, staging: Path, compare: Recognizer | None = None) -> dict[str, object]:
    """Load, train, export, check and report into `staging`; return the summary. `compare` is the
    model to compare the new one with, already loaded."""
    from handwriting_recognizer.training.data import DatasetError, load_mnist, resolve_source

    start = time.monotonic()
    explicit = resolve_source(args.data) is not None
    try:
        # Before TensorFlow loads: fast errors (the samples first: they are quicker to read).
        own = _load_own_samples(args)
        mnist = load_mnist(args.data) if explicit else None
        from handwriting_recognizer.training.devices import DeviceError, plan_devices

        try:
            plan = plan_devices(args.device, args.cpu_replicas)
        except DeviceError as exc:
            raise UserFacingError(str(exc)) from exc
        if mnist is None:
            mnist = load_mnist(None)
    except DatasetError as exc:
        raise UserFacingError(str(exc)) from exc
    _say(args, events.Device, plan.description)

    from handwriting_recognizer.core.recognizer import WEIGHTS_SOURCE_KEY
    from handwriting_recognizer.core.preprocess import PREPROCESSING
    from handwriting_recognizer.training import export
    from handwriting_recognizer.training import report
    from handwriting_recognizer.training.data import to_model_input
    from handwriting_recognizer.training.train import TrainConfig, TrainingError, train

    learning_rate = args.learning_rate or (3e-4 if args.init else 2e-3)
    config = TrainConfig(
        epochs=args.epochs,
        batch_size=args.batch_size,
        learning_rate=learning_rate,
        seed=args.seed,
        width=args.width,
        elastic=args.elastic,
        limit=args.limit,
        progress=args.progress,
        extra_x=own["train_x"] if own else None,
        extra_y=own["train_y"] if own else None,
        extra_weight=args.samples_weight,
        init_weights=args.init,
    )
    try:
        result = train(mnist, config, plan, workdir=staging)
    except TrainingError as exc:
        raise UserFacingError(str(exc)) from exc
    classifier = export.float32_copy(result.classifier, config.width)
    weights = staging / "model.weights.h5"
    classifier.save_weights(weights)

    x_test = to_model_input(mnist.x_test)
    summary: dict[str, object] = {
        "labels": [str(i) for i in range(10)],
        "preprocessing": PREPROCESSING,
        "val_accuracy": round(result.val_accuracy, 5),
        "training_data": {
            "source": mnist.source,
            "train_images": result.train_size - (len(own["train_y"]) if own else 0),
            "validation_images": result.val_size,
            "own_samples": len(own["train_y"]) if own else 0,
            "own_samples_held_out": len(own["held_y"]) if own else 0,
            "own_samples_skipped": own["skipped"] if own else 0,
            "own_samples_weight": args.samples_weight if own else None,
        },
        "epochs": len(result.history["loss"]),
        "best_epoch": result.best_epoch,
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "parameters": int(classifier.count_params()),
        "device": plan.description,
        "recipe": {"batch_size": args.batch_size, "learning_rate": learning_rate, "seed": args.seed,
                   "init": str(args.init) if args.init else None, "width": config.width,
                   "elastic": config.elastic},
    }
    probabilities = classifier.predict(x_test, batch_size=1000, verbose=0)
    summary["test_accuracy"] = round(float((probabilities.argmax(1) == mnist.y_test).mean()), 5)
    summary["seconds"] = round(time.monotonic() - start, 1)
    # The model names its weights: weights left beside another model are told apart.
    proto = export.to_onnx(classifier, {**summary, WEIGHTS_SOURCE_KEY: hashlib.sha256(weights.read_bytes()).hexdigest()})
    try:
        summary["parity_max_abs_diff"] = export.check_parity(proto, classifier, x_test[:1000])
    except export.ExportError as exc:
        raise UserFacingError(str(exc)) from exc
    if compare is not None:
        summary["comparison"] = _compare(compare, proto, x_test, mnist.y_test, own)
    float_model = proto.SerializeToString()
    int8_model = _int8_copy(args, float_model, to_model_input(mnist.x_train[:512]), x_test, mnist.y_test, summary)
    report.write_report(staging / "report", probabilities, mnist.x_test, mnist.y_test, result.history, summary)
    if int8_model is not None:
        export.save_atomic(int8_model, staging / "model.int8.onnx")
    export.save_atomic(float_model, staging / "model.onnx")
    return summary


def _int8_copy(args, float_model: bytes, calibration, x_test, y_test, summary: dict[str, object]) -> bytes | None:
    """The int8 model for the CPU, or None (said why) when it would read digits differently."""
    from onnx import load_from_string

    from handwriting_recognizer.core.recognizer import INT8_EXPORT_FAILED
    from handwriting_recognizer.training import export

    def onnx_metadata(model: bytes):
        return load_from_string(model).metadata_props

    try:
        quantized = export.quantize(float_model, calibration)
        check = export.compare_int8(quantized.SerializeToString(), float_model, x_test, y_test)
    except Exception as exc:  # an optional speed-up: the float model is the product
        _say(args, events.Warning, f"{INT8_EXPORT_FAILED} ({str(exc).splitlines()[0][:200]})")
        return None
    summary["int8"] = check
    if check["agreement"] < export.MIN_INT8_AGREEMENT:
        _say(args, events.Warning, f"no int8 model: it agrees with the float model on only {check['agreement']:.2%} of the test set")
        return None
    # Its metadata reports its own test accuracy: the app shows the accuracy of what it runs.
    metadata = {entry.key: json.loads(entry.value) for entry in onnx_metadata(float_model)}
    export.add_metadata(quantized, {**metadata, "precision": "int8", "test_accuracy": check["test_accuracy"],
                                    "float_test_accuracy": summary["test_accuracy"]})
    return quantized.SerializeToString()


def _load_own_samples(args: argparse.Namespace) -> dict[str, object] | None:
    """The user's samples split into a training part and a held-out part, or None; says how many
    were skipped and why the first was."""
    if args.samples is None:
        return None
    from handwriting_recognizer.training.samples import load_samples, split_held_out

    x, y, skipped = load_samples(args.samples)
    if skipped:
        _say(args, events.Warning, f"skipped {len(skipped)} of your samples that cannot be used (the first: {skipped[0]})")
    train_x, train_y, held_x, held_y = split_held_out(x, y)
    return {"train_x": train_x, "train_y": train_y, "held_x": held_x, "held_y": held_y, "skipped": len(skipped)}


def _compare(old: Recognizer, new_proto, x_test, y_test, own) -> dict[str, object]:
    """Old and new model side by side on the MNIST test set and the held-out own samples."""
    import numpy as np
    import onnxruntime as ort

    from handwriting_recognizer.core.recognizer import ModelError

    new_session = ort.InferenceSession(new_proto.SerializeToString(), providers=["CPUExecutionProvider"])

    def new(x):
        return new_session.run(["probabilities"], {"image": x})[0]

    def accuracy(model, x, y) -> float | None:
        return None if len(y) == 0 else round(float((model(x).argmax(1) == y).mean()), 5)

    held_x = np.zeros((0, 28, 28, 1), np.float32) if not own else own["held_x"].astype(np.float32)[..., None] / 255.0
    held_y = np.zeros(0) if not own else own["held_y"]
    try:
        return {
            "mnist_test": {"images": int(len(y_test)), "old": accuracy(old.predict_batch, x_test, y_test),
                           "new": accuracy(new, x_test, y_test)},
            "own_held_out": {"images": int(len(held_y)), "old": accuracy(old.predict_batch, held_x, held_y),
                             "new": accuracy(new, held_x, held_y)},
        }
    except ModelError as exc:  # the old model answers these images with no probabilities
        raise UserFacingError(f"--compare: {exc}") from exc


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main())
