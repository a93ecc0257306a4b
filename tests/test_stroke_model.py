"""The stroke model: a drawing's pen path (core/trajectory.py) read beside the image model and fused
with it (contract.fuse), only beside the image model it was made for; pictures, and drawings beside
a stroke model that does not belong, read as the image model alone reads them."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from onnx import TensorProto, helper

from handwriting_recognizer.core.contract import (
    CLASSES,
    FUSION_KEY,
    IMAGE_MODEL_KEY,
    LABELS,
    TRAJECTORY,
    TRAJECTORY_KEY,
    TRAJECTORY_NAME,
    TRAJECTORY_SHAPE,
    fuse,
    int8_path_for,
    strokes_path_for,
)
from handwriting_recognizer.core.numbers import NumberReader
from handwriting_recognizer.core.preprocess import strokes_to_input
from handwriting_recognizer.core.recognizer import ModelError, Recognizer
from handwriting_recognizer.core.shapes import polyline
from handwriting_recognizer.core.trajectory import POINTS, trajectory
from tests import fakes, handmade

SEVEN = handmade.seven()
REFERENCE = Path(__file__).with_name("trajectory_v1.npz")  # what TRAJECTORY_VERSION 1 made of reference_drawings()


@pytest.fixture
def model_copy(tmp_path: Path, bundled_model: Path) -> Path:
    """The bundled model, its int8 copy and its stroke model, copied where a test may change them."""
    model = tmp_path / "model.onnx"
    for companion in (lambda p: p, int8_path_for, strokes_path_for):
        shutil.copyfile(companion(bundled_model), companion(model))
    return model


def rewrite_metadata(path: Path, changes: dict[str, object]) -> None:
    """Set (or, for None, remove) metadata entries of the model file at `path`."""
    proto = onnx.load(path)
    kept = [(e.key, e.value) for e in proto.metadata_props if e.key not in changes]
    del proto.metadata_props[:]
    for key, value in [*kept, *((k, json.dumps(v)) for k, v in changes.items() if v is not None)]:
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(proto, path)


# --- the pen path -----------------------------------------------------------------------------------


def reference_drawings() -> dict[str, list[np.ndarray]]:
    """The handmade digits (one stroke each), a number written in several strokes, and a tap."""
    drawings = {f"handmade_{d}": [u * handmade.HEIGHT + 50 for u in unit] for d, unit in handmade.UNIT_DIGITS.items()}
    drawings["crossed_seven"] = handmade.crossed_seven()
    drawings["number"] = handmade.write("-3.14")
    drawings["tap"] = [np.array([[200.0, 200.0]])]
    return drawings


def test_drawings_make_the_pen_paths_this_trajectory_version_made():
    """A faster trajectory must give the stroke model what it was trained on; a change needs a new
    TRAJECTORY_VERSION (and a stroke model trained on it)."""
    with np.load(REFERENCE) as saved:
        expected = {k: saved[k] for k in saved.files}
    made = {name: trajectory(strokes) for name, strokes in reference_drawings().items()}
    assert made.keys() == expected.keys()
    for name, path in made.items():
        assert np.allclose(path, expected[name], atol=1e-6), name


finite = st.floats(-1e4, 1e4, allow_nan=False)
stroke = arrays(np.float64, st.tuples(st.integers(1, 40), st.just(2)), elements=finite)


@settings(max_examples=200, deadline=None)
@given(st.lists(stroke, min_size=1, max_size=6))
def test_a_trajectory_is_finite_and_inside_its_box(strokes):
    path = trajectory(strokes)
    assert path.shape == TRAJECTORY_SHAPE and path.dtype == np.float32 and np.isfinite(path).all()
    assert np.abs(path[:, :2]).max() <= 1 + 1e-5  # the longer side spans [-1, 1]
    assert set(np.unique(path[:, 4])) <= {0.0, 1.0} and path[:, 4].sum() <= len(strokes) - 1


@settings(max_examples=100, deadline=None)
@given(
    st.lists(arrays(np.float64, st.tuples(st.integers(2, 30), st.just(2)), elements=st.floats(0, 100)), min_size=1),
    st.floats(0.05, 20),
    st.tuples(st.floats(-500, 500), st.floats(-500, 500)),
)
def test_a_trajectory_does_not_depend_on_where_or_how_big_the_drawing_is(strokes, scale, shift):
    moved = [s * scale + np.array(shift) for s in strokes]
    span = max(float(np.ptp(np.concatenate(strokes), axis=0).max()), 0.0)
    if span < 1e-3:  # a dot: there is no shape to keep
        return
    assert np.allclose(trajectory(moved), trajectory(strokes), atol=2e-3)


def test_a_trajectory_follows_the_pen_in_drawing_order():
    bar, stem = polyline([(0, 0), (10, 0)]), polyline([(10, 0), (4, 14)])
    path = trajectory([bar, stem])
    lifted = np.flatnonzero(path[:, 4])
    assert len(lifted) == 1  # one pen lift, between the bar and the stem
    before = path[1 : lifted[0]]
    assert np.allclose(before[:, 5:7], [1, 0], atol=1e-5)  # the bar goes right
    assert (np.diff(before[:, 0]) > 0).all() and np.allclose(before[:, 1], before[0, 1])
    assert (path[lifted[0] + 1 :, 6] > 0).all()  # the stem goes down (y grows)
    reversed_order = trajectory([stem, bar])
    assert not np.allclose(reversed_order, path)  # the order of the strokes is part of the path


def test_no_points_is_an_empty_trajectory():
    assert not trajectory([]).any() and not trajectory([np.zeros((0, 2))]).any()
    assert np.isfinite(trajectory([np.array([[3.0, 4.0]])])).all()  # a tap
    assert len(trajectory([np.array([[3.0, 4.0]])])) == POINTS


# --- the fusion in the app -------------------------------------------------------------------------


def test_the_bundled_model_reads_drawings_with_its_stroke_model(bundled_model):
    fused = Recognizer(bundled_model, use_gpu=False)
    alone = Recognizer(bundled_model, use_gpu=False, strokes=False)
    assert fused.info.fusion is not None and alone.info.fusion is None
    x = strokes_to_input(SEVEN)
    paths = ort.InferenceSession(strokes_path_for(bundled_model), providers=["CPUExecutionProvider"])
    by_strokes = paths.run(None, {TRAJECTORY_NAME: trajectory(SEVEN)[None]})[0]
    expected = fuse(alone.predict(x)[None], by_strokes, fused.info.fusion.weight, fused.info.fusion.temperature)[0]
    assert np.allclose(fused.predict(x, SEVEN), expected, atol=1e-6)
    assert not np.allclose(expected, alone.predict(x), atol=1e-4)  # the stroke model changes the answer
    assert np.array_equal(fused.predict(x), alone.predict(x))  # no strokes (a picture): the image model alone
    assert fused.read(x, SEVEN).label == 7


def test_a_drawing_is_judged_by_the_fusions_threshold_and_a_picture_by_the_image_models(model_copy):
    """The fused readings are surer than the image model's, so they have their own unsure threshold."""
    fusion = Recognizer(model_copy, use_gpu=False).info.fusion
    rewrite_metadata(
        strokes_path_for(model_copy),
        {FUSION_KEY: {"weight": fusion.weight, "temperature": fusion.temperature, "unsure_below": 1.0}},
    )
    recognizer = Recognizer(model_copy, use_gpu=False)
    assert recognizer.unsure_below(drawn=True) == 1.0 != recognizer.unsure_below(drawn=False)
    x = strokes_to_input(SEVEN)
    assert recognizer.read(x, SEVEN).reason == "unsure" and recognizer.read(x).label == 7
    reader = NumberReader(recognizer)
    assert reader.read_strokes(handmade.write("42")).reason == "unsure"
    assert reader.read_picture(handmade.picture(handmade.write("42"))).text == "42"


