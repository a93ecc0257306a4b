"""The retrain dialog's training curves: round ticks, integer epochs, units, a legend, and no label
clipped or drawn over another at the smallest and at a large size, with a small or a large font."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QFont, QFontMetricsF

from handwriting_recognizer.app.training_curves import TRAIN, VALIDATION, TrainingCurves, nice_ticks

EPOCHS = [(0.45, 0.2, 0.86, 0.94), (0.15, 0.12, 0.955, 0.962), (0.1, 0.09, 0.97, 0.972), (0.08, 0.085, 0.975, 0.971)]


def trained(qtbot, epochs=EPOCHS, point_size: int | None = None) -> TrainingCurves:
    curves = TrainingCurves()
    qtbot.addWidget(curves)
    if point_size is not None:
        font = QFont(curves.font())
        font.setPointSize(point_size)
        curves.setFont(font)
    for epoch, values in enumerate(epochs, 1):
        for series, value in zip(TrainingCurves.SERIES, values, strict=True):
            curves.add(series, epoch, value)
    return curves


def assert_nothing_clipped_or_overlapping(curves: TrainingCurves) -> None:
    layout = curves.layout_now()
    metrics = QFontMetricsF(curves.font())
    area = QRectF(curves.rect())
    for label in layout.texts:
        assert area.contains(label.box), f"{label.text!r} at {label.box} is outside {area}"
        assert metrics.horizontalAdvance(label.text) <= label.box.width(), f"{label.text!r} is cut"
        assert metrics.height() <= label.box.height() + 0.01
    for i, a in enumerate(layout.texts):
        for b in layout.texts[i + 1 :]:
            assert not a.box.intersects(b.box), f"{a.text!r} overlaps {b.text!r}"
    for part in layout.panels:
        assert area.contains(part.plot) and part.plot.width() > 40 and part.plot.height() > 30
        for label in layout.texts:
            assert not part.plot.intersects(label.box), f"{label.text!r} is drawn over a plot"


@pytest.mark.parametrize("point_size", [None, 16])
@pytest.mark.parametrize("size", ["smallest", "large"])
def test_labels_fit_at_any_size_and_font(qtbot, size, point_size):
    curves = trained(qtbot, point_size=point_size)
    curves.resize(curves.minimumSizeHint() if size == "smallest" else QSize(1400, 700))
    assert_nothing_clipped_or_overlapping(curves)
    assert not curves.grab().isNull()


def test_axes_have_integer_epochs_units_and_a_legend(qtbot):
    curves = trained(qtbot)
    curves.resize(curves.sizeHint())
    layout = curves.layout_now()
    texts = [label.text for label in layout.texts]
    assert TRAIN in texts and VALIDATION in texts and len(layout.legend) == 2
    assert texts.count("epoch") == 2 and "loss" in texts and "accuracy (%)" in texts
    loss, accuracy = layout.panels
    assert loss.x is not None and loss.x.ticks == (1, 2, 3, 4)
    for part in layout.panels:  # each y tick has its label, in the panel's unit
        assert part.y is not None and len(part.y.ticks) >= 3
    accuracy_labels = [t for t in texts if t.endswith("%") and t[0].isdigit()]
    assert len(accuracy_labels) == len(accuracy.y.ticks)
    assert all(85 <= float(t[:-1]) <= 100 for t in accuracy_labels)  # accuracy in percent, not 0..1


def test_before_the_first_epoch_the_axes_wait_empty(qtbot):
    curves = trained(qtbot, epochs=[])
    curves.resize(curves.minimumSizeHint())
    assert all(part.x is None and part.y is None for part in curves.layout_now().panels)
    assert_nothing_clipped_or_overlapping(curves)
    assert not curves.grab().isNull()


def test_many_epochs_get_fewer_ticks_not_overlapping_labels(qtbot):
    curves = trained(qtbot, epochs=[EPOCHS[i % 4] for i in range(300)])
    curves.resize(curves.minimumSizeHint())
    ticks = curves.layout_now().panels[0].x.ticks
    assert ticks[0] >= 1 and ticks[-1] <= 300 and len(ticks) < 10
    assert all(t == int(t) for t in ticks)
    assert_nothing_clipped_or_overlapping(curves)


def test_extreme_values_are_labelled_without_overlap(qtbot):
    curves = trained(qtbot, epochs=[(3e10, -1e308, 0.1, 1e308), (1.0, 1e308, 0.2, -1e308)])
    curves.resize(curves.sizeHint())
    assert_nothing_clipped_or_overlapping(curves)
    assert not curves.grab().isNull()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(*[st.floats(allow_nan=False, allow_infinity=False)] * 4), min_size=1, max_size=4))
@example([(1.7976931348623157e308, 0.0, 0.0, 0.0)])  # the largest float, and a range padded past it
@example([(-1.7e308, 1.7e308, 0.5, 0.5)])
@example([(0.0, 0.0, -5e-324, 0.0)])  # a tick step among the smallest floats underflowed to 0 (a crash)
def test_every_point_and_tick_of_any_finite_values_is_drawn_inside_its_plot(qtbot, epochs):
    """Qt's behaviour with a NaN or infinite coordinate is undefined (the test run crashed while
    painting one): a range padded past the largest float used to end at infinity."""
    curves = trained(qtbot, epochs=epochs)
    curves.resize(curves.sizeHint())
    for part in curves.layout_now().panels:
        inside = part.plot.adjusted(-0.01, -0.01, 0.01, 0.01)
        series = [name for name, (panel, _) in TrainingCurves.SERIES.items() if panel == part.panel.name]
        for x, y in (point for name in series for point in curves.scaled(name)):
            assert inside.contains(part.point(x, y)), f"({x}, {y}) is drawn at {part.point(x, y)}"
        assert all(inside.top() <= y <= inside.bottom() for y in part.y_ticks())
        assert all(inside.left() <= x <= inside.right() for x in part.x_ticks())


def test_the_latest_numbers_are_in_the_accessible_description(qtbot):
    curves = trained(qtbot)
    assert curves.accessibleName() == "Training curves"
    assert "validation accuracy 97.1%" in curves.accessibleDescription()
    curves.clear()
    assert "Latest" not in curves.accessibleDescription()


def test_nice_ticks_are_round_and_within_the_range():
    assert nice_ticks(0, 1, 6) == pytest.approx((0, 0.2, 0.4, 0.6, 0.8, 1.0))
    assert nice_ticks(85.1, 98.3, 4) == pytest.approx((90, 95))
    assert nice_ticks(1, 4, 10, integers=True) == (1, 2, 3, 4)
    assert nice_ticks(1, 2, 10, integers=True) == (1, 2)  # never half an epoch
    assert nice_ticks(5, 5, 4) == (5,)
    # A step past the largest float: round(inf) raised OverflowError (found by the property below, in CI).
    assert nice_ticks(0.0, 1e308, 1, integers=True) == (0.0,)


@given(
    low=st.floats(-1e308, 1e308),
    width=st.floats(0, 1e308),
    most=st.integers(1, 40),
    integers=st.booleans(),
)
def test_nice_ticks_never_exceed_the_count_or_the_range(low, width, most, integers):
    high = low + width if math.isfinite(low + width) else low
    ticks = nice_ticks(low, high, most, integers)
    assert 1 <= len(ticks) <= most
    assert all(low <= t <= high for t in ticks) or ticks == (low,)
    assert list(ticks) == sorted(ticks)
