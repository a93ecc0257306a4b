"""The user's samples and retrained models on disk: atomic, never lost, exportable."""

from __future__ import annotations

import json
import os
import zipfile

import numpy as np
import pytest

from handwriting_recognizer.app.imageio import encode_png, gray_to_qimage
from handwriting_recognizer.core.drawing import Drawing
from handwriting_recognizer.core.safe_io import GB
from handwriting_recognizer.core.samples import ImportReport, Sample, SampleError, SampleStore
from tests.fakes import disk_full_at


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
    disk_full_at(monkeypatch, 2)  # the PNG is written, the JSON hits a full disk
    with pytest.raises(OSError):
        store.add(3, image(2))
    monkeypatch.undo()
    assert [s.id for s in store.samples()] == [first.id]
    for path, data in before.items():
        assert path.read_bytes() == data
    assert not list(tmp_path.rglob("*.tmp"))
    assert {p for p in tmp_path.rglob("*") if p.is_file()} == set(before)  # nor its picture alone (QA pass)


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
    assert other.import_archive(tmp_path / "s.zip") == ImportReport(4, ())
    assert other.counts() == store.counts()
    assert [s.id for s in other.samples()] == [s.id for s in store.samples()]
    again = other.import_archive(tmp_path / "s.zip")  # already there: skipped, not duplicated
    assert again.imported == 0 and [reason for _, reason in again.skipped] == ["already in your samples"] * 4


def test_an_archive_from_before_a_relabel_does_not_bring_the_old_label_back(tmp_path):
    """The same drawing must not end up under two labels (the undo of the relabel then failed)."""
    store = SampleStore(tmp_path / "a")
    seven = store.add(7, image(7))
    store.export_archive(tmp_path / "before.zip")
    one = store.relabel(seven, 1)
    report = store.import_archive(tmp_path / "before.zip")
    assert report.imported == 0 and [reason for _, reason in report.skipped] == ["already in your samples (as a 1)"]
    assert [(s.id, s.label) for s in store.samples()] == [(one.id, 1)]


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
        z.writestr("5/b.png", b"not a png either")
    assert store.import_archive(tmp_path / "z.zip") == ImportReport(
        0, (("4/a.json", "not a 28x28 PNG picture"), ("5/b.json", "the label 9 does not match its folder 5/"))
    )
    assert store.samples() == []


def test_my_samples_dialog_counts_shows_deletes_exports_imports(qtbot, tmp_path, monkeypatch):
    from handwriting_recognizer.app.application import create_application
    from handwriting_recognizer.app.samples_view import SamplesDialog

    create_application([])
    store = SampleStore(tmp_path / "mine")
    for d in (1, 1, 7):
        store.add(d, image(d))
    dialog = SamplesDialog(None, store)
    qtbot.addWidget(dialog)
    assert (
        "<b>1</b>: 2" in dialog.counts.text()
        and "<b>7</b>: 1" in dialog.counts.text()
        and "3 in all" in dialog.counts.text()
    )
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
    assert second.message.text() == "Imported 2 samples." and second.grid.count() == 2
    second.import_from(str(tmp_path / "missing.zip"))
    assert "missing.zip" in second.message.text()
    monkeypatch.setattr("handwriting_recognizer.core.samples.MAX_ARCHIVE_SAMPLES", 1)
    second.export_to(str(tmp_path / "too-many.zip"))
    assert second.message.text().startswith("Not exported: ") and not (tmp_path / "too-many.zip").exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_reading_the_folder_never_blocks_on_a_pipe_and_skips_broken_samples(qtbot, tmp_path):
    from handwriting_recognizer.app.application import create_application
    from handwriting_recognizer.app.samples_view import SamplesDialog

    create_application([])
    store = SampleStore(tmp_path / "mine")
    good = store.add(1, image(1))
    (tmp_path / "mine" / "2").mkdir()
    os.mkfifo(tmp_path / "mine" / "2" / "pipe.json")  # a pipe with no writer: opening it would wait forever
    (tmp_path / "mine" / "2" / "pipe.png").write_bytes(good.png.read_bytes())
    (tmp_path / "mine" / "3").mkdir()
    (tmp_path / "mine" / "3" / "pipe.json").write_bytes(good.meta.read_bytes())
    os.mkfifo(tmp_path / "mine" / "3" / "pipe.png")
    four = tmp_path / "mine" / "4"
    four.mkdir()
    for name in ("huge", "junk", "wide"):
        (four / f"{name}.json").write_text(json.dumps({"label": 4}))
    with open(four / "huge.png", "wb") as f:
        f.truncate(1 * GB)  # sparse: a gigabyte that takes no disk
    (four / "junk.png").write_bytes(b"not a png")
    (four / "wide.png").write_bytes(encode_png(gray_to_qimage(np.zeros((28, 56)))))

    samples = store.samples()
    assert [s.id for s in samples] == [good.id, "huge", "junk", "wide"]  # the pipes are no samples
    messages = []
    for sample in samples[1:]:
        with pytest.raises(SampleError) as caught:
            store.image(sample)
        messages.append(str(caught.value))
    assert messages == [
        "huge.png: 1.0 GB is more than a sample picture may be (256.0 KB)",
        "junk.png: not a 28x28 PNG picture",
        "wide.png: not a 28x28 PNG picture",
    ]
    pipe = Sample(3, tmp_path / "mine" / "3" / "pipe.png", tmp_path / "mine" / "3" / "pipe.json")
    with pytest.raises(SampleError, match="pipe.png: not a regular file"):  # say it became a pipe since listed
        store.image(pipe)

    dialog = SamplesDialog(None, store)  # opens despite the broken samples
    qtbot.addWidget(dialog)
    assert dialog.grid.count() == 1 and "4 in all (3 unreadable, not shown)" in dialog.counts.text()
    dialog.export_to(str(tmp_path / "out.zip"))  # the unreadable ones stay behind; the pipes are never opened
    assert (
        dialog.message.text()
        == "Exported 1 sample to out.zip. 3 left out: unreadable or malformed, an import would skip them."
    )
    with zipfile.ZipFile(tmp_path / "out.zip") as z:
        assert sorted(z.namelist()) == sorted(
            [
                "FORMAT",
                f"1/{good.id}.png",
                f"1/{good.id}.json",
            ]
        )


