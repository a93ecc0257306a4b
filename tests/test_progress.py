"""The worker's progress protocol: every event survives the wire, and no line breaks the reader."""

from __future__ import annotations

import dataclasses
import io
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handwriting_recognizer.core import progress as events
from handwriting_recognizer.core.progress import MAX_COUNT, MAX_LINE_CHARS, emit, parse

ROOT = Path(__file__).resolve().parent.parent

EXAMPLES = [
    events.Device("GPU: NVIDIA H100 (1 replica)"),
    events.Stage("Reading UNIPEN's pen writing files", done=1200, total=4696),
    events.Start(epochs=3, steps=47),
    events.Step(
        epoch=1, epochs=3, step=12, steps=47, loss=0.5, accuracy=0.875, val_loss=None, val_accuracy=None, eta_s=9.5
    ),
    events.Epoch(
        epoch=2, epochs=3, step=47, steps=47, loss=0.25, accuracy=0.9, val_loss=0.3, val_accuracy=0.91, eta_s=0.0
    ),
    events.Warning("skipped 2 of your samples that cannot be used (the first: 3/x.json: not JSON)"),
    events.Error("error: /data/mnist.npz: no such file or folder"),
    events.Interrupted("interrupted: stopped cleanly, no model written"),
    events.Done({"model": "/runs/1/model.onnx", "test_accuracy": 0.99, "comparison": {"mnist_test": {"images": 10}}}),
]


def line_of(event: events.Event) -> str:
    stream = io.StringIO()
    emit(event, stream)
    return stream.getvalue()


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: e.name)
def test_each_event_round_trips_as_one_json_line(event):
    line = line_of(event)
    assert line.endswith("\n") and line.count("\n") == 1
    assert json.loads(line)["event"] == event.name
    assert parse(line) == event


def test_every_event_type_has_an_example():
    assert {type(e) for e in EXAMPLES} == set(events.EVENTS.values())


def test_emit_flushes_and_writes_to_stdout_by_default(capsys):
    class Recording(io.StringIO):
        flushed = False

        def flush(self):
            self.flushed = True

    stream = Recording()
    emit(events.Start(epochs=1, steps=2), stream)
    assert stream.flushed
    emit(events.Device("CPU"))
    assert json.loads(capsys.readouterr().out) == {"event": "device", "message": "CPU"}


def test_the_wire_format_is_what_other_readers_expect():
    """The training tests and the self-test read the JSON itself: a Done's summary is flat."""
    assert json.loads(line_of(events.Done({"model": "m.onnx", "seconds": 3}))) == {
        "event": "done",
        "model": "m.onnx",
        "seconds": 3,
    }
    assert json.loads(line_of(events.Warning("w"))) == {"event": "warning", "message": "w"}


def test_non_finite_numbers_go_out_as_null_and_come_back_as_none():
    step = events.Step(epoch=1, epochs=1, step=1, steps=1, loss=math.nan, accuracy=math.inf, eta_s=-math.inf)
    line = line_of(step)
    assert "NaN" not in line and "Infinity" not in line
    assert parse(line) == events.Step(epoch=1, epochs=1, step=1, steps=1)
    done = parse(line_of(events.Done({"model": "m", "int8": {"agreement": math.nan}, "list": [math.inf, 1.0]})))
    assert done.summary == {"model": "m", "int8": {"agreement": None}, "list": [None, 1.0]}
    assert (
        parse('{"event": "step", "epoch": 1, "epochs": 1, "step": 1, "steps": 1, "loss": NaN, "accuracy": 1e999}').loss
        is None
    )


def test_optional_metrics_may_be_left_out_and_unknown_fields_are_ignored():
    event = parse('{"event": "step", "epoch": 1, "epochs": 2, "step": 3, "steps": 9, "learning_rate": 0.001}')
    assert event == events.Step(epoch=1, epochs=2, step=3, steps=9)
    assert parse('{"event": "epoch", "epoch": 1, "epochs": 2, "step": 9, "steps": 9, "loss": 1}').loss == 1.0


