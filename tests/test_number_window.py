"""Whole numbers in the window: read live while written, one character selected for the bars and the
preview (a click in the reading, Left/Right), one digit taught on its own, copied as text, read from
a picture; a single digit shows exactly as before. Numbers are tests/handmade.py's, which the bundled
model reads right (tests/test_numbers.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QFontMetricsF, QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from handwriting_recognizer.app.imageio import gray_to_qimage, qimage_to_array
from handwriting_recognizer.app.views import BARS_TIP, STILL_READING, number_text
from handwriting_recognizer.core.drawing import Drawing, save_drawing
from handwriting_recognizer.core.numbers import number_problem, read_number
from handwriting_recognizer.core.preprocess import render_strokes
from handwriting_recognizer.core.recognizer import Recognizer
from handwriting_recognizer.core.shapes import polyline
from tests import fakes, handmade


def draw(canvas, strokes, release: bool = True) -> None:
    """Mouse strokes through points of a 400x400 drawing, mapped onto the widget, as a hand draws;
    without `release` the last one is still being drawn."""
    scale = min(canvas.width(), canvas.height()) / handmade.CANVAS
    for i, stroke in enumerate(strokes):
        points = [QPoint(round(x * scale), round(y * scale)) for x, y in stroke]
        QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[0])
        for p in points[1:]:
            QTest.mouseMove(canvas, p)
        if release or i < len(strokes) - 1:
            QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[-1])


def show(window, qtbot, strokes, text: str | None) -> None:
    """Strokes of a 400x400 drawing on the canvas in one step (as an opened drawing), read as `text`
    (None: no number)."""
    window.canvas.set_drawing(Drawing(handmade.CANVAS, handmade.CANVAS, tuple(strokes)))
    qtbot.waitUntil(
        lambda: window.number is not None and len(window.number.characters) > 1 and window.number.text == text,
        timeout=3000,
    )


def click_character(window, index: int) -> None:
    label = window.prediction
    QTest.mouseClick(label, Qt.MouseButton.LeftButton, pos=label._character_box(index).center().toPoint())


def test_a_number_is_read_live_while_it_is_written(app_window, qtbot):
    label = app_window.prediction
    draw(app_window.canvas, handmade.write("2026"), release=False)
    qtbot.waitUntil(lambda: label.text() == "2026", timeout=3000)
    assert app_window.canvas.undo_stack.count() == 3  # the 6 is still being written
    parts = label.caption.text().split(" · ")
    assert [part.split("\N{NO-BREAK SPACE}")[0] for part in parts] == list("2026")  # never wrapped apart
    assert label.caption.text().count("%") == 4  # each digit's confidence
    assert label.accessibleName().startswith("Reads 2026, ") and label.accessibleName().endswith(" percent sure")
    QTest.mouseRelease(app_window.canvas, Qt.MouseButton.LeftButton)
    assert app_window.number.text == "2026"
    assert label.selected() == 3 and app_window.bars.highlighted() == 6  # the digit written last


def test_selecting_a_digit_shows_its_probabilities_and_input(app_window, qtbot):
    show(app_window, qtbot, handmade.write("2026"), "2026")
    characters = app_window.number.characters
    np.testing.assert_array_equal(app_window.preview.input(), characters[3].input)
    click_character(app_window, 1)
    assert app_window.prediction.selected() == 1 and app_window.bars.highlighted() == 0
    np.testing.assert_array_equal(app_window.bars.probabilities(), characters[1].probabilities)
    np.testing.assert_array_equal(app_window.preview.input(), characters[1].input)
    np.testing.assert_array_equal(app_window.shown_input(), characters[1].input)  # what Export writes
    assert "character 2" in app_window.bars.toolTip()
    # by keyboard: Left/Right on the reading, and on the canvas while it has the focus
    assert app_window.prediction.hasFocus() and app_window.prediction.focusPolicy() == Qt.FocusPolicy.StrongFocus
    QTest.keyClick(app_window.prediction, Qt.Key.Key_Left)
    assert (
        app_window.bars.highlighted() == 2
        and "Character 1 of 4 selected: 2" in app_window.prediction.accessibleDescription()
    )
    app_window.canvas.setFocus()
    QTest.keyClick(app_window.canvas, Qt.Key.Key_Right)
    QTest.keyClick(app_window.canvas, Qt.Key.Key_Right)
    assert app_window.prediction.selected() == 2 and app_window.bars.highlighted() == 2
    # Home and End too: from the canvas they did nothing, and a digit key then taught the wrong one (QA)
    QTest.keyClick(app_window.canvas, Qt.Key.Key_Home)
    assert app_window.prediction.selected() == 0
    QTest.keyClick(app_window.canvas, Qt.Key.Key_End)
    QTest.keyClick(app_window.canvas, Qt.Key.Key_Left)
    assert app_window.prediction.selected() == 2 and app_window.bars.highlighted() == 2
    app_window.canvas.set_pen_width_px(app_window.canvas.pen_width_px() + 2)  # the same ink, read again
    qtbot.wait(50)
    assert app_window.prediction.selected() == 2


def test_the_focus_leaves_the_reading_when_it_no_longer_shows_a_number(app_window, qtbot):
    """Clear with the reading focused left the focus on a label that takes none: nothing showed it (QA)."""
    show(app_window, qtbot, handmade.write("2026"), "2026")
    app_window.prediction.setFocus()
    app_window.clear()
    qtbot.waitUntil(lambda: not app_window.prediction.characters(), timeout=2000)
    assert app_window.focusWidget() is app_window.bars


def test_tab_reaches_the_reading_while_it_shows_a_number(app_window, qtbot):
    show(app_window, qtbot, handmade.write("45"), "45")
    app_window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is app_window, timeout=2000)
    app_window.canvas.setFocus()
    QTest.keyClick(app_window.canvas, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is app_window.prediction
    QTest.keyClick(app_window.prediction, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is app_window.bars


def test_a_decimal_point_has_no_probabilities_and_says_why(app_window, qtbot):
    show(app_window, qtbot, handmade.write("3.14"), "3.14")
    click_character(app_window, 1)
    assert app_window.bars.probabilities().sum() == 0 and app_window.bars.highlighted() is None
    assert "decimal point" in app_window.bars.toolTip() and "not by the model" in app_window.bars.toolTip()
    assert app_window.preview.input().sum() == 0
    app_window.choose_label(4)  # a '.' is told by its shape: it takes no label
    assert app_window.label_to_teach() is None and app_window.teach_button.text() == "Teach: select a digit"
    assert "Character 2 is a decimal point" in app_window.statusBar().currentMessage()
    assert not app_window.teach() and app_window.samples.samples() == []


def test_teaching_one_digit_of_a_number_saves_that_digit_alone(app_window, qtbot):
    strokes = handmade.write("457")  # the 4 and the 7 have bars drawn apart: two strokes each
    show(app_window, qtbot, strokes, "457")
    click_character(app_window, 0)
    QTest.keyClick(app_window, Qt.Key.Key_9)
    assert app_window.teach_button.text() == "Teach character 1 as 9  ⏎"
    click_character(app_window, 2)  # another character: the label was for the first
    assert app_window.label_to_teach() is None
    click_character(app_window, 0)
    QTest.keyClick(app_window, Qt.Key.Key_9)
    four = app_window.number.characters[0]
    QTest.keyClick(app_window, Qt.Key.Key_Return)
    (sample,) = app_window.samples.samples()
    assert sample.label == 9
    np.testing.assert_allclose(app_window.samples.image(sample), four.input, atol=1 / 255)
    saved = Drawing.from_json(json.loads(sample.meta.read_text())["drawing"])
    assert four.marks == (0, 1) and len(saved.strokes) == 2
    for kept, written in zip(saved.strokes, app_window.canvas.strokes()[:2], strict=True):
        np.testing.assert_allclose(kept, written, atol=0.01)
    np.testing.assert_allclose(saved.to_input(), four.input, atol=1e-3)  # retraining draws the same digit
    assert app_window.statusBar().currentMessage() == "Saved character 1 as 9 — you have 1 sample of 9"
    assert len(app_window.canvas.strokes()) == 6 and app_window.label_to_teach() is None  # the number stays


def test_a_label_for_one_character_goes_when_a_new_stroke_moves_the_selection(app_window, qtbot):
    """The label stays with a whole drawing while the pen is down; one chosen for a character of a
    number must not pass to the half-drawn character the selection moves to (review)."""
    show(app_window, qtbot, handmade.write("457"), "457")
    click_character(app_window, 0)
    QTest.keyClick(app_window, Qt.Key.Key_9)
    canvas = app_window.canvas
    scale = min(canvas.width(), canvas.height()) / handmade.CANVAS
    start = QPoint(round(330 * scale), round(60 * scale))
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(canvas, QPoint(start.x(), start.y() + 30))
    app_window.predict_now()  # pen down: the new stroke is selected
    assert app_window.label_to_teach() is None
    QTest.mouseRelease(
        canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(start.x(), start.y() + 30)
    )


def test_undo_after_teaching_takes_the_sample_back_and_redo_saves_it_again(app_window, qtbot):
    """Ctrl+Z after Teach brought the drawing back ("Undo Clear") and left its sample saved under
    the label being corrected; teaching it again kept both (found by a QA pass)."""
    draw(app_window.canvas, handmade.write("3"))
    QTest.keyClick(app_window, Qt.Key.Key_8)
    QTest.keyClick(app_window, Qt.Key.Key_Return)
    (sample,) = app_window.samples.samples()
    taught = sample.png.read_bytes()
    assert app_window.canvas.is_empty() and app_window.undo_action.text() == "&Undo Teach as 8"
    QTest.keySequence(app_window, "Ctrl+Z")
    assert app_window.samples.samples() == [] and len(app_window.canvas.strokes()) == 1
    assert app_window.statusBar().currentMessage().startswith("Taught sample taken back")
    QTest.keySequence(app_window, "Ctrl+Shift+Z")
    assert app_window.samples.samples() == [sample] and sample.png.read_bytes() == taught
    assert app_window.canvas.is_empty() and app_window.statusBar().currentMessage() == "Saved again as 8"
    app_window.samples.delete(sample)  # My Samples deletes it meanwhile
    QTest.keySequence(app_window, "Ctrl+Z")
    assert app_window.statusBar().currentMessage().startswith("The taught sample is no longer among your samples")
    QTest.keySequence(app_window, "Ctrl+Shift+Z")
    assert app_window.samples.samples() == []  # nothing to save again: the user deleted it


def test_undo_after_teaching_a_sample_relabelled_since_says_it_stays_as_relabelled(app_window, qtbot):
    """It said "no longer among your samples: My Samples deleted or relabelled it" of a sample that
    was there as a 6, and Redo then said nothing (QA)."""
    draw(app_window.canvas, handmade.write("5"))
    QTest.keyClick(app_window, Qt.Key.Key_5)
    QTest.keyClick(app_window, Qt.Key.Key_Return)
    (sample,) = app_window.samples.samples()
    app_window.samples.relabel(sample, 6)  # My Samples relabels it meanwhile
    said = "The taught sample stays among your samples, as a 6: My Samples relabelled it"
    QTest.keySequence(app_window, "Ctrl+Z")
    assert app_window.statusBar().currentMessage() == said
    assert [s.label for s in app_window.samples.samples()] == [6]
    QTest.keySequence(app_window, "Ctrl+Shift+Z")
    assert app_window.statusBar().currentMessage() == said and app_window.canvas.is_empty()
    QTest.keySequence(app_window, "Ctrl+Z")
    (relabelled,) = app_window.samples.samples()
    app_window.samples.relabel(relabelled, 5)  # My Samples' own undo puts it back (review: redo said "as a 6")
    QTest.keySequence(app_window, "Ctrl+Shift+Z")
    assert app_window.statusBar().currentMessage() == "The taught sample is among your samples again, as a 5"


def test_undo_after_teaching_one_digit_of_a_number_takes_that_sample_back(app_window, qtbot):
    show(app_window, qtbot, handmade.write("457"), "457")
    click_character(app_window, 2)
    QTest.keyClick(app_window, Qt.Key.Key_1)
    QTest.keyClick(app_window, Qt.Key.Key_Return)
    assert len(app_window.samples.samples()) == 1
    assert app_window.undo_action.text() == "&Undo Teach character 3 as 1"
    QTest.keySequence(app_window, "Ctrl+Z")
    assert app_window.samples.samples() == [] and len(app_window.canvas.strokes()) == 6  # the number stays


def test_a_drawing_too_big_to_read_says_so_and_shows_no_reading_time(app_window, qtbot, tmp_path):
    """The status bar kept the last reading's milliseconds beside "Cannot read this" (QA pass)."""
    show(app_window, qtbot, handmade.write("12"), "12")
    assert app_window.latency_status.text().endswith(" ms")
    ticks = tuple(np.array([[10.0 + 4 * i, 10.0], [12.0 + 4 * i, 30.0]]) for i in range(200))
    path = tmp_path / "ticks.json"
    save_drawing(Drawing(900, 400, ticks, 2.0), path)
    assert app_window.open_file(path)
    qtbot.waitUntil(lambda: app_window.prediction.caption.text().startswith("Cannot read this"), timeout=3000)
    assert app_window.latency_status.text() == ""
    spoken = app_window.prediction.accessibleName()  # it said "Cannot read: Cannot read this: ..." (QA pass)
    assert spoken.startswith("Cannot read this: 200 strokes") and spoken.count("Cannot read") == 1


