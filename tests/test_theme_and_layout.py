"""The reading views and the main window as people see and reach them: readable on a light and a
dark theme (and across a theme change while running), the window within a small HiDPI screen,
accessible names and descriptions, the keyboard, tooltips, and percentages that never overstate."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from handwriting_recognizer.app.contrast import contrast_ratio
from handwriting_recognizer.app.main_window import DEFAULT_SIZE, LATENCY_TIP, SCREEN_SHARE, fitted_size
from handwriting_recognizer.app.theme import accent
from handwriting_recognizer.app.training_curves import HUES, TrainingCurves
from handwriting_recognizer.app.views import STILL_READING, InputPreview, PredictionLabel, ProbabilityBars, reading_text
from handwriting_recognizer.core.drawing import Drawing
from handwriting_recognizer.core.percent import percent
from handwriting_recognizer.core.recognizer import BLANK, NOT_A_DIGIT, Reading, read
from tests import handmade
from tests.commands import on_a_scaled_screen

DARK = {  # a dark Fusion palette, as a dark desktop gives it
    QPalette.ColorRole.Window: (53, 53, 53),
    QPalette.ColorRole.WindowText: (255, 255, 255),
    QPalette.ColorRole.Base: (35, 35, 35),
    QPalette.ColorRole.AlternateBase: (53, 53, 53),
    QPalette.ColorRole.Text: (255, 255, 255),
    QPalette.ColorRole.Button: (53, 53, 53),
    QPalette.ColorRole.ButtonText: (255, 255, 255),
    QPalette.ColorRole.Highlight: (42, 130, 218),
    QPalette.ColorRole.HighlightedText: (0, 0, 0),
    QPalette.ColorRole.Light: (90, 90, 90),
    QPalette.ColorRole.Midlight: (70, 70, 70),
    QPalette.ColorRole.Mid: (80, 80, 80),
    QPalette.ColorRole.Dark: (35, 35, 35),
    QPalette.ColorRole.Shadow: (20, 20, 20),
    QPalette.ColorRole.PlaceholderText: (160, 160, 160),
}
PROBABILITIES = np.array([0.01, 0.02, 0.0, 0.05, 0.3, 0.0, 0.0, 0.6, 0.02, 0.0], np.float32)


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, rgb in DARK.items():
        palette.setColor(role, QColor(*rgb))
    return palette


@pytest.fixture
def dark(qapp):
    """The application on the dark palette; the one before comes back after the test."""
    before = QPalette(qapp.palette())
    qapp.setPalette(dark_palette())
    yield qapp.palette()
    qapp.setPalette(before)


def shown(widget: QWidget, size: QSize | None = None) -> QImage:
    if size is not None:
        widget.resize(size)
    return widget.grab().toImage()


def most_contrast(image: QImage, area: QRect, background: QColor) -> float:
    """The contrast of the pixel in `area` that differs most from `background`: the text's, where
    there is text (anti-aliasing only lowers the others)."""
    return max(
        contrast_ratio(image.pixelColor(x, y), background)
        for x in range(area.left(), area.right() + 1)
        for y in range(area.top(), area.bottom() + 1)
    )


def bars_showing(qtbot) -> ProbabilityBars:
    bars = ProbabilityBars()
    qtbot.addWidget(bars)
    bars.resize(260, 260)
    bars.set_reading(read(PROBABILITIES, blank=False))
    return bars


# --- percentages and the reading in words ----------------------------------------------------------


@pytest.mark.parametrize(
    ("p", "decimals", "text"),
    [
        (0.996, 0, "99%"),
        (0.996, 1, "99.6%"),
        (0.9999, 1, "99.9%"),
        (float(np.float32(0.99999994)), 0, "99%"),  # the largest float32 under 1
        (1.0, 0, "100%"),
        (1.0, 1, "100.0%"),
        (0.29, 0, "29%"),  # 28.999999999999996 percent in binary
        (0.5, 0, "50%"),
        (0.0, 0, "0%"),
        (0.123, 1, "12.3%"),
        (1.5, 0, "100%"),
        (-0.1, 0, "0%"),
        (math.nan, 0, "–"),
        (1e-9, 1, "0.0%"),
    ],
)
def test_percentages_are_floored_so_only_certainty_shows_100(p, decimals, text):
    assert percent(p, decimals) == text


def test_the_big_label_never_rounds_up_to_100(qtbot):
    label = PredictionLabel()
    qtbot.addWidget(label)
    probabilities = np.full(10, 0.004 / 9, np.float32)
    probabilities[3] = 0.996
    label.set_reading(read(probabilities, blank=False))
    assert label.text() == "3  99%"
    assert label.caption.text() == "Reads 3 with 99.6% confidence"
    assert label.accessibleName() == "Reads 3, 99 percent sure"


def test_each_kind_of_reading_is_said_in_words():
    digit = reading_text(read(PROBABILITIES * 0 + np.eye(10, dtype=np.float32)[7] * 0.98, blank=False))
    assert (digit.big, digit.spoken) == ("7  98%", "Reads 7, 98 percent sure")
    unsure = reading_text(read(PROBABILITIES, blank=False, threshold=0.9))
    assert unsure.big == "Unsure" and unsure.spoken == "Unsure, best guess 7, 60 percent"
    assert "likely enough" in unsure.tip and "7" in unsure.tip and "60%" in unsure.tip
    other = reading_text(Reading(None, 0.87, PROBABILITIES, reason=NOT_A_DIGIT, not_a_digit=0.87))
    assert other.big == "Not a digit" and other.spoken == "Not a digit, 87 percent sure"
    assert "something other than a digit" in other.tip
    for nothing in (None, read(PROBABILITIES, blank=True)):
        # Not a dash, which a user took for a minus sign, the start of a number (QA).
        assert reading_text(nothing).big == "" and reading_text(nothing).spoken == "Nothing drawn yet"


def test_while_a_stroke_is_drawn_only_a_digit_is_shown():
    """A half-drawn digit gets no "Unsure" or "Not a digit" verdict until the pen lifts."""
    unsure = read(PROBABILITIES, blank=False, threshold=0.9)
    other = Reading(None, 0.87, PROBABILITIES, reason=NOT_A_DIGIT, not_a_digit=0.87)
    for reading in (unsure, other):
        shown = reading_text(reading, drawing=True)
        assert (shown.big, shown.caption, shown.spoken) == ("Reading…", STILL_READING, "Still reading")
        assert shown.is_word
    digit = read(PROBABILITIES, blank=False)
    assert reading_text(digit, drawing=True) == reading_text(digit)  # a confident digit shows at once
    assert reading_text(None, drawing=True).big == ""


def test_unsure_and_not_a_digit_explain_themselves_in_a_tooltip(qtbot):
    label = PredictionLabel()
    qtbot.addWidget(label)
    label.set_reading(read(PROBABILITIES, blank=False, threshold=0.9))
    assert label.text() == "Unsure" and "Unsure: no digit is likely enough" in label.toolTip()
    assert label.caption.toolTip() == label.toolTip()
    label.set_reading(Reading(None, 0.87, PROBABILITIES, reason=NOT_A_DIGIT, not_a_digit=0.87))
    assert label.text() == "Not a digit" and "Not a digit:" in label.toolTip()
    assert label.accessibleName() == "Not a digit, 87 percent sure"


def test_words_shrink_to_fit_a_narrow_label(qtbot):
    label = PredictionLabel()
    qtbot.addWidget(label)
    label.resize(120, 80)
    label.set_reading(Reading(None, 0.87, PROBABILITIES, reason=NOT_A_DIGIT, not_a_digit=0.87))
    assert label.fontMetrics().horizontalAdvance(label.text()) <= label.width()
    label.resize(600, 80)
    label.set_reading(read(PROBABILITIES, blank=False))
    assert label.font().pointSize() == 40  # with room, the digit is big again


# --- theme -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("theme", ["light", "dark", "dark-blue highlight"])
def test_digits_and_percentages_are_readable_and_empty_tracks_subtle(qtbot, request, qapp, theme):
    if theme != "light":
        request.getfixturevalue("dark")
    if theme == "dark-blue highlight":  # Adwaita-dark's: the bars were 1.13:1 against the track (QA pass)
        palette = qapp.palette()
        palette.setColor(QPalette.ColorRole.Highlight, QColor(21, 83, 158))
        qapp.setPalette(palette)
    bars = bars_showing(qtbot)
    image = shown(bars)
    window = bars.palette().color(QPalette.ColorRole.Window)
    row = 26
    assert contrast_ratio(image.pixelColor(130, 1), window) < 1.05  # the background is the window's
    for digit in (2, 7):  # an empty row and the top digit's
        y = digit * row
        assert most_contrast(image, QRect(0, y + 4, 20, row - 8), window) >= 4.5, f"digit {digit}"
        assert most_contrast(image, QRect(215, y + 4, 44, row - 8), window) >= 4.5, f"percentage of {digit}"
    track = image.pixelColor(130, 2 * row + row // 2)  # the middle of digit 2's empty track
    assert 1.05 < contrast_ratio(track, window) < 1.6, track.name()
    top_bar, bar = image.pixelColor(40, 7 * row + row // 2), image.pixelColor(40, 4 * row + row // 2)
    assert contrast_ratio(top_bar, track) >= 3 and contrast_ratio(bar, track) >= 3, "bars stand out from the track"
    assert top_bar != bar  # the top digit's bar is its own colour


def test_the_big_label_reads_well_on_the_dark_theme(qtbot, dark):
    label = PredictionLabel()
    qtbot.addWidget(label)
    label.set_reading(read(PROBABILITIES, blank=False))
    image = shown(label, QSize(300, 80))
    assert most_contrast(image, QRect(0, 0, 300, 80), dark.color(QPalette.ColorRole.Window)) >= 7


def test_curves_read_well_on_the_dark_theme(qtbot, dark):
    curves = TrainingCurves()
    qtbot.addWidget(curves)
    for epoch, (loss, accuracy) in enumerate([(0.4, 0.9), (0.2, 0.95), (0.1, 0.97)], 1):
        for series, value in (("loss", loss), ("val_loss", loss / 2), ("accuracy", accuracy)):
            curves.add(series, epoch, value)
    image = shown(curves, curves.sizeHint())
    window, base = dark.color(QPalette.ColorRole.Window), dark.color(QPalette.ColorRole.Base)
    for label in curves.layout_now().texts:
        assert most_contrast(image, label.box.toAlignedRect(), window) >= 4.5, label.text
    plot = curves.layout_now().panels[0].plot.toAlignedRect().adjusted(3, 3, -3, -3)
    assert contrast_ratio(image.pixelColor(plot.center()), base) < 1.3  # the plot's background is the base
    for hue in HUES.values():  # each line stands out on the plot (WCAG's 3:1 for graphics), on either theme
        for background in (base, QColor("white")):
            assert contrast_ratio(accent(hue, background), background) >= 3


def test_the_preview_frame_takes_the_palette_colour(qtbot):
    preview = InputPreview()
    qtbot.addWidget(preview)
    palette = preview.palette()
    palette.setColor(QPalette.ColorRole.Mid, QColor(200, 30, 30))
    preview.setPalette(palette)
    preview.set_input(np.ones((28, 28), np.float32))
    image = shown(preview)
    assert image.pixelColor(0, InputPreview.SIDE // 2) == QColor(200, 30, 30)
    assert image.pixelColor(InputPreview.SIDE // 2, InputPreview.SIDE // 2) == QColor(255, 255, 255)


class PaintCounter(QObject):
    def __init__(self):
        super().__init__()
        self.count = 0

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def test_a_theme_change_while_running_repaints_in_the_new_colours(qtbot, qapp):
    bars = bars_showing(qtbot)
    bars.show()
    qtbot.waitExposed(bars)
    light = shown(bars).pixelColor(5, 7 * 26 + 13)
    counter = PaintCounter()
    bars.installEventFilter(counter)
    before = QPalette(qapp.palette())
    try:
        qapp.setPalette(dark_palette())
        qtbot.waitUntil(lambda: counter.count > 0, timeout=2000)  # repainted without being asked
        now = shown(bars)
        assert now.pixelColor(5, 5) == QColor(*DARK[QPalette.ColorRole.Window])
        assert most_contrast(now, QRect(0, 7 * 26 + 4, 20, 18), now.pixelColor(5, 5)) >= 4.5
        assert now.pixelColor(5, 7 * 26 + 13) != light
    finally:
        qapp.setPalette(before)


def paper_and_ink_of(icon: QIcon) -> tuple[QColor, float]:
    """A thumbnail's paper (its commonest opaque colour) and the contrast its ink keeps with it."""
    image = icon.pixmap(icon.availableSizes()[0]).toImage()
    colours = [
        image.pixelColor(x, y)
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).alpha() == 255
    ]
    paper = max(set(c.rgb() for c in colours), key=[c.rgb() for c in colours].count)
    return QColor.fromRgb(paper), max(contrast_ratio(c, QColor.fromRgb(paper)) for c in colours)


