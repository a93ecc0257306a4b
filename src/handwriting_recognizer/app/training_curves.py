"""The retrain dialog's live plot: loss and accuracy per epoch, train and validation, on two panels
with real axes (integer epochs, loss, accuracy in percent), tick labels and a legend.

Where everything goes is worked out first (`TrainingCurves.layout`), from the widget's size and its
font's metrics, so that no label is clipped or drawn over another at any size the dialog allows;
painting only draws that layout, in the palette's colours (`theme`).
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPainterPath, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QWidget

from handwriting_recognizer.app.theme import accent, blend

TRAIN, VALIDATION = "train", "validation"
HUES = {TRAIN: 210, VALIDATION: 28}  # blue and orange, made light or dark to stand out (theme.accent)
DASHED = {TRAIN: False, VALIDATION: True}  # the two lines differ by more than their colour
PAD = 6.0  # around the widget's edge and between a panel's parts
TICK = 4.0  # a tick mark's length
SAMPLE = 24.0  # a legend's line sample
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
CENTRE = Qt.AlignmentFlag.AlignCenter


@dataclass(frozen=True)
class Panel:
    """One plot: its series' values are multiplied by `scale` and labelled with `unit`."""

    name: str
    title: str
    scale: float
    unit: str


PANELS = (Panel("loss", "loss", 1.0, ""), Panel("accuracy", "accuracy (%)", 100.0, "%"))


@dataclass(frozen=True)
class Text:
    """A label and the box it is drawn in (its text fits in it)."""

    box: QRectF
    text: str
    align: Qt.AlignmentFlag


@dataclass(frozen=True)
class Axis:
    """A value range and its ticks; `at` maps a value onto a length (the range's own span is never
    computed: half of each end is, so a range from -1e308 to 1e308 does not overflow)."""

    low: float
    high: float
    ticks: tuple[float, ...]

    def at(self, value: float, start: float, length: float) -> float:
        half_span = self.high / 2 - self.low / 2
        return start + ((value / 2 - self.low / 2) / half_span if half_span > 0 else 0.0) * length


@dataclass(frozen=True)
class PanelLayout:
    panel: Panel
    plot: QRectF
    x: Axis | None  # None before the first epoch
    y: Axis | None

    def point(self, x: float, y: float) -> QPointF:
        """Where an epoch's value (already scaled) is drawn; the axes must be there."""
        assert self.x is not None and self.y is not None
        return QPointF(
            self.x.at(x, self.plot.left(), self.plot.width()), self.plot.bottom() - self.y.at(y, 0, self.plot.height())
        )

    def x_ticks(self) -> list[float]:
        return [self.x.at(t, self.plot.left(), self.plot.width()) for t in self.x.ticks] if self.x else []

    def y_ticks(self) -> list[float]:
        return [self.plot.bottom() - self.y.at(t, 0, self.plot.height()) for t in self.y.ticks] if self.y else []


@dataclass(frozen=True)
class Layout:
    panels: tuple[PanelLayout, ...]
    texts: tuple[Text, ...]
    legend: tuple[tuple[str, QPointF], ...]  # each series kind and where its line sample starts


