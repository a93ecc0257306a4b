"""The UNIPEN loader: the format on small handmade corpora, then the real train_r01_v07 when present."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from handwriting_recognizer.training import unipen
from handwriting_recognizer.training.unipen import UnipenError, load_unipen, read_unipen

ROOT = Path(__file__).resolve().parent.parent


def write_corpus(root: Path, files: dict[str, str]) -> Path:
    """A corpus folder with `files` (paths under it, e.g. "data/1a/grp/w.dat": text)."""
    for folder in ("data", "include"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def pen(kind: str, *points: tuple[float, ...]) -> str:
    return f".PEN_{kind}\n" + "".join(" ".join(str(v) for v in p) + "\n" for p in points)


def ink(*strokes: list[tuple[float, float]], mm_per_unit: tuple[float, float] = (1.0, 1.0)) -> list[np.ndarray]:
    """What the loader should make of these raw strokes: millimetres, y flipped, from the ink's top-left."""
    mm = [np.array(s, float) * np.array([mm_per_unit[0], -mm_per_unit[1]]) for s in strokes]
    origin = np.concatenate(mm).min(axis=0)
    return [s - origin for s in mm]


def assert_strokes(found: list[np.ndarray], expected: list[np.ndarray]) -> None:
    assert len(found) == len(expected)
    for f, e in zip(found, expected, strict=True):
        assert f.dtype == np.float64 and f.shape == e.shape
        np.testing.assert_allclose(f, e)


A = [(10, 50), (12, 52), (14, 55)]
UP = [(20, 60), (30, 61)]
B = [(40, 50), (41, 48), (43, 47), (45, 40)]
C = [(60, 10), (61, 11), (62, 13), (63, 17), (64, 20)]
PEN_FILE = (
    ".X_POINTS_PER_MM 1\n.WRITER_ID  Ann  Smith\n"
    + ".PEN_UP\n"  # empty: not a component
    + pen("DOWN", (0, 0))  # 0: a placeholder, no ink
    + ".PEN_UP\n.DT 5\n"
    + pen("DOWN", *A)  # 1
    + pen("UP", *UP)  # 2: a pen-up trajectory, counted but not ink
    + pen("DOWN", *B)  # 3
    + pen("DOWN", *C)  # 4
    + pen("DOWN", (70, 70))  # 5: a dot
)


def components_corpus(tmp_path: Path, segments: str) -> Path:
    return write_corpus(
        tmp_path,
        {
            "include/grp/data/w.dat": PEN_FILE,
            "data/1a/grp/w.dat": f".VERSION 1.0\n.INCLUDE grp/data/w.dat\n{segments}",
        },
    )


@pytest.mark.parametrize(
    ("components", "expected"),
    [
        ("1", [A]),
        ("1-3", [A, B]),  # the pen-up block between them counts as component 2 but is no ink
        ("0-1", [A]),  # a `0 0` placeholder is no ink
        ("1,4", [A, C]),
        ("3,1", [B, A]),
        ("1:1-3:2", [A[1:], B[:3]]),  # a cut: from point 1 of component 1 to point 2 of 3, inclusive
        ("4:2-4:3", [C[2:4]]),
        ("3-4:1", [B, C[:2]]),
        ("3:3-4", [B[3:], C]),
        ("4:4", [C[4:]]),
        ("5", [[(70, 70)]]),  # a single point that is not `0 0` is ink: a dot
    ],
)
def test_components_ranges_cuts_and_pen_up_blocks(tmp_path, components, expected):
    root = components_corpus(tmp_path, f'.SEGMENT CHARACTER {components} ? "7"\n')
    [sample] = load_unipen(root)
    assert_strokes(sample.strokes, ink(*expected))
    assert (sample.label, sample.category, sample.group, sample.writer) == ("7", "1a", "grp", "grp/Ann Smith")


