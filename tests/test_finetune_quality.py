"""Teaching works: a few samples of one writer's style the model misreads fix that style,
on held-out drawings, without costing MNIST accuracy."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from handwriting_recognizer.core.contract import weights_for
from handwriting_recognizer.core.drawing import Drawing
from handwriting_recognizer.core.preprocess import strokes_to_input
from handwriting_recognizer.core.recognizer import Recognizer
from handwriting_recognizer.core.samples import SampleStore
from tests import handmade

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def european_ones(count: int, seed: int) -> list[list[np.ndarray]]:
    """One writer's continental 1s: a flag as long as the stem is tall (MNIST has few), each a little different."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        strokes = handmade.european_one(
            scale=rng.uniform(0.6, 1.2), dx=rng.uniform(-60, 60), dy=rng.uniform(-40, 40), flag=rng.uniform(1.8, 2.3)
        )
        out.append([s + rng.normal(0, 1.2, s.shape) for s in strokes])
    return out


def read_as(recognizer: Recognizer, drawings) -> np.ndarray:
    x = np.stack([strokes_to_input(d, 12.0) for d in drawings])[..., None]
    return recognizer.predict_batch(x).argmax(1)


def test_fine_tuning_on_a_handful_of_samples_fixes_that_style(bundled_model, mnist_path, tmp_path):
    assert weights_for(bundled_model).exists(), "the bundled model ships its Keras weights for fine-tuning"
    base = Recognizer(bundled_model)
    held_out = european_ones(30, seed=100)
    before = float((read_as(base, held_out) == 1).mean())
    assert before < 0.5, f"the bundled model already reads this style ({before:.0%}): the test would prove nothing"

    store = SampleStore(tmp_path / "samples")
    for strokes in european_ones(15, seed=1):
        store.add(1, strokes_to_input(strokes, 12.0), Drawing(400, 400, tuple(strokes), 12.0))
    out = tmp_path / "run"
    width = base.info.metadata["recipe"]["width"]
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "handwriting_recognizer.training",
            "--data",
            str(mnist_path),
            "--init",
            str(weights_for(bundled_model)),
            "--width",
            str(width),
            "--samples",
            str(store.root),
            "--samples-weight",
            "10",
            "--epochs",
            "2",
            "--limit",
            "20000",
            "--compare",
            str(bundled_model),
            "--out",
            str(out),
            "--progress",
            "jsonl",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads(proc.stdout.splitlines()[-1])
    tuned = Recognizer(out / "model.onnx")
    after = float((read_as(tuned, held_out) == 1).mean())
    assert after >= 0.9, f"held-out continental 1s read as 1: {before:.0%} before, {after:.0%} after"
    mnist = summary["comparison"]["mnist_test"]
    assert mnist["new"] >= mnist["old"] - 0.003, f"MNIST test accuracy {mnist['old']:.2%} -> {mnist['new']:.2%}"
    own = summary["comparison"]["own_held_out"]
    assert own["images"] == 3 and own["new"] >= own["old"]
