"""Dataset loading: .npz and IDX (raw and gzipped) load; every bad file is one clear error."""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from handwriting_recognizer.training.data import DatasetError, load_mnist, read_idx, split_validation
from tests.fakes import IDX, fake_mnist, write_idx_folder

ROOT = Path(__file__).resolve().parent.parent


def test_npz_loads_in_keras_layout(tmp_path):
    arrays = fake_mnist()
    np.savez(tmp_path / "m.npz", **arrays)
    m = load_mnist(str(tmp_path / "m.npz"))
    for key in IDX:
        np.testing.assert_array_equal(getattr(m, key), arrays[key])


@pytest.mark.parametrize("gz", [False, True], ids=["raw", "gzip"])
def test_idx_folder_loads(tmp_path, gz):
    arrays = fake_mnist()
    m = load_mnist(str(write_idx_folder(tmp_path / "idx", arrays, gz)))
    np.testing.assert_array_equal(m.x_train, arrays["x_train"])
    np.testing.assert_array_equal(m.y_test, arrays["y_test"])


def test_environment_variable_is_used(tmp_path, monkeypatch):
    np.savez(tmp_path / "m.npz", **fake_mnist(n_train=7))
    monkeypatch.setenv("HWR_MNIST", str(tmp_path / "m.npz"))
    assert len(load_mnist().x_train) == 7


def bad_files(tmp_path: Path):
    arrays = fake_mnist()
    np.savez(tmp_path / "good.npz", **arrays)
    yield "missing file", tmp_path / "nope.npz", "no such file"
    (tmp_path / "trunc.npz").write_bytes((tmp_path / "good.npz").read_bytes()[:500])
    yield "truncated npz", tmp_path / "trunc.npz", "not a readable .npz"
    (tmp_path / "text.npz").write_text("hello")
    yield "not an npz", tmp_path / "text.npz", "not a readable .npz"
    np.savez(tmp_path / "keys.npz", x_train=arrays["x_train"])
    yield "missing arrays", tmp_path / "keys.npz", "missing arrays"
    np.savez(tmp_path / "shape.npz", **{**arrays, "x_train": arrays["x_train"].reshape(60, 784)})
    yield "wrong shape", tmp_path / "shape.npz", "expected (N, 28, 28)"
    np.savez(tmp_path / "labels.npz", **{**arrays, "y_test": arrays["y_test"][:5]})
    yield "label count", tmp_path / "labels.npz", "y_test has shape"
    np.savez(tmp_path / "range.npz", **{**arrays, "y_train": arrays["y_train"] + 10})
    yield "label range", tmp_path / "range.npz", "labels 0..9"
    np.savez(tmp_path / "pickle.npz", **{**arrays, "x_test": np.array([object()], dtype=object)})
    yield "pickled objects", tmp_path / "pickle.npz", "unreadable array"
    folder = write_idx_folder(tmp_path / "idx_trunc", arrays, gz=False)
    p = folder / IDX["x_train"]
    p.write_bytes(p.read_bytes()[:-100])
    yield "truncated idx", folder, "truncated"
    folder = write_idx_folder(tmp_path / "idx_missing", arrays, gz=True)
    (folder / (IDX["y_test"] + ".gz")).unlink()
    yield "missing idx", folder, "missing t10k-labels"
    folder = write_idx_folder(tmp_path / "idx_magic", arrays, gz=False)
    (folder / IDX["y_train"]).write_bytes(b"\x12\x34\x56\x78" + bytes(70))
    yield "bad magic", folder, "bad magic"


def test_every_bad_file_is_a_clear_error(tmp_path):
    for case, path, message in bad_files(tmp_path):
        with pytest.raises(DatasetError) as info:
            load_mnist(str(path))
        text = str(info.value)
        assert path.name in text and message in text, f"{case}: {text}"
        assert "\n" not in text, case


def test_cli_bad_dataset_is_one_line_exit_2(tmp_path):
    bad = tmp_path / "broken.npz"
    bad.write_bytes(b"PK\x03\x04 this is not a zip")
    proc = subprocess.run(
        [sys.executable, "-m", "handwriting_recognizer.training", "--data", str(bad), "--out", str(tmp_path / "out")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "broken.npz" in lines[0] and "Traceback" not in proc.stderr
    assert not (tmp_path / "out" / "model.onnx").exists()


def test_read_idx_rejects_non_byte_types(tmp_path):
    p = tmp_path / "floats-idx1"
    p.write_bytes(bytes([0, 0, 0x0D, 1]) + struct.pack(">I", 1) + b"\0\0\0\0")
    with pytest.raises(DatasetError, match="bad magic"):
        read_idx(p)


def test_validation_split_is_disjoint_and_seeded():
    x = np.arange(100).reshape(100, 1, 1).astype(np.uint8)
    y = np.arange(100) % 10
    xt, yt, xv, yv = split_validation(x, y, 20, seed=3)
    assert len(xv) == 20 and len(xt) == 80
    assert not set(xt.ravel()) & set(xv.ravel())
    np.testing.assert_array_equal(split_validation(x, y, 20, seed=3)[2], xv)