def test_thumbnails_of_ink_take_the_themes_paper_and_ink_also_after_a_change(app_window, qtbot, qapp, tmp_path):
    """On a dark theme the history's and the samples' thumbnails were white squares of black ink."""
    from handwriting_recognizer.app.samples_view import SamplesDialog

    for strokes in (handmade.seven(), handmade.write("2026")):
        app_window.canvas.set_drawing(Drawing(handmade.CANVAS * 3, handmade.CANVAS, tuple(strokes)))
        qtbot.waitUntil(lambda: app_window.reading is not None and app_window.reading.reason != BLANK, timeout=2000)
        QTest.keyClick(app_window, Qt.Key.Key_Delete)  # Edit > Clear keeps the reading in the history
    app_window.choose_label(7)
    app_window.canvas.set_drawing(Drawing(handmade.CANVAS, handmade.CANVAS, tuple(handmade.seven())))
    qtbot.waitUntil(lambda: app_window.reading is not None and app_window.reading.label == 7, timeout=2000)
    assert app_window.teach()
    history = app_window.history.list
    samples = SamplesDialog(app_window, app_window.samples)
    qtbot.addWidget(samples)
    thumbnails = lambda: [history.item(row).icon() for row in range(history.count())] + [samples.grid.item(0).icon()]  # noqa: E731
    assert len(thumbnails()) == 4
    light = qapp.palette().color(QPalette.ColorRole.Base)
    for icon in thumbnails():
        assert paper_and_ink_of(icon)[0] == light
    before = QPalette(qapp.palette())
    try:
        qapp.setPalette(dark_palette())
        dark = QColor(*DARK[QPalette.ColorRole.Base])
        qtbot.waitUntil(lambda: all(paper_and_ink_of(icon)[0] == dark for icon in thumbnails()), timeout=2000)
        assert all(paper_and_ink_of(icon)[1] >= 4.5 for icon in thumbnails())
    finally:
        qapp.setPalette(before)


