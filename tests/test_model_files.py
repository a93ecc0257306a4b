"""Model files a user might pick, made to break the app: each is refused with a ModelError that says
why, or loads with its harmful part ignored, and none hangs, crashes or leaks a file's bytes."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from onnx import TensorProto, helper, numpy_helper

from handwriting_recognizer.core import recognizer as engine
from handwriting_recognizer.core.contract import INPUT_NAME, INPUT_SHAPE, OUTPUT_NAME, int8_path_for, strokes_path_for
from handwriting_recognizer.core.onnx_nodes import NotAModelEncoding, count_nodes
from handwriting_recognizer.core.recognizer import CPU, ModelError, ModelInfo, Recognizer
from handwriting_recognizer.core.safe_io import GB
from tests.fakes import contract_model, with_metadata

SECRET = np.arange(10, dtype=np.float32)  # what a file outside the model holds


def _finishes(call, seconds: float = 20.0):
    """`call()`'s result, failing the test (instead of hanging it) when it takes over `seconds`."""
    outcome: dict[str, object] = {}

    def run():
        try:
            outcome["value"] = call()
        except BaseException as exc:  # handed to the test below
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def scalar(name: str, value: float) -> onnx.TensorProto:
    return helper.make_tensor(name, TensorProto.FLOAT, [], [value])


def test_a_plain_contract_model_is_usable(tmp_path):
    """The models below differ from this one only in what breaks them."""
    path = tmp_path / "plain.onnx"
    path.write_bytes(contract_model())
    assert Recognizer(path, use_gpu=False).predict(np.zeros((28, 28), np.float32)).sum() == pytest.approx(1, abs=1e-5)


# --- budgets and file types --------------------------------------------------------------------


def test_a_huge_model_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.onnx"
    with open(path, "wb") as f:
        f.truncate(2 * GB)  # sparse: no disk used, but reading it would take 2 GB of memory
    start = time.perf_counter()
    with pytest.raises(ModelError, match=r"huge.onnx: 2.0 GB is more than a model may be \(64.0 MB\)"):
        Recognizer(path)
    assert time.perf_counter() - start < 1


def test_a_fifo_model_is_refused_without_waiting(tmp_path):
    path = tmp_path / "pipe.onnx"
    os.mkfifo(path)
    with pytest.raises(ModelError, match="pipe.onnx: not a regular file"):
        _finishes(lambda: Recognizer(path))


@pytest.mark.parametrize("kind", ["fifo", "huge"])
@pytest.mark.parametrize(
    "companion,said", [(int8_path_for, "ignoring the int8 copy"), (strokes_path_for, "ignoring the stroke model")]
)
def test_an_unusable_companion_only_means_the_model_runs_without_it(
    tmp_path, bundled_model, caplog, kind, companion, said
):
    model = tmp_path / "model.onnx"
    model.write_bytes(bundled_model.read_bytes())
    if kind == "fifo":
        os.mkfifo(companion(model))
    else:
        with open(companion(model), "wb") as f:
            f.truncate(2 * GB)
    with caplog.at_level(logging.WARNING, logger="handwriting_recognizer.core.recognizer"):
        recognizer = _finishes(lambda: Recognizer(model, use_gpu=False))
    assert recognizer.info.precision == "float32" and recognizer.info.fusion is None
    assert said in caplog.text and companion(model).name in caplog.text


# --- external data -------------------------------------------------------------------------------


def external(name: str, location: str) -> onnx.TensorProto:
    """A float [10] initializer whose bytes are declared to be in the file `location`."""
    tensor = helper.make_tensor(name, TensorProto.FLOAT, [10], np.zeros(10, np.float32))
    tensor.ClearField("float_data")
    tensor.data_location = TensorProto.EXTERNAL
    for key, value in (("location", location), ("offset", "0"), ("length", str(SECRET.nbytes))):
        entry = tensor.external_data.add()
        entry.key, entry.value = key, value
    return tensor


