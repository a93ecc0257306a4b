"""A training run's stages, in order: check the inputs, load the data, plan the devices, load the own
samples, train, export to ONNX, compare, make the int8 copy, write the report, publish, say done.

Everything that can be refused is checked before TensorFlow loads (seconds) and training starts
(minutes to hours). This module imports no TensorFlow itself: each stage imports what it needs when
it runs, so an error found early does not wait for TensorFlow's import.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from handwriting_recognizer.core import progress as events
from handwriting_recognizer.core.atomic import sync_file, sync_folder
from handwriting_recognizer.core.contract import (
    CLASSES,
    FUSION_KEY,
    INPUT_NAME,
    INPUT_SHAPE,
    LABELS_KEY,
    MODEL_FILE,
    OUTPUT_NAME,
    PREPROCESSING,
    PREPROCESSING_KEY,
    UNSURE_BELOW_KEY,
    WEIGHTS_SOURCE_KEY,
    int8_path_for,
    strokes_path_for,
    to_model_input,
    weights_for,
)
from handwriting_recognizer.core.run_summary import SUMMARY_FILE, write_summary
from handwriting_recognizer.core.safe_io import FileRefused, read_regular_file
from handwriting_recognizer.core.train_config import MNIST_ENV, TrainConfig

if TYPE_CHECKING:
    import keras
    import numpy as np
    import onnx

    from handwriting_recognizer.core.recognizer import Recognizer
    from handwriting_recognizer.training.data import Mnist
    from handwriting_recognizer.training.devices import DevicePlan
    from handwriting_recognizer.training.pen_data import PenData
    from handwriting_recognizer.training.samples import OwnSamples
    from handwriting_recognizer.training.train import TrainResult

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"  # how a Keras .weights.h5 file begins


class UserFacingError(Exception):
    """An error whose message is the whole story (no traceback)."""


def say(config: TrainConfig, event: Callable[[str], events.Event], message: str) -> None:
    """One message: the `event` in jsonl mode, else a line on stderr.

    core.progress loads neither Keras nor TensorFlow: after a Cancel that broke off TensorFlow's
    import, importing it again fails, and an error found before TensorFlow loads should not wait for it.
    """
    if config.progress == "jsonl":
        events.emit(event(message))
    else:
        print(message, file=sys.stderr)


def stage(config: TrainConfig, message: str) -> Callable[[int, int], None]:
    """In jsonl mode, say that the stage `message` begins (a Stage event); return what tells how far
    it is, `done` of `total`: a Stage event at most every INTERVAL_S, as the training's steps are (a
    stage may count tens of thousands of drawings). For people, nothing: stderr stays for what went
    wrong (an error is its one line)."""
    jsonl = config.progress == "jsonl"
    if jsonl:
        events.emit(events.Stage(message))
    last = time.monotonic()

    def count(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if jsonl and now - last >= events.INTERVAL_S:
            last = now
            events.emit(events.Stage(message, done, total))

    return count


def list_devices() -> None:
    """Print what TensorFlow sees (JSON)."""
    from handwriting_recognizer.training.devices import describe_devices

    print(json.dumps(describe_devices()))


def run(config: TrainConfig) -> dict[str, object]:
    """The whole run: check the inputs, train into a staging folder inside the output folder,
    publish the results there, say done; return the summary."""
    compare = open_model_to_compare(config.compare) if config.compare else None
    if config.init:
        check_weights(config.init)
    out = config.out or Path("runs") / dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    staging = make_staging(out)
    try:
        summary = train_and_export(config, staging, compare)
        # The model the new one replaces: the one it is compared with (the app's current model), else
        # the one in --out. Its stroke model is kept where the pen data's writers can choose the fusion.
        summary["stroke_model"] = refit_stroke_model(config.compare or out / MODEL_FILE, staging, config)
        (out / SUMMARY_FILE).unlink(missing_ok=True)  # an earlier run's, in the same folder: not this model's
        publish(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    summary["model"] = str(out / MODEL_FILE)
    model = out / MODEL_FILE
    for path in (model, weights_for(model), int8_path_for(model), strokes_path_for(model)):
        if path.exists():
            sync_file(path)  # on disk before the summary that offers them (a power cut)
    sync_folder(out)
    write_summary(out, summary)  # last: a folder with a summary holds a whole run
    report_done(config, summary, out)
    return summary


# --- checks before any work ------------------------------------------------------------------------


def open_model_to_compare(path: Path) -> Recognizer:
    """The model to compare with, loaded and checked now rather than after the training: as the app
    runs it on the CPU (its int8 copy when it has a usable one), reading images only."""
    from handwriting_recognizer.core.recognizer import ModelError, Recognizer

    try:
        return Recognizer(path, use_gpu=False, strokes=False)
    except ModelError as exc:
        raise UserFacingError(f"--compare: {exc}") from exc


def check_weights(path: Path) -> None:
    """Refuse an --init file that is missing, a folder, a pipe, too big or no HDF5 file, before
    Keras would call it weights that do not fit."""
    from handwriting_recognizer.core.model_store import WEIGHTS_MAX_BYTES

    try:
        data = read_regular_file(path, WEIGHTS_MAX_BYTES, "weights file")
    except FileRefused as exc:
        raise UserFacingError(f"--init: {exc}") from exc
    if not data.startswith(HDF5_SIGNATURE):
        raise UserFacingError(f"--init: {path.name}: not a Keras weights file (model.weights.h5)")


def make_staging(out: Path) -> Path:
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


# --- the run ---------------------------------------------------------------------------------------


def train_and_export(config: TrainConfig, staging: Path, compare: Recognizer | None = None) -> dict[str, object]:
    """Load, train, export, check and report into `staging`; return the summary. `compare` is the
    model to compare the new one with, already loaded."""
    import numpy as np

    from handwriting_recognizer.training import report

    start = time.monotonic()
    mnist, own, pen, plan = load_inputs(config)
    say(config, events.Device, plan.description)
    result = train_classifier(config, mnist, own, pen, plan, staging)
    stage(config, "Calibrating and testing the new model")
    classifier, calibration = calibrated_classifier(result, config)
    weights = save_weights(classifier, staging)
    x_test = to_model_input(mnist.x_test)
    summary = {**describe_run(config, mnist, own, pen, result, classifier, plan), **calibration}
    probabilities = classifier.predict(x_test, batch_size=1000, verbose=0)
    summary["test_accuracy"] = round(float((probabilities.argmax(1) == mnist.y_test).mean()), 5)
    summary["seconds"] = round(time.monotonic() - start, 1)
    stage(config, "Exporting the new model to ONNX")
    proto = export_onnx(classifier, weights, x_test, summary)
    float_model = proto.SerializeToString()
    stage(config, "Making the new model's int8 copy")
    calibration_images = np.concatenate([mnist.x_train[:384], pen.train_x[:: max(1, len(pen.train_x) // 128)][:128]])
    int8_model = int8_copy(config, float_model, to_model_input(calibration_images), x_test, mnist.y_test, summary)
    if compare is not None:
        stage(config, "Comparing the new model with the current one")
        new_model, precision = (float_model, "float32") if int8_model is None else (int8_model, "int8")
        unsure_below = float(summary[UNSURE_BELOW_KEY])  # type: ignore[arg-type]  # calibration's float
        summary["comparison"] = compare_models(compare, new_model, precision, unsure_below, x_test, mnist.y_test, own)
    stage(config, "Writing the report")
    report.write_report(staging / "report", probabilities, mnist.x_test, mnist.y_test, result.history, summary)
    save_models(staging, float_model, int8_model)
    return summary


def load_inputs(config: TrainConfig) -> tuple[Mnist, OwnSamples | None, PenData, DevicePlan]:
    """The dataset, the own samples, the pen data and the device plan, fast errors first: the
    samples (quick to read), then a dataset named by --data or $HWR_MNIST, then UNIPEN named by
    --unipen or $HWR_UNIPEN, and TensorFlow last. Without a dataset named, Keras downloads MNIST
    (it needs TensorFlow) before the pen data is drawn: offline, the run fails in seconds, not after
    the drawing."""
    from handwriting_recognizer.training.data import DatasetError, DownloadError, load_mnist, resolve_source

    source = resolve_source(config.data)
    plan = None
    try:
        own = load_own_samples(config)
        if source is not None:
            stage(config, f"Loading MNIST ({Path(source).name})")
            mnist = load_mnist(config.data)
        else:
            plan = _load_tensorflow(config)
            stage(config, "Loading MNIST (downloaded once, then cached)")
            mnist = load_mnist(None)
        pen = load_pen_data(config, len(mnist.y_train))
    except DownloadError as exc:  # the retrain dialog (jsonl) says what to do in its own words
        hint = "" if config.progress == "jsonl" else f"; pass --data PATH or set {MNIST_ENV}"
        raise UserFacingError(f"{exc}{hint}") from exc
    except DatasetError as exc:
        raise UserFacingError(str(exc)) from exc
    return mnist, own, pen, plan if plan is not None else _load_tensorflow(config)


def _load_tensorflow(config: TrainConfig) -> DevicePlan:
    stage(config, "Loading TensorFlow")
    return plan_devices(config)


def load_pen_data(config: TrainConfig, mnist_images: int | None) -> PenData:
    """UNIPEN's digits, letters and symbols, rendered and augmented, when a copy is named; else
    scribbles only, so that the model still has its "not a digit" class."""
    from handwriting_recognizer.core.train_config import MNIST_TRAIN_IMAGES
    from handwriting_recognizer.training import pen_data
    from handwriting_recognizer.training.unipen import UnipenError, load_unipen

    root = pen_data.resolve_unipen(config.unipen)
    if root is None:
        images = min(config.limit or MNIST_TRAIN_IMAGES, mnist_images or MNIST_TRAIN_IMAGES)
        count = stage(config, 'Drawing scribbles for the "not a digit" class')
        return pen_data.scribbles_only(int(pen_data.SCRIBBLE_SHARE * images), config.seed, count)
    try:
        count = stage(config, "Reading UNIPEN's pen writing files")
        samples = load_unipen(root, (pen_data.DIGITS_CATEGORY, *pen_data.NEGATIVE_CATEGORIES), progress=count)
    except UnipenError as exc:
        raise UserFacingError(f"--unipen: {exc}") from exc
    count = stage(config, "Drawing UNIPEN's characters at 28x28, in varied copies")
    return pen_data.build(samples, config.seed, config.limit, count)


def load_own_samples(config: TrainConfig) -> OwnSamples | None:
    """The user's samples split into a training part and a held-out part, or None; says how many
    were skipped and why the first was."""
    if config.samples is None:
        return None
    from handwriting_recognizer.training.samples import load_own_samples as load

    own, skipped = load(config.samples)
    if skipped:
        say(
            config,
            events.Warning,
            f"skipped {len(skipped)} of your samples that cannot be used (the first: {skipped[0]})",
        )
    return own


def plan_devices(config: TrainConfig) -> DevicePlan:
    """The devices to train on (this loads TensorFlow). The run exports with TensorFlow, so it
    refuses another Keras backend before training rather than after."""
    import keras

    from handwriting_recognizer.training.devices import DeviceError, plan_devices

    if keras.backend.backend() != "tensorflow":
        raise UserFacingError(
            f"Keras' {keras.backend.backend()} backend cannot export to ONNX: train with "
            "`python -m handwriting_recognizer.training.on_jax train`, then export here with --init and --epochs 0"
        )
    try:
        return plan_devices(config.device, config.cpu_replicas)
    except DeviceError as exc:
        raise UserFacingError(str(exc)) from exc


def train_classifier(
    config: TrainConfig, mnist: Mnist, own: OwnSamples | None, pen: PenData, plan: DevicePlan, staging: Path
) -> TrainResult:
    """Train on MNIST, the pen data and the own samples' training part."""
    from handwriting_recognizer.training.train import TrainingError, train

    try:
        extra = (own.train_x, own.train_y) if own else None
        return train(mnist, config, plan, extra=extra, workdir=staging, pen=pen)
    except TrainingError as exc:
        raise UserFacingError(str(exc)) from exc


