"""Retrained models on disk: a model and its companions switch as one unit, and no failure, at any
step, leaves a mix or loses the model the user had."""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import time
from pathlib import Path

import onnx
import pytest

from handwriting_recognizer.core import model_store
from handwriting_recognizer.core.contract import WEIGHTS_SOURCE_KEY, int8_path_for, strokes_path_for, weights_for
from handwriting_recognizer.core.model_store import ModelStore, matching_weights
from handwriting_recognizer.core.recognizer import ModelError, Recognizer


@pytest.fixture(scope="module")
def network(bundled_model) -> onnx.ModelProto:
    return onnx.load(bundled_model)


@pytest.fixture
def make_model(tmp_path, network):
    """`make_model(name)`: a real model file (the bundled network, told apart by its metadata) in its
    own folder, with weights whose hash its metadata names and an int8 copy (stand-in bytes)."""

    def make(name: str, weights: bytes | None = None, int8: bool = True, weights_hash: str | None = None) -> Path:
        weights = f"{name}-weights".encode() if weights is None else weights
        proto = onnx.ModelProto()
        proto.CopyFrom(network)
        for key, value in (("note", name), (WEIGHTS_SOURCE_KEY, weights_hash or hashlib.sha256(weights).hexdigest())):
            entry = proto.metadata_props.add()
            entry.key, entry.value = key, json.dumps(value)
        path = tmp_path / name / "model.onnx"
        path.parent.mkdir()
        path.write_bytes(proto.SerializeToString())
        weights_for(path).write_bytes(weights)
        if int8:
            int8_path_for(path).write_bytes(f"{name}-int8".encode())
            strokes_path_for(path).write_bytes(f"{name}-strokes".encode())
        return path

    return make


def unit(model: Path) -> tuple[bytes | None, ...]:
    """A model and its companions, as a user's next session would find them."""
    companions = (model, weights_for(model), int8_path_for(model), strokes_path_for(model))
    return tuple(p.read_bytes() if p.exists() else None for p in companions)


def set_folders(store: ModelStore) -> list[str]:
    return sorted(p.name for p in (store.root / "sets").iterdir())


@pytest.fixture
def store(tmp_path) -> ModelStore:
    return ModelStore(tmp_path / "models")


@pytest.fixture
def installed(store, make_model):
    """A store whose current model is "b" and previous "a": what the window holds after two retrains."""
    a, b = make_model("a"), make_model("b")
    store.install(b, store.install(a, make_model("bundled", int8=False)))
    return store, unit(a), unit(b)


def test_install_switches_model_and_companions_together(store, make_model):
    bundled, new = make_model("bundled", int8=False), make_model("new")
    assert not store.current.exists() and not store.has_previous()
    current = store.install(new, bundled)
    assert current == store.current and unit(current) == unit(new)
    assert store.has_previous() and unit(store.previous) == unit(bundled)
    assert Recognizer(current, use_gpu=False).info.metadata["note"] == "new"
    newer = make_model("newer", int8=False)
    store.install(newer, current)  # the active model is the current one: it becomes previous as it is
    assert unit(store.current) == unit(newer) and store.previous == current and unit(current) == unit(new)
    assert len(set_folders(store)) == 3  # the bundled copy, no longer named, stays a while (KEPT_UNNAMED)


def test_revert_swaps_and_swaps_back(installed):
    store, a, b = installed
    assert unit(store.revert()) == a and unit(store.previous) == b
    assert unit(store.revert()) == b and unit(store.previous) == a
    assert len(set_folders(store)) == 3  # a, b and the bundled copy: a revert writes no set


def test_sets_no_longer_named_are_kept_a_while_then_removed_oldest_first(store, make_model):
    """With two windows open, one's install removed the set the other ran (and fine-tuned from:
    its weights), which could then neither retrain nor be reverted to (found by a QA pass)."""
    active = make_model("bundled", int8=False)
    written = []
    for note in "abcde":
        active = store.install(make_model(note), active)
        written.append(active.parent.name)
    # e current, d previous, and the two before them for another window; a and the bundled copy gone
    assert set_folders(store) == sorted(written[1:])


def test_a_kept_set_another_window_runs_is_not_copied_again_when_it_installs(installed, make_model):
    store, a, b = installed
    [kept] = [p for p in (store.root / "sets").iterdir() if unit(p / "model.onnx") not in (a, b)]  # the bundled copy
    store.install(make_model("c"), kept / "model.onnx")  # the window that still runs it retrains
    assert store.previous == kept / "model.onnx"
    assert len(set_folders(store)) == 4  # c and the bundled copy, named; a and b kept; no second copy


