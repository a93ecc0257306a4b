"""The training CLI end to end on small data: export, parity, metadata, progress, interrupts, devices."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest

from handwriting_recognizer.core.contract import CLASSES, NOT_A_DIGIT_CLASS, WEIGHTS_SOURCE_KEY
from handwriting_recognizer.core.preprocess import strokes_to_input
from handwriting_recognizer.core.recognizer import Recognizer
from handwriting_recognizer.selftest import DRAWINGS, PEN_WIDTH
from tests import handmade
from tests.fakes import fake_mnist

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def training(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "handwriting_recognizer.training", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        **kwargs,
    )


@pytest.fixture(scope="module")
def small_npz(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("data") / "small.npz"
    np.savez(path, **fake_mnist(n_train=1500, n_test=1000, seed=1))
    return path


@pytest.fixture(scope="module")
def short_run(small_npz, tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    (out / "model.strokes.onnx").write_bytes(b"the stroke model of the model trained here before")
    proc = training(
        "--data",
        str(small_npz),
        "--limit",
        "600",
        "--epochs",
        "2",
        "--batch-size",
        "64",
        "--out",
        str(out),
        "--progress",
        "jsonl",
        "--seed",
        "3",
    )
    return proc, out


def test_short_run_exports_a_model_the_app_accepts(short_run):
    proc, out = short_run
    assert proc.returncode == 0, proc.stderr[-3000:]
    recognizer = Recognizer(out / "model.onnx")  # validates the contract
    meta = recognizer.info.metadata
    for key in (
        "labels",
        "preprocessing",
        "test_accuracy",
        "val_accuracy",
        "training_data",
        "epochs",
        "date",
        "parameters",
    ):
        assert key in meta, key
    assert meta["labels"] == list(CLASSES)  # the digits and "not a digit"
    assert meta["training_data"]["train_images"] == 600
    # Without pen data, scribbles teach "not a digit"; calibration chose a temperature and a threshold.
    assert meta["training_data"]["pen_data"] is None and meta["training_data"]["not_a_digit_images"] > 0
    assert meta["temperature"] > 0 and 0 <= meta["unsure_below"] < 1
    assert recognizer.info.unsure_below == meta["unsure_below"]
    assert meta["epochs"] == 2
    model = onnx.load(out / "model.onnx")
    assert model.opset_import[0].version == 17
    assert [i.name for i in model.graph.input] == ["image"] and [o.name for o in model.graph.output] == [
        "probabilities"
    ]
    # An int8 copy is written only when it reads the test set like the float model; this model,
    # trained on noise, outputs near-uniform probabilities whose top class int8 rounding can flip.
    check = json.loads((out / "report" / "report.json").read_text())["int8"]
    if check["agreement"] >= 0.99:
        assert_faithful_int8_copy(out / "model.onnx")
    else:
        assert not (out / "model.int8.onnx").exists()
        assert "no int8 model: it agrees with the float model on only" in proc.stdout


def test_a_stroke_model_of_the_model_before_is_removed(short_run):
    """It was made for the model this run replaces: left there, it would travel with the new one."""
    _, out = short_run
    assert (out / "model.onnx").exists() and not (out / "model.strokes.onnx").exists()


def test_short_run_model_names_its_weights(short_run):
    """The weights written beside the model are told apart from any others by their hash."""
    _, out = short_run
    meta = {p.key: json.loads(p.value) for p in onnx.load(out / "model.onnx").metadata_props}
    assert meta[WEIGHTS_SOURCE_KEY] == hashlib.sha256((out / "model.weights.h5").read_bytes()).hexdigest()


def assert_faithful_int8_copy(model: Path) -> None:
    """The int8 copy beside `model` names it as its source, so the app's CPU path runs the copy."""
    int8 = {p.key: json.loads(p.value) for p in onnx.load(model.with_suffix(".int8.onnx")).metadata_props}
    assert int8["float_model_sha256"] == hashlib.sha256(model.read_bytes()).hexdigest()
    float_meta = {p.key: json.loads(p.value) for p in onnx.load(model).metadata_props}
    assert int8["precision"] == "int8" and int8["labels"] == float_meta["labels"]
    assert int8["float_test_accuracy"] == float_meta["test_accuracy"]
    assert Recognizer(model, use_gpu=False).info.precision == "int8"