def calibrated_classifier(result: TrainResult, config: TrainConfig) -> tuple[keras.Model, dict[str, object]]:
    """The trained classifier in float32 with the validation set's temperature folded into its
    logits, and what calibration chose: the temperature, the unsure threshold and the trade-off."""
    from handwriting_recognizer.training import calibration, export

    classifier = export.float32_copy(result.classifier, config.width)
    x_val = to_model_input(result.x_val)
    probabilities = classifier.predict(x_val, batch_size=1000, verbose=0)
    temperature = calibration.fit_temperature(probabilities, result.y_val)
    logits = classifier.get_layer("logits")
    kernel, bias = logits.get_weights()
    logits.set_weights([kernel / temperature, bias / temperature])
    # What the folded model answers, without running it over the validation set again.
    scaled = calibration.scaled(probabilities, temperature)
    curve = calibration.tradeoff(calibration.Decisions.of(scaled), result.y_val)
    threshold = calibration.choose_threshold(curve)
    return classifier, {
        "temperature": round(temperature, 4),
        UNSURE_BELOW_KEY: threshold,
        "rejection_on_validation": curve,
    }


def save_weights(classifier: keras.Model, staging: Path) -> Path:
    """The classifier's weights saved in `staging`: what a later retraining fine-tunes."""
    weights = weights_for(staging / MODEL_FILE)
    classifier.save_weights(weights)
    return weights


