"""The CUDA provider beside the CPU, in one run: needs onnxruntime-gpu (the `gpu` extra) and an
NVIDIA GPU; elsewhere it says why CUDA did not open and stops.

    .venv/bin/python benchmarks/cuda.py --data mnist.npz [--model assets/model.onnx] [--runs 2000]

Opens the model as the app does, with CUDA (the float32 model) and on the CPU (its int8 copy, what
the app runs there, and the float32 model), and reports: how long each open took (the first CUDA
open includes CUDA's own start); whether CUDA gives the CPU's answers on MNIST's 10,000 test
digits (largest probability difference, readings that differ, share read right); and batch-1 and
batch-10 latency (a digit; a 10-character number's characters, read in one batch), side by side.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.latency import row, timings  # noqa: E402

from handwriting_recognizer.core.contract import to_model_input  # noqa: E402
from handwriting_recognizer.core.recognizer import CUDA, Recognizer  # noqa: E402
from handwriting_recognizer.training.data import load_mnist  # noqa: E402

BATCH = 500  # MNIST is read in batches of this many images
NUMBER = 10  # characters of a number, read in one batch


def opened(name: str, model: Path, **options: bool) -> tuple[Recognizer, str]:
    start = time.perf_counter()
    recognizer = Recognizer(model, **options)
    seconds = time.perf_counter() - start
    info = recognizer.info
    return recognizer, f"| {name} | {info.provider} | {info.precision} | {seconds:.3f} s |"


def answers(recognizer: Recognizer, images: np.ndarray) -> np.ndarray:
    return np.concatenate([recognizer.predict_batch(images[i : i + BATCH]) for i in range(0, len(images), BATCH)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "assets" / "model.onnx")
    parser.add_argument("--data", required=True, help="MNIST (.npz or IDX folder)")
    parser.add_argument("--runs", type=int, default=2000)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)

    print("| session | provider | precision | open |\n|---|---|---|---:|")
    cuda, line = opened("CUDA, first open in this process", args.model)
    print(line)
    if cuda.info.provider != CUDA:
        sys.exit("CUDA did not open (the log above says why): nothing to compare")
    print(opened("CUDA, opened again", args.model)[1])
    int8, line = opened("CPU, as the app runs it", args.model, use_gpu=False)
    print(line)
    float32, line = opened("CPU, float32", args.model, use_gpu=False, int8=False)
    print(line, flush=True)

    mnist = load_mnist(args.data)
    images = to_model_input(mnist.x_test)
    on_cuda, on_cpu, on_int8 = (answers(r, images) for r in (cuda, float32, int8))
    print("\n| MNIST test, 10,000 digits | CUDA | CPU float32 | CPU int8 |\n|---|---:|---:|---:|")
    print(
        "| read right (most likely class) | "
        + " | ".join(f"{np.mean(p.argmax(1) == mnist.y_test):.2%}" for p in (on_cuda, on_cpu, on_int8))
        + " |"
    )
    print(
        f"| readings that differ from CUDA's | | {np.sum(on_cpu.argmax(1) != on_cuda.argmax(1))} "
        f"| {np.sum(on_int8.argmax(1) != on_cuda.argmax(1))} |"
    )
    print(
        f"| largest probability difference from CUDA's | | {np.abs(on_cpu - on_cuda).max():.2e} "
        f"| {np.abs(on_int8 - on_cuda).max():.2e} |",
        flush=True,
    )

    digit, number = images[:1], images[:NUMBER]
    measured = {
        f"{name}, batch {len(x)}": timings(lambda r=recognizer, x=x: r.predict_batch(x), args.runs)
        for name, recognizer in (("CPU int8 (the app)", int8), ("CPU float32", float32), ("CUDA float32", cuda))
        for x in (digit, number)
    }
    base = statistics.median(next(iter(measured.values())))
    print("\n| what | median ms | p95 ms | vs the app on the CPU, batch 1 |\n|---|---|---|---|")
    for name, ms in measured.items():
        print(row(name, ms, base))


if __name__ == "__main__":
    main()