def test_segments_that_are_not_one_character_with_ink_are_skipped_counted_and_logged(tmp_path, caplog):
    segments = [
        '.SEGMENT CHARACTER 1 ? "1"',
        '.SEGMENT CHARACTER 3 OK "\\""',  # an escaped quote is the character "
        '.SEGMENT CHARACTER 4 OK "\\\\"',  # and an escaped backslash a backslash
        '.SEGMENT CHARACTER 1-3 ? "12"',
        ".SEGMENT CHARACTER 1 ?",
        '.SEGMENT CHARACTER 0 ? "0"',
        '.SEGMENT CHARACTER 2 ? "2"',
        '.SEGMENT WORD 1-4 ? "x"',
        '.SEGMENT CHARACTER 3 BAD "3"',
    ]
    root = components_corpus(tmp_path, "\n".join(segments) + "\n")
    with caplog.at_level(logging.INFO, logger=unipen.__name__):
        corpus = read_unipen(root)
    assert [s.label for s in corpus.samples] == ["1", '"', "\\"]
    assert corpus.skipped == {
        "label of several characters": 1,
        "no label": 1,
        "no ink": 2,
        "WORD segment": 1,
        "quality BAD": 1,
    }
    assert corpus.files == 1
    assert "3 characters (1a: 3) from 1 files" in caplog.text and "skipped 6 segments" in caplog.text


def test_includes_are_followed_from_the_include_folder_and_resolution_is_corrected(tmp_path):
    """aga declares different x and y resolutions; y points up in the files and down in the samples."""
    root = write_corpus(
        tmp_path,
        {
            "include/grp/setup.doc": ".X_POINTS_PER_INCH 254\n.Y_POINTS_PER_INCH 508\n",  # 10 and 20 per mm
            "include/grp/data/w.dat": ".INCLUDE grp/setup.doc\n" + pen("DOWN", (0, 0), (10, 0), (10, 40)),
            "data/1a/grp/sub/w.dat": '.INCLUDE grp/data/w.dat\n.SEGMENT CHARACTER 0 ? "7"\n',
        },
    )
    [sample] = load_unipen(root)
    # 1 mm right, then 2 mm *up* on the tablet: on screen the stroke ends at the top.
    assert_strokes(sample.strokes, [np.array([[0.0, 2.0], [1.0, 2.0], [1.0, 0.0]])])
    assert sample.writer == "grp/sub/w"  # no .WRITER_ID: the data file's name in its group


def test_coord_says_where_x_and_y_are_and_extra_columns_are_ignored(tmp_path):
    root = write_corpus(
        tmp_path,
        {
            "include/g/p.dat": ".COORD Y X T\n" + pen("DOWN", (5, 1, 100), (7, 2, 110)),
            "data/1a/g/w.dat": '.INCLUDE g/p.dat\n.SEGMENT CHARACTER 0 ? "1"\n',
        },
    )
    [sample] = load_unipen(root)
    assert_strokes(sample.strokes, ink([(1, 5), (2, 7)]))


def test_categories_and_groups_choose_what_is_loaded_in_that_order(tmp_path):
    files = {"include/g/p.dat": pen("DOWN", (1, 1), (2, 3))}
    for category, label in (("1a", "5"), ("1b", "Q"), ("1d", "%")):
        for group in ("g1", "g2"):
            files[f"data/{category}/{group}/w.dat"] = f'.INCLUDE g/p.dat\n.SEGMENT CHARACTER 0 ? "{label}"\n'
    root = write_corpus(tmp_path, files)
    found = load_unipen(root, ["1d", "1a"], ["g2"])
    assert [(s.category, s.group, s.label) for s in found] == [("1d", "g2", "%"), ("1a", "g2", "5")]
    assert len(load_unipen(root, ["1a", "1b", "1d"])) == 6
    with pytest.raises(UnipenError, match="no category '1c'"):
        load_unipen(root, ["1c"])
    with pytest.raises(UnipenError, match="no group g3"):
        load_unipen(root, ["1a"], ["g1", "g3"])
    with pytest.raises(UnipenError, match="not a UNIPEN corpus folder"):
        load_unipen(tmp_path / "data")


def include_chain(tmp_path: Path, levels: int) -> Path:
    """A data file whose pen data is `levels` includes deep."""
    files = {f"include/g/f{i}.dat": f".INCLUDE g/f{i + 1}.dat\n" for i in range(1, levels)}
    files[f"include/g/f{levels}.dat"] = pen("DOWN", (1, 1), (2, 2))
    files["data/1a/g/w.dat"] = '.INCLUDE g/f1.dat\n.SEGMENT CHARACTER 0 ? "1"\n'
    return write_corpus(tmp_path, files)


