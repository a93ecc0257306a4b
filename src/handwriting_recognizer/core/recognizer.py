"""The recognizer: an ONNX model in onnxruntime, checked against the contract (core/contract.py) when loaded.

Contract: input `image` float32 [N,28,28,1] (0..1, ink = 1), output `probabilities` float32 [N,11]
(the digits, "not a digit"; [N,10] from a model that knows only the digits).
CUDA is used when onnxruntime offers it and a CUDA session passes the contract check; otherwise the
CPU, tuned for batch-1 latency (one thread, sequential, all graph optimisations). On the CPU, the
model's int8 copy (`model.int8.onnx`, written by training) runs instead when it was made from this
exact file. A drawing is also read from its pen path by the model's stroke model
(`model.strokes.onnx`, training/stroke_model.py) when one was made for this exact file, on the CPU
(it is tiny), and the two answers are fused (`contract.fuse`); a picture has no pen path, and a
missing, stale or broken stroke model (one that fails its check on load) leaves the image model to
read alone (logged). One that passes and fails later fails the reading, as the image model would.

A model is a file a user may pick, so loading refuses, with a ModelError that says why: a file over
its byte budget or not a regular file (read without blocking), a model that refers to data outside
its file (external data), a model that takes longer than CHECK_SECONDS to read an input, and one
whose outputs are not probabilities for a blank input and for a drawn "7". Of its metadata only the
preprocessing version is checked: a model made for another version than this app's preprocessing
is refused (one that does not say is accepted). The rest is description: whatever it holds, the
model loads, and unusable entries are left out. A stroke model's metadata is checked more: the
image model it belongs to, its pen-path version and its fusion. A model that passes the check may still loop for
other inputs: every prediction is stopped after PREDICT_SECONDS.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import logging
import re
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import onnxruntime as ort

from handwriting_recognizer.core.contract import (
    CLASSES,
    FUSION_KEY,
    IMAGE_MODEL_KEY,
    INPUT_NAME,
    INPUT_SHAPE,
    INT8_SOURCE_KEY,
    LABELS,
    LABELS_KEY,
    NOT_A_DIGIT_CLASS,
    OUTPUT_NAME,
    PREPROCESSING_KEY,
    PREPROCESSING_VERSION,
    TRAJECTORY_KEY,
    TRAJECTORY_NAME,
    TRAJECTORY_SHAPE,
    TRAJECTORY_VERSION,
    UNSURE_BELOW_KEY,
    fuse,
    int8_path_for,
    strokes_path_for,
)
from handwriting_recognizer.core.onnx_nodes import NotAModelEncoding, count_nodes
from handwriting_recognizer.core.preprocess import Strokes, empty_input, is_blank, strokes_to_input
from handwriting_recognizer.core.safe_io import KB, MB, FileRefused, describe_size, exists, read_regular_file
from handwriting_recognizer.core.trajectory import trajectory

log = logging.getLogger(__name__)

CUDA = "CUDAExecutionProvider"
CPU = "CPUExecutionProvider"
INT8_EXPORT_FAILED = "no int8 model: quantization failed"  # what training says when it cannot quantize

MODEL_MAX_BYTES = 64 * MB  # a model file or its int8 copy (the shipped model: 0.8 MB)
# Operations a model may have, in all its graphs: opening one takes time in proportion (a chain of a
# million took 72 s), before any watchdog. The shipped image model has 24, its int8 copy 51.
MODEL_MAX_NODES = 5_000
# The memory onnxruntime may take for the runs of every model a process opens on the CPU (a batch's
# activations and what the model computes; weights are held to MODEL_MAX_BYTES by the file's budget),
# where `limit_model_memory` is called: a run that asks for more fails, instead of taking the
# machine's memory and keeping it (a crafted 35 KB model asked for 3 GB at each run). The shipped
# models read a batch of 128 characters in 87 MB of the process' memory; the largest batch the app
# reads (64 pieces in runs of up to 4) is 189.
MODEL_MEMORY_BYTES = 256 * MB
_MEMORY_LIMITED = "session.use_env_allocators"  # a session takes its memory from the process' shared arena
CHECK_SECONDS = 2.0  # one run of the contract check (the shipped model: about 1 ms)
CUDA_WARMUP_SECONDS = 60.0  # a CUDA session's first run: cuDNN/cuBLAS setup, algorithm search (reported: 1-12 s)
PREDICT_SECONDS = 2.0  # one prediction (the shipped model: about 0.1 ms); a longer one is stopped
PREDICT_SECONDS_PER_IMAGE = 0.01  # and this much more for each image of a batch (100x the shipped model's)
WATCHDOG_POLL_SECONDS = 0.05  # how late, at most, the watchdog stops a run past its budget
WATCHDOG_THREAD_NAME = "hwr-model-watchdog"
PROBABILITY_TOLERANCE = 1e-3  # how far a softmax output may stray from 0..1 and a sum of 1
METADATA_MAX_ENTRIES = 100  # a model with more has its metadata ignored (training writes about 12)
METADATA_VALUE_MAX_CHARS = 16 * KB  # a longer key or value is ignored (the longest shipped: ~300)
METADATA_MAX_DEPTH = 8  # JSON nested deeper is ignored (training writes depth 2)
LABEL_MAX_CHARS = 16  # a class name: "7", or "not a digit" (11)
TEXT_MAX_CHARS = 200  # `date` and `device`: shown on one line
COUNT_MAX = 10**9  # `parameters` and `epochs`: more is not a model this app trains
# Where onnxruntime looks for external data of a model loaded from bytes (else: the current folder).
EXTERNAL_DATA_FOLDER_KEY = "session.model_external_initializers_file_folder_path"
# Constant folding runs a model's constant parts while its session is made, where no watchdog
# reaches (a crafted 16 MB model took 37 s to open); left to the runs, that work is stopped by the
# contract check's budget. The shipped models run as fast without it and open in half the time.
LOAD_TIME_OPTIMIZERS_OFF = ("ConstantFolding",)
OUTPUT_WIDTHS = (len(CLASSES), len(LABELS))  # a model answers with "not a digit", or only the digits
SINGLE_SHAPES = tuple((1, width) for width in OUTPUT_WIDTHS)
UNSURE_BELOW = 0.5  # the shown digit's least probability, for a model that does not say its own
CHECK_STROKES = [np.array([(0.0, 0.0), (10.0, 0.0), (4.0, 14.0)])]  # a "7": the contract check draws it
FUSION_WEIGHT_MAX = 10.0  # a stroke model weighing more than this would drown the image model
FUSION_TEMPERATURE_RANGE = (0.1, 100.0)  # training chooses 1-3


class ModelError(Exception):
    """The model file cannot be used; the message says why in words."""


def parse_metadata(raw: Mapping[str, str]) -> dict[str, object]:
    """Each metadata entry's JSON value (its text when it is not JSON).

    Metadata is description, so it never stops a model from loading: entries over the budget, JSON
    nested too deep, and numbers no float can hold (a 5000-digit integer, NaN) are left out, and a
    model with too many entries has none read.
    """
    if len(raw) > METADATA_MAX_ENTRIES:
        return {}
    parsed: dict[str, object] = {}
    for key, text in raw.items():
        if max(len(key), len(text)) > METADATA_VALUE_MAX_CHARS:
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            value = text  # plain text, as other tools write it
        except (ValueError, RecursionError):
            continue  # an integer too long to convert, or nesting too deep for the parser
        if _plain(value, METADATA_MAX_DEPTH):
            parsed[key] = value
    return parsed


def _plain(value: object, depth: int) -> bool:
    """True for JSON the app can show: numbers a float can hold, nested at most `depth` deep."""
    if isinstance(value, (list, dict)):
        items = value.values() if isinstance(value, dict) else value
        return depth > 0 and all(_plain(item, depth - 1) for item in items)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return abs(value) <= sys.float_info.max  # False for NaN, infinities and huge integers
    return True  # str, bool, None


def _fraction(value: object) -> float | None:
    """An accuracy: a number in [0, 1] (NaN fails the comparison)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1:
        return float(value)
    return None


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