@pytest.mark.parametrize("location", ["secret.txt", "sub/file"])
def test_a_model_that_reads_other_files_is_refused(tmp_path, monkeypatch, location):
    monkeypatch.chdir(tmp_path)  # a model loaded from bytes would read external data from here
    (tmp_path / location).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / location).write_bytes(SECRET.tobytes())
    data = contract_model(
        [
            helper.make_node("Add", ["logits", "leak"], ["biased"]),
            helper.make_node("Softmax", ["biased"], [OUTPUT_NAME], axis=-1),
        ],
        [external("leak", location)],
    )
    # The threat is real: plain onnxruntime reads the file, and its bytes shape the probabilities.
    session = ort.InferenceSession(data, providers=[CPU])
    plain = session.run(None, {INPUT_NAME: np.zeros((1, *INPUT_SHAPE), np.float32)})[0]
    np.testing.assert_allclose(np.log(plain[0]) - np.log(plain[0, 0]), SECRET, atol=1e-4)
    path = tmp_path / "leaky.onnx"
    path.write_bytes(data)
    with pytest.raises(ModelError, match="leaky.onnx: not a usable ONNX model .*external data"):
        Recognizer(path, use_gpu=False)


def nodes_in(graph: onnx.GraphProto) -> int:
    """The nodes of `graph` and of the subgraphs its nodes hold (If, Loop), as onnx reads them."""
    inner = (g for node in graph.node for a in node.attribute for g in [*([a.g] if a.HasField("g") else []), *a.graphs])
    return len(graph.node) + sum(nodes_in(g) for g in inner)


def test_the_node_count_read_from_the_file_is_onnx_s_own(bundled_model):
    files = [bundled_model, int8_path_for(bundled_model), strokes_path_for(bundled_model)]
    models = [onnx.load_from_string(f.read_bytes()) for f in files]
    models.append(onnx.load_from_string(contract_model(endless_loop(), [ENDLESS])))  # 6 nodes, a Loop of 2
    models.append(onnx.load_from_string(b"\x12\x03abc"))  # no graph at all
    for model in models:
        assert count_nodes(model.SerializeToString(), 10_000) == nodes_in(model.graph)
    assert [nodes_in(m.graph) for m in models[:3]] == [24, 51, 38]
    assert nodes_in(models[3].graph) == 6 + 2
    with pytest.raises(NotAModelEncoding, match="not an ONNX model's encoding"):
        count_nodes(b"\xff" * 64, 10)


@pytest.mark.parametrize(
    "wrapping",
    [
        lambda model: b"\x0b\x0c" + model,  # an empty group first: onnxruntime skips it, and a walk stopped there
        lambda model: b"\x08\x08" * 100_000 + model,  # ir_version, again and again: legal, and slow to walk
    ],
    ids=["group", "padded"],
)
def test_a_model_the_node_count_cannot_walk_is_refused_quickly(tmp_path, bundled_model, wrapping):
    """A group field in front hid any graph from the count (it stopped at once, counting 0) while
    onnxruntime opened the model; a model padded to 64 MB with two-byte fields took 11 s to walk
    (review)."""
    path = tmp_path / "wrapped.onnx"
    path.write_bytes(wrapping(bundled_model.read_bytes()))
    start = time.perf_counter()
    with pytest.raises(ModelError, match="wrapped.onnx: not a usable ONNX model"):
        Recognizer(path, use_gpu=False)
    assert time.perf_counter() - start < 2


def test_a_model_of_too_many_operations_is_refused_before_it_is_opened(tmp_path):
    """A crafted chain of a million nodes (28 MB, within the byte budget) took 72 s and 2.7 GB to
    open, the window frozen (QA review)."""
    chain = [helper.make_node("Identity", [f"t{i}"], [f"t{i + 1}"]) for i in range(engine.MODEL_MAX_NODES)]
    path = tmp_path / "chain.onnx"
    ends = [helper.make_node("Identity", [f"t{engine.MODEL_MAX_NODES}"], [OUTPUT_NAME])]
    path.write_bytes(contract_model([helper.make_node("Softmax", ["logits"], ["t0"], axis=-1), *chain, *ends]))
    start = time.perf_counter()
    with pytest.raises(ModelError, match="chain.onnx: more than 5,000 operations"):
        Recognizer(path, use_gpu=False)
    assert time.perf_counter() - start < 1