class TrainingCurves(QWidget):
    """Loss and accuracy per epoch, train and validation, drawn as the epochs finish."""

    # series (a field of core.progress.Epoch) -> (its panel, train or validation)
    SERIES = {
        "loss": ("loss", TRAIN),
        "val_loss": ("loss", VALIDATION),
        "accuracy": ("accuracy", TRAIN),
        "val_accuracy": ("accuracy", VALIDATION),
    }

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("curves")
        self.setAccessibleName("Training curves")
        self._points: dict[str, list[tuple[float, float]]] = {name: [] for name in self.SERIES}
        self._describe()

    def points(self, series: str) -> list[tuple[float, float]]:
        return list(self._points[series])

    def clear(self) -> None:
        for values in self._points.values():
            values.clear()
        self._describe()
        self.update()

    def add(self, series: str, x: float, y: float | None) -> None:
        """One point; a missing (non-finite) value is none: the line joins its neighbours."""
        if y is not None:
            self._points[series].append((x, y))
            self._describe()
            self.update()

    def scaled(self, series: str) -> list[tuple[float, float]]:
        """A series' points in its panel's unit (accuracy in percent); one too large to scale is left
        out (a diverged run's 1e308 would be infinite)."""
        scale = _panel(series).scale
        return [(x, y * scale) for x, y in self._points[series] if math.isfinite(y * scale)]

    def _describe(self) -> None:
        """The accessible description: what the plot shows and the latest epoch's numbers in words."""
        latest = [
            f"{name.replace('val_', 'validation ')} {points[-1][1] * _panel(name).scale:.4g}{_panel(name).unit}"
            for name, points in self._points.items()
            if points
        ]
        text = "Loss and accuracy per epoch, for the training and the validation data." + (
            f" Latest: {', '.join(latest)}." if latest else ""
        )
        self.setAccessibleDescription(text)

    # --- layout --------------------------------------------------------------------------------

    def minimumSizeHint(self) -> QSize:
        """Room for the legend, each panel's title and labels, and plots of at least three y ticks
        (four lines high) and 90 pixels wide."""
        metrics = QFontMetricsF(self.font())
        line = metrics.height()
        y_label = metrics.horizontalAdvance("100.0%") + 1
        right = max(PAD, metrics.horizontalAdvance("000") / 2 + 2)
        titles = max(metrics.horizontalAdvance(panel.title) + 1 for panel in PANELS)
        panel = max(PAD + y_label + TICK + 2 + 90 + right, PAD + titles + PAD)
        legend = sum(SAMPLE + PAD + metrics.horizontalAdvance(kind) + 1 + 3 * PAD for kind in (TRAIN, VALIDATION))
        height = PAD + line + PAD + line + _label_gap(line) + 4 * line + _label_gap(line) + 2 * line + PAD
        return QSize(math.ceil(max(2 * panel, legend + 2 * PAD)), math.ceil(height))

    def sizeHint(self) -> QSize:
        return self.minimumSizeHint().expandedTo(QSize(560, 240))

    def layout_now(self) -> Layout:
        """Where every label, axis and plot goes at the widget's size and font."""
        metrics = QFontMetricsF(self.font())
        line = metrics.height()
        below = _label_gap(line)  # from the plot to the epochs' labels
        texts: list[Text] = []
        legend = self._legend(metrics, texts)
        top = PAD + line + PAD + line + _label_gap(line)  # under the legend and the panel titles
        bottom = self.height() - PAD - 2 * line - below  # above the tick labels and "epoch"
        half = self.width() / 2
        panels = tuple(
            self._panel(panel, metrics, texts, QRectF(QPointF(i * half, top), QPointF((i + 1) * half, bottom)), below)
            for i, panel in enumerate(PANELS)
        )
        return Layout(panels, tuple(texts), legend)

    def _legend(self, metrics: QFontMetricsF, texts: list[Text]) -> tuple[tuple[str, QPointF], ...]:
        """One line of "<line> train  <dashed line> validation", centred on top."""
        items = [(kind, metrics.horizontalAdvance(kind) + 1) for kind in (TRAIN, VALIDATION)]
        width = sum(SAMPLE + PAD + w for _, w in items) + 3 * PAD
        x = max((self.width() - width) / 2, PAD)
        samples = []
        for kind, w in items:
            samples.append((kind, QPointF(x, PAD + metrics.height() / 2)))
            x += SAMPLE + PAD
            texts.append(Text(QRectF(x, PAD, w, metrics.height()), kind, LEFT))
            x += w + 3 * PAD
        return tuple(samples)

    def _panel(
        self, panel: Panel, metrics: QFontMetricsF, texts: list[Text], room: QRectF, below: float
    ) -> PanelLayout:
        """One panel in `room` (from the plot's top to its bottom, the panel's full width): the y
        labels' width sets the plot's left edge, the last epoch's label half its right margin."""
        line = metrics.height()
        values = [point for name in self.SERIES if _panel(name) is panel for point in self.scaled(name)]
        y_axis: Axis | None = None
        y_labels: list[str] = []
        widest_epoch, right_margin = 0.0, PAD
        if values:
            low, high = _padded(min(y for _, y in values), max(y for _, y in values))
            y_axis = _axis(low, high, int(room.height() / (line * 1.3)), integers=False)
            y_labels = [_format(tick, panel.unit, y_axis) for tick in y_axis.ticks]
            xs = [x for x, _ in values]
            widest_epoch = max(metrics.horizontalAdvance(str(int(x))) + 1 for x in (min(xs), max(xs)))
            right_margin = max(PAD, widest_epoch / 2 + 2)
        label_w = max((metrics.horizontalAdvance(text) + 1 for text in y_labels), default=0.0)
        left = room.left() + PAD + label_w + TICK + 2
        plot = QRectF(QPointF(left, room.top()), QPointF(max(room.right() - right_margin, left + 1), room.bottom()))
        title_w = metrics.horizontalAdvance(panel.title) + 1
        title_box = QRectF(room.left() + PAD, room.top() - _label_gap(line) - line, title_w, line)
        texts.append(Text(title_box, panel.title, LEFT))
        x_axis: Axis | None = None
        if y_axis is not None:
            for tick, text in zip(y_axis.ticks, y_labels, strict=True):
                y = plot.bottom() - y_axis.at(tick, 0, plot.height())
                texts.append(Text(QRectF(plot.left() - TICK - 2 - label_w, y - line / 2, label_w, line), text, RIGHT))
            most = int(plot.width() / (widest_epoch + 2 * PAD)) + 1
            x_axis = _axis(*_epoch_range(float(min(xs)), float(max(xs))), most, integers=True)
            for tick in x_axis.ticks:
                text = str(int(tick))
                w = metrics.horizontalAdvance(text) + 1
                x = x_axis.at(tick, plot.left(), plot.width())
                texts.append(Text(QRectF(x - w / 2, plot.bottom() + below, w, line), text, CENTRE))
        epoch_w = metrics.horizontalAdvance("epoch") + 1
        epoch_box = QRectF(plot.center().x() - epoch_w / 2, plot.bottom() + below + line, epoch_w, line)
        texts.append(Text(epoch_box, "epoch", CENTRE))
        return PanelLayout(panel, plot, x_axis, y_axis)

    # --- painting ------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        """The layout in the palette's colours: plots on Base with faint grid lines, frames and ticks
        half-way between the text and the window, labels in the text colour."""
        layout = self.layout_now()
        palette = self.palette()
        window, text = palette.color(QPalette.ColorRole.Window), palette.color(QPalette.ColorRole.WindowText)
        base = palette.color(QPalette.ColorRole.Base)
        grid, frame = blend(base, palette.color(QPalette.ColorRole.Text), 0.12), blend(window, text, 0.55)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for part in layout.panels:
            painter.fillRect(part.plot, base)
            painter.setPen(grid)
            for y in part.y_ticks():
                painter.drawLine(QPointF(part.plot.left(), y), QPointF(part.plot.right(), y))
            self._paint_series(painter, part, base)
            painter.setPen(frame)
            painter.drawRect(part.plot)
            for y in part.y_ticks():
                painter.drawLine(QPointF(part.plot.left() - TICK, y), QPointF(part.plot.left(), y))
            for x in part.x_ticks():
                painter.drawLine(QPointF(x, part.plot.bottom()), QPointF(x, part.plot.bottom() + TICK))
        painter.setPen(text)
        for label in layout.texts:
            painter.drawText(label.box, label.align, label.text)
        for kind, start in layout.legend:
            painter.setPen(_pen(kind, base))
            painter.drawLine(start, start + QPointF(SAMPLE, 0))
        painter.end()

    def _paint_series(self, painter: QPainter, part: PanelLayout, base: QColor) -> None:
        """The panel's lines, a dot on each epoch."""
        for name, (panel, kind) in self.SERIES.items():
            if panel != part.panel.name or not self.scaled(name):
                continue
            mapped = [part.point(x, y) for x, y in self.scaled(name)]
            path = QPainterPath(mapped[0])
            for p in mapped[1:]:
                path.lineTo(p)
            pen = _pen(kind, base)
            painter.setPen(pen)
            painter.drawPath(path)
            pen.setStyle(Qt.PenStyle.SolidLine)
            painter.setPen(pen)
            for p in mapped:
                painter.drawEllipse(p, 2, 2)