def test_fusion_reads_what_the_image_alone_misreads(bundled_model):
    """A European one (long up-stroke, no foot): the image model alone is unsure of it (#11)."""
    fused = Recognizer(bundled_model, use_gpu=False)
    alone = Recognizer(bundled_model, use_gpu=False, strokes=False)
    one = handmade.european_one()
    x = strokes_to_input(one)
    assert alone.read(x).label != 1
    assert fused.read(x, one).label == 1


@pytest.mark.parametrize(
    "changes,why",
    [
        ({IMAGE_MODEL_KEY: "0" * 64}, "made for another model"),
        ({IMAGE_MODEL_KEY: None}, "made for another model"),
        ({TRAJECTORY_KEY: {"version": 99}}, "pen paths"),
        ({TRAJECTORY_KEY: {"version": True}}, "pen paths"),
        ({FUSION_KEY: None}, "not a usable weight"),
        ({FUSION_KEY: {"weight": -1, "temperature": 1, "unsure_below": 0.5}}, "not a usable weight"),
        ({FUSION_KEY: {"weight": 0.5, "temperature": 0, "unsure_below": 0.5}}, "not a usable weight"),
        ({FUSION_KEY: {"weight": "heavy", "temperature": 1, "unsure_below": 0.5}}, "not a usable weight"),
        ({FUSION_KEY: {"weight": 0.5, "temperature": 1}}, "not a usable weight"),
        ({FUSION_KEY: {"weight": 0.5, "temperature": 1, "unsure_below": 1.5}}, "not a usable weight"),
    ],
)
def test_a_stroke_model_that_does_not_belong_is_left_out(model_copy, caplog, changes, why):
    rewrite_metadata(strokes_path_for(model_copy), changes)
    with caplog.at_level(logging.WARNING):
        recognizer = Recognizer(model_copy, use_gpu=False)
    assert recognizer.info.fusion is None and why in caplog.text
    x = strokes_to_input(SEVEN)
    assert np.array_equal(recognizer.predict(x, SEVEN), recognizer.predict(x))  # the image model alone
    assert recognizer.read(x, SEVEN).label == 7