def test_another_windows_install_under_way_is_left_alone(store, make_model):
    other = store.root / "sets" / ".20261126-120000-0123abcd.partial"
    other.mkdir(parents=True)
    (other / "model.onnx").write_bytes(b"half written")
    store.install(make_model("a"), make_model("bundled", int8=False))
    assert (other / "model.onnx").read_bytes() == b"half written"


def test_a_new_model_is_installed_when_the_model_it_replaces_has_left_the_disk(installed, make_model, tmp_path):
    """A model opened from a drive later removed: Use New Model failed with "model.onnx: cannot read",
    and the only way out was to discard the new model (found by a QA pass)."""
    store, a, b = installed
    gone = tmp_path / "removed-drive" / "model.onnx"
    c = make_model("c")
    assert unit(store.install(c, gone)) == unit(c)
    assert unit(store.previous) == b  # the store's current stays the one to revert to


def test_revert_without_a_previous_model_says_so(store):
    with pytest.raises(FileNotFoundError, match="no previous model"):
        store.revert()


def count_writes(monkeypatch, action) -> int:
    """How many atomic writes `action()` makes."""
    calls = []
    real = model_store.write_bytes_atomic
    monkeypatch.setattr(model_store, "write_bytes_atomic", lambda path, data: (calls.append(path), real(path, data)))
    action()
    monkeypatch.setattr(model_store, "write_bytes_atomic", real)
    return len(calls)


def fail_write(monkeypatch, at: int) -> None:
    """Make the `at`-th atomic write from now on fail as a full disk does."""
    calls = []
    real = model_store.write_bytes_atomic

    def write(path, data):
        calls.append(path)
        if len(calls) == at:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real(path, data)

    monkeypatch.setattr(model_store, "write_bytes_atomic", write)


def test_an_install_writes_four_files_its_origin_and_the_pointer(tmp_path, make_model, monkeypatch):
    """The failure tests below fail each of these writes in turn."""
    store = ModelStore(tmp_path / "probe")
    store.install(make_model("a"), make_model("bundled", int8=False))
    assert count_writes(monkeypatch, lambda: store.install(make_model("c"), store.current)) == 6


@pytest.mark.parametrize("at", [1, 2, 3, 4, 5, 6])
@pytest.mark.parametrize("crash", [False, True], ids=["error", "crash"])
def test_an_interrupted_install_leaves_the_previous_state_usable(installed, make_model, monkeypatch, at, crash):
    store, a, b = installed
    c = make_model("c")
    fail_write(monkeypatch, at)
    if crash:  # the process dies: nothing it would have cleaned up is
        monkeypatch.setattr(model_store.shutil, "rmtree", lambda *args, **kwargs: None)
    with pytest.raises(OSError, match="No space left"):
        store.install(c, store.current)
    monkeypatch.undo()
    reopened = ModelStore(store.root)  # the next start of the app
    assert unit(reopened.current) == b and unit(reopened.previous) == a
    assert Recognizer(reopened.current, use_gpu=False).info.metadata["note"] == "b"
    assert unit(reopened.install(c, reopened.current)) == unit(c)  # and the next install works
    assert unit(reopened.previous) == b
    for leftover in (store.root / "sets").glob(".*.partial"):  # what the crash left, found an hour later
        os.utime(leftover, (time.time() - 2 * model_store.PARTIAL_STALE_S,) * 2)
    reopened.revert()
    assert not list((store.root / "sets").glob(".*"))  # leftovers removed


def test_a_revert_that_cannot_write_keeps_both_models(installed, monkeypatch):
    store, a, b = installed
    fail_write(monkeypatch, 1)
    with pytest.raises(OSError, match="No space left"):
        store.revert()
    assert unit(store.current) == b and unit(store.previous) == a and store.has_previous()


def test_the_old_layout_is_migrated_and_keeps_working(tmp_path, bundled_model, make_model):
    root = tmp_path / "models"
    root.mkdir()
    old_current, old_previous = root / "current.onnx", root / "previous.onnx"
    for source, target in ((bundled_model, old_current), (make_model("older"), old_previous)):
        for companion in (lambda p: p, weights_for, int8_path_for, strokes_path_for):
            if companion(source).exists():
                companion(target).write_bytes(companion(source).read_bytes())
    before = unit(old_current), unit(old_previous)
    store = ModelStore(root)
    assert (unit(store.current), unit(store.previous)) == before
    migrated = Recognizer(store.current, use_gpu=False)
    assert migrated.info.precision == "int8" and migrated.info.fusion is not None  # its companions came along
    assert matching_weights(store.current) == weights_for(store.current)
    assert old_current.exists()  # the app may still run it from its remembered path
    store.revert()
    assert (unit(store.current), unit(store.previous)) == before[::-1]
    assert sorted(p.name for p in root.iterdir()) == ["sets", "state.json"]