def test_quantization_keeps_what_the_model_reads(bundled_model, tmp_path):
    from handwriting_recognizer.training import export

    # Drawings the float model reads surely: a flag as long as 60 % of the stem (european_one's
    # default) makes a 1 a near coin-toss with a 7 (0.52 for 1), which int8 rounding may flip.
    drawings = [
        handmade.zero(),
        handmade.one(),
        handmade.seven(),
        handmade.crossed_seven(),
        handmade.european_one(flag=0.5),
    ]
    drawings += [strokes for _, strokes in DRAWINGS.values()]
    images = np.stack([strokes_to_input(strokes, PEN_WIDTH) for strokes in drawings])[..., None]
    float_model = bundled_model.read_bytes()
    quantized = export.quantize(float_model, images)
    check = export.compare_int8(quantized.SerializeToString(), float_model, images, np.array([0, 1, 7, 7, 1, 0, 1, 7]))
    assert check["agreement"] == 1.0 and check["test_accuracy"] == 1.0 and check["max_abs_diff"] < 0.05
    # Every convolution runs on int8 weights but the one over the grey channel (faster in float).
    float_weights = {i.name for i in quantized.graph.initializer if i.data_type == onnx.TensorProto.FLOAT}
    convs = [node for node in quantized.graph.node if node.op_type == "Conv"]
    assert [node.input[1] in float_weights for node in convs] == [True] + [False] * (len(convs) - 1)
    (tmp_path / "model.onnx").write_bytes(float_model)
    export.add_metadata(
        quantized, {"labels": [str(i) for i in range(10)], "precision": "int8", "float_test_accuracy": 0.99}
    )
    export.save_atomic(quantized, tmp_path / "model.int8.onnx")
    recognizer = Recognizer(tmp_path / "model.onnx", use_gpu=False)
    assert recognizer.info.precision == "int8"
    assert [int(recognizer.predict(x).argmax()) for x in images[..., 0]] == [0, 1, 7, 7, 1, 0, 1, 7]