def test_a_broken_or_wrong_stroke_model_is_left_out(model_copy, caplog):
    path = strokes_path_for(model_copy)
    path.write_bytes(b"\x08\x07not a model")
    with caplog.at_level(logging.WARNING):
        assert Recognizer(model_copy, use_gpu=False).info.fusion is None
    assert "not a usable ONNX model" in caplog.text
    # The image model itself as a stroke model, with a stroke model's metadata: its input is refused.
    use_as_stroke_model(model_copy, model_copy.read_bytes())
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        assert Recognizer(model_copy, use_gpu=False).info.fusion is None
    assert f"expected one input named '{TRAJECTORY_NAME}'" in caplog.text


def use_as_stroke_model(model: Path, network: bytes) -> None:
    """`network` beside `model` as its stroke model, with the metadata of one made for it."""
    path = strokes_path_for(model)
    path.write_bytes(network)
    made_for = hashlib.sha256(model.read_bytes()).hexdigest()
    fusion = {"weight": 0.25, "temperature": 1.0, "unsure_below": 0.6}
    rewrite_metadata(path, {IMAGE_MODEL_KEY: made_for, TRAJECTORY_KEY: TRAJECTORY, FUSION_KEY: fusion})


def stroke_network(tail: list[onnx.NodeProto] | None = None, initializers=(), classes: int = len(CLASSES)) -> bytes:
    return fakes.contract_model(tail, list(initializers), classes, TRAJECTORY_NAME, TRAJECTORY_SHAPE)


def test_any_stroke_model_that_meets_the_contract_is_used(model_copy):
    """The made stroke models below fail for what each of them breaks, not for being made."""
    use_as_stroke_model(model_copy, stroke_network())
    assert Recognizer(model_copy, use_gpu=False).info.fusion is not None


@pytest.mark.parametrize(
    "network,why",
    [
        (lambda: stroke_network(classes=len(LABELS)), "output must be 11 probabilities, got 10"),
        (
            lambda: stroke_network(
                [
                    helper.make_node("Mul", ["logits", "nan"], ["bad"]),
                    helper.make_node("Softmax", ["bad"], ["probabilities"], axis=-1),
                ],
                [helper.make_tensor("nan", TensorProto.FLOAT, [], [float("nan")])],
            ),
            "not finite",
        ),
        (
            lambda: fakes.contract_model(input_name=TRAJECTORY_NAME, input_shape=TRAJECTORY_SHAPE, rows=1),
            "running it failed",  # one drawing at a time: a number's characters are read together
        ),
    ],
    ids=["ten classes", "NaN", "one at a time"],
)
def test_a_stroke_model_whose_answers_are_not_probabilities_of_the_classes_is_left_out(
    model_copy, caplog, network, why
):
    use_as_stroke_model(model_copy, network())
    with caplog.at_level(logging.WARNING):
        recognizer = Recognizer(model_copy, use_gpu=False)
    assert recognizer.info.fusion is None and why in caplog.text
    assert NumberReader(recognizer).read_strokes(handmade.write("42")).text == "42"


def test_a_stroke_model_that_answers_a_batch_otherwise_fails_the_reading_with_a_message(model_copy):
    """Its check reads two drawings at once; a model may answer eleven classes for up to two and
    ten for more ("2026" reads at least four: each digit)."""
    width = [
        helper.make_node("Shape", [TRAJECTORY_NAME], ["shape_of"]),
        helper.make_node("Slice", ["shape_of", "zero", "one"], ["n"]),
        helper.make_node("Min", ["n", "three"], ["m"]),
        helper.make_node("Sub", ["thirteen", "m"], ["end"]),
        helper.make_node("Slice", ["logits", "zero", "end", "one"], ["kept"]),
        helper.make_node("Softmax", ["kept"], ["probabilities"], axis=-1),
    ]
    constants = [
        helper.make_tensor(name, TensorProto.INT64, [1], [value])
        for name, value in (("zero", 0), ("one", 1), ("three", 3), ("thirteen", 13))
    ]
    use_as_stroke_model(model_copy, stroke_network(width, constants))
    recognizer = Recognizer(model_copy, use_gpu=False)
    assert recognizer.info.fusion is not None
    with pytest.raises(ModelError, match="model.strokes.onnx: answered 10 classes where the image model answered 11"):
        NumberReader(recognizer).read_strokes(handmade.write("2026"))