def describe_run(
    config: TrainConfig,
    mnist: Mnist,
    own: OwnSamples | None,
    pen: PenData,
    result: TrainResult,
    classifier: keras.Model,
    plan: DevicePlan,
) -> dict[str, object]:
    """The summary (the model's metadata and the report) so far: what was trained on, and how."""
    from handwriting_recognizer.core.contract import NOT_A_DIGIT_CLASS

    own_count = len(own.train_y) if own else 0
    trained_pen = classifier.output_shape[-1] == len(CLASSES)  # a digits-only fine-tune drops it
    pen_count = len(pen.train_y) if trained_pen else 0
    return {
        LABELS_KEY: list(CLASSES[: classifier.output_shape[-1]]),  # a digits-only fine-tune keeps ten
        PREPROCESSING_KEY: PREPROCESSING,
        "val_accuracy": round(result.val_accuracy, 5),
        "training_data": {
            "source": mnist.source,
            "pen_data": pen.source if trained_pen else None,
            "pen_images": pen_count,
            "not_a_digit_images": int((pen.train_y == NOT_A_DIGIT_CLASS).sum()) if trained_pen else 0,
            "train_images": result.train_size - own_count - pen_count,
            "validation_images": result.val_size,
            "own_samples": own_count,
            "own_samples_held_out": len(own.held_y) if own else 0,
            "own_samples_skipped": own.skipped if own else 0,
            "own_samples_weight": config.samples_weight if own else None,
        },
        "epochs": len(result.history.get("loss", [])),
        "best_epoch": result.best_epoch,
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "parameters": int(classifier.count_params()),
        "device": plan.description if config.epochs else None,  # --epochs 0: trained elsewhere
        "recipe": {
            "batch_size": config.batch_size,
            "learning_rate": config.effective_learning_rate(),
            "seed": config.seed,
            "init": str(config.init) if config.init else None,
            "width": config.width,
            "elastic": config.elastic,
            "max_epochs": config.epochs,
        },
    }