def test_a_model_that_asks_for_gigabytes_at_each_run_is_refused_and_the_memory_given_back(tmp_path):
    """A 35 KB model made 3 GB at each run (ConstantOfShape) and the process kept it for as long as
    the model was active (QA review). The app and `predict` give their models one arena of
    MODEL_MEMORY_BYTES; the limit is the process', so `predict` shows it."""
    from tests.commands import predict
    from tests.test_bad_inputs import seven_file

    big = helper.make_tensor("big", TensorProto.INT64, [2], [1024, 256 * 1024])  # 1 GB of float32
    tail = [
        helper.make_node(
            "ConstantOfShape", ["big"], ["ones"], value=helper.make_tensor("one", TensorProto.FLOAT, [1], [1.0])
        ),
        helper.make_node("ReduceSum", ["ones"], ["total"], keepdims=0),
        helper.make_node("Mul", ["total", "zero"], ["nothing"]),
        helper.make_node("Add", ["logits", "nothing"], ["same"]),
        helper.make_node("Softmax", ["same"], [OUTPUT_NAME], axis=-1),
    ]
    path = tmp_path / "greedy.onnx"
    path.write_bytes(contract_model(tail, [big, scalar("zero", 0.0)]))
    result = predict("--model", str(path), str(seven_file(tmp_path)))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "greedy.onnx" in result.stderr and "more memory than the app gives its models (256.0 MB)" in result.stderr


# --- hangs and wrong answers ---------------------------------------------------------------------


def looping(trips: list[onnx.NodeProto]) -> list[onnx.NodeProto]:
    """A softmax passed unchanged through a Loop, for as many iterations as the `trips` nodes make."""
    body = helper.make_graph(
        [helper.make_node("Identity", ["cond_in"], ["cond_out"]), helper.make_node("Identity", ["v_in"], ["v_out"])],
        "body",
        [
            helper.make_tensor_value_info("i", TensorProto.INT64, []),
            helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
            helper.make_tensor_value_info("v_in", TensorProto.FLOAT, None),
        ],
        [
            helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
            helper.make_tensor_value_info("v_out", TensorProto.FLOAT, None),
        ],
    )
    return [
        helper.make_node("Softmax", ["logits"], ["soft"], axis=-1),
        *trips,
        helper.make_node("Constant", [], ["go"], value=helper.make_tensor("c", TensorProto.BOOL, [], [True])),
        helper.make_node("Loop", ["trips", "go", "soft"], [OUTPUT_NAME], body=body),
    ]


ENDLESS = helper.make_tensor("endless", TensorProto.INT64, [], [2**62])  # iterations no run finishes


def endless_loop() -> list[onnx.NodeProto]:
    """2^62 iterations, whatever the input."""
    return looping([helper.make_node("Identity", ["endless"], ["trips"])])


def endless_loop_for_ink() -> list[onnx.NodeProto]:
    """(total ink > `threshold`) * 2^62 iterations: none for little ink, endless for more."""
    return looping(
        [
            helper.make_node("ReduceSum", [INPUT_NAME], ["ink"], keepdims=0),
            helper.make_node("Greater", ["ink", "threshold"], ["inked"]),
            helper.make_node("Cast", ["inked"], ["on"], to=TensorProto.INT64),
            helper.make_node("Mul", ["on", "endless"], ["trips"]),
        ]
    )


def test_a_model_that_never_finishes_is_stopped_and_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "CHECK_SECONDS", 0.3)
    path = tmp_path / "loop.onnx"
    path.write_bytes(contract_model(endless_loop(), [ENDLESS]))
    start = time.perf_counter()
    with pytest.raises(ModelError, match=r"loop.onnx: incompatible model: reading one input took longer than 0.3 s"):
        _finishes(lambda: Recognizer(path, use_gpu=False))
    assert time.perf_counter() - start < 5


