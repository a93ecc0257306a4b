"""Drawing files: round trip, validation of malformed input, atomic saves."""

from __future__ import annotations

import json

import numpy as np
import pytest

from handwriting_recognizer.core.drawing import Drawing, DrawingError, load_drawing, save_drawing


def test_round_trip(tmp_path):
    d = Drawing(400, 300, (np.array([[10.0, 20.0], [30.5, 40.25]]), np.array([[5.0, 5.0]])), pen_width=12.0)
    save_drawing(d, tmp_path / "d.json")
    back = load_drawing(tmp_path / "d.json")
    assert (back.width, back.height, back.pen_width) == (400, 300, 12.0)
    assert len(back.strokes) == 2
    np.testing.assert_allclose(back.strokes[0], d.strokes[0])
    np.testing.assert_array_equal(back.to_input(), d.to_input())


def test_pen_width_is_optional(tmp_path):
    (tmp_path / "d.json").write_text(json.dumps({"width": 100, "height": 100, "strokes": [[[1, 2], [3, 4]]]}))
    assert load_drawing(tmp_path / "d.json").pen_width is None


@pytest.mark.parametrize(
    "content, message",
    [
        ("not json", "not valid JSON"),
        ("", "the file is empty"),
        (" \n", "the file is empty"),
        ("[1, 2]", "JSON object"),
        ('{"height": 10, "strokes": []}', "'width'"),
        ('{"width": -5, "height": 10, "strokes": []}', "'width'"),
        ('{"width": 10, "height": 10}', "'strokes'"),
        ('{"width": 10, "height": 10, "strokes": [[[1, 2, 3]]]}', "stroke 0"),
        ('{"width": 10, "height": 10, "strokes": [[[1, 2]], [["a", 2]]]}', "stroke 1"),
        ('{"width": 10, "height": 10, "strokes": [[[1, NaN]]]}', "finite"),
        ('{"width": 10, "height": 10, "strokes": [], "pen_width": "big"}', "pen_width"),
    ],
)
def test_malformed_drawings_are_clear_errors(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(DrawingError) as info:
        load_drawing(path)
    assert "bad.json" in str(info.value) and message in str(info.value)


def test_binary_file_is_a_clear_error(tmp_path):
    path = tmp_path / "bin.json"
    path.write_bytes(bytes(range(256)))
    with pytest.raises(DrawingError, match="bin.json"):
        load_drawing(path)


def test_failed_save_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "d.json"
    save_drawing(Drawing(10, 10, (np.array([[1.0, 1.0]]),)), path)
    before = path.read_bytes()

    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.fsync", broken_fsync)
    with pytest.raises(OSError):
        save_drawing(Drawing(10, 10, (np.array([[2.0, 2.0], [3.0, 3.0]]),)), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["d.json"]


@pytest.mark.parametrize("stem", ["d" * 250, "数" * 83], ids=["ascii", "cjk"])  # 255 and 254 bytes
def test_a_drawing_saves_under_the_longest_name_the_file_system_allows(tmp_path, stem):
    """Its temporary file, renamed over it, must not need a longer name than the file's own."""
    path = tmp_path / (stem + ".json")
    save_drawing(Drawing(10, 10, (np.array([[1.0, 1.0]]),)), path)
    assert load_drawing(path).width == 10 and [p.name for p in tmp_path.iterdir()] == [path.name]