def test_short_run_writes_the_report_with_parity(short_run):
    proc, out = short_run
    report = json.loads((out / "report" / "report.json").read_text())
    assert report["parity_max_abs_diff"] <= 1e-4
    assert len(report["per_class_accuracy"]) == 10
    assert np.array(report["confusion_matrix"]).sum() == 1000
    card = (out / "report" / "MODEL_CARD.md").read_text()
    assert "MNIST test accuracy" in card
    # How to make it again (--seed 3, --epochs 2; no pen data) and what each unsure threshold costs.
    assert "Reproduce: `./dev train --data MNIST.npz --epochs 2 --seed 3`" in card
    assert f"| {report['unsure_below']:.2f} (chosen) |" in card
    for png in ("confusion_matrix.png", "curves.png", "misclassified.png"):
        assert (out / "report" / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", png
    assert not [p for p in out.iterdir() if p.name.startswith(".staging")]


def test_the_card_of_a_fine_tune_names_the_weights_it_started_from():
    from handwriting_recognizer.core.paths import bundled_model_path
    from handwriting_recognizer.training.report import model_card

    report = json.loads((bundled_model_path().parent / "report" / "report.json").read_text())
    init = "/home/me/models/mnist_only.weights.h5"
    report["recipe"] = {**report["recipe"], "init": init, "max_epochs": 12, "seed": 3}
    report["training_data"] = {**report["training_data"], "pen_data": "UNIPEN train_r01_v07"}
    card = model_card(report)
    command = "./dev train --data MNIST.npz --unipen train_r01_v07 --init mnist_only.weights.h5 --epochs 12 --seed 3"
    assert f"Reproduce: `{command}`" in card


def test_epochs_0_exports_the_init_weights_without_training(short_run, small_npz, tmp_path):
    """Weights trained elsewhere (under JAX, say) become a model, calibrated and reported, unchanged."""
    _, first = short_run
    args = ("--data", str(small_npz), "--limit", "600", "--seed", "3", "--out", str(tmp_path))
    proc = training(*args, "--init", str(first / "model.weights.h5"), "--epochs", "0", "--progress", "jsonl")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert not [json.loads(line) for line in proc.stdout.splitlines() if '"epoch"' in line]
    x = fake_mnist(n_train=1500, n_test=1000, seed=1)["x_test"].astype(np.float32)[..., None] / 255
    before, after = (Recognizer(out / "model.onnx", use_gpu=False, int8=False) for out in (first, tmp_path))
    assert (before.predict_batch(x).argmax(1) == after.predict_batch(x).argmax(1)).all()
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    assert report["epochs"] == 0 and report["recipe"]["max_epochs"] == 0
    assert report["best_epoch"] is None and report["device"] is None  # where they were trained is unknown here
    card = (tmp_path / "report" / "MODEL_CARD.md").read_text()
    assert "no training in this run: the --init weights, exported as they are" in card
    assert "from weights trained elsewhere (model.weights.h5)" in card and "none trained on in this run" in card
    assert "curves.png" not in card and "Trained " not in card
    assert "--init model.weights.h5 --epochs 0" in card


def test_epochs_0_without_init_weights_is_refused(small_npz, tmp_path):
    proc = training("--data", str(small_npz), "--epochs", "0", "--out", str(tmp_path / "out"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "--epochs 0 exports the --init weights without training: name them with --init" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_the_jax_backend_trains_weights_that_tensorflow_exports(small_npz, tmp_path):
    """training.on_jax: render the pen data, train under KERAS_BACKEND=jax, export with --epochs 0."""
    script = [sys.executable, "-m", "handwriting_recognizer.training.on_jax"]
    common = ["--data", str(small_npz), "--limit", "400", "--seed", "2"]
    pen, run = tmp_path / "pen.npz", tmp_path / "run"

    def step(*args: str, **env: str) -> None:
        proc = subprocess.run(
            [*script, *args], cwd=ROOT, capture_output=True, text=True, timeout=600, env={**os.environ, **env}
        )
        assert proc.returncode == 0, proc.stderr[-3000:]

    step("render", *common, "--out", str(pen))
    step(
        "train",
        *common,
        "--pen",
        str(pen),
        "--epochs",
        "2",
        "--batch-size",
        "64",
        "--out",
        str(run),
        KERAS_BACKEND="jax",
    )
    history = json.loads((run / "history.json").read_text())
    assert history["device"].startswith("training on CPU with JAX") and len(history["history"]["loss"]) == 2
    proc = training(*common, "--init", str(run / "model.weights.h5"), "--epochs", "0", "--out", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads((tmp_path / "out" / "report" / "report.json").read_text())
    assert report["labels"] == list(CLASSES) and report["val_accuracy"] == pytest.approx(
        history["val_accuracy"], abs=0.02
    )


def test_another_keras_backend_is_refused_before_training(small_npz, tmp_path):
    """The CLI exports with TensorFlow: under KERAS_BACKEND=jax it says where to train instead."""
    out = tmp_path / "out"
    proc = training(
        "--data", str(small_npz), "--limit", "200", "--out", str(out), env={**os.environ, "KERAS_BACKEND": "jax"}
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert "jax backend cannot export to ONNX" in proc.stderr and "on_jax train" in proc.stderr
    assert not (out / "model.onnx").exists() and not (out / "model.weights.h5").exists()


@pytest.mark.parametrize(
    "args, expected",
    [
        (["train", "--out", "run"], "train takes --pen (the rendered pen data)"),
        (["train", "--pen", "pen.npz", "--out", "run", "--samples", "mine"], "none of --unipen, --samples"),
        (["render", "--out", "pen"], "render: --out names the .npz file to write"),
        (["train", "--pen", "pen.npz", "--out", "run", "--epochs", "0"], "--epochs 0 exports the --init weights"),
    ],
)
def test_the_jax_stages_refuse_what_they_cannot_do_in_one_line(capsys, args, expected):
    from handwriting_recognizer.training import on_jax

    with pytest.raises(SystemExit) as stopped:
        on_jax.main(args)
    lines = capsys.readouterr().err.strip().splitlines()
    assert stopped.value.code == 2 and expected in lines[-1]


def test_pen_data_that_render_did_not_write_is_one_line(capsys, tmp_path):
    from handwriting_recognizer.training import on_jax

    (tmp_path / "pen.npz").write_bytes(b"not an npz")
    assert on_jax.main(["train", "--pen", str(tmp_path / "pen.npz"), "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert "not pen data that render wrote" in err and "Traceback" not in err
    assert not (tmp_path / "run").exists()


def test_batches_reshuffle_every_epoch_and_keep_weights_with_their_images():
    """The JAX backend's batches: every image once an epoch (the last batch short), a new order
    each epoch, each weight and label with its own image, inputs scaled as the model takes them."""
    from handwriting_recognizer.training.train import Batches

    x = np.arange(10, dtype=np.uint8)[:, None, None] * np.ones((1, 28, 28), np.uint8)
    y, w = np.arange(10), np.arange(10, dtype=np.float32) / 10
    batches = Batches(x, y, w, batch=4, seed=0, shuffle=True)
    orders = []
    for _ in range(3):
        seen = [batches[i] for i in range(len(batches))]
        assert len(batches) == 3 and [len(b[1]) for b in seen] == [4, 4, 2]
        for images, labels, weights in seen:
            assert images.shape[1:] == (28, 28, 1) and images.dtype == np.float32
            assert np.allclose(images[:, 0, 0, 0] * 255, labels) and np.allclose(weights * 10, labels)
        order = np.concatenate([b[1] for b in seen])
        assert sorted(order) == list(range(10))
        orders.append(tuple(order))
        batches.on_epoch_end()
    assert len(set(orders)) == 3
    plain = Batches(x, y, None, batch=4, seed=0, shuffle=False)
    assert list(np.concatenate([plain[i][1] for i in range(len(plain))])) == list(range(10))
    assert len(plain[0]) == 2


def test_the_input_pipelines_have_no_autotune_thread_to_wait_for():
    """tf.data's autotuning runs a model thread that an iterator waits for when it is destroyed, up
    to its optimization period (which doubles to 60 s): a cancelled worker took 9.6-77 s to exit on
    2 busy cores, and the retrain dialog killed it at 15 s. The pipelines still batch and scale."""
    from handwriting_recognizer.training.train import _dataset

    x, y = np.full((10, 28, 28), 255, np.uint8), np.arange(10)
    for shuffle in (True, False):
        ds = _dataset(x, y, None, batch=4, seed=0, shuffle=shuffle)
        assert ds.options().autotune.enabled is False
        batches = list(ds.as_numpy_iterator())
        assert [len(b[1]) for b in batches] == [4, 4, 2]
        assert np.all(np.concatenate([b[0] for b in batches]) == 1.0)
        assert sorted(np.concatenate([b[1] for b in batches])) == list(range(10))


def test_jsonl_progress_lines_parse(short_run):
    proc, _ = short_run
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    kinds = [e["event"] for e in events if e["event"] != "stage"]  # stages: what it does besides training
    assert kinds[0] == "device" and kinds[1] == "start" and kinds[-1] == "done"
    epochs = [e for e in events if e["event"] == "epoch"]
    assert [e["epoch"] for e in epochs] == [1, 2]
    for e in epochs:
        for key in ("epoch", "step", "steps", "loss", "accuracy", "val_loss", "val_accuracy", "eta_s"):
            assert e[key] is not None, key
    assert epochs[-1]["eta_s"] == 0
    done = events[-1]
    assert 0 <= done["test_accuracy"] <= 1 and done["model"].endswith("model.onnx")


@pytest.mark.parametrize("stop", ["sigterm", "app gone"])
def test_a_stopped_worker_stops_cleanly_without_a_model(tmp_path, stop):
    """SIGTERM (the retrain dialog's Cancel), or its standard input ending: the app holds it open,
    and a worker that outlived its killed app wrote on into a run folder that the app's next start,
    seeing no live app claiming it, was removing (QA pass under Xvfb)."""
    from handwriting_recognizer.core.worker import STOP_WITH_APP_ENV

    big = tmp_path / "big.npz"
    np.savez(big, **fake_mnist(n_train=20000, n_test=100, seed=2))
    out = tmp_path / "out"
    command = ["--data", str(big), "--epochs", "20", "--out", str(out), "--progress", "jsonl"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "handwriting_recognizer.training", *command],
        cwd=ROOT,
        env={**os.environ, STOP_WITH_APP_ENV: "1"},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        for line in proc.stdout:
            if json.loads(line)["event"] == "step":
                break
        if stop == "sigterm":
            proc.send_signal(signal.SIGTERM)
        else:
            proc.stdin.close()  # the app is gone
        rest = proc.stdout.read()
        proc.wait(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert json.loads(rest.splitlines()[-1])["event"] == "interrupted"
    assert list(out.iterdir()) == []


def test_mirrored_strategy_on_two_logical_cpus(small_npz, tmp_path):
    proc = training(
        "--data",
        str(small_npz),
        "--limit",
        "256",
        "--epochs",
        "1",
        "--batch-size",
        "32",
        "--cpu-replicas",
        "2",
        "--out",
        str(tmp_path),
        "--progress",
        "jsonl",
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    device = next(e for e in map(json.loads, proc.stdout.splitlines()) if e["event"] == "device")  # after the stages
    assert "MirroredStrategy" in device["message"] and "2 replicas" in device["message"]
    assert (tmp_path / "model.onnx").exists()


def test_help_lists_the_options():
    proc = training("--help")
    for option in ("--data", "--epochs", "--batch-size", "--out", "--seed", "--device", "--limit", "--progress"):
        assert option in proc.stdout


def test_gpu_request_without_a_gpu_is_a_clear_error(small_npz, tmp_path):
    if os.environ.get("CUDA_VISIBLE_DEVICES", None) is None and Path("/dev/nvidia0").exists():
        pytest.skip("this machine has a GPU")
    proc = training("--data", str(small_npz), "--device", "gpu", "--out", str(tmp_path))
    assert proc.returncode == 2 and "no GPU" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("int8", [False, True], ids=["float32", "int8"])
def test_shipped_model_scores_on_the_real_test_set(bundled_model, mnist, int8):
    recognizer = Recognizer(bundled_model, use_gpu=False, int8=int8)
    assert recognizer.info.precision == ("int8" if int8 else "float32")
    x = mnist["x_test"].astype(np.float32)[..., None] / 255.0
    probs = np.concatenate([recognizer.predict_batch(x[i : i + 1000]) for i in range(0, len(x), 1000)])
    answers, labels = probs.argmax(1), mnist["y_test"]
    accuracy = float((answers == labels).mean())
    # Measured: 99.37 %, both copies; 28 test digits read as not a digit, 35 misread (as many as the
    # MNIST-only model that shipped before, 99.65 %). Issue #11's target, 99.6 %, is the test below.
    assert accuracy >= 0.993, f"MNIST test accuracy {accuracy:.4%}"
    assert float(((answers != labels) & (answers != NOT_A_DIGIT_CLASS)).mean()) <= 0.0036, "digits misread"
    assert recognizer.info.metadata["test_accuracy"] == pytest.approx(accuracy, abs=1e-4)


@pytest.mark.xfail(strict=True, reason="#11: the shipped model reads 99.37 % of MNIST's test set (target 99.6 %)")
def test_shipped_model_meets_the_mnist_target(bundled_model, mnist):
    recognizer = Recognizer(bundled_model, use_gpu=False)
    probs = recognizer.predict_batch(mnist["x_test"].astype(np.float32)[..., None] / 255.0)
    assert float((probs.argmax(1) == mnist["y_test"]).mean()) >= 0.996


def test_weights_of_a_digits_only_model_grow_a_not_a_digit_class(tmp_path):
    """A model from before "not a digit" (ten outputs) fine-tunes into one with it: every digit
    reads as before until training teaches the new class, which starts out unlikely."""
    from handwriting_recognizer.core.train_config import TrainConfig
    from handwriting_recognizer.training.model import build_classifier
    from handwriting_recognizer.training.train import _load_init

    old = build_classifier(width=4, classes=10)
    rng = np.random.default_rng(0)
    # Random kernels (BatchNorm's statistics stay valid: its parameters are the 1-D ones).
    old.set_weights([w + rng.normal(0, 0.3, w.shape).astype(np.float32) * (w.ndim > 1) for w in old.get_weights()])
    path = tmp_path / "old.weights.h5"
    old.save_weights(path)
    grown = build_classifier(width=4)
    _load_init(grown, TrainConfig(init=path, width=4))
    x = np.stack([strokes_to_input(strokes, PEN_WIDTH) for _, strokes in DRAWINGS.values()])[..., None]
    before, after = old.predict(x, verbose=0), grown.predict(x, verbose=0)
    assert after.shape == (len(x), len(CLASSES)) and (after[:, -1] < 0.01).all()
    np.testing.assert_allclose(after[:, :-1] / after[:, :-1].sum(axis=1, keepdims=True), before, atol=1e-5)


def test_a_digits_only_model_keeps_ten_classes_unless_real_pen_writing_teaches_the_eleventh(tmp_path):
    """Scribbles alone teach "not a digit" too crudely for a fine-tune (MNIST digits get rejected):
    fine-tuning a ten-output model grows the class only with real pen writing."""
    from handwriting_recognizer.core.train_config import TrainConfig
    from handwriting_recognizer.training.model import build_classifier
    from handwriting_recognizer.training.pen_data import PenData
    from handwriting_recognizer.training.train import _classes

    digits_only, eleven = tmp_path / "ten.weights.h5", tmp_path / "eleven.weights.h5"
    build_classifier(width=4, classes=10).save_weights(digits_only)
    build_classifier(width=4).save_weights(eleven)
    empty = np.zeros((0, 28, 28), np.uint8), np.zeros(0, np.int64)
    scribbles, unipen = PenData(*empty, *empty, None), PenData(*empty, *empty, "UNIPEN")
    assert _classes(TrainConfig(width=4), scribbles) == len(CLASSES)  # from scratch
    assert _classes(TrainConfig(width=4, init=digits_only), scribbles) == 10
    assert _classes(TrainConfig(width=4, init=digits_only), unipen) == len(CLASSES)
    assert _classes(TrainConfig(width=4, init=eleven), scribbles) == len(CLASSES)