def test_includes_as_deep_as_the_budget_are_followed_deeper_ones_refused(tmp_path):
    assert len(load_unipen(include_chain(tmp_path / "ok", unipen.MAX_INCLUDE_DEPTH))) == 1
    with pytest.raises(UnipenError, match=rf"include/g/f{unipen.MAX_INCLUDE_DEPTH}.dat, line 1: .* levels"):
        load_unipen(include_chain(tmp_path / "deep", unipen.MAX_INCLUDE_DEPTH + 1))


def test_an_include_cycle_is_refused(tmp_path):
    root = write_corpus(
        tmp_path,
        {
            "include/g/a.dat": pen("DOWN", (1, 1)) + ".INCLUDE g/b.dat\n",
            "include/g/b.dat": "\n.INCLUDE g/a.dat\n",
            "data/1a/g/w.dat": '.INCLUDE g/a.dat\n.SEGMENT CHARACTER 0 ? "1"\n',
        },
    )
    with pytest.raises(UnipenError, match=r"^include/g/b.dat, line 2: .INCLUDE g/a.dat: includes itself"):
        load_unipen(root)


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("g/missing.dat", "no such file include/g/missing.dat"),
        (".", "include/. is a folder, not a file"),
        ("../outside.dat", "not a path inside the include folder"),
        ("/etc/passwd", "not a path inside the include folder"),
    ],
)
def test_an_include_outside_the_include_folder_or_missing_is_refused(tmp_path, name, problem):
    root = write_corpus(tmp_path, {"outside.dat": pen("DOWN", (1, 1)), "data/1a/g/w.dat": f".INCLUDE {name}\n"})
    with pytest.raises(UnipenError, match=rf"^data/1a/g/w.dat, line 1: .INCLUDE .*{problem}"):
        load_unipen(root)


@pytest.mark.parametrize(
    ("bad_line", "why"),
    [("12 ab", "a word"), ("12 13 14", "a third number"), ("12", "one number"), ("nan 4", "not finite")],
)
def test_a_malformed_point_names_the_file_and_line(tmp_path, bad_line, why):
    pen_file = ".COMMENT two\n  lines\n.PEN_DOWN\n1 2\n\n3 4\n" + bad_line + "\n5 6\n"
    root = write_corpus(
        tmp_path,
        {"include/g/p.dat": pen_file, "data/1a/g/w.dat": '.INCLUDE g/p.dat\n.SEGMENT CHARACTER 0 ? "1"\n'},
    )
    with pytest.raises(UnipenError, match=rf"^include/g/p.dat, line 7: '{bad_line}' is not a point"):
        load_unipen(root)


@pytest.mark.parametrize(
    ("segment", "problem"),
    [
        ('CHARACTER 9 ? "2"', "no such components"),
        ('CHARACTER 4-3 ? "2"', "no such components"),
        ('CHARACTER 4:3-4:2 ? "2"', "no such components"),
        ('CHARACTER 4:5 ? "2"', "component 4 has no point 5"),
        ('CHARACTER 1-4:7 ? "2"', "component 4 has no point 7"),
        ('CHARACTER 1;2 ? "2"', "'1;2' is not valid"),
        ('CHARACTER ? "2"', "'\\?' is not valid"),
        ('CHARACTER 1a ? "22"', "'1a' is not valid"),  # refused before the label is looked at
        ("CHARACTER", "no components"),
    ],
)
def test_a_segment_naming_what_is_not_there_names_the_file_and_line(tmp_path, segment, problem):
    root = components_corpus(tmp_path, f'.SEGMENT CHARACTER 1 ? "1"\n.SEGMENT {segment}\n')
    with pytest.raises(UnipenError, match=f"^data/1a/grp/w.dat, line 4: .*{problem}"):
        load_unipen(root)


def test_a_file_over_its_budget_is_refused(tmp_path, monkeypatch):
    root = components_corpus(tmp_path, '.SEGMENT CHARACTER 1 ? "1"\n')
    assert len(load_unipen(root)) == 1
    monkeypatch.setattr(unipen, "MAX_FILE_BYTES", len(PEN_FILE) - 1)
    with pytest.raises(UnipenError, match=r"^include/grp/data/w.dat: .* is more than"):
        load_unipen(root)