def export_onnx(
    classifier: keras.Model, weights: Path, x_test: np.ndarray, summary: dict[str, object]
) -> onnx.ModelProto:
    """The ONNX model with the summary as metadata, checked against Keras (the parity goes into the
    summary). The model names its weights: weights left beside another model are told apart."""
    from handwriting_recognizer.training import export

    weights_hash = hashlib.sha256(weights.read_bytes()).hexdigest()
    proto = export.to_onnx(classifier, {**summary, WEIGHTS_SOURCE_KEY: weights_hash})
    try:
        summary["parity_max_abs_diff"] = export.check_parity(proto, classifier, x_test[:1000])
    except export.ExportError as exc:
        raise UserFacingError(str(exc)) from exc
    return proto


def compare_models(
    old: Recognizer,
    new_model: bytes,
    new_precision: str,
    new_unsure_below: float,
    x_test: np.ndarray,
    y_test: np.ndarray,
    own: OwnSamples | None,
) -> dict[str, object]:
    """Old and new model side by side on the MNIST test set and the held-out own samples, each as
    the app runs it on the CPU: `new_model` is the int8 copy where one was written, and `old` runs
    its own. MNIST counts the most likely digit (the accuracy a model names); the own samples count
    a sample right only when the app would show that digit, an Unsure or Not a digit counting as
    wrong, each model with its own unsure threshold for a picture (a sample read Unsure by the
    current model and right by the new one is what retraining is for). "own_held_out" says how the
    samples were held out ("held_out_every") when they took part, so that none held out can be
    explained."""
    import numpy as np
    import onnxruntime as ort

    from handwriting_recognizer.core.preprocess import is_blank
    from handwriting_recognizer.core.recognizer import ModelError, read
    from handwriting_recognizer.training.samples import HOLD_OUT_EVERY

    new_session = ort.InferenceSession(new_model, providers=["CPUExecutionProvider"])

    def new(x):
        return new_session.run([OUTPUT_NAME], {INPUT_NAME: x})[0]

    def accuracy(model, x, y) -> float | None:
        return None if len(y) == 0 else round(float((model(x).argmax(1) == y).mean()), 5)

    def shown_right(model, threshold: float, x, y) -> float | None:
        if len(y) == 0:
            return None
        shown = [read(p, is_blank(image[..., 0]), threshold).label for p, image in zip(model(x), x, strict=True)]
        return round(float(np.mean([label == truth for label, truth in zip(shown, y, strict=True)])), 5)

    held_x = np.zeros((0, *INPUT_SHAPE), np.float32) if not own else to_model_input(own.held_x)
    held_y = np.zeros(0) if not own else own.held_y
    try:
        return {
            "mnist_test": {
                "images": int(len(y_test)),
                "old": accuracy(old.predict_batch, x_test, y_test),
                "new": accuracy(new, x_test, y_test),
            },
            "own_held_out": {
                "images": int(len(held_y)),
                "old": shown_right(old.predict_batch, old.unsure_below(drawn=False), held_x, held_y),
                "new": shown_right(new, new_unsure_below, held_x, held_y),
                **({"held_out_every": HOLD_OUT_EVERY} if own is not None else {}),
            },
            "precision": {"old": old.info.precision, "new": new_precision},
        }
    except ModelError as exc:  # the old model answers these images with no probabilities
        raise UserFacingError(f"--compare: {exc}") from exc