def constant_chain(side: int, links: int) -> tuple[list[onnx.NodeProto], list[onnx.TensorProto]]:
    """A softmax of the logits plus 0 * (a constant matrix multiplied by itself `links` times): the
    same answers, and work that onnxruntime's constant folding would do while opening the model."""
    square = numpy_helper.from_array(np.full((side, side), 1e-3, np.float32), "square")
    nodes = [helper.make_node("MatMul", ["square", "square"], ["power1"])]
    nodes += [helper.make_node("MatMul", [f"power{i}", "square"], [f"power{i + 1}"]) for i in range(1, links)]
    nodes += [
        helper.make_node("ReduceSum", [f"power{links}"], ["total"], keepdims=0),
        helper.make_node("Mul", ["total", "zero"], ["nothing"]),
        helper.make_node("Add", ["logits", "nothing"], ["same"]),
        helper.make_node("Softmax", ["same"], [OUTPUT_NAME], axis=-1),
    ]
    return nodes, [square, scalar("zero", 0.0)]


def test_a_model_whose_constant_work_never_ends_is_refused_by_the_runs_budget_not_opened_for_ever(
    tmp_path, monkeypatch
):
    """Opening a model does not run its constant parts (no watchdog reaches there); the contract
    check's run does, within its budget."""
    monkeypatch.setattr(engine, "CHECK_SECONDS", 0.3)
    path = tmp_path / "heavy.onnx"
    path.write_bytes(contract_model(*constant_chain(1000, 40)))  # about 80 GFLOP: seconds to minutes
    with pytest.raises(ModelError, match=r"heavy.onnx: incompatible model: reading one input took longer than 0.3 s"):
        _finishes(lambda: Recognizer(path, use_gpu=False))


def test_a_model_that_never_finishes_for_some_inputs_is_stopped_at_use(tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "PREDICT_SECONDS", 0.3)
    monkeypatch.setattr(engine, "PREDICT_SECONDS_PER_IMAGE", 0.0)  # one image: the budget is 0.3 s exactly
    path = tmp_path / "loop-later.onnx"  # fine for the check's inputs; endless for a field full of ink
    path.write_bytes(contract_model(endless_loop_for_ink(), [ENDLESS, scalar("threshold", 500.0)]))
    recognizer = Recognizer(path, use_gpu=False)
    start = time.perf_counter()
    with pytest.raises(ModelError, match=r"loop-later.onnx: reading this input took longer than 0.3 s"):
        _finishes(lambda: recognizer.predict(np.ones((28, 28), np.float32)))
    assert time.perf_counter() - start < 2
    assert recognizer.predict(np.zeros((28, 28), np.float32)).sum() == pytest.approx(1, abs=1e-5)  # and it reads on


def nan_for(threshold_of_ink: float) -> list[onnx.NodeProto]:
    """A softmax plus 0 * sqrt(threshold - total ink): NaN once an input has more ink than that."""
    return [
        helper.make_node("Softmax", ["logits"], ["soft"], axis=-1),
        helper.make_node("ReduceSum", [INPUT_NAME], ["ink"], keepdims=0),
        helper.make_node("Sub", ["threshold", "ink"], ["room"]),
        helper.make_node("Sqrt", ["room"], ["root"]),
        helper.make_node("Mul", ["root", "zero"], ["nothing"]),
        helper.make_node("Add", ["soft", "nothing"], [OUTPUT_NAME]),
    ]


def test_a_model_that_answers_nan_for_ink_is_refused(tmp_path):
    path = tmp_path / "nan.onnx"
    path.write_bytes(contract_model(nan_for(0.5), [scalar("threshold", 0.5), scalar("zero", 0.0)]))
    with pytest.raises(ModelError, match="nan.onnx: incompatible model: .*not finite .*for a drawn 7"):
        Recognizer(path, use_gpu=False)


def test_a_nan_answer_at_use_is_an_error_not_a_reading(tmp_path):
    path = tmp_path / "nan-later.onnx"  # fine for the check's inputs; NaN for a field full of ink
    path.write_bytes(contract_model(nan_for(500.0), [scalar("threshold", 500.0), scalar("zero", 0.0)]))
    recognizer = Recognizer(path, use_gpu=False)
    assert np.isfinite(recognizer.predict(np.zeros((28, 28), np.float32))).all()
    with pytest.raises(ModelError, match="nan-later.onnx: no valid answer for this input: .*not finite"):
        recognizer.predict(np.ones((28, 28), np.float32))


def test_outputs_that_are_not_probabilities_are_refused(tmp_path):
    path = tmp_path / "logits.onnx"
    path.write_bytes(contract_model([helper.make_node("Identity", ["logits"], [OUTPUT_NAME])]))
    with pytest.raises(ModelError, match="logits.onnx: incompatible model: .*not probabilities summing to 1"):
        Recognizer(path, use_gpu=False)


