"""`python -m handwriting_recognizer predict`: pictures and drawings, good and bad, in one process."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from handwriting_recognizer.app.imageio import gray_to_qimage, save_png
from handwriting_recognizer.app.predict import main as predict_main
from handwriting_recognizer.core import recognizer as engine
from handwriting_recognizer.core.drawing import Drawing, save_drawing
from handwriting_recognizer.core.preprocess import render_strokes
from handwriting_recognizer.core.recognizer import CPU, CUDA
from tests import handmade
from tests.commands import predict

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def files(tmp_path) -> dict[str, Path]:
    out = {}
    for label, make in handmade.DIGITS.items():
        strokes = make()
        out[f"drawing{label}"] = tmp_path / f"d{label}.json"
        save_drawing(Drawing(400, 400, tuple(strokes), 14.0), out[f"drawing{label}"])
        ink = render_strokes(strokes, (400, 400), 14.0)
        out[f"image{label}"] = tmp_path / f"i{label}.png"  # dark ink on white, as a scan
        save_png(gray_to_qimage(ink, invert=True), out[f"image{label}"])
    (tmp_path / "notes.txt").write_text("not an image")
    out["text"] = tmp_path / "notes.txt"
    (tmp_path / "broken.json").write_text('{"width": 10, "strokes": 3}')
    out["broken"] = tmp_path / "broken.json"
    return out


def test_drawings_and_images_are_recognized(files):
    names = [files[f"{kind}{label}"] for kind in ("drawing", "image") for label in handmade.DIGITS]
    proc = predict("--json", *map(str, names))
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [Path(r["file"]).name for r in lines] == [p.name for p in names]
    for result in lines:
        expected = int(Path(result["file"]).stem[1:])
        assert result["label"] == expected, result
        assert result["reason"] is None
        assert len(result["probabilities"]) == 10
        assert abs(sum(result["probabilities"]) + result["not_a_digit"] - 1) < 1e-2
        assert result["confidence"] == max(result["probabilities"])


def test_bad_files_are_reported_and_do_not_stop_the_others(files):
    proc = predict(
        "--json",
        str(files["text"]),
        str(files["drawing7"]),
        str(files["broken"]),
        str(files["text"].with_name("missing.png")),
    )
    assert proc.returncode == 1
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(lines) == 4
    assert "error" in lines[0] and "notes.txt" in lines[0]["error"]
    assert lines[1]["label"] == 7
    assert "error" in lines[2] and "broken.json" in lines[2]["error"]
    assert "error" in lines[3] and "missing.png" in lines[3]["error"]


def test_text_output_names_each_file(files):
    proc = predict(str(files["drawing1"]), str(files["text"]))
    assert proc.returncode == 1
    first, second = proc.stdout.splitlines()
    assert first.startswith(str(files["drawing1"])) and ": 1 (" in first
    assert "error" in second


def test_bad_model_exits_2_with_a_message(files, tmp_path):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"\x08\x01garbage")
    proc = predict("--model", str(bad), str(files["drawing1"]))
    assert proc.returncode == 2
    assert "bad.onnx" in proc.stderr and "Traceback" not in proc.stderr


def test_blank_image_is_unsure(tmp_path):
    blank = tmp_path / "blank.png"
    save_png(gray_to_qimage(np.zeros((50, 50), np.float32)), blank)
    proc = predict("--json", str(blank))
    assert proc.returncode == 0
    result = json.loads(proc.stdout)
    assert result["label"] is None and result["reason"] == "blank"
    # Ten zeros read as a "0" to a script taking the likeliest digit (QA pass): nothing was read.
    assert result["probabilities"] is None and result["not_a_digit"] is None and result["characters"] == []


def test_confidence_is_null_when_there_is_no_reading(tmp_path):
    """`confidence` goes with `text`: a not-a-number or blank file once gave a confidence (the
    product of the characters' ones) beside "text": null, which reads as a verdict."""
    not_a_number, number, blank = tmp_path / "not.json", tmp_path / "number.json", tmp_path / "blank.png"
    save_drawing(Drawing(800, 300, tuple(handmade.write("4-2")), handmade.PEN), not_a_number)
    save_drawing(Drawing(800, 300, tuple(handmade.write("71")), handmade.PEN), number)
    save_png(gray_to_qimage(np.zeros((50, 50), np.float32)), blank)
    proc = predict("--json", str(not_a_number), str(number), str(blank))
    assert proc.returncode == 0, proc.stderr
    wrong, read, empty = (json.loads(line) for line in proc.stdout.splitlines())
    assert wrong["reason"] == "not_a_number" and wrong["text"] is None and wrong["confidence"] is None
    assert all(c["confidence"] is not None for c in wrong["characters"] if c["char"] != "-")
    assert read["text"] == "71" and read["label"] is None
    assert read["confidence"] == pytest.approx(
        read["characters"][0]["confidence"] * read["characters"][1]["confidence"], abs=1e-3
    )
    assert empty["reason"] == "blank" and empty["confidence"] is None


def test_predict_reads_on_the_cpu_where_cuda_is_offered(tmp_path, monkeypatch, capfd):
    """A process's first CUDA session takes seconds to start; a command that reads a few files must
    not wait for it."""
    real, made = engine.ort.InferenceSession, []

    def session(data, options, providers, **options_too):
        made.append(providers[0])
        return real(data, options, providers=[CPU], **options_too)

    monkeypatch.setattr(engine.ort, "get_available_providers", lambda: [CUDA, CPU])
    monkeypatch.setattr(engine.ort, "InferenceSession", session)
    # The models' memory limit is the process', for good: the tests after this one, in this process,
    # read 10,000 images at once. `predict` is run with its limit in its own process (test_model_files).
    monkeypatch.setattr("handwriting_recognizer.app.predict.limit_model_memory", lambda: None)
    seven = tmp_path / "seven.json"
    save_drawing(Drawing(400, 400, tuple(handmade.seven()), handmade.PEN), seven)
    assert predict_main(["--json", str(seven)]) == 0
    assert json.loads(capfd.readouterr().out)["label"] == 7
    assert made and CUDA not in made


def test_plain_output_says_why_a_number_is_not_one_as_the_window_does(tmp_path):
    """The CLI once said only "character 3 is not a digit, or not in its place" where the window
    named the minus sign or the point at fault (found by a hands-on pass)."""
    files = []
    for name, written in (("minus", "42-"), ("point", ".5")):
        files.append(tmp_path / f"{name}.json")
        save_drawing(Drawing(800, 300, tuple(handmade.write(written)), handmade.PEN), files[-1])
    proc = predict(*map(str, files))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        f"{files[0]}: not a number (42-: character 3 is a minus sign, which only goes first)",
        f"{files[1]}: not a number (.5: character 1 is a decimal point with no digit before it)",
    ]


def test_a_file_of_several_pictures_says_only_its_first_is_read(files, tmp_path):
    """`predict` read a multi-page TIFF's first page without a word, where the window says so."""
    from PIL import Image

    seven = Image.open(files["image7"]).convert("L")
    scan = tmp_path / "scan.tiff"
    seven.save(scan, save_all=True, append_images=[Image.new("L", seven.size, 255)] * 2)
    proc = predict("--json", str(scan), str(files["image7"]), str(files["drawing7"]))
    assert proc.returncode == 0, proc.stderr
    assert [(r["label"], r["pictures"]) for r in map(json.loads, proc.stdout.splitlines())] == [
        (7, 3),
        (7, 1),
        (7, None),
    ]
    plain = predict(str(scan), str(files["image7"])).stdout.splitlines()
    assert plain[0].endswith("(the first of its 3 pictures: pages or frames)") and ": 7 (" in plain[0]
    assert "pictures" not in plain[1]