def test_a_stroke_model_needs_an_image_model_with_not_a_digit(tmp_path, bundled_model, caplog):
    model = tmp_path / "model.onnx"
    model.write_bytes(fakes.contract_model(classes=len(LABELS)))  # the digits only
    use_as_stroke_model(model, strokes_path_for(bundled_model).read_bytes())
    with caplog.at_level(logging.WARNING):
        assert Recognizer(model, use_gpu=False).info.fusion is None
    assert "needs an image model that answers 11 classes" in caplog.text


# --- a retrained model keeps it -------------------------------------------------------------------


@pytest.mark.slow
def test_a_stroke_model_refitted_to_a_model_is_chosen_by_the_shipped_rule_and_used(
    unipen_root, bundled_model, model_copy
):
    """A training run with pen data refits the replaced model's stroke model to the new model. Refitted
    to its own model, the shipped one gets back the fusion its training chose (the same rule, on the
    same writers); refitted to another model, that model reads drawings with it."""
    from handwriting_recognizer.training import pen_data, stroke_model
    from handwriting_recognizer.training.unipen import load_unipen

    ced = load_unipen(
        unipen_root, (pen_data.DIGITS_CATEGORY, *pen_data.NEGATIVE_CATEGORIES), pen_data.VALIDATION_GROUPS
    )
    shipped = {e.key: json.loads(e.value) for e in onnx.load(strokes_path_for(bundled_model)).metadata_props}
    again = stroke_model.refit(strokes_path_for(bundled_model), bundled_model, ced)
    assert again is not None
    assert {e.key: json.loads(e.value) for e in again.metadata_props} == shipped
    assert len(again.metadata_props) == len(shipped)  # each entry replaced, none added twice

    rewrite_metadata(model_copy, {"date": "another model"})  # another model: another hash
    assert Recognizer(model_copy, use_gpu=False).info.fusion is None  # the stroke model is not its own
    refitted = stroke_model.refit(strokes_path_for(model_copy), model_copy, ced)
    assert refitted is not None
    onnx.save(refitted, strokes_path_for(model_copy))
    fusion = Recognizer(model_copy, use_gpu=False).info.fusion
    assert fusion is not None and fusion.weight > 0


def test_pen_data_gone_by_the_end_of_a_training_leaves_its_model_without_a_stroke_model(model_copy, tmp_path, capsys):
    """The trained model is kept, and the run says why it reads drawings from their image alone."""
    from handwriting_recognizer.core.train_config import TrainConfig
    from handwriting_recognizer.training.pipeline import refit_stroke_model

    staged = tmp_path / "staging" / "model.onnx"
    staged.parent.mkdir()
    shutil.copyfile(model_copy, staged)
    assert refit_stroke_model(model_copy, staged.parent, TrainConfig(unipen=str(tmp_path / "gone"))) is None
    assert not strokes_path_for(staged).exists()
    assert "the new model reads drawings without a stroke model: --unipen:" in capsys.readouterr().err


# --- numbers --------------------------------------------------------------------------------------


def test_each_digit_of_a_drawn_number_is_read_with_the_stroke_model(bundled_model):
    fused = Recognizer(bundled_model, use_gpu=False)
    strokes = handmade.write("42")
    number = NumberReader(fused).read_strokes(strokes)
    assert number.text == "42"
    for c in number.characters:
        own = [strokes[m] for m in c.marks]
        assert np.allclose(c.probabilities, fused.predict(c.input, own)[: len(LABELS)], atol=1e-6)


def test_a_picture_of_a_number_is_read_by_the_image_model_alone(bundled_model):
    picture = handmade.picture(handmade.write("42"))
    fused = NumberReader(Recognizer(bundled_model, use_gpu=False)).read_picture(picture)
    alone = NumberReader(Recognizer(bundled_model, use_gpu=False, strokes=False)).read_picture(picture)
    assert fused.text == alone.text == "42"
    for a, b in zip(fused.characters, alone.characters, strict=True):
        assert np.array_equal(a.probabilities, b.probabilities)