def test_a_model_that_reads_one_input_at_a_time_is_refused(tmp_path):
    """It declares a batch of any size, but a number's characters are read in one batch."""
    path = tmp_path / "one.onnx"
    path.write_bytes(contract_model(rows=1))
    with pytest.raises(ModelError, match="one.onnx: incompatible model: running it failed .*in one batch"):
        Recognizer(path, use_gpu=False)


# --- metadata --------------------------------------------------------------------------------------

NASTY_METADATA = {
    "test_accuracy": "9" * 5000,  # json.loads: ValueError (integer string conversion limit)
    "val_accuracy": "[" * 5000 + "]" * 5000,  # json.loads: RecursionError
    "parameters": "9" * 4000,  # parses to an integer no float can hold
    "epochs": "1e999",  # infinity
    "date": "x" * (2 * engine.METADATA_VALUE_MAX_CHARS),
    "labels": json.dumps(["a very long label indeed"] * 10),
    "device": '"<b>GPU</b>"',  # text for a window to escape, not markup to trust
}


def test_nasty_metadata_is_ignored_and_the_model_loads(tmp_path, bundled_model):
    path = tmp_path / "meta.onnx"
    path.write_bytes(with_metadata(bundled_model, NASTY_METADATA))
    info = Recognizer(
        path, use_gpu=False, int8=False
    ).info  # the int8 copy beside the bundled model is not beside this one
    assert (info.test_accuracy, info.val_accuracy, info.parameters, info.epochs, info.date) == (None,) * 5
    assert info.labels == tuple("0123456789") and info.device == "<b>GPU</b>"
    assert not {"test_accuracy", "val_accuracy", "parameters", "epochs", "date"} & info.metadata.keys()
    assert info.metadata["preprocessing"]["version"] == 1  # the model's other entries are kept


def test_metadata_that_is_not_utf8_is_ignored(tmp_path, bundled_model):
    data = with_metadata(bundled_model, {"bad": "x"})
    path = tmp_path / "latin1.onnx"
    path.write_bytes(data.replace(b"\x03bad\x12\x01x", b"\x03bad\x12\x01\xff"))  # onnxruntime cannot decode it
    info = Recognizer(path, use_gpu=False, int8=False).info
    assert info.metadata == {} and info.test_accuracy is None


def test_too_many_metadata_entries_are_all_ignored():
    raw = {f"k{i}": "1" for i in range(engine.METADATA_MAX_ENTRIES + 1)} | {"test_accuracy": "0.99"}
    assert ModelInfo.from_metadata(Path("m.onnx"), CPU, "float32", raw).metadata == {}


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.floats()
    | st.integers(min_value=-(10**400), max_value=10**400)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20,
)
metadata_text = (
    json_values.map(lambda v: json.dumps(v))  # NaN and Infinity included, as json writes them
    | st.integers(1, 6000).map(lambda n: "9" * n)
    | st.integers(1, 10_000).map(lambda n: "[" * n + "]" * n)
    | st.text(max_size=50)
)
metadata_keys = st.sampled_from(
    ["labels", "test_accuracy", "val_accuracy", "parameters", "epochs", "date", "device"]
) | st.text(max_size=10)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(metadata_keys, metadata_text, max_size=10))
def test_any_metadata_gives_a_valid_model_info(raw):
    info = ModelInfo.from_metadata(Path("m.onnx"), CPU, "float32", raw)
    for accuracy in (info.test_accuracy, info.val_accuracy):
        assert accuracy is None or (type(accuracy) is float and 0 <= accuracy <= 1)
        assert accuracy is None or f"{accuracy:.2%}"  # what the window shows
    for count in (info.parameters, info.epochs):
        assert count is None or (type(count) is int and 1 <= count <= engine.COUNT_MAX)
    assert len(info.labels) == 10 and all(isinstance(label, str) and label for label in info.labels)
    assert info.date is None or isinstance(info.date, str)
    json.dumps(info.metadata, allow_nan=False)  # plain, finite JSON values only
    assert str(info.metadata)