def test_a_character_over_the_points_budget_is_refused(tmp_path, monkeypatch):
    root = components_corpus(tmp_path, '.SEGMENT CHARACTER 1-3 ? "1"\n')
    monkeypatch.setattr(unipen, "MAX_SAMPLE_POINTS", len(A) + len(UP) + len(B))  # pen-up points count too
    assert len(load_unipen(root)) == 1
    monkeypatch.setattr(unipen, "MAX_SAMPLE_POINTS", len(A) + len(UP) + len(B) - 1)
    with pytest.raises(UnipenError, match="line 3: the character has more than 8 points"):
        load_unipen(root)


def test_the_points_of_all_a_files_characters_have_a_budget(tmp_path, monkeypatch):
    """Segments may name one long component again and again: each copies its points."""
    root = components_corpus(tmp_path, '.SEGMENT CHARACTER 4 ? "1"\n' * 3)
    monkeypatch.setattr(unipen, "MAX_FILE_POINTS", 3 * len(C))
    assert len(load_unipen(root)) == 3
    monkeypatch.setattr(unipen, "MAX_FILE_POINTS", 3 * len(C) - 1)
    with pytest.raises(UnipenError, match="line 5: the file's characters have more than 14 points"):
        load_unipen(root)


def test_components_a_files_segments_name_have_a_budget_empty_ones_too(tmp_path, monkeypatch):
    """Segments naming a range of empty components cost no points: 800,000 of them naming 400,000
    each would have taken hours, expanded one by one (QA review)."""
    root = components_corpus(tmp_path, '.SEGMENT WORD 0-5 ? "word"\n' * 2)
    monkeypatch.setattr(unipen, "MAX_SAMPLE_POINTS", 5)
    with pytest.raises(UnipenError, match="line 3: .SEGMENT names more than 5 components"):
        load_unipen(root)
    monkeypatch.setattr(unipen, "MAX_SAMPLE_POINTS", 6)
    monkeypatch.setattr(unipen, "MAX_FILE_POINTS", 11)
    with pytest.raises(UnipenError, match="line 4: the file's segments name more than 11 components"):
        load_unipen(root)


def test_a_component_number_too_long_for_a_number_is_a_unipen_error(tmp_path):
    """A component number of 5,000 digits raised ValueError from int() (QA review)."""
    root = components_corpus(tmp_path, f'.SEGMENT CHARACTER {"9" * 5000} ? "1"\n')
    with pytest.raises(UnipenError, match="line 3: .SEGMENT component list '9999.* is not valid"):
        load_unipen(root)


def fan_out(tmp_path: Path, levels: int, fan: int) -> Path:
    """A data file including a file `fan` times, which includes the next `fan` times, `levels` deep:
    a few small files that inline fan ** levels pen blocks."""
    files = {f"include/g/f{i}.dat": f".INCLUDE g/f{i + 1}.dat\n" * fan for i in range(1, levels)}
    files[f"include/g/f{levels}.dat"] = pen("DOWN", (1, 1), (2, 2))
    files["data/1a/g/w.dat"] = ".INCLUDE g/f1.dat\n" * fan + '.SEGMENT CHARACTER 0 ? "1"\n'
    return write_corpus(tmp_path, files)


def test_includes_that_fan_out_are_refused_by_the_keywords_they_repeat(tmp_path, monkeypatch):
    monkeypatch.setattr(unipen, "MAX_WALKED_KEYWORDS", 1_000)
    assert len(load_unipen(fan_out(tmp_path / "few", 2, 10))) == 1  # 211 keywords walked
    with pytest.raises(UnipenError, match="^data/1a/g/w.dat: with its includes, more than 1,000 keywords"):
        load_unipen(fan_out(tmp_path / "many", 3, 10))  # 2,111


@pytest.mark.parametrize(
    ("files", "problem"),
    [
        ({"include/g/empty.dat": ""}, "no such components"),  # no keyword at all: nothing in it
        ({"include/g/empty.dat": "\x00\x01 binary, no keyword\n"}, "no such components"),
        ({"include/g/empty.dat": ".X_POINTS_PER_INCH 1e-300\n" + pen("DOWN", (1e300, 1e300))}, "more millimetres"),
    ],
    ids=["empty", "binary", "infinite millimetres"],
)
def test_an_included_file_without_keywords_or_with_infinite_points_is_a_unipen_error(tmp_path, files, problem):
    root = write_corpus(tmp_path, {**files, "data/1a/g/w.dat": '.INCLUDE g/empty.dat\n.SEGMENT CHARACTER 0 ? "1"\n'})
    with pytest.raises(UnipenError, match=problem):
        load_unipen(root)


