"""The training CLI refuses every bad input with one line and exit code 2 before any training work,
and stops cleanly (exit 130) whenever it is cancelled.

These run `handwriting_recognizer.training.cli.main` in this process (errors come before TensorFlow loads, so they are
fast) and the CLI as a process where a signal or the import of TensorFlow is what is tested.
"""

from __future__ import annotations

import dataclasses
import gzip
import io
import json
import os
import signal
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from handwriting_recognizer.core.safe_io import MB
from handwriting_recognizer.core.samples import MAX_JSON_BYTES, MAX_PNG_BYTES, SampleStore
from handwriting_recognizer.core.train_config import (
    LEARNING_RATE_FINE_TUNE,
    LEARNING_RATE_FROM_SCRATCH,
    ConfigError,
    TrainConfig,
    flag,
    option,
)
from handwriting_recognizer.training.cli import EXIT_BAD_INPUT, EXIT_INTERRUPTED, config_from, main, parse_args
from handwriting_recognizer.training.data import MAX_IMAGES, MAX_NPZ_BYTES
from handwriting_recognizer.training.samples import load_samples
from tests.fakes import IDX, fake_mnist, write_idx_folder

ROOT = Path(__file__).resolve().parent.parent
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")


def refused(capsys, *args: str) -> str:
    """Run the CLI (bar mode: messages on stderr), expect exit 2 and one line; return that line."""
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse
        code = exc.code
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert code == EXIT_BAD_INPUT, (code, out[-2000:], err[-2000:])
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


@pytest.fixture
def npz(tmp_path) -> Path:
    path = tmp_path / "tiny.npz"
    np.savez(path, **fake_mnist())
    return path


@pytest.fixture
def fifo(tmp_path) -> Path:
    """A named pipe with no writer: opening it to read would wait for ever."""
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this system")
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


def sparse_file(path: Path, size: int) -> Path:
    """A file of `size` bytes that takes no disk space: a budget is checked before reading."""
    with open(path, "wb") as f:
        f.truncate(size)
    return path


# --- options ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "option, value, expected",
    [
        ("--batch-size", "0", "must be at least 1, got 0"),
        ("--batch-size", "-8", "must be at least 1, got -8"),
        ("--width", "0", "must be at least 2, got 0"),
        ("--width", "1", "must be at least 2, got 1"),
        ("--epochs", "-1", "must be at least 0, got -1"),
        ("--limit", "0", "must be at least 1, got 0"),
        ("--learning-rate", "nan", "must be a finite number above 0, got nan"),
        ("--learning-rate", "inf", "must be a finite number above 0, got inf"),
        ("--learning-rate", "0", "must be a finite number above 0, got 0"),
        ("--learning-rate", "-0.001", "must be a finite number above 0, got -0.001"),
        ("--samples-weight", "nan", "must be a finite number of at least 0, got nan"),
        ("--samples-weight", "-1", "must be a finite number of at least 0, got -1"),
        ("--elastic", "-0.5", "must be a finite number of at least 0, got -0.5"),
        ("--seed", "-1", "must be from 0 to 4294967295, got -1"),
        ("--batch-size", "lots", "expected a whole number, got 'lots'"),
    ],
)
def test_option_out_of_range_is_refused(capsys, npz, tmp_path, option, value, expected):
    line = refused(capsys, "--data", str(npz), "--out", str(tmp_path / "out"), option, value)
    assert f"argument {option}: {expected}" in line
    assert not (tmp_path / "out").exists()


def test_argparse_defaults_are_the_config_defaults():
    args = parse_args([])
    defaults = TrainConfig()
    for f in dataclasses.fields(TrainConfig):
        assert getattr(args, f.name) == getattr(defaults, f.name), f.name
    assert config_from(args) == defaults
    assert not args.list_devices


def test_help_says_each_options_meaning_and_default(capsys):
    with pytest.raises(SystemExit):
        parse_args(["--help"])
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps the lines
    for f in dataclasses.fields(TrainConfig):
        spec = option(f.name)
        if spec.hidden:
            assert flag(f.name) not in text
            continue
        assert " ".join(spec.meaning.split()) in text, f.name
    assert "loss weight of each own sample (default 5)" in text and "(default 0.8)" in text