def _label_gap(line: float) -> float:
    """From a plot's edge to the labels above or below it: clear of a y label centred on that edge."""
    return max(PAD, line / 2 + 1)


def _panel(series: str) -> Panel:
    return next(p for p in PANELS if p.name == TrainingCurves.SERIES[series][0])


def _pen(kind: str, background: QColor) -> QPen:
    pen = QPen(accent(HUES[kind], background), 2)
    if DASHED[kind]:
        pen.setStyle(Qt.PenStyle.DashLine)
    return pen


def _padded(low: float, high: float) -> tuple[float, float]:
    """A range with room above and below its values; a single value gets a range around it. (A
    range of none divided by zero inside paintEvent and crashed the app.) Its ends stay finite: an
    end padded past the largest float would be infinite, and map points to NaN, which Qt paints
    with undefined results (the test run crashed in such a paint)."""
    pad = (high / 2 - low / 2) / 10  # 5% of the span, without computing the span (it may overflow)
    if not pad > 0:
        pad = abs(low) / 20 or 0.5
    return max(low - pad, -sys.float_info.max), min(high + pad, sys.float_info.max)


def _epoch_range(first: float, last: float) -> tuple[float, float]:
    """The epochs' axis: from the first epoch to the last; a single epoch in the middle of half an
    epoch either side, its one tick (a 1-epoch run ran from 1 to 2, an epoch it never had)."""
    return (first, last) if last > first else (first - 0.5, first + 0.5)