def test_an_include_name_longer_than_a_file_name_may_be_is_a_missing_file(tmp_path):
    root = write_corpus(tmp_path, {"data/1a/g/w.dat": f".INCLUDE g/{'a' * 5000}.dat\n"})
    with pytest.raises(UnipenError, match="line 1: .INCLUDE .*: no such file"):
        load_unipen(root)


@pytest.mark.parametrize(
    ("keyword", "problem"),
    [(".X_POINTS_PER_MM 0", "not a positive number"), (".Y_POINTS_PER_INCH x", "not a positive number")],
)
def test_a_bad_resolution_is_refused(tmp_path, keyword, problem):
    root = write_corpus(
        tmp_path,
        {"include/g/p.dat": f"\n{keyword}\n" + pen("DOWN", (1, 1)), "data/1a/g/w.dat": ".INCLUDE g/p.dat\n"},
    )
    with pytest.raises(UnipenError, match=f"^include/g/p.dat, line 2: .*{problem}"):
        load_unipen(root)


# --- the real corpus -------------------------------------------------------------------------------

# Digits (1a) per group in train_r01_v07, as its CDROM-README lists them: 11,177 in all.
DIGITS_PER_GROUP = {
    "aga": 405, "apa": 692, "apb": 2033, "app": 1046, "art": 170, "cea": 7, "ceb": 16,
    "ced": 1369, "imp": 257, "lou": 7, "pri": 78, "syn": 4554, "tos": 543,
}  # fmt: skip


@pytest.fixture(scope="module")
def digits(unipen_root):
    corpus = read_unipen(unipen_root, ["1a"])
    assert not corpus.skipped
    return corpus.samples


def test_every_digit_of_every_group_loads(digits):
    groups = {g: sum(s.group == g for s in digits) for g in DIGITS_PER_GROUP}
    assert groups == DIGITS_PER_GROUP and len(digits) == 11_177
    assert {s.label for s in digits} == set("0123456789")
    assert all(s.writer.startswith(f"{s.group}/") for s in digits)
    assert len({s.writer for s in digits}) > 200  # writers, not files or groups


def test_digits_are_finite_strokes_in_millimetres_from_their_top_left(digits):
    for s in digits:
        assert s.strokes and all(p.ndim == 2 and p.shape[1] == 2 and p.dtype == np.float64 for p in s.strokes)
        points = np.concatenate(s.strokes)
        assert np.isfinite(points).all()
        np.testing.assert_allclose(points.min(axis=0), 0.0, atol=1e-9)
        assert 0.5 < np.ptp(points[:, 1]) < 60.0  # a digit's height in mm (apb's declared scale is off: ~22 mm)


def test_digits_are_upright_in_every_group(digits):
    """y points down: a 7 starts with its bar, at the top; and digits are taller than wide."""
    for group in DIGITS_PER_GROUP:
        sevens = [s for s in digits if s.group == group and s.label == "7"]
        top = [s.strokes[0][:3, 1].mean() < np.ptp(np.concatenate(s.strokes)[:, 1]) / 2 for s in sevens]
        assert sum(top) >= 0.9 * len(top), group
        shapes = [np.ptp(np.concatenate(s.strokes), axis=0) for s in digits if s.group == group and s.label != "1"]
        aspect = np.median([h / w for w, h in shapes if w > 0])
        assert 1.1 < aspect < 1.8, (group, aspect)


def test_letters_and_symbols_load_too(unipen_root):
    found = load_unipen(unipen_root, ["1b", "1c", "1d"], ["lou", "ceb"])
    by_category = {c: {s.label for s in found if s.category == c} for c in ("1b", "1c", "1d")}
    assert by_category["1b"] <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ") and len(by_category["1b"]) > 10
    assert by_category["1c"] <= set("abcdefghijklmnopqrstuvwxyz") and len(by_category["1c"]) > 20
    assert by_category["1d"] and not any(c.isalnum() for c in by_category["1d"])
    assert len(found) == 11 + 15 + 2 + 30 + 488 + 8