def test_the_learning_rate_default_depends_on_init():
    assert TrainConfig().effective_learning_rate() == LEARNING_RATE_FROM_SCRATCH == 2e-3
    assert TrainConfig(init=Path("w.weights.h5")).effective_learning_rate() == LEARNING_RATE_FINE_TUNE == 3e-4
    assert TrainConfig(init=Path("w.weights.h5"), learning_rate=1e-3).effective_learning_rate() == 1e-3
    assert config_from(parse_args(["--init", "w.weights.h5"])).effective_learning_rate() == 3e-4


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"batch_size": 0}, "--batch-size: must be at least 1, got 0"),
        ({"width": 1}, "--width: must be at least 2, got 1"),
        ({"width": 40.0}, "--width: expected a whole number, got 40.0"),
        ({"epochs": True}, "--epochs: expected a whole number, got True"),
        ({"seed": 2**32}, "--seed: must be from 0 to 4294967295, got 4294967296"),
        ({"learning_rate": 0.0}, "--learning-rate: must be a finite number above 0, got 0.0"),
        ({"samples_weight": float("nan")}, "--samples-weight: must be a finite number of at least 0, got nan"),
        ({"elastic": 10**400}, "--elastic: must be a finite number of at least 0, got 1" + "0" * 400),
        ({"device": "tpu"}, "--device: must be one of auto, cpu, gpu, got 'tpu'"),
        ({"limit": 0}, "--limit: must be at least 1, got 0"),
        ({"epochs": 0}, "--epochs 0 exports the --init weights without training: name them with --init"),
    ],
)
def test_a_config_with_a_value_training_refuses_cannot_be_made(changes, expected):
    with pytest.raises(ConfigError) as caught:
        TrainConfig(**changes)
    assert str(caught.value) == expected


def test_a_config_survives_the_command_line():
    """What the retrain dialog passes: the CLI reads back the same config."""
    config = TrainConfig(
        data="mnist.npz",
        epochs=3,
        device="cpu",
        progress="jsonl",
        out=Path("runs/x"),
        compare=Path("model.onnx"),
        init=Path("model.weights.h5"),
        width=24,
        samples=Path("s"),
        samples_weight=2.5,
        limit=600,
        learning_rate=1e-4,
        elastic=0.0,
        seed=7,
    )
    assert config_from(parse_args(config.arguments())) == config
    assert TrainConfig().arguments() == []
    assert TrainConfig(data="-odd name.npz", epochs=3).arguments() == ["--data=-odd name.npz", "--epochs=3"]
    assert config_from(parse_args(TrainConfig(data="-odd name.npz").arguments())).data == "-odd name.npz"


# --- the output folder -----------------------------------------------------------------------------


def test_output_folder_that_is_a_file_is_refused(capsys, npz, tmp_path):
    (tmp_path / "taken").write_text("a file")
    assert (
        refused(capsys, "--data", str(npz), "--out", str(tmp_path / "taken"))
        == f"error: --out {tmp_path / 'taken'}: is a file, not a folder"
    )
    assert (
        refused(capsys, "--data", str(npz), "--out", str(tmp_path / "taken" / "run"))
        == f"error: --out {tmp_path / 'taken' / 'run'}: {tmp_path / 'taken'} is a file, not a folder"
    )


