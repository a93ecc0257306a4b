"""The user's samples and retrained models on disk: atomic, never lost, exportable."""
from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

from desktop.drawing import Drawing
from desktop.engine import int8_path_for
from desktop.model_store import ModelStore, weights_for
from desktop.samples import SampleError, SampleStore


def image(seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random((28, 28)).astype(np.float32)


def test_add_writes_png_json_and_label(tmp_path):
    store = SampleStore(tmp_path)
    drawing = Drawing(100, 100, (np.array([[1.0, 2.0], [50.0, 60.0]]),), 4.0)
    sample = store.add(7, image(), drawing)
    assert sample.png.parent.name == "7" and sample.png.read_bytes()[:4] == b"\x89PNG"
    meta = json.loads(sample.meta.read_text())
    assert meta["label"] == 7 and meta["drawing"]["strokes"] == [[[1.0, 2.0], [50.0, 60.0]]]
    assert np.abs(store.image(sample) - image()).max() <= 1 / 255
    assert store.counts() == [0] * 7 + [1, 0, 0]


def test_a_failed_write_keeps_earlier_samples_and_leaves_no_half_sample(tmp_path, monkeypatch):
    store = SampleStore(tmp_path)
    first = store.add(3, image(1))
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    calls = {"n": 0}
    real_fsync = __import__("os").fsync

    def disk_full_on_json(fd):
        calls["n"] += 1
        if calls["n"] == 2:  # the PNG is written, the JSON hits a full disk
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr("os.fsync", disk_full_on_json)
    with pytest.raises(OSError):
        store.add(3, image(2))
    monkeypatch.undo()
    assert [s.id for s in store.samples()] == [first.id]
    for path, data in before.items():
        assert path.read_bytes() == data
    assert not list(tmp_path.rglob("*.tmp"))


def test_bad_samples_are_refused(tmp_path):
    store = SampleStore(tmp_path)
    with pytest.raises(SampleError):
        store.add(12, image())
    with pytest.raises(SampleError):
        store.add(1, np.zeros((10, 10)))


def test_delete_export_import_round_trip(tmp_path):
    store = SampleStore(tmp_path / "a")
    kept = [store.add(d % 10, image(d)) for d in range(5)]
    store.delete(kept[0])
    assert len(store.samples()) == 4
    assert store.export_archive(tmp_path / "s.zip") == 4
    other = SampleStore(tmp_path / "b")
    assert other.import_archive(tmp_path / "s.zip") == (4, 0)
    assert other.counts() == store.counts()
    assert other.import_archive(tmp_path / "s.zip") == (0, 4)  # already there: skipped, not duplicated


def test_import_rejects_foreign_and_damaged_archives(tmp_path):
    store = SampleStore(tmp_path / "s")
    (tmp_path / "x.zip").write_text("nope")
    with pytest.raises(SampleError, match="x.zip"):
        store.import_archive(tmp_path / "x.zip")
    with zipfile.ZipFile(tmp_path / "y.zip", "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(SampleError, match="not a samples archive"):
        store.import_archive(tmp_path / "y.zip")
    with zipfile.ZipFile(tmp_path / "z.zip", "w") as z:
        z.writestr("FORMAT", "hwr-samples/1")
        z.writestr("4/a.json", json.dumps({"label": 4}))
        z.writestr("4/a.png", b"not a png")
        z.writestr("5/b.json", json.dumps({"label": 9}))
    assert store.import_archive(tmp_path / "z.zip") == (0, 2)


def test_model_store_install_and_revert(tmp_path):
    bundled = tmp_path / "bundled.onnx"
    bundled.write_bytes(b"bundled")
    weights_for(bundled).write_bytes(b"bundled-weights")
    new = tmp_path / "run" / "model.onnx"
    new.parent.mkdir()
    new.write_bytes(b"new")
    weights_for(new).write_bytes(b"new-weights")
    int8_path_for(new).write_bytes(b"new-int8")
    store = ModelStore(tmp_path / "models")
    current = store.install(new, bundled)
    assert current.read_bytes() == b"new" and weights_for(current).read_bytes() == b"new-weights"
    assert int8_path_for(current).read_bytes() == b"new-int8"
    assert store.previous.read_bytes() == b"bundled" and weights_for(store.previous).read_bytes() == b"bundled-weights"
    assert not int8_path_for(store.previous).exists()
    newer = tmp_path / "newer.onnx"
    newer.write_bytes(b"newer")
    store.install(newer, current)  # the active model is current.onnx itself
    assert current.read_bytes() == b"newer" and not weights_for(current).exists() and not int8_path_for(current).exists()
    assert store.previous.read_bytes() == b"new" and int8_path_for(store.previous).read_bytes() == b"new-int8"
    store.revert()
    assert current.read_bytes() == b"new" and store.previous.read_bytes() == b"newer"
    assert weights_for(current).read_bytes() == b"new-weights" and int8_path_for(current).read_bytes() == b"new-int8"


def test_my_samples_dialog_counts_shows_deletes_exports_imports(qtbot, tmp_path):
    from desktop.app import create_application
    from desktop.samples_view import SamplesDialog

    create_application([])
    store = SampleStore(tmp_path / "mine")
    for d in (1, 1, 7):
        store.add(d, image(d))
    dialog = SamplesDialog(None, store)
    qtbot.addWidget(dialog)
    assert "<b>1</b>: 2" in dialog.counts.text() and "<b>7</b>: 1" in dialog.counts.text() and "3 in all" in dialog.counts.text()
    assert dialog.grid.count() == 3 and not dialog.grid.item(0).icon().isNull()
    dialog.grid.item(0).setSelected(True)
    dialog.delete_selected()
    assert store.counts()[1] == 1 and dialog.grid.count() == 2
    dialog.export_to(str(tmp_path / "out.zip"))
    assert "Exported 2" in dialog.message.text()
    other = SampleStore(tmp_path / "other")
    second = SamplesDialog(None, other)
    qtbot.addWidget(second)
    second.import_from(str(tmp_path / "out.zip"))
    assert "Imported 2" in second.message.text() and second.grid.count() == 2
    second.import_from(str(tmp_path / "missing.zip"))
    assert "missing.zip" in second.message.text()