def int8_copy(
    config: TrainConfig,
    float_model: bytes,
    calibration: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    summary: dict[str, object],
) -> bytes | None:
    """The int8 model for the CPU, or None (said why) when it would read digits differently."""
    from onnx import load_from_string

    from handwriting_recognizer.core.recognizer import INT8_EXPORT_FAILED
    from handwriting_recognizer.training import export

    try:
        quantized = export.quantize(float_model, calibration)
        check = export.compare_int8(quantized.SerializeToString(), float_model, x_test, y_test)
    except Exception as exc:  # an optional speed-up: the float model is the product
        say(config, events.Warning, f"{INT8_EXPORT_FAILED} ({str(exc).splitlines()[0][:200]})")
        return None
    summary["int8"] = check
    if check["agreement"] < export.MIN_INT8_AGREEMENT:
        say(
            config,
            events.Warning,
            f"no int8 model: it agrees with the float model on only {check['agreement']:.2%} of the test set",
        )
        return None
    # Its metadata reports its own test accuracy: the app shows the accuracy of what it runs.
    metadata: dict[str, Any] = {
        entry.key: json.loads(entry.value) for entry in load_from_string(float_model).metadata_props
    }
    export.add_metadata(
        quantized,
        {
            **metadata,
            "precision": "int8",
            "test_accuracy": check["test_accuracy"],
            "float_test_accuracy": summary["test_accuracy"],
        },
    )
    return quantized.SerializeToString()