def test_unwritable_output_folder_is_refused(capsys, npz, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    if os.access(locked, os.W_OK):
        pytest.skip("this user may write into any folder (root)")
    line = refused(capsys, "--data", str(npz), "--out", str(locked / "run"))
    assert line == f"error: --out {locked / 'run'}: cannot write there (Permission denied)"


# --- files to start from and to compare with -------------------------------------------------------


def test_init_weights_that_cannot_be_used_are_refused(capsys, npz, tmp_path, fifo):
    (tmp_path / "weights-folder").mkdir()
    (tmp_path / "notes.h5").write_text("not HDF5")
    for init, expected in (
        (tmp_path / "nope.weights.h5", "nope.weights.h5: cannot read (No such file"),
        (tmp_path / "weights-folder", "weights-folder: is a folder, not a weights file"),
        (tmp_path / "notes.h5", "notes.h5: not a Keras weights file"),
        (fifo, "pipe: not a regular file"),
    ):
        line = refused(capsys, "--data", str(npz), "--init", str(init), "--out", str(tmp_path / "out"))
        assert line.startswith(f"error: --init: {expected}"), line
    assert not (tmp_path / "out").exists()


def test_model_to_compare_with_is_checked_before_training(capsys, npz, tmp_path, fifo):
    (tmp_path / "model-folder").mkdir()
    (tmp_path / "text.onnx").write_text("not a model")
    for model, expected in (
        (tmp_path / "text.onnx", "text.onnx: not a usable ONNX model"),
        (tmp_path / "model-folder", "model-folder: is a folder"),
        (tmp_path / "nope.onnx", "nope.onnx: cannot read"),
        (fifo, "pipe: not a regular file"),
    ):
        line = refused(capsys, "--data", str(npz), "--compare", str(model), "--out", str(tmp_path / "out"))
        assert line.startswith(f"error: --compare: {expected}"), line


# --- dataset and samples paths ---------------------------------------------------------------------


def test_dataset_and_samples_paths_say_what_is_wrong(capsys, npz, tmp_path, fifo):
    (tmp_path / "empty").mkdir()
    folder = write_idx_folder(tmp_path / "idx", fake_mnist(), gz=False)
    (folder / IDX["y_test"]).unlink()
    (folder / IDX["y_test"]).mkdir()
    out = str(tmp_path / "out")
    assert refused(capsys, "--data", str(tmp_path / "empty"), "--out", out) == (
        f"error: {tmp_path / 'empty'}: missing train-images-idx3-ubyte, train-labels-idx1-ubyte, "
        "t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (IDX files, raw or .gz; or pass a Keras-layout .npz)"
    )
    assert (
        refused(capsys, "--data", str(folder), "--out", out)
        == "error: t10k-labels-idx1-ubyte: is a folder, not a dataset file (IDX)"
    )
    assert (
        refused(capsys, "--data", str(fifo), "--out", out)
        == "error: pipe: not a regular file (a pipe, device or socket), not a dataset (.npz)"
    )
    assert (
        refused(capsys, "--data", str(tmp_path / "nope.npz"), "--out", out)
        == f"error: {tmp_path / 'nope.npz'}: no such file or folder"
    )
    assert (
        refused(capsys, "--data", str(npz), "--samples", str(npz), "--out", out)
        == f"error: {npz}: is a file, not a samples folder"
    )
    too_long = tmp_path / ("n" * 300 + ".npz")  # a name the file system cannot hold: no such file either
    assert refused(capsys, "--data", str(too_long), "--out", out) == f"error: {too_long}: no such file or folder"
    assert (
        refused(capsys, "--data", str(npz), "--samples", str(too_long), "--out", out)
        == f"error: {too_long}: no such samples folder"
    )


# --- .npz budgets and damage -----------------------------------------------------------------------


def npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def write_npz(path: Path, members: dict[str, bytes], compression: int = zipfile.ZIP_STORED) -> Path:
    """An .npz of fake MNIST whose members named in `members` are replaced by these bytes."""
    arrays = {f"{k}.npy": npy_bytes(v) for k, v in fake_mnist().items()}
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in {**arrays, **members}.items():
            archive.writestr(name, data)
    return path


def npy_header(shape: tuple[int, ...], descr: str = "|u1") -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": descr, "fortran_order": False, "shape": shape})
    return buffer.getvalue()


def declare_unpacked_size(path: Path, member: str, size: int) -> None:
    """Rewrite the size `member` declares in the zip's central directory (what zipfile believes)."""
    data = bytearray(path.read_bytes())
    at = data.index(b"PK\x01\x02")  # an entry: its size at +24, its name's length at +28, its name at +46
    while data[at + 46 : at + 46 + struct.unpack_from("<H", data, at + 28)[0]] != member.encode():
        at = data.index(b"PK\x01\x02", at + 4)
    struct.pack_into("<I", data, at + 24, size)
    path.write_bytes(data)


def test_npz_refused_on_the_sizes_it_declares(capsys, tmp_path):
    out = str(tmp_path / "out")
    # A header claiming 1.4 TiB: refused before anything is allocated.
    huge = write_npz(tmp_path / "huge.npz", {"x_train.npy": npy_header((2_000_000_000, 28, 28)) + bytes(100)})
    assert refused(capsys, "--data", str(huge), "--out", out) == (
        f"error: {huge}: x_train declares shape (2000000000, 28, 28), more than the {MAX_IMAGES:,} images of "
        "28x28 bytes (747.7 MB) an array may hold"
    )
    labels = write_npz(tmp_path / "labels.npz", {"y_train.npy": npy_header((10**8,), "<i8")})
    assert "y_train declares shape (100000000,), more than" in refused(capsys, "--data", str(labels), "--out", out)
    # A member whose directory entry says it unpacks to 4 GB (a 6 MB file of zeros can).
    bomb = write_npz(tmp_path / "bomb.npz", {})
    declare_unpacked_size(bomb, "x_test.npy", 0xFFFF0000)
    assert (
        refused(capsys, "--data", str(bomb), "--out", out)
        == f"error: {bomb}: x_test declares 4.0 GB unpacked, more than an array may be (747.7 MB)"
    )
    big = sparse_file(tmp_path / "big.npz", MAX_NPZ_BYTES + 1)
    assert (
        refused(capsys, "--data", str(big), "--out", out)
        == "error: big.npz: 1.0 GB is more than a dataset (.npz) may be (1.0 GB)"
    )


def test_damaged_npz_is_a_dataset_error(capsys, tmp_path):
    arrays = fake_mnist()
    np.savez_compressed(tmp_path / "deflate.npz", **arrays)
    data = bytearray((tmp_path / "deflate.npz").read_bytes())
    info = zipfile.ZipFile(tmp_path / "deflate.npz").getinfo("x_train.npy")
    name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
    data[info.header_offset + 30 + name_length + extra_length] = 0xFF  # a deflate block of the reserved type
    (tmp_path / "deflate.npz").write_bytes(data)
    assert refused(capsys, "--data", str(tmp_path / "deflate.npz"), "--out", str(tmp_path / "out")).startswith(
        f"error: {tmp_path / 'deflate.npz'}: x_train is damaged (Error -3 while decompressing data: invalid block type"
    )
    np.savez(tmp_path / "stored.npz", **arrays)
    data = bytearray((tmp_path / "stored.npz").read_bytes())
    data[3000] ^= 0xFF  # inside x_train's pixels: only the CRC can tell
    (tmp_path / "crc.npz").write_bytes(data)
    assert (
        refused(capsys, "--data", str(tmp_path / "crc.npz"), "--out", str(tmp_path / "out"))
        == f"error: {tmp_path / 'crc.npz'}: x_train is damaged (Bad CRC-32 for file 'x_train.npy')"
    )


# --- IDX budgets and damage ------------------------------------------------------------------------


def idx_folder_with(tmp_path: Path, name: str, content: bytes) -> Path:
    """A folder of good gzipped IDX files but for the training images, which are `content`."""
    folder = write_idx_folder(tmp_path / name, fake_mnist(), gz=True)
    (folder / (IDX["x_train"] + ".gz")).write_bytes(content)
    return folder


def idx_header(shape: tuple[int, ...]) -> bytes:
    return bytes([0, 0, 8, len(shape)]) + b"".join(struct.pack(">I", d) for d in shape)


def test_idx_refused_on_the_shape_it_declares(capsys, tmp_path):
    images = IDX["x_train"] + ".gz"
    # 0xFFFFFFFF^3 overflows int64 (numpy's product wraps around to a small number).
    overflow = idx_folder_with(tmp_path, "overflow", gzip.compress(idx_header((0xFFFFFFFF,) * 3) + bytes(10)))
    assert refused(capsys, "--data", str(overflow), "--out", str(tmp_path / "out")) == (
        f"error: {overflow / images}: its header declares shape (4294967295, 4294967295, 4294967295), more than "
        f"the {MAX_IMAGES:,} images of 28x28 bytes (747.7 MB) an array may hold"
    )
    big = idx_folder_with(tmp_path, "big", gzip.compress(idx_header((2_000_000, 28, 28))))
    assert "its header declares shape (2000000, 28, 28), more than" in refused(
        capsys, "--data", str(big), "--out", str(tmp_path / "out")
    )


@needs_fifo
def test_damaged_gzip_idx_is_a_dataset_error(capsys, tmp_path):
    good = gzip.compress(idx_header((60, 28, 28)) + bytes(60 * 784))
    images = IDX["x_train"] + ".gz"
    for name, content, expected in (
        (
            "truncated",
            good[: len(good) // 2],
            "not a readable gzip file (Compressed file ended before the end-of-stream",
        ),
        ("header", b"\x1f\x8b" + b"not gzip at all" * 10, "not a readable gzip file ("),
        ("raw", b"plain bytes, no gzip", "not a readable gzip file (Not a gzipped file"),
    ):
        folder = idx_folder_with(tmp_path, name, content)
        line = refused(capsys, "--data", str(folder), "--out", str(tmp_path / "out"))
        assert line.startswith(f"error: {folder / images}: {expected}"), line
    folder = idx_folder_with(tmp_path, "fifo", b"")
    (folder / images).unlink()
    os.mkfifo(folder / images)
    assert (
        refused(capsys, "--data", str(folder), "--out", str(tmp_path / "out"))
        == f"error: {images}: not a regular file (a pipe, device or socket), not a dataset file (IDX)"
    )


# --- compressed files that inflate past what they declare --------------------------------------

BOMB_MB = 256


def bomb(tmp_path: Path, kind: str) -> tuple[Path, str]:
    """A dataset whose training images declare 60 images (47,040 bytes) but inflate to 256 MB of
    zeros (a file of about a megabyte), and the error expected for it."""
    if kind == "npz":
        path = tmp_path / "bomb.npz"
        arrays = fake_mnist()
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            for key in ("y_train", "x_test", "y_test"):
                archive.writestr(f"{key}.npy", npy_bytes(arrays[key]))
            with archive.open("x_train.npy", "w", force_zip64=True) as member:
                member.write(npy_header((60, 28, 28)))
                for _ in range(BOMB_MB):
                    member.write(bytes(MB))
        return path, f"error: {path}: x_train is padded: more data than the 47040 bytes its header declares"
    stream = io.BytesIO()
    with gzip.GzipFile(fileobj=stream, mode="wb", compresslevel=1) as f:
        f.write(idx_header((60, 28, 28)))
        for _ in range(BOMB_MB):
            f.write(bytes(MB))
    folder = idx_folder_with(tmp_path, "bomb", stream.getvalue())
    return (
        folder,
        f"error: {folder / IDX['x_train']}.gz: the data is padded: more data than the 47040 bytes its header declares",
    )


@pytest.mark.skipif(sys.platform != "linux", reason="reads the peak memory as Linux reports it (KB)")
@pytest.mark.parametrize("kind", ["npz", "idx"])
def test_compressed_data_inflates_no_further_than_declared(tmp_path, kind):
    """Declared sizes can lie: of the 256 MB, no more than the declared size (+1 byte) is inflated,
    seen in the process's peak memory."""
    path, expected = bomb(tmp_path, kind)
    script = f"""
import resource
from handwriting_recognizer.training import data
from handwriting_recognizer.training.cli import main
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
code = main(["--data", {str(path)!r}, "--out", {str(tmp_path / "out")!r}])
print(code, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
"""
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    code, grown_mb = map(int, proc.stdout.split())
    assert code == EXIT_BAD_INPUT and proc.stderr.strip() == expected
    assert grown_mb < BOMB_MB // 4, f"the peak memory grew by {grown_mb} MB"


# --- own samples -----------------------------------------------------------------------------------


def write_bad_samples(folder: Path) -> list[str]:
    """Two good samples and one of each kind of bad one; the reasons expected, in loading order."""
    store = SampleStore(folder)
    store.add(0, np.zeros((28, 28)))
    store.add(9, np.ones((28, 28)))
    bad = [store.add(digit, np.zeros((28, 28))) for digit in range(1, 8)]
    bad[0].meta.write_text("[" * 100_000)
    bad[1].meta.write_text(json.dumps({"label": True}))
    bad[2].meta.unlink()
    os.mkfifo(bad[2].meta)
    sparse_file(bad[3].meta, MAX_JSON_BYTES + 1)
    sparse_file(bad[4].png, MAX_PNG_BYTES + 1)
    bad[5].png.write_bytes(b"\x89PNG\r\n\x1a\n" + struct.pack(">I4sII", 13, b"IHDR", 100_000, 100_000))
    bad[6].png.unlink()
    return [
        f"1/{bad[0].meta.name}: not a sample's JSON (nested too deeply)",
        f"2/{bad[1].meta.name}: its label true is not its folder's digit 2",
        f"3/{bad[2].meta.name}: not a regular file (a pipe, device or socket), not a sample file",
        f"4/{bad[3].meta.name}: 4.0 MB is more than a sample file may be (4.0 MB)",
        f"5/{bad[4].png.name}: 256.0 KB is more than a sample picture may be (256.0 KB)",
        f"6/{bad[5].png.name}: not a 28x28 PNG picture",
        f"7/{bad[6].png.name}: cannot read (No such file or directory)",
    ]


@needs_fifo
def test_unusable_samples_are_skipped_with_their_reasons(tmp_path):
    expected = write_bad_samples(tmp_path / "samples")
    x, y, skipped = load_samples(tmp_path / "samples")
    assert x.shape == (2, 28, 28) and list(y) == [0, 9] and x[1].min() == 255
    assert skipped == expected


@needs_fifo
def test_skipped_samples_are_reported_before_training(capsys, tmp_path):
    first = write_bad_samples(tmp_path / "samples")[0]
    code = main(
        [
            "--samples",
            str(tmp_path / "samples"),
            "--data",
            str(tmp_path / "no.npz"),
            "--out",
            str(tmp_path / "out"),
            "--progress",
            "jsonl",
        ]
    )
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == EXIT_BAD_INPUT
    assert [e for e in events if e["event"] != "stage"] == [  # what it was doing: stage events
        {"event": "warning", "message": f"skipped 7 of your samples that cannot be used (the first: {first})"},
        {"event": "error", "message": f"error: {tmp_path / 'no.npz'}: no such file or folder"},
    ]


# --- before TensorFlow, and interrupted ------------------------------------------------------------


def test_bad_inputs_are_refused_before_tensorflow_loads(tmp_path):
    taken, out = tmp_path / "taken", tmp_path / "out"
    taken.write_text("a file")
    script = f"""
import sys
from handwriting_recognizer.training.cli import main
codes = [main([*args, "--out", {str(out)!r}]) for args in (
    ["--data", {str(tmp_path / "no.npz")!r}], ["--init", {str(tmp_path / "no.h5")!r}],
    ["--compare", {str(taken)!r}], ["--samples", {str(taken)!r}])]
codes.append(main(["--out", {str(taken)!r}]))
print(codes, "tensorflow" in sys.modules)
"""
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.stdout.strip() == "[2, 2, 2, 2, 2] False", proc.stderr[-3000:]


def wait_for_tensorflow_import(proc: subprocess.Popen, timeout: float = 120) -> None:
    """Until the process is in the middle of importing TensorFlow: past loading its core libraries,
    at the Python modules that register types (a KeyboardInterrupt there leaves TensorFlow half
    imported). Seen in the process's memory map; elsewhere than Linux, a fixed wait."""
    maps = Path(f"/proc/{proc.pid}/maps")
    if not maps.exists():
        time.sleep(2)
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if "_pywrap_device_lib" in maps.read_text():
            return
        time.sleep(0.01)
    pytest.fail("TensorFlow's import was not seen in the training process")


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_cancel_during_the_tensorflow_import_stops_cleanly(npz, tmp_path, stop):
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "handwriting_recognizer.training",
            "--data",
            str(npz),
            "--epochs",
            "1",
            "--progress",
            "jsonl",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_tensorflow_import(proc)
        proc.send_signal(stop)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == EXIT_INTERRUPTED, stderr[-3000:]
    assert "Traceback" not in stderr, stderr[-3000:]
    events = [json.loads(line) for line in stdout.splitlines()]
    assert [e for e in events if e["event"] != "stage"] == [  # what it was doing: stage events
        {"event": "interrupted", "message": "interrupted: stopped cleanly, no model written"}
    ]
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("progress", ["jsonl", "bar"])
def test_offline_the_download_fails_before_the_pen_data_is_drawn(capsys, monkeypatch, progress):
    """Offline, "Download MNIST" failed only after the "not a digit" scribbles were drawn (about 40 s),
    and the retrain dialog (jsonl) told its user to "pass --data PATH or set HWR_MNIST" (QA)."""
    import keras

    from handwriting_recognizer.training import pipeline

    def offline():
        raise Exception(
            "URL fetch failure on https://storage.googleapis.com/mnist.npz: [Errno -2] Name or service not known"
        )

    monkeypatch.delenv("HWR_MNIST", raising=False)
    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    with pytest.raises(pipeline.UserFacingError) as info:
        pipeline.load_inputs(TrainConfig(progress=progress, device="cpu"))
    assert "scribbles" not in capsys.readouterr().out
    assert str(info.value).startswith("MNIST could not be downloaded (URL fetch failure")
    assert ("--data PATH" in str(info.value)) == (progress == "bar")