def nice_ticks(low: float, high: float, most: int, integers: bool = False) -> tuple[float, ...]:
    """As many round values (1, 2 or 5 times a power of ten apart; whole numbers for `integers`)
    from `low` to `high` as fit in `most`; just `low` when none does."""
    raw = (high / 2 - low / 2) * 2 / (most + 1)  # too small a step: it gives more than `most`
    if not (math.isfinite(raw) and raw > 0):
        return (low,)
    power = 10.0 ** math.floor(math.log10(raw))
    if not power > 0:  # a step among the smallest floats underflows to 0 (dividing by it crashed the paint)
        return (low,)
    for multiple in (1, 2, 5, 10, 20, 50, 100):  # 100 * power > 10 * raw: enough for any `most`
        if not math.isfinite(multiple * power):  # past the largest float (a range near 1e308)
            break
        step = max(1.0, float(round(multiple * power))) if integers else multiple * power
        first, last = math.ceil(low / step), math.floor(high / step)
        if last - first + 1 <= most:  # (the division may underflow: the range check stays)
            return tuple(t for n in range(first, last + 1) if low <= (t := n * step) <= high) or (low,)
    return (low,)


def _axis(low: float, high: float, most: int, integers: bool) -> Axis:
    return Axis(low, high, nice_ticks(low, high, max(most, 1), integers))


def _format(value: float, unit: str, axis: Axis) -> str:
    """A tick label with as many decimals as the ticks' spacing needs, or 3 significant digits for
    the very large and the very small."""
    step = axis.ticks[1] - axis.ticks[0] if len(axis.ticks) > 1 else abs(value)
    if value == 0:
        return f"0{unit}"
    if not 1e-4 <= step < 1e6 or abs(value) >= 1e6:
        return f"{value:.3g}{unit}"
    return f"{value + 0.0:.{max(0, -math.floor(math.log10(step)))}f}{unit}"