def save_models(staging: Path, float_model: bytes, int8_model: bytes | None) -> None:
    """The models into `staging`, the float model last."""
    from handwriting_recognizer.training import export

    if int8_model is not None:
        export.save_atomic(int8_model, int8_path_for(staging / MODEL_FILE))
    export.save_atomic(float_model, staging / MODEL_FILE)


def refit_stroke_model(replaced: Path, staging: Path, config: TrainConfig) -> dict[str, object] | None:
    """The stroke model `replaced` is read with, made the staged model's (`stroke_model.refit`: the
    fusion chosen again on the pen data's validation writers), staged beside it; its fusion, or
    None when there is none to keep: no stroke model in use, no pen data to choose on, or a fusion
    that reads those writers no better than the new model alone."""
    from handwriting_recognizer.core.recognizer import ModelError, Recognizer

    try:
        fusion = Recognizer(replaced, use_gpu=False).info.fusion if replaced.is_file() else None
    except ModelError:
        return None  # a model that no longer loads had no stroke model the app used
    if fusion is None:
        return None
    from handwriting_recognizer.training import export, pen_data, stroke_model
    from handwriting_recognizer.training.unipen import UnipenError, load_unipen

    root = pen_data.resolve_unipen(config.unipen)
    if root is None:
        return None
    count = stage(config, "Fitting the stroke model to the new model on UNIPEN's validation writers")
    try:
        validation = load_unipen(
            root, (pen_data.DIGITS_CATEGORY, *pen_data.NEGATIVE_CATEGORIES), pen_data.VALIDATION_GROUPS, count
        )
    except UnipenError as exc:  # it was read for training a moment ago: keep the trained model
        say(config, events.Warning, f"the new model reads drawings without a stroke model: --unipen: {exc}")
        return None
    staged = staging / MODEL_FILE
    proto = stroke_model.refit(strokes_path_for(replaced), staged, validation)
    if proto is None:
        return None
    export.save_atomic(proto, strokes_path_for(staged))
    return next(json.loads(entry.value) for entry in proto.metadata_props if entry.key == FUSION_KEY)


# --- the results -----------------------------------------------------------------------------------


def publish(staging: Path, out: Path) -> None:
    """Move results into `out`, each by an atomic rename, the model last. An interruption leaves
    the old model; new weights beside it are told apart by the model's weights hash."""
    report = out / "report"
    report.mkdir(exist_ok=True)
    for f in (staging / "report").iterdir():
        os.replace(f, report / f.name)
    staged, model = staging / MODEL_FILE, out / MODEL_FILE
    os.replace(weights_for(staged), weights_for(model))
    for companion in (int8_path_for, strokes_path_for):  # the optional ones
        if companion(staged).exists():
            os.replace(companion(staged), companion(model))
        else:
            companion(model).unlink(missing_ok=True)  # made for the old model
    os.replace(staged, model)


def report_done(config: TrainConfig, summary: dict[str, object], out: Path) -> None:
    """The last word: the Done event with the summary, or a line for people."""
    if config.progress == "jsonl":
        events.emit(events.Done(summary))
    else:
        fusion = summary.get("stroke_model")
        strokes = f"with a stroke model, weight {fusion['weight']}" if isinstance(fusion, dict) else "no stroke model"
        print(
            f"test accuracy {summary['test_accuracy']:.4%} (validation {summary['val_accuracy']:.4%}); "
            f"wrote {out / MODEL_FILE} ({strokes}) in {summary['seconds']:.0f} s"
        )