@pytest.mark.parametrize(
    "line",
    [
        "",
        "\n",
        "Epoch 1/3",
        "Traceback (most recent call last):",
        "null",
        "42",
        '"step"',
        "[]",
        "{}",
        '{"event": "party"}',
        '{"event": 7}',
        '{"event": ["step"]}',
        '{"message": "no event"}',
        '{"event": "device"}',
        '{"event": "device", "message": 3}',
        '{"event": "start", "epochs": 3}',
        '{"event": "start", "epochs": true, "steps": 3}',
        '{"event": "start", "epochs": 3.0, "steps": 3}',
        '{"event": "start", "epochs": -1, "steps": 3}',
        f'{{"event": "start", "epochs": {MAX_COUNT + 1}, "steps": 3}}',
        '{"event": "step", "epoch": 1, "epochs": 1, "step": 1, "steps": 1, "loss": "0.5"}',
        '{"event": "step", "epoch": 1, "epochs": 1, "step": 1, "steps": 1, "loss": false}',
        f'{{"event": "step", "epoch": 1, "epochs": 1, "step": 1, "steps": 1, "loss": {10**400}}}',
        '{"event": "done", "test_accuracy": 0.9}',
        '{"event": "done", "model": null}',
        '{"event": "device", "message": "x"',
        "[" * 100_000,
        '{"a":' * 100_000,
        "1" * 5000,
        '{"event": "device", "message": "' + "x" * MAX_LINE_CHARS + '"}',
    ],
)
def test_lines_that_are_no_events_are_none(line):
    assert parse(line) is None


def test_non_text_is_no_event():
    assert parse(b'{"event": "device", "message": "x"}') is None  # type: ignore[arg-type]


def has_its_types(event: events.Event) -> bool:
    """Each field holds what its type says (a Done: a summary naming its model)."""
    if isinstance(event, events.Done):
        return isinstance(event.summary.get("model"), str)
    return all(isinstance(getattr(event, f.name), f.type) for f in dataclasses.fields(event))


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_any_text_is_an_event_or_none(text):
    result = parse(text)
    assert result is None or isinstance(result, tuple(events.EVENTS.values()))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
FIELDS = st.sampled_from(
    ["message", "epochs", "steps", "epoch", "step", "loss", "accuracy", "val_loss", "val_accuracy", "eta_s", "model"]
    + ["done", "total"]
)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(sorted(events.EVENTS)), st.dictionaries(FIELDS, JSON | st.integers(-3, 3), max_size=11))
def test_any_json_object_naming_an_event_is_a_well_typed_event_or_none(name, fields):
    result = parse(json.dumps({"event": name, **fields}))
    assert result is None or (result.name == name and has_its_types(result))


COUNTS = st.integers(0, MAX_COUNT)
METRICS = st.none() | st.floats()


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from([events.Step, events.Epoch]),
    st.lists(COUNTS, min_size=4, max_size=4),
    st.lists(METRICS, min_size=5, max_size=5),
)
def test_any_progress_event_round_trips(kind, counts, metrics):
    finite = [m if m is not None and math.isfinite(m) else None for m in metrics]
    assert parse(line_of(kind(*counts, *metrics))) == kind(*counts, *finite)


@given(st.sampled_from([events.Device, events.Stage, events.Warning, events.Error, events.Interrupted]), st.text())
def test_any_message_round_trips(kind, text):
    assert parse(line_of(kind(text))) == kind(text)


def test_a_stage_without_counts_is_not_counted_and_bad_counts_are_no_event():
    assert parse('{"event": "stage", "message": "Loading TensorFlow"}') == events.Stage("Loading TensorFlow", 0, 0)
    assert parse('{"event": "stage", "message": "x", "done": -1, "total": 3}') is None
    assert parse(f'{{"event": "stage", "message": "x", "done": 1, "total": {MAX_COUNT + 1}}}') is None


def test_the_protocol_loads_neither_qt_nor_tensorflow():
    code = (
        "import sys, handwriting_recognizer.core.progress; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'keras', 'tensorflow', 'numpy')))"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "[]", proc.stderr