def test_weights_are_only_used_with_the_model_they_belong_to(make_model, store):
    good = make_model("good")
    assert matching_weights(good) == weights_for(good)
    stale = make_model("stale", weights_hash="0" * 64)  # retrained since: the weights are another model's
    assert matching_weights(stale) is None
    weights_for(good).unlink()
    assert matching_weights(good) is None
    store.install(stale, make_model("bundled", int8=False))
    assert not weights_for(store.current).exists()  # never installed beside the wrong model
    assert unit(store.current)[2:] == (b"stale-int8", b"stale-strokes")


def test_files_that_are_not_regular_files_are_refused_without_waiting(make_model, store, tmp_path):
    fifo = tmp_path / "fifo.onnx"
    os.mkfifo(fifo)
    with pytest.raises(ModelError, match="fifo.onnx: not a regular file"):
        store.install(fifo, make_model("bundled"))
    assert not store.current.exists() and not any((store.root / "sets").glob("*"))
    new = make_model("new")
    for companion in (weights_for(new), int8_path_for(new), strokes_path_for(new)):
        companion.unlink()
        os.mkfifo(companion)
    assert unit(store.install(new, make_model("bundled2")))[1:] == (None, None, None)  # companions left out
    (store.root / "state.json").unlink()
    os.mkfifo(store.root / "state.json")
    assert store.has_previous()  # the unreadable pointer is moved aside and rebuilt, without waiting
    assert len(list(store.root.glob("state.json.bad-*"))) == 1


def damage(state: Path, how: str) -> None:
    """Break the pointer as a crash, a full disk, another program or a user might."""
    if how == "cut in half":
        state.write_bytes(state.read_bytes()[: state.stat().st_size // 2])
    elif how == "not a pointer":
        state.write_text(json.dumps({"current": "../../elsewhere", "previous": None}))
    else:
        state.unlink()


@pytest.mark.parametrize("how", ["cut in half", "not a pointer", "missing"])
def test_a_damaged_pointer_is_rebuilt_and_no_model_is_lost(installed, make_model, caplog, how):
    store, a, b = installed
    state = store.root / "state.json"
    damage(state, how)
    broken = state.read_bytes() if state.exists() else None
    with caplog.at_level(logging.WARNING, logger="handwriting_recognizer.core.model_store"):
        reopened = ModelStore(store.root)  # the next start of the app
        assert unit(reopened.current) == b and unit(reopened.previous) == a  # the newest set is current
    assert len(caplog.records) == 1 and "rebuilt" in caplog.text
    assert [p.read_bytes() for p in store.root.glob("state.json.bad-*")] == ([broken] if broken else [])
    c = make_model("c")
    assert unit(reopened.install(c, reopened.current)) == unit(c)  # the app runs b, the current model
    assert unit(reopened.previous) == b and unit(reopened.revert()) == b
    assert len(set_folders(reopened)) == 2 + model_store.KEPT_UNNAMED  # c, b named; a and the bundled copy kept
    assert len(caplog.records) == 1  # the rebuilt pointer is read as any other


def test_the_store_knows_which_model_a_retraining_made_and_which_it_replaced(store, make_model, tmp_path):
    opened = tmp_path / "mine.onnx"  # a model the user opened from a file
    opened.write_bytes(make_model("opened").read_bytes())
    current = store.install(make_model("retrained"), opened)
    assert store.origin(current) == model_store.Origin(retrained=True, name="model.onnx")
    assert store.origin(store.previous) == model_store.Origin(retrained=False, name="mine.onnx")
    assert store.origin(opened) is None  # outside the store
    assert store.origin(store.revert()) == model_store.Origin(retrained=False, name="mine.onnx")
    (store.current.parent / model_store.ORIGIN_FILE).write_text("[not, json")  # damaged: counted as retrained
    assert store.origin(store.current) == model_store.Origin(retrained=True, name="model.onnx")
    (store.current.parent / model_store.ORIGIN_FILE).unlink()  # a set from before origins were kept
    assert store.origin(store.current) == model_store.Origin(retrained=True, name="model.onnx")