# --- window size -------------------------------------------------------------------------------------


def test_the_default_size_fits_the_available_screen():
    assert fitted_size(QSize(*DEFAULT_SIZE), QSize(1920, 1040), SCREEN_SHARE) == QSize(*DEFAULT_SIZE)
    # 1600x1000 at scale factor 2, less a panel: 800x470 device-independent pixels
    assert fitted_size(QSize(*DEFAULT_SIZE), QSize(800, 470), SCREEN_SHARE) == QSize(720, 423)
    assert fitted_size(QSize(2000, 2000), QSize(800, 470), 1.0) == QSize(800, 470)


def test_the_minimum_size_fits_a_small_hidpi_screen_and_keeps_the_status_bar(app_window, qtbot):
    fitted = fitted_size(QSize(*DEFAULT_SIZE), QSize(800, 470), SCREEN_SHARE)
    minimum = app_window.minimumSizeHint()
    assert minimum.width() <= fitted.width() and minimum.height() <= fitted.height()
    app_window.resize(minimum)
    qtbot.waitUntil(lambda: app_window.height() == minimum.height(), timeout=2000)
    status = app_window.statusBar()
    assert status.isVisible() and app_window.rect().contains(status.geometry())
    assert app_window.latency_status.isVisible()


def test_a_remembered_size_larger_than_the_screen_is_fitted(app_window, qtbot):
    from handwriting_recognizer.app.main_window import MainWindow

    available = app_window.screen().availableGeometry().size()
    app_window.resize(available.width() + 500, available.height() + 500)
    app_window.close()
    again = MainWindow()
    qtbot.addWidget(again)
    assert again.width() <= available.width() and again.height() <= available.height()