def _count(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= COUNT_MAX:
        return value
    return None


def _text(value: object, max_chars: int) -> str | None:
    return value if isinstance(value, str) and 0 < len(value) <= max_chars else None


def _labels(value: object) -> tuple[str, ...]:
    if isinstance(value, list) and len(value) in OUTPUT_WIDTHS:
        labels = [text for label in value if (text := _text(label, LABEL_MAX_CHARS)) is not None]
        if len(labels) == len(value):
            return tuple(labels)
    return LABELS


@dataclass(frozen=True)
class Fusion:
    """How a stroke model's answer joins the image model's (`contract.fuse`), and below which
    probability a fused reading's digit is shown as unsure, as its metadata says."""

    weight: float
    temperature: float
    unsure_below: float


def _fusion(value: object) -> Fusion | None:
    """A stroke model's FUSION_KEY entry, or None when it is not a usable weight, temperature and threshold."""
    if not isinstance(value, dict):
        return None
    weight, temperature = _number(value.get("weight")), _number(value.get("temperature"))
    threshold = _fraction(value.get(UNSURE_BELOW_KEY))
    low, high = FUSION_TEMPERATURE_RANGE
    if weight is None or temperature is None or threshold is None:
        return None
    if not (0 <= weight <= FUSION_WEIGHT_MAX and low <= temperature <= high):
        return None  # NaN fails the comparisons too
    return Fusion(weight, temperature, threshold)


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class ModelInfo:
    """What the app shows about a model. The typed fields are checked (None when the model does not
    say, or says something unusable); `metadata` holds every readable entry, as plain JSON values.
    All are text or numbers, never markup: a window shows them escaped."""

    path: Path
    provider: str
    precision: str = "float32"  # "int8" when what runs is a quantized copy (its own or one opened directly)
    labels: tuple[str, ...] = LABELS
    test_accuracy: float | None = None
    val_accuracy: float | None = None
    parameters: int | None = None
    epochs: int | None = None
    date: str | None = None
    device: str | None = None
    unsure_below: float = UNSURE_BELOW
    metadata: dict[str, object] = field(default_factory=dict)
    fusion: Fusion | None = None  # a stroke model reads drawings too (None: the image model alone)

    @property
    def name(self) -> str:
        return self.path.name

    @classmethod
    def from_metadata(cls, path: Path, provider: str, precision: str, raw: Mapping[str, str]) -> ModelInfo:
        """The info for a model whose metadata map is `raw`; never fails, whatever `raw` holds."""
        meta = parse_metadata(raw)
        return cls(
            path,
            provider,
            precision,
            labels=_labels(meta.get(LABELS_KEY)),
            test_accuracy=_fraction(meta.get("test_accuracy")),
            val_accuracy=_fraction(meta.get("val_accuracy")),
            parameters=_count(meta.get("parameters")),
            epochs=_count(meta.get("epochs")),
            date=_text(meta.get("date"), TEXT_MAX_CHARS),
            device=_text(meta.get("device"), TEXT_MAX_CHARS),
            unsure_below=_or(_fraction(meta.get(UNSURE_BELOW_KEY)), UNSURE_BELOW),
            metadata=meta,
        )


def limit_model_memory(max_bytes: int = MODEL_MEMORY_BYTES) -> None:
    """From now on, every CPU session this process opens takes its memory from one arena of at most
    `max_bytes` (onnxruntime's shared allocator: it refuses what exceeds it). The app and `predict`
    limit it; training does not (its comparisons read 10,000 images at once). Once per process."""
    global _memory_limited
    if not _memory_limited:
        cpu = ort.OrtMemoryInfo("Cpu", ort.OrtAllocatorType.ORT_ARENA_ALLOCATOR, 0, ort.OrtMemType.DEFAULT)
        ort.create_and_register_allocator(cpu, ort.OrtArenaCfg(max_bytes, -1, -1, -1))
        _memory_limited = True


_memory_limited = False


def session_options() -> ort.SessionOptions:
    """Options for the lowest batch-1 latency: the work is far too small to share across threads."""
    options = ort.SessionOptions()
    if _memory_limited:
        options.add_session_config_entry(_MEMORY_LIMITED, "1")
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    return options


# What onnxruntime puts before its message: "[ONNXRuntimeError] : 1 : FAIL : ", then often the
# C++ source line and function that raised it ("/onnxruntime_src/.../model.cc:256 onnxruntime::Model::Model(...) ").
_ORT_PREFIX = re.compile(r"^\[ONNXRuntimeError\] : \d+ : \w+ : (\S+\.(?:cc|cpp|h):\d+ [^(]*\([^)]*\) )?")
REASON_MAX_CHARS = 200


def _reason(exc: Exception) -> str:
    """onnxruntime's message in one short line, without its error code and source location: those
    are long enough to push the reason itself ("Unsupported model IR version: 14, max supported IR
    version: 13") out of a short line."""
    lines = _ORT_PREFIX.sub("", str(exc).strip()).splitlines()
    text = lines[0][:REASON_MAX_CHARS] if lines else type(exc).__name__
    if "Available memory of" in str(exc):  # the shared arena's refusal (`limit_model_memory`)
        return f"it asks for more memory than the app gives its models ({describe_size(MODEL_MEMORY_BYTES)})"
    if "external data" in text.lower():
        return "it refers to data in other files (external data), which the app never reads"
    return text


def cuda_offered() -> bool:
    """Whether onnxruntime offers CUDA here (onnxruntime-gpu): a session may still not get it."""
    return CUDA in ort.get_available_providers()


@functools.cache
def load_cuda_libraries() -> None:
    """Load CUDA and cuDNN from NVIDIA's pip packages (the `gpu` extra installs them beside
    onnxruntime-gpu), once a process: onnxruntime's CUDA provider looks for them only on the system's
    library path and, without them, runs on the CPU. A system-wide CUDA still works: what is not
    found in the packages is loaded from the system's path. onnxruntime reports what it could not
    load by printing; that goes to the log, never to the output of `predict --json`."""
    preload = getattr(ort, "preload_dlls", None)  # onnxruntime-gpu >= 1.21
    if preload is None:
        return
    said = io.StringIO()
    try:
        with contextlib.redirect_stdout(said):
            preload()
    except Exception as exc:  # a missing or broken library must leave the CPU to run the model
        log.warning("CUDA libraries could not be loaded: %s", str(exc))
    if said.getvalue().strip():
        log.warning("onnxruntime, loading CUDA libraries: %s", " ".join(said.getvalue().split()))


def _read_model(path: Path) -> bytes:
    """A model file's bytes, refused before reading when over MODEL_MAX_BYTES or not a regular file."""
    try:
        data = read_regular_file(path, MODEL_MAX_BYTES, "model")
    except FileRefused as exc:
        raise ModelError(str(exc)) from exc
    if not data:
        raise ModelError(f"{path.name}: the file is empty")
    return data


def _session(name: str, data: bytes, providers: list[str]) -> ort.InferenceSession:
    """A session that can only use what is in `data`: a model loaded from bytes reads external data
    relative to the current folder, so onnxruntime is pointed at an empty private folder instead.
    A model over the node budget is refused before onnxruntime spends its time on it."""
    try:
        nodes = count_nodes(data, MODEL_MAX_NODES)
    except NotAModelEncoding as exc:
        raise ModelError(f"{name}: not a usable ONNX model ({exc})") from None
    if nodes > MODEL_MAX_NODES:
        raise ModelError(f"{name}: more than {MODEL_MAX_NODES:,} operations, far more than a digit model has")
    try:
        with tempfile.TemporaryDirectory(prefix="hwr-no-external-data-") as empty:
            options = session_options()
            options.add_session_config_entry(EXTERNAL_DATA_FOLDER_KEY, empty)
            return ort.InferenceSession(
                data, options, providers=providers, disabled_optimizers=list(LOAD_TIME_OPTIMIZERS_OFF)
            )
    except Exception as exc:  # onnxruntime raises several types for bad files
        raise ModelError(f"{name}: not a usable ONNX model ({_reason(exc)})") from exc


def _metadata(session: ort.InferenceSession, name: str) -> dict[str, str]:
    """The session's metadata map; empty when it is not UTF-8 (onnxruntime cannot decode it then)."""
    try:
        return session.get_modelmeta().custom_metadata_map
    except UnicodeDecodeError:
        log.warning("%s: its metadata is not UTF-8 text; ignored", name)
        return {}


def read_metadata(path: Path) -> dict[str, object]:
    """A model file's metadata as `parse_metadata` gives it; ModelError when the file is unusable."""
    return parse_metadata(_metadata(_session(path.name, _read_model(path), [CPU]), path.name))


def _probability_problem(probs: np.ndarray, rows: int) -> str | None:
    """Why `probs` are not `rows` softmax outputs over the classes (with or without "not a digit");
    None when they are."""
    if rows == 1 and probs.shape in SINGLE_SHAPES and _one_softmax(probs[0].tolist()):
        return None  # the reading's case, in plain Python: a quarter of the numpy checks' 10 us
    if probs.ndim != 2 or probs.shape[0] != rows or probs.shape[1] not in OUTPUT_WIDTHS:
        found = f"shape {probs.shape}"
    elif not np.isfinite(probs).all():
        found = "numbers that are not finite (NaN or infinity)"
    elif (
        probs.min() < -PROBABILITY_TOLERANCE
        or probs.max() > 1 + PROBABILITY_TOLERANCE
        or np.abs(probs.sum(axis=1) - 1).max() > PROBABILITY_TOLERANCE
    ):
        found = "numbers that are not probabilities summing to 1"
    else:
        return None
    return f"output must be {len(CLASSES)} (or {len(LABELS)}) softmax probabilities, got {found}"


def _one_softmax(values: list[float]) -> bool:
    """Whether `values` are probabilities summing to 1 (a NaN fails every comparison)."""
    low, high = -PROBABILITY_TOLERANCE, 1 + PROBABILITY_TOLERANCE
    return all(low <= v <= high for v in values) and abs(sum(values) - 1) <= PROBABILITY_TOLERANCE


class _Watchdog:
    """Stops runs that overrun their budget (a model can loop for ever), without a thread per run.

    onnxruntime ends a run whose RunOptions has `terminate` set. One daemon thread looks at the runs
    in progress every WATCHDOG_POLL_SECONDS and sets it on those past their deadline. Each run gets
    its own RunOptions (creating one takes about 0.4 us), so a look that comes late can only touch a
    run that has already ended, never the next one.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._deadlines: dict[ort.RunOptions, float] = {}  # the runs in progress
        self._stopped = threading.Event()
        threading.Thread(target=self._watch, name=WATCHDOG_THREAD_NAME, daemon=True).start()

    def _watch(self) -> None:
        while not self._stopped.wait(WATCHDOG_POLL_SECONDS):
            now = time.perf_counter()
            with self._lock:
                for options, deadline in self._deadlines.items():
                    if now > deadline:
                        options.terminate = True

    def stop(self) -> None:
        """End the thread: its Recognizer is gone."""
        self._stopped.set()

    def run(self, session: ort.InferenceSession, x: np.ndarray, seconds: float, name: str = INPUT_NAME) -> np.ndarray:
        """The session's output for `x` (its input `name`); TimeoutError when the run was stopped after `seconds`."""
        options = ort.RunOptions()
        with self._lock:
            self._deadlines[options] = time.perf_counter() + seconds
        try:
            return session.run([OUTPUT_NAME], {name: x}, options)[0]
        except Exception as exc:
            if options.terminate:
                raise TimeoutError(f"took longer than {seconds:g} s") from exc
            raise
        finally:
            with self._lock:
                del self._deadlines[options]


def _trial_run(
    watchdog: _Watchdog,
    session: ort.InferenceSession,
    x: np.ndarray,
    seconds: float,
    name: str = INPUT_NAME,
    width: int | None = None,
) -> str | None:
    """Run a batch of inputs the way the contract check does, stopped after `seconds`; what is
    wrong with the answer (a row of probabilities per input, of `width` classes when given), or None."""
    try:
        probs = watchdog.run(session, x, seconds, name)
    except TimeoutError as exc:
        return f"reading {'one input' if len(x) == 1 else f'{len(x)} inputs'} {exc}"
    except Exception as exc:
        return f"running it failed ({_reason(exc)})"
    problem = _probability_problem(probs, len(x))
    if problem is None and width is not None and probs.shape[1] != width:
        problem = f"output must be {width} probabilities, got {probs.shape[1]}"
    return problem


def _io_problem(session: ort.InferenceSession, name: str, shape: tuple[int, ...]) -> str | None:
    """What is wrong with the session's input and output against the contract, or None."""
    inputs, outputs = session.get_inputs(), session.get_outputs()
    output = next((o for o in outputs if o.name == OUTPUT_NAME), None)
    if len(inputs) != 1 or inputs[0].name != name:
        return f"expected one input named '{name}', found {[i.name for i in inputs]}"
    if inputs[0].type != "tensor(float)" or list(inputs[0].shape[1:]) != list(shape):
        return f"input must be float32 [N,{','.join(map(str, shape))}], found {inputs[0].type} {inputs[0].shape}"
    if output is None:
        return f"expected an output named '{OUTPUT_NAME}', found {[o.name for o in outputs]}"
    if output.type != "tensor(float)":
        return f"output must be float32 probabilities, found {output.type}"
    return None


def _check_contract(watchdog: _Watchdog, session: ort.InferenceSession, name: str, first_run_seconds: float) -> None:
    """ModelError unless the session takes the app's input and answers a blank input, a drawn
    digit and both at once (a number's characters are read in one batch) with probabilities. The
    first run may take `first_run_seconds`, the others CHECK_SECONDS: a CUDA session sets itself
    up in its first run."""
    problem = _io_problem(session, INPUT_NAME, INPUT_SHAPE)
    if problem is None:
        blank, seven = empty_input(), strokes_to_input(CHECK_STROKES)
        trials = (
            (first_run_seconds, "a blank input", blank[None]),
            (CHECK_SECONDS, "a drawn 7", seven[None]),
            (CHECK_SECONDS, "a drawn 7 and a blank input in one batch", np.stack([seven, blank])),
        )
        for seconds, what, x in trials:
            problem = _trial_run(watchdog, session, x.reshape(-1, *INPUT_SHAPE), seconds)
            if problem:
                problem = f"{problem}, for {what}"
                break
    if problem:
        raise ModelError(f"{name}: incompatible model: {problem}")


def _check_preprocessing(metadata: Mapping[str, object], name: str) -> None:
    """ModelError when the model says it was trained on inputs of another preprocessing version than
    this app makes: it would misread them. A model that does not say (older, or from another tool) is used."""
    entry = metadata.get(PREPROCESSING_KEY)
    version = entry.get("version") if isinstance(entry, dict) else None
    if version is not None and version != PREPROCESSING_VERSION:
        said = json.dumps(version)[:TEXT_MAX_CHARS]
        raise ModelError(
            f"{name}: incompatible model: made for preprocessing version {said}; "
            f"this app prepares input version {PREPROCESSING_VERSION}"
        )


class Recognizer:
    """A loaded, validated model. Construction raises ModelError; a Recognizer is always usable.
    Each has a watchdog thread that stops its overlong runs and ends when the Recognizer is collected."""

    def __init__(self, path: Path | str, use_gpu: bool = True, int8: bool = True, strokes: bool = True):
        """`int8=False` runs the float32 model even where its int8 copy would do, `strokes=False`
        leaves its stroke model out (comparisons)."""
        self.path = Path(path)
        self._watchdog = _Watchdog()
        weakref.finalize(self, self._watchdog.stop)  # the app opens a Recognizer on every model switch
        data = _read_model(self.path)
        digest = hashlib.sha256(data).hexdigest()
        cuda = self._open_cuda(data) if use_gpu and cuda_offered() else None
        self._session = cuda if cuda is not None else self._open_cpu(data, digest, int8)
        metadata = _metadata(self._session, self.path.name)
        # The precision of the file that runs: an int8 copy names the float model it was made from,
        # whether it runs as a model's copy or was opened itself (`model.int8.onnx` picked by hand).
        precision = "int8" if INT8_SOURCE_KEY in metadata else "float32"
        self.info = ModelInfo.from_metadata(self.path, self._session.get_providers()[0], precision, metadata)
        # The metadata of the file that runs: an int8 copy carries its model's (training copies it).
        _check_preprocessing(self.info.metadata, self.path.name)
        self._strokes: ort.InferenceSession | None = None
        if strokes:
            opened = self._open_strokes(digest)
            if opened is not None:
                self._strokes, fusion = opened
                self.info = replace(self.info, fusion=fusion)
        self.last_ms = 0.0

    def _open_cuda(self, data: bytes) -> ort.InferenceSession | None:
        """A CUDA session that meets the contract, or None (logged) and the CPU runs the model: a
        broken CUDA install, or one slower to set up than its budget, must not leave the user without a model."""
        name = self.path.name
        load_cuda_libraries()
        try:
            session = _session(name, data, [CUDA, CPU])
            if session.get_providers()[0] != CUDA:
                log.warning(
                    "%s: onnxruntime offers CUDA but the session did not get it (see onnxruntime's "
                    "log for why); using the CPU",
                    name,
                )
                return None
            _check_contract(self._watchdog, session, name, CUDA_WARMUP_SECONDS)
        except ModelError as exc:
            # Its message, never the exception itself, here and below: a log handler that keeps
            # records (pytest's does) would keep the traceback's frames, and so this Recognizer and
            # its watchdog thread, alive.
            log.warning("CUDA could not run the model, using the CPU: %s", str(exc))
            return None
        return session

    def _open_cpu(self, data: bytes, digest: str, int8: bool) -> ort.InferenceSession:
        """The CPU session: the int8 copy's when `int8` and it is usable, else the model's."""
        session = self._open_int8(digest) if int8 else None
        if session is not None:
            return session
        session = _session(self.path.name, data, [CPU])
        _check_contract(self._watchdog, session, self.path.name, CHECK_SECONDS)
        return session

    def _open_int8(self, digest: str) -> ort.InferenceSession | None:
        """The int8 copy's session when it exists, names this model as its source and meets the
        contract; else None and the float model runs (a stale or broken copy only costs speed)."""
        path = int8_path_for(self.path)
        if not exists(path):
            return None  # models trained without a copy: nothing to say
        try:
            session = _session(path.name, _read_model(path), [CPU])
            if parse_metadata(_metadata(session, path.name)).get(INT8_SOURCE_KEY) != digest:
                raise ModelError(
                    f"{path.name}: made from another model (its {INT8_SOURCE_KEY} is not this model's hash)"
                )
            _check_contract(self._watchdog, session, path.name, CHECK_SECONDS)
        except ModelError as exc:
            log.warning("ignoring the int8 copy, the float model runs: %s", str(exc))
            return None
        return session

    def _open_strokes(self, digest: str) -> tuple[ort.InferenceSession, Fusion] | None:
        """The stroke model's session and fusion when the file exists, names this model (`digest`)
        as the one it is fused with, reads this app's trajectories and meets the contract; else None
        and the image model reads alone (a stale or broken stroke model only costs accuracy)."""
        path = strokes_path_for(self.path)
        if not exists(path):
            return None  # a model trained without one
        try:
            session = _session(path.name, _read_model(path), [CPU])
            metadata = parse_metadata(_metadata(session, path.name))
            if metadata.get(IMAGE_MODEL_KEY) != digest:
                raise ModelError(
                    f"{path.name}: made for another model (its {IMAGE_MODEL_KEY} is not this model's hash)"
                )
            entry = metadata.get(TRAJECTORY_KEY)
            version = entry.get("version") if isinstance(entry, dict) else None
            if isinstance(version, bool) or version != TRAJECTORY_VERSION:  # True == 1 in Python
                raise ModelError(f"{path.name}: not made for this app's pen paths (version {TRAJECTORY_VERSION})")
            fusion = _fusion(metadata.get(FUSION_KEY))
            if fusion is None:
                raise ModelError(f"{path.name}: its {FUSION_KEY} is not a usable weight, temperature and threshold")
            self._check_strokes(session, path.name)
        except ModelError as exc:
            log.warning("ignoring the stroke model, the image model reads alone: %s", str(exc))
            return None
        return session, fusion

    def _check_strokes(self, session: ort.InferenceSession, name: str) -> None:
        """ModelError unless the stroke model takes the app's trajectories and answers the drawn 7,
        twice in one batch (a number's characters are read together), with probabilities of CLASSES,
        as the image model must too ("not a digit" included)."""
        paths = np.stack([trajectory(CHECK_STROKES)] * 2)
        problem = _io_problem(session, TRAJECTORY_NAME, TRAJECTORY_SHAPE) or _trial_run(
            self._watchdog, session, paths, CHECK_SECONDS, TRAJECTORY_NAME, len(CLASSES)
        )
        if problem:
            raise ModelError(f"{name}: incompatible stroke model: {problem}")
        image = self.predict_batch(strokes_to_input(CHECK_STROKES).reshape(1, *INPUT_SHAPE)).shape[1]
        if image != len(CLASSES):
            raise ModelError(f"{name}: a stroke model needs an image model that answers {len(CLASSES)} classes")

    def trajectories(self, drawings: Sequence[Strokes]) -> np.ndarray | None:
        """The stroke model's inputs for these drawings (one per image a prediction reads); None when
        there is no stroke model, so that nothing is spent on them."""
        if self._strokes is None:
            return None
        return np.stack([trajectory(strokes) for strokes in drawings]) if drawings else None

    def _run(self, session: ort.InferenceSession, x: np.ndarray, name: str, path: Path) -> np.ndarray:
        """One model's answer for the batch `x`, checked (see `predict_batch`)."""
        x = np.ascontiguousarray(x, np.float32)
        try:
            probs = self._watchdog.run(session, x, PREDICT_SECONDS + PREDICT_SECONDS_PER_IMAGE * len(x), name)
        except TimeoutError as exc:
            raise ModelError(f"{path.name}: reading this input {exc}") from exc
        except Exception as exc:
            raise ModelError(f"{path.name}: running the model failed ({_reason(exc)})") from exc
        problem = _probability_problem(probs, len(x))
        if problem:
            raise ModelError(f"{path.name}: no valid answer for this input: {problem}")
        return probs

    def predict_batch(self, images: np.ndarray, trajectories: np.ndarray | None = None) -> np.ndarray:
        """float32 (N,28,28,1) -> probabilities (N, len(CLASSES)), or (N, len(LABELS)) for a model
        that knows only the digits. With the drawings' `trajectories` (`Recognizer.trajectories`,
        one per image) and a stroke model, the two models' answers fused (`info.fusion`).

        Raises ModelError when a model fails on these inputs, takes longer than PREDICT_SECONDS
        plus PREDICT_SECONDS_PER_IMAGE for each (stopped: the app waits for the answer), or answers
        with anything but probabilities (NaN, say): such numbers must never reach the user as a reading.
        """
        probs = self._run(self._session, images, INPUT_NAME, self.path)
        if trajectories is None or self._strokes is None or self.info.fusion is None:
            return probs
        if len(trajectories) != len(probs):
            raise ValueError(f"{len(trajectories)} trajectories for {len(probs)} images")
        path = strokes_path_for(self.path)
        paths = self._run(self._strokes, trajectories, TRAJECTORY_NAME, path)
        if paths.shape != probs.shape:  # its check saw one input; a model may answer a batch otherwise
            raise ModelError(
                f"{path.name}: answered {paths.shape[1]} classes where the image model answered {probs.shape[1]}"
            )
        return fuse(probs, paths, self.info.fusion.weight, self.info.fusion.temperature)

    def predict(self, image: np.ndarray, strokes: Strokes | None = None) -> np.ndarray:
        """One 28x28 input -> its probabilities (the digits', then "not a digit"'s if the model has it),
        fused with the stroke model's reading of the `strokes` it was drawn with, when both exist;
        records the time taken in `last_ms`. Raises ModelError as `predict_batch` does."""
        start = time.perf_counter()
        paths = None if strokes is None else self.trajectories([strokes])
        probs = self.predict_batch(image.reshape(1, *INPUT_SHAPE), paths)[0]
        self.last_ms = (time.perf_counter() - start) * 1000.0
        return probs

    def read(self, image: np.ndarray, strokes: Strokes | None = None) -> Reading:
        """What to show for one 28x28 input (drawn with `strokes`, or a picture's): the module's
        `read` of its probabilities, blank when `is_blank` finds no digit in it. Raises ModelError
        as `predict` does."""
        return read(
            self.predict(image, strokes), blank=is_blank(image), threshold=self.unsure_below(strokes is not None)
        )

    def unsure_below(self, drawn: bool) -> float:
        """The threshold for a reading: its fusion's for a drawing (`drawn`) when the stroke model
        reads it too, else the image model's."""
        fusion = self.info.fusion
        return fusion.unsure_below if drawn and fusion is not None else self.info.unsure_below


BLANK = "blank"  # no ink, or only a dot
UNSURE = "unsure"  # no digit is likely enough to be shown
NOT_A_DIGIT = "not_a_digit"  # the model reads something that is not a digit (a letter, a scribble, ...)


@dataclass(frozen=True)
class Reading:
    """What the model reads in one input: the digit to show (None when there is none, and then
    `reason` says why: BLANK, UNSURE or NOT_A_DIGIT), its confidence, the ten digits' probabilities
    (zeros when blank) and the probability that the input is not a digit at all (0 for a model
    that only knows digits)."""

    label: int | None
    confidence: float
    probabilities: np.ndarray
    reason: str | None = None
    not_a_digit: float = 0.0

    @property
    def blank(self) -> bool:
        return self.reason == BLANK


def read(probabilities: np.ndarray, blank: bool, threshold: float = UNSURE_BELOW) -> Reading:
    """Decide what to show from a model's answer (the digits' probabilities, then "not a digit"'s
    when the model has that class): nothing for a blank input (the network's output for no ink is
    meaningless, so its probabilities become zeros); "not a digit" when that is likelier than any
    digit; "unsure" when the top digit's probability is under `threshold`; else the top digit."""
    digits = probabilities[: len(LABELS)]
    if blank:
        return Reading(None, 0.0, np.zeros_like(digits), reason=BLANK)
    other = float(probabilities[NOT_A_DIGIT_CLASS]) if len(probabilities) > len(LABELS) else 0.0
    top = int(np.argmax(digits))
    confidence = float(digits[top])
    if other > confidence:
        return Reading(None, other, digits, reason=NOT_A_DIGIT, not_a_digit=other)
    if confidence < threshold:
        return Reading(None, confidence, digits, reason=UNSURE, not_a_digit=other)
    return Reading(top, confidence, digits, not_a_digit=other)
