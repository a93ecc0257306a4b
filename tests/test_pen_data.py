"""Pen writing as training data: stroke changes, writing styles, "not a digit" examples, held-out
writer groups and the calibration that chooses the temperature and the unsure threshold."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handwriting_recognizer.core.contract import NOT_A_DIGIT_CLASS
from handwriting_recognizer.core.preprocess import is_blank, strokes_to_input
from handwriting_recognizer.core.recognizer import read
from handwriting_recognizer.training import calibration, negatives, pen_data, styles
from handwriting_recognizer.training.strokes import augment, bounds, prefix, resample, side_by_side, travel
from handwriting_recognizer.training.unipen import PenSample, load_unipen
from tests import handmade


def pen(strokes, label, group, category="1a"):
    return PenSample([np.asarray(s, float) for s in strokes], label, category, group, f"{group}/w")


# --- strokes ---------------------------------------------------------------------------------------


def test_resampling_spaces_points_evenly_and_keeps_the_ends():
    stroke = np.array([(0.0, 0.0), (10.0, 0.0), (10.0, 10.0)])
    out = resample(stroke, 1.0)
    assert np.allclose(out[0], stroke[0]) and np.allclose(out[-1], stroke[-1])
    assert np.allclose(np.hypot(*np.diff(out, axis=0).T)[:-1], 1.0)


def test_a_prefix_keeps_that_share_of_the_ink_in_drawing_order():
    strokes = handmade.crossed_seven()
    half = prefix(strokes, 0.5)
    total = sum(travel(s)[-1] for s in strokes)
    assert 0.45 * total <= sum(travel(s)[-1] for s in half) <= 0.55 * total
    assert np.allclose(half[0][0], strokes[0][0])  # it starts where the writer started


def test_side_by_side_puts_the_second_drawing_right_of_the_first():
    both = side_by_side(handmade.one(), handmade.seven(), np.random.default_rng(0))
    first_right = bounds(both[:1])[1][0]
    assert bounds(both[1:])[0][0] > first_right


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_augmenting_a_digit_leaves_the_original_alone_and_draws_something(seed):
    strokes = handmade.crossed_seven()
    copy = [s.copy() for s in strokes]
    out = augment(strokes, np.random.default_rng(seed))
    assert all(np.array_equal(a, b) for a, b in zip(strokes, copy, strict=True))
    assert all(np.isfinite(s).all() for s in out)
    assert not is_blank(strokes_to_input(out))


# --- styles ----------------------------------------------------------------------------------------


def test_a_slashed_zero_is_the_zero_and_a_line_through_it():
    zero = handmade.zero()
    lo, hi = bounds(zero)
    slashed = styles.slashed_zero(zero, np.random.default_rng(1))
    assert len(slashed) == 2 and np.array_equal(slashed[0], zero[0])
    slash = slashed[1]
    centre = (lo + hi) / 2
    assert np.hypot(*(slash - centre).T).min() < 0.1 * (hi - lo).max()  # it passes through the middle
    assert abs(slash[-1, 1] - slash[0, 1]) > 0.6 * (hi - lo)[1]  # and across most of the height


def test_a_crossed_seven_gets_a_bar_across_its_stem():
    seven = handmade.seven()
    lo, hi = bounds(seven)
    crossed = styles.crossed_seven(seven, np.random.default_rng(2))
    bar = crossed[-1]
    assert len(crossed) == len(seven) + 1
    assert lo[1] + 0.3 * (hi - lo)[1] < bar[:, 1].mean() < lo[1] + 0.75 * (hi - lo)[1]
    assert np.ptp(bar[:, 0]) > 3 * np.ptp(bar[:, 1])  # horizontal


def test_a_flagged_one_rises_into_its_top_from_the_left():
    one = handmade.one()
    flagged = styles.flagged_one(one, np.random.default_rng(3))
    points = np.concatenate(flagged)
    assert points[:, 0].min() < one[0][:, 0].min() - 10  # a flag to the left
    lo, hi = bounds(one)
    assert np.allclose(bounds(flagged)[0][1], lo[1], atol=1e-6)  # no higher than the stem


def test_a_five_in_one_stroke_cannot_have_its_bar_detached_but_one_in_two_can():
    rng = np.random.default_rng(4)
    body = np.array([(50.0, 0.0), (0.0, 0.0), (0.0, 40.0), (40.0, 50.0), (40.0, 90.0), (0.0, 100.0)])
    assert styles.detached_five([body], rng) is None
    bar, rest = body[:2], body[1:]
    moved = styles.detached_five([rest, bar], rng)
    assert moved is not None and moved[1][:, 1].mean() < bar[:, 1].mean()  # the bar went up


@pytest.mark.parametrize("label,name,make", styles.DRAWN)
def test_drawn_styles_are_drawings_of_a_digit(label, name, make):
    for seed in range(20):
        strokes = styles.drawn(make, np.random.default_rng(seed))
        x = strokes_to_input(strokes)
        assert not is_blank(x), name


# --- not digits ------------------------------------------------------------------------------------


def test_letters_written_like_digits_are_not_used_as_not_a_digit():
    assert negatives.is_negative_character("x") and negatives.is_negative_character("%")
    for like_a_digit in "OoIl|SsZzbgqB,":
        assert not negatives.is_negative_character(like_a_digit), like_a_digit
    assert not negatives.is_negative_character("7") and not negatives.is_negative_character("ab")


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_scribbles_are_drawings(seed):
    strokes = negatives.scribble(np.random.default_rng(seed))
    assert all(np.isfinite(s).all() for s in strokes)
    assert not is_blank(strokes_to_input(strokes))


# --- training data ---------------------------------------------------------------------------------


def corpus() -> list[PenSample]:
    """One digit of each kind per group, and a letter and a digit-like letter."""
    train, val, test = "syn", pen_data.VALIDATION_GROUPS[0], pen_data.TEST_GROUPS[0]
    samples = []
    for group in (train, val, test):
        samples += [pen(make(), str(d), group) for d, make in handmade.DIGITS.items()]
        samples += [pen(handmade.crossed_seven(), "7", group), pen(handmade.european_one(), "1", group)]
        samples += [pen(negatives.zigzag(np.random.default_rng(9)), "w", group, "1c")]
        samples += [pen(handmade.zero(), "O", group, "1b")]  # an O: written like a 0, left out
    return samples


def test_training_data_holds_pen_digits_styles_and_not_digits_from_training_writers_only():
    data = pen_data.build(corpus(), seed=0)
    digits_per_group = len(handmade.DIGITS) + 2
    train_digits = (data.train_y != NOT_A_DIGIT_CLASS).sum()
    drawn = len(styles.DRAWN) * max(1, int(pen_data.DRAWN_STYLE_SHARE * digits_per_group))
    made = digits_per_group * pen_data.COPIES + drawn
    assert made <= train_digits <= made + digits_per_group  # + styles made from some of them
    assert (data.train_y == NOT_A_DIGIT_CLASS).sum() >= 1  # the w, and scribbles
    assert data.train_x.dtype == np.uint8 and data.train_x.shape[1:] == (28, 28)
    assert (data.val_y != NOT_A_DIGIT_CLASS).sum() >= digits_per_group  # the validation writers, as written
    # Test writers are nowhere: without training or validation writers there are no pen digits.
    only_test = [s for s in corpus() if s.group in pen_data.TEST_GROUPS]
    empty = pen_data.build(only_test, seed=0)
    assert set(np.unique(empty.train_y)) <= {4, 7, 9, NOT_A_DIGIT_CLASS}  # drawn styles and scribbles only
    assert set(np.unique(empty.val_y)) <= {4, 7, 9, NOT_A_DIGIT_CLASS}


def test_training_data_is_the_same_for_the_same_seed():
    a, b = pen_data.build(corpus(), seed=5), pen_data.build(corpus(), seed=5)
    assert np.array_equal(a.train_x, b.train_x) and np.array_equal(a.train_y, b.train_y)
    assert not np.array_equal(a.train_x, pen_data.build(corpus(), seed=6).train_x)


def test_without_pen_data_scribbles_are_the_not_a_digit_examples():
    data = pen_data.scribbles_only(50, seed=0)
    assert len(data.train_y) > 40 and (data.train_y == NOT_A_DIGIT_CLASS).all() and data.source is None


def test_real_pen_data_renders_like_the_canvas(unipen_root):
    samples = load_unipen(unipen_root, ("1a", "1c"), ("syn", *pen_data.VALIDATION_GROUPS))
    data = pen_data.build(samples, seed=0, limit=60)
    digits = data.train_y != NOT_A_DIGIT_CLASS
    assert digits.sum() >= 60 * pen_data.COPIES and (~digits).sum() >= 30
    assert {int(d) for d in np.unique(data.train_y[digits])} == set(range(10))
    # As the canvas' input: ink centred, fitted to MNIST's 20 px box.
    mean_ink = data.train_x[digits].astype(float).mean(axis=0)
    assert mean_ink[4:24, 4:24].sum() > 0.93 * mean_ink.sum()  # (centring by mass moves some out)


# --- calibration -----------------------------------------------------------------------------------


def test_temperature_scaling_finds_the_temperature_that_made_the_labels():
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 3, (4000, 11))
    true_t = 2.0
    calibrated = np.exp(logits / true_t)
    calibrated /= calibrated.sum(axis=1, keepdims=True)
    labels = np.array([rng.choice(11, p=p) for p in calibrated])
    overconfident = np.exp(logits)
    overconfident /= overconfident.sum(axis=1, keepdims=True)
    assert calibration.fit_temperature(overconfident, labels) == pytest.approx(true_t, rel=0.1)
    assert np.allclose(calibration.scaled(overconfident, true_t), calibrated, atol=1e-6)


def test_the_threshold_rejects_at_most_one_percent_of_digits_and_decides_as_the_app_does():
    rng = np.random.default_rng(1)
    labels = np.concatenate([rng.integers(0, 10, 900), np.full(100, NOT_A_DIGIT_CLASS)])
    # Digits mostly confident (the true class gets 30-100% of the mass), the rest anything.
    probabilities = rng.dirichlet(np.ones(11) * 0.3, len(labels))
    top = rng.uniform(0.3, 1.0, len(labels))
    digits = labels != NOT_A_DIGIT_CLASS
    probabilities[digits] *= (1 - top[digits])[:, None]
    probabilities[digits, labels[digits]] += top[digits]
    probabilities = probabilities.astype(np.float32)
    decisions = calibration.Decisions.of(probabilities)
    curve = calibration.tradeoff(decisions, labels)
    threshold = calibration.choose_threshold(curve)
    assert 0.2 < threshold < 0.9
    chosen = next(p for p in curve if p["threshold"] == threshold)
    assert chosen["digits_rejected"] <= calibration.MAX_DIGITS_REJECTED
    later = [p for p in curve if p["threshold"] > threshold]
    assert all(p["digits_rejected"] > calibration.MAX_DIGITS_REJECTED for p in later)
    for p, shown in zip(probabilities, decisions.at(0.6), strict=True):
        reading = read(p, blank=False, threshold=0.6)
        assert shown == (-1 if reading.label is None else reading.label)