WINDOW_SHOWN = """
import json, sys
from PySide6.QtCore import QRect, QStandardPaths
QStandardPaths.setTestModeEnabled(True)
from handwriting_recognizer.app.application import create_application
app = create_application(sys.argv)
from handwriting_recognizer.app import create_main_window
window = create_main_window()
window.show()
app.processEvents()
rect = lambda r: [r.x(), r.y(), r.width(), r.height()]
"""
SCALED_WINDOW = (
    WINDOW_SHOWN
    + """
least = window.minimumSizeHint()
window.resize(least)  # where the window has no more room
window.prediction.caption.setText("Not a number: " + "a long reason, " * 8)
app.processEvents()
print(json.dumps({
    "least": [least.width(), least.height()],
    "column": [
        rect(w.geometry()) for w in (window.prediction, window.prediction.caption, window.bars, window.teach_button)
    ],
    "ratio": window.devicePixelRatio(),
    "available": rect(window.screen().availableGeometry()),
    "frame": rect(window.frameGeometry()),
    "status": rect(window.statusBar().geometry()),
    "status_visible": window.statusBar().isVisible(),
    "height": window.height(),
}))
"""
)


@pytest.mark.parametrize("width, height", [(1600, 1000), (1366, 768)])
def test_at_scale_factor_2_the_window_fits_the_screen(tmp_path, width, height):
    """At 200 % on 1366x768 the window was taller than the screen, its status bar below it: the
    model input's fixed 112 px set its least height (QA pass). At its least size nothing in the
    column beside the canvas overlaps, whatever the caption says."""
    shown = on_a_scaled_screen(SCALED_WINDOW, width, height, tmp_path)
    assert shown["ratio"] == 2 and shown["available"] == [0, 0, width // 2, height // 2]
    assert shown["least"][1] <= 374  # 748 px: a 1366x768 screen with a 20 px title bar
    tops_and_bottoms = [(y, y + h) for _, y, _, h in shown["column"]]
    assert all(bottom <= next_top for (_, bottom), (next_top, _) in itertools.pairwise(tops_and_bottoms))
    assert QRect(*shown["available"]).contains(QRect(*shown["frame"]))
    assert shown["status_visible"] and shown["status"][1] + shown["status"][3] <= shown["height"]


SHORTCUTS_ON_A_SCALED_SCREEN = (
    WINDOW_SHOWN
    + """
from PySide6.QtWidgets import QPushButton, QTextBrowser
window.show_shortcuts()
for _ in range(5):
    app.processEvents()
[dialog] = [w for w in app.topLevelWidgets() if w.objectName() == "shortcuts" and w.isVisible()]
ok = dialog.findChild(QPushButton)
print(json.dumps({
    "available": rect(dialog.screen().availableGeometry()),
    "frame": rect(dialog.frameGeometry()),
    "ok": rect(QRect(ok.mapToGlobal(ok.rect().topLeft()), ok.size())),
    "table": dialog.findChild(QTextBrowser).toPlainText(),
}))
"""
)


def test_the_keyboard_shortcuts_fit_a_1366x768_screen_at_200_percent_and_scroll(tmp_path):
    """As a message box, the 22 rows were taller than the screen, OK below it (QA pass)."""
    shown = on_a_scaled_screen(SHORTCUTS_ON_A_SCALED_SCREEN, 1366, 768, tmp_path)
    available = QRect(*shown["available"])
    assert available.contains(QRect(*shown["frame"])) and available.contains(QRect(*shown["ok"]))
    assert "Keyboard Shortcuts" in shown["table"] and "Ctrl+R" in shown["table"]


def test_a_caption_longer_than_its_three_lines_shows_its_start_and_ends_in_an_ellipsis(app_window, qtbot):
    """A long reason was cut off at both ends, its first and last lines sliced through (review)."""
    from PySide6.QtCore import QRect
    from PySide6.QtWidgets import QLabel

    caption = app_window.prediction.caption
    app_window.resize(app_window.minimumSizeHint())
    reason = "Cannot read this: the ink breaks into 400 pieces, more than a number may have. Undo or clear."
    app_window.prediction.set_problem(reason)
    qtbot.waitUntil(lambda: QLabel.text(caption) != reason)  # laid out at the window's width
    shown = QLabel.text(caption)
    assert caption.text() == reason and shown.startswith("Cannot read this:") and shown.endswith("…")
    flags = int(Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap)
    needed = caption.fontMetrics().boundingRect(QRect(0, 0, caption.contentsRect().width(), 10_000), flags, shown)
    assert needed.height() <= caption.contentsRect().height()
    app_window.prediction.set_problem("Cannot read this: too much ink.")
    assert QLabel.text(caption) == caption.text() == "Cannot read this: too much ink."


def test_a_long_model_name_ends_in_an_ellipsis_where_the_status_bar_has_no_room(app_window, tmp_path, qtbot):
    """The status bar cut a long model name off mid-word, with no sign of it (QA pass at 150 %)."""
    from handwriting_recognizer.core.paths import bundled_model_path

    name = "handwriting_digits_finetuned_with_my_own_samples_2026-11-26_evening_v3_final.onnx"
    (tmp_path / name).write_bytes(bundled_model_path().read_bytes())
    assert app_window.open_model(tmp_path / name)
    label = app_window.model_status
    app_window.resize(app_window.minimumSizeHint().width(), 600)
    qtbot.waitUntil(lambda: label.width() < label.sizeHint().width())
    shown = label.shown()
    assert "…" in shown and shown.startswith("Model: handw") and shown.endswith("on MNIST")
    assert label.fontMetrics().horizontalAdvance(shown) <= label.contentsRect().width()
    assert name in label.text()  # all of it for screen readers, and in its tooltip


# --- accessibility and keyboard ----------------------------------------------------------------------


def test_every_view_and_status_figure_has_an_accessible_name_and_description(app_window):
    widgets = [
        app_window.prediction,
        app_window.prediction.caption,
        app_window.bars,
        app_window.preview,
        app_window.model_status,
        app_window.provider_status,
        app_window.latency_status,
    ]
    for widget in widgets:
        assert widget.accessibleName() and widget.accessibleDescription(), widget.objectName() or widget.text()


def test_the_reading_is_announced_as_text(app_window, qtbot):
    assert app_window.prediction.accessibleName() == "Nothing drawn yet"
    app_window.canvas.set_drawing(Drawing(handmade.CANVAS, handmade.CANVAS, tuple(handmade.seven())))
    qtbot.waitUntil(lambda: app_window.prediction.accessibleName().startswith("Reads 7, "), timeout=2000)
    assert app_window.prediction.accessibleName().endswith(" percent sure")


def test_the_latency_figure_says_what_it_measures(app_window):
    assert app_window.latency_status.toolTip() == LATENCY_TIP and "milliseconds" in LATENCY_TIP


def test_the_bars_are_reached_and_used_by_keyboard(app_window, qtbot):
    bars = app_window.bars
    assert bars.focusPolicy() == Qt.FocusPolicy.StrongFocus
    picked = []
    bars.digitClicked.connect(picked.append)
    bars.setFocus()
    for _ in range(3):
        QTest.keyClick(bars, Qt.Key.Key_Down)
    QTest.keyClick(bars, Qt.Key.Key_Up)
    assert bars.focus_row() == 2 and "On 2:" in bars.accessibleDescription()
    QTest.keyClick(bars, Qt.Key.Key_Space)
    QTest.keyClick(bars, Qt.Key.Key_End)
    QTest.keyClick(bars, Qt.Key.Key_Return)
    assert picked == [2, 9] and app_window.label_to_teach() == 9
    assert "picked" in bars.accessibleDescription()
    assert app_window.samples.samples() == []  # Enter on another digit picks it ...


def test_enter_on_the_digit_picked_in_the_bars_teaches_it(app_window, qtbot):
    """... and Enter again teaches, as the status bar says ("Enter saves this drawing ..."), also
    after a click on a bar gave the bars the focus."""
    app_window.canvas.set_drawing(Drawing(handmade.CANVAS, handmade.CANVAS, tuple(handmade.seven())))
    qtbot.waitUntil(lambda: app_window.reading is not None and app_window.reading.label == 7, timeout=2000)
    bars = app_window.bars
    app_window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is app_window, timeout=2000)
    QTest.mouseClick(bars, Qt.MouseButton.LeftButton, pos=QPoint(bars.width() // 2, round(bars.height() * 3.5 / 10)))
    assert app_window.label_to_teach() == 3 and "Enter saves" in app_window.statusBar().currentMessage()
    assert QApplication.focusWidget() is bars
    QTest.keyClick(bars, Qt.Key.Key_Return)
    assert [s.label for s in app_window.samples.samples()] == [3]


def test_tab_goes_from_the_canvas_to_the_bars_then_to_teach(app_window, qtbot):
    app_window.canvas.set_drawing(Drawing(handmade.CANVAS, handmade.CANVAS, tuple(handmade.seven())))
    qtbot.waitUntil(lambda: app_window.reading is not None and app_window.reading.label == 7, timeout=2000)
    app_window.choose_label(7)
    assert app_window.teach_button.isEnabled()
    app_window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is app_window, timeout=2000)
    app_window.canvas.setFocus()
    order = []
    for _ in range(2):
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        order.append(QApplication.focusWidget())
    assert order == [app_window.bars, app_window.teach_button]