def test_relabel_moves_a_sample_to_another_digit_keeping_its_picture_and_drawing(tmp_path):
    store = SampleStore(tmp_path / "mine")
    drawing = Drawing(100, 100, (np.array([[1.0, 2.0], [50.0, 60.0]]),), 4.0)
    sample = store.add(4, image(3), drawing)
    moved = store.relabel(sample, 9)
    assert (moved.label, moved.id) == (9, sample.id) and moved.png.parent.name == "9"
    assert not sample.png.exists() and not sample.meta.exists()
    assert store.counts() == [0] * 9 + [1]
    meta = json.loads(moved.meta.read_text())
    assert meta["label"] == 9 and meta["drawing"]["strokes"] == [[[1.0, 2.0], [50.0, 60.0]]]
    assert np.abs(store.image(moved) - image(3)).max() <= 1 / 255
    assert store.relabel(moved, 9) == moved  # the same label: nothing to do
    store.export_archive(tmp_path / "out.zip")  # the moved sample's label matches its folder: it travels
    assert SampleStore(tmp_path / "other").import_archive(tmp_path / "out.zip") == ImportReport(1, ())
    with pytest.raises(SampleError, match="digit 0-9"):
        store.relabel(moved, 10)


def test_an_interrupted_relabel_keeps_the_sample_under_its_old_label(tmp_path, monkeypatch):
    store = SampleStore(tmp_path)
    sample = store.add(4, image(5))
    disk_full_at(monkeypatch, 2)  # the moved PNG is written, its JSON hits a full disk
    with pytest.raises(OSError):
        store.relabel(sample, 1)
    monkeypatch.undo()
    assert store.samples() == [sample] and np.abs(store.image(sample) - image(5)).max() <= 1 / 255
    assert not list(tmp_path.rglob("*.tmp"))


def test_relabel_refuses_a_sample_whose_file_is_not_a_sample_and_changes_nothing(tmp_path):
    store = SampleStore(tmp_path)
    sample = store.add(2, image())
    sample.meta.write_text("[1, 2]")
    with pytest.raises(SampleError, match="not an object"):
        store.relabel(sample, 3)
    sample.meta.write_text("{not json")
    with pytest.raises(SampleError, match="not valid JSON"):
        store.relabel(sample, 3)
    assert store.samples() == [sample] and store.counts()[3] == 0


def test_a_removed_sample_is_put_back_exactly(tmp_path):
    store = SampleStore(tmp_path)
    keep, gone = store.add(1, image(1)), store.add(1, image(2))
    files = {p: p.read_bytes() for p in (gone.png, gone.meta)}
    removed = store.remove(gone)
    assert store.samples() == [keep] and not gone.png.exists()
    assert store.put_back(removed) == gone
    assert {p: p.read_bytes() for p in (gone.png, gone.meta)} == files
    assert store.samples() == sorted([keep, gone], key=lambda s: s.meta)
    gone.png.unlink()
    with pytest.raises(SampleError, match="cannot read"):  # unreadable: nothing is deleted
        store.remove(gone)
    assert gone.meta.exists()