def test_a_long_number_s_caption_names_its_least_sure_digit_instead_of_listing_all(app_window, qtbot):
    """Twenty digits listed took eight lines, cut off without a sign where the window had no more
    room (QA pass at 200 %)."""
    show(app_window, qtbot, handmade.write("98765"), "98765")
    caption = app_window.prediction.caption.text()
    number = app_window.number
    least = min(range(5), key=lambda i: number.characters[i].confidence)
    assert caption.startswith("5 digits; least sure: ") and caption.endswith(f"(character {least + 1})")
    assert f"{number.characters[least].char} at " in caption and caption.count("%") == 1


def test_ctrl_c_copies_the_number_and_the_history_keeps_it(app_window, qtbot):
    board = QGuiApplication.clipboard()
    board.setText("before")
    show(app_window, qtbot, handmade.write("3.14"), "3.14")
    QTest.keyClick(app_window, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert board.text() == "3.14" and app_window.statusBar().currentMessage() == "Copied 3.14"
    app_window.clear()
    (entry,) = app_window.history.entries()
    assert entry.read_as() == "3.14" and app_window.history.list.item(0).text().startswith("3.14  · ")
    assert app_window.history.copy_entry(0) and board.text() == "3.14"


def test_a_picture_of_a_number_reads_its_text(app_window, qtbot):
    ink = render_strokes(handmade.write("-42"), (250, 420), handmade.PEN)
    assert app_window.show_picture(qimage_to_array(gray_to_qimage(ink, invert=True)))
    qtbot.waitUntil(lambda: app_window.prediction.text() == "-42", timeout=3000)
    assert app_window.number.text == "-42" and app_window.bars.highlighted() == 2  # the rightmost digit
    click_character(app_window, 1)
    QTest.keyClick(app_window, Qt.Key.Key_4)
    assert app_window.teach()
    (sample,) = app_window.samples.samples()
    assert sample.label == 4 and json.loads(sample.meta.read_text())["drawing"] is None
    np.testing.assert_allclose(app_window.samples.image(sample), app_window.number.characters[1].input, atol=1 / 255)


def scribble(x: float, y: float) -> np.ndarray:
    """Back and forth across a digit's place: far more ink than a digit may have."""
    return polyline([(x, y), (x + 50, y + 80)] * 150, n=2)


@pytest.mark.parametrize(
    ("strokes", "caption"),
    [
        (handmade.write("4-2"), "Not a number: character 2 is a minus sign, which only goes first"),
        (
            [*handmade.write("12"), scribble(200, 60), *handmade.write("3", x=300)],
            "Not a number: character 3 is not a digit",
        ),
    ],
)
def test_not_a_number_says_which_character(app_window, qtbot, strokes, caption):
    show(app_window, qtbot, strokes, None)
    qtbot.waitUntil(lambda: app_window.prediction.caption.text() == caption, timeout=3000)
    assert app_window.prediction.accessibleName() == caption
    assert not app_window.copy_reading()
    why = caption.removeprefix("Not a number: ")
    assert app_window.statusBar().currentMessage() == f"Nothing copied: not a number ({why})"


@pytest.mark.parametrize(
    ("written", "why"),
    [
        ("4-2", "character 2 is a minus sign, which only goes first"),
        ("1.2.3", "character 4 is a second decimal point"),
    ],
)
def test_not_a_number_says_why_in_words(bundled_model, written, why):
    number = read_number(Recognizer(bundled_model, use_gpu=False), handmade.write(written), handmade.PEN)
    assert number_problem(number) == why and number_text(number).caption == f"Not a number: {why}"
    assert number_text(number).big == written


def test_a_number_being_written_says_still_reading_not_why_it_is_no_number(bundled_model):
    number = read_number(Recognizer(bundled_model, use_gpu=False), handmade.write("4-2"), handmade.PEN)
    shown = number_text(number, drawing=True)
    assert shown.big == "4-2" and shown.caption == STILL_READING and shown.spoken == "Still reading, so far 4-2"
    whole = read_number(Recognizer(bundled_model, use_gpu=False), handmade.write("42"), handmade.PEN)
    assert number_text(whole, drawing=True) == number_text(whole)  # a number read shows at once


def test_an_unsure_digit_makes_the_number_say_unsure(app_window, qtbot, monkeypatch):
    recognizer = app_window.recognizer
    monkeypatch.setattr(recognizer, "info", fakes.sure_of_nothing(recognizer.info))
    show(app_window, qtbot, handmade.write("25"), None)
    assert app_window.prediction.text() == "??"
    assert app_window.prediction.caption.text().startswith("Unsure of character 1 (and 1 more): best guess 2 at ")
    assert app_window.prediction.accessibleName().startswith("Unsure number")
    QTest.keyClick(app_window, Qt.Key.Key_5)
    assert app_window.teach_button.text() == "Teach character 2 as 5  ⏎"  # an unsure digit is taught


def test_a_single_digit_shows_as_before(app_window, qtbot):
    draw(app_window.canvas, handmade.seven())
    qtbot.waitUntil(lambda: app_window.reading is not None and app_window.reading.label == 7, timeout=3000)
    before = app_window.recognizer.read(app_window.current_input(), app_window.canvas.strokes())
    assert app_window.prediction.text().startswith("7  ") and app_window.prediction.text().endswith("%")
    assert app_window.number.single is app_window.reading and app_window.reading.confidence == before.confidence
    np.testing.assert_array_equal(app_window.bars.probabilities(), before.probabilities)
    np.testing.assert_array_equal(app_window.preview.input(), app_window.current_input())
    assert app_window.prediction.selected() is None and app_window.prediction.focusPolicy() == Qt.FocusPolicy.NoFocus
    assert app_window.bars.toolTip() == BARS_TIP and app_window.teach_button.text() == "Teach: choose the label (0-9)"


def test_another_model_gets_its_own_reader(app_window, qtbot, tmp_path, bundled_model):
    first = app_window.number_reader()
    copy = tmp_path / "mine.onnx"
    copy.write_bytes(bundled_model.read_bytes())
    assert app_window.open_model(copy)
    assert app_window.number_reader() is not first and app_window.number_reader().recognizer is app_window.recognizer


def test_the_canvas_keeps_its_width_while_a_number_is_written_beside_the_history(app_window, qtbot):
    """Beside the Reading History dock the window is narrow: the reading's caption must not widen
    its column as a number grows (the canvas shrank by 33 px and hid the ink at its right edge)."""
    app_window.resize(860, 560)
    app_window.history.show()
    qtbot.wait(50)
    width = app_window.canvas.width()
    draw(app_window.canvas, handmade.write("2026"))
    qtbot.waitUntil(lambda: app_window.prediction.text() == "2026", timeout=3000)
    qtbot.wait(50)
    assert app_window.canvas.width() == width


def test_a_number_too_long_for_the_reading_shows_the_selected_digit_and_marks_the_cut(app_window, qtbot):
    """At the window's default size a 20-digit number's last digit, the selected one, was cut in
    half, and at the smallest size hidden, out of reach of a click (QA)."""
    written = "98765432109876543210"
    for size in ((860, 560), (441, 396)):
        app_window.resize(*size)
        show(app_window, qtbot, handmade.write(written), written)
        label = app_window.prediction
        label.setFocus()
        QTest.keyClick(label, Qt.Key.Key_End)  # the last digit, selected as the number is written
        fits = QFontMetricsF(label.font()).horizontalAdvance(label.text()) <= label.contentsRect().width()
        assert fits and label.text().startswith("…") and written.endswith(label.text()[1:])
        assert label.selected() == 19
        QTest.keyClick(label, Qt.Key.Key_Home)
        assert label.selected() == 0 and label.text().endswith("…") and written.startswith(label.text()[:-1])
        QTest.keyClick(label, Qt.Key.Key_End)
        first_shown = len(written) - len(label.text()[1:])
        QTest.mouseClick(label, Qt.MouseButton.LeftButton, pos=QPoint(1, label.height() // 2))  # on the "…"
        assert label.selected() == first_shown - 1 and label.text()[1] == written[first_shown - 1]


def test_the_same_ink_reads_the_same_after_the_window_shrinks(app_window, qtbot):
    """The pen was a width on screen: after the window shrank, the drawing shrank under a pen as
    wide as before, and a long number of small digits read "????????????" (each digit a dot under
    the pen) at the next change, though its ink was the same (QA). The pen now zooms with the
    drawing, and a drawing put back keeps the pen it was drawn with, exactly."""
    app_window.resize(1100, 800)
    strokes = [s * 0.3 + (0.0, 120.0) for s in handmade.write("987654321012")]
    draw(app_window.canvas, strokes)
    qtbot.waitUntil(lambda: app_window.number is not None and app_window.number.text == "987654321012", timeout=5000)
    pen = app_window.canvas.pen_width()
    app_window.resize(app_window.minimumSizeHint())
    qtbot.waitUntil(lambda: app_window.canvas.width() < 400, timeout=2000)
    app_window.canvas.undo_stack.undo()
    app_window.canvas.undo_stack.redo()  # the same ink again, read again
    qtbot.waitUntil(lambda: app_window.number is not None and app_window.number.text == "987654321012", timeout=5000)
    assert app_window.canvas.pen_width() == pen
    app_window.canvas.set_drawing(Drawing(400, 400, tuple(strokes), pen_width=pen))  # as the history puts it back
    assert app_window.canvas.pen_width() == pen
    qtbot.waitUntil(lambda: app_window.number is not None and app_window.number.text == "987654321012", timeout=5000)


@pytest.mark.parametrize(("size", "pen"), [(28, None), (28, 0.5), (4000, 100.0)])
def test_an_opened_drawing_reads_with_its_own_pen(app_window, qtbot, size, pen):
    """A 28x28 drawing without a pen was drawn and read with the box's 12 px as 12 of its own
    pixels (a blob: blank), and a file's pen was rounded into the box's 1-40 (0.5 became 1, 100
    became 40) and saved so (review). It reads as `predict` reads it, and saves its pen again."""
    strokes = tuple(s * size / 400 for s in handmade.seven())
    drawing = Drawing(size, size, strokes, pen)
    app_window.canvas.set_drawing(drawing)
    qtbot.waitUntil(lambda: app_window.number is not None and app_window.number.text == "7", timeout=3000)
    assert app_window.canvas.drawing().pen_width == pytest.approx(drawing.effective_pen_width())


def test_a_digit_with_a_stray_tap_is_taught_and_exported_as_read(app_window, qtbot, tmp_path):
    """The tap is left out of the reading, but Teach saved and Export wrote the whole canvas: the 7
    squeezed with a dot under it, a distorted sample of what read right (review)."""
    from handwriting_recognizer.app.imageio import read_image_file

    tap = np.array([[200.0, 390.0]])
    app_window.canvas.set_drawing(Drawing(400, 400, (*handmade.seven(), tap)))
    qtbot.waitUntil(lambda: app_window.number is not None and app_window.number.text == "7", timeout=3000)
    read = app_window.number.characters[0].input
    assert not np.array_equal(read, app_window.current_input())  # the whole canvas is another input
    app_window.files.export_input(tmp_path / "seven.png")
    np.testing.assert_allclose(read_image_file(tmp_path / "seven.png").pixels[..., 0] / 255.0, read, atol=1 / 255)
    QTest.keyClick(app_window, Qt.Key.Key_7)
    QTest.keyClick(app_window, Qt.Key.Key_Return)
    (sample,) = app_window.samples.samples()
    np.testing.assert_allclose(app_window.samples.image(sample), read, atol=1 / 255)
    saved = json.loads(sample.meta.read_text())["drawing"]["strokes"]
    assert len(saved) == len(handmade.seven())  # its drawing without the tap too (QA)
