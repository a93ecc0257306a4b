"""Teaching as a person does it: an explicit label or nothing is saved, and My Samples groups,
relabels and deletes (undoably), and says what an import left out."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QListWidget

from handwriting_recognizer.app.teaching import DRAW_FIRST, HOW_TO_TEACH
from handwriting_recognizer.core.drawing import Drawing
from handwriting_recognizer.core.samples import SampleStore
from tests import handmade


def image(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).random((28, 28)).astype(np.float32)


@pytest.fixture
def dialog(qtbot, tmp_path):
    """My Samples over a store of two 1s and a 7."""
    from handwriting_recognizer.app.application import create_application
    from handwriting_recognizer.app.samples_view import SamplesDialog

    create_application([])
    store = SampleStore(tmp_path / "mine")
    for seed, digit in enumerate((1, 1, 7)):
        store.add(digit, image(seed))
    shown = SamplesDialog(None, store)
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitExposed(shown)
    return shown


def grid_labels(dialog) -> list[str]:
    return [dialog.grid.item(i).text() for i in range(dialog.grid.count())]


def files(store: SampleStore) -> dict:
    return {p: p.read_bytes() for p in store.root.rglob("*") if p.is_file()}


def test_my_samples_groups_the_samples_by_digit(dialog):
    rows = [dialog.digits.item(i).text() for i in range(dialog.digits.count())]
    assert (
        rows[0] == "All digits (3)" and rows[1 + 1] == "1  (2)" and rows[1 + 7] == "7  (1)" and rows[1 + 3] == "3  (0)"
    )
    assert grid_labels(dialog) == ["1", "1", "7"]
    dialog.digits.setCurrentRow(1 + 1)
    assert grid_labels(dialog) == ["1", "1"]
    dialog.digits.setCurrentRow(1 + 3)
    assert grid_labels(dialog) == []
    dialog.digits.setCurrentRow(0)
    assert grid_labels(dialog) == ["1", "1", "7"]


def test_deleting_samples_can_be_undone_and_redone(dialog):
    store = dialog.store
    before = files(store)
    dialog.grid.item(0).setSelected(True)
    dialog.grid.item(2).setSelected(True)
    dialog.delete_selected()
    assert store.counts()[1] == 1 and store.counts()[7] == 0 and grid_labels(dialog) == ["1"]
    assert dialog.message.text().startswith("Deleted 2 samples") and "Ctrl+Z" in dialog.message.text()
    assert dialog.undo_button.isEnabled() and dialog.undo_button.text() == "Undo Delete 2 samples"
    dialog.undo_button.click()
    assert files(store) == before and grid_labels(dialog) == ["1", "1", "7"]
    dialog.undo_stack.redo()
    assert sum(store.counts()) == 1


def test_the_delete_key_deletes_and_ctrl_z_brings_back(dialog, qtbot):
    before = files(dialog.store)
    dialog.grid.setFocus()
    dialog.grid.item(2).setSelected(True)
    QTest.keyClick(dialog.grid, Qt.Key.Key_Delete)
    assert dialog.store.counts()[7] == 0
    QTest.keyClick(dialog.grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert files(dialog.store) == before


def test_relabelling_moves_samples_to_their_digit_and_undo_moves_them_back(dialog):
    store = dialog.store
    seven = store.samples()[2]
    dialog.grid.item(2).setSelected(True)
    dialog.relabel_to.setCurrentIndex(4)
    next(b for b in dialog.findChildren(QAbstractButton) if b.text() == "Relabel Selected").click()
    assert store.counts() == [0, 2, 0, 0, 1, 0, 0, 0, 0, 0]
    assert grid_labels(dialog) == ["1", "1", "4"] and dialog.message.text() == "Relabelled 1 sample as 4."
    assert np.abs(store.image(store.samples()[2]) - image(2)).max() <= 1 / 255
    dialog.undo_stack.undo()
    assert store.samples()[2] == seven and store.counts()[4] == 0
    dialog.undo_stack.redo()
    assert store.counts()[4] == 1


def test_nothing_selected_says_what_to_do_and_adds_no_undo_step(dialog):
    dialog.delete_selected()
    assert dialog.message.text() == "Select the samples to delete first."
    dialog.relabel_selected(3)
    assert dialog.message.text() == "Select the samples to relabel first."
    dialog.grid.item(0).setSelected(True)
    dialog.relabel_selected(1)  # already a 1: nothing changes, nothing to undo
    assert dialog.undo_stack.count() == 0 and not dialog.undo_button.isEnabled()


def test_a_failed_delete_says_why_keeps_the_sample_and_adds_no_undo_step(dialog):
    sample = dialog.store.samples()[2]
    dialog.grid.item(2).setSelected(True)
    sample.png.unlink()
    sample.png.mkdir()  # since it was shown, its picture became a folder: it cannot be kept for an undo
    dialog.delete_selected()
    assert dialog.message.text() == f"Cannot delete {sample.id}: {sample.png.name}: is a folder, not a sample picture"
    assert sample.meta.exists() and dialog.undo_stack.count() == 0
    assert grid_labels(dialog) == ["1", "1"]  # no longer a complete sample: not listed


def test_import_says_what_it_left_out_and_why(dialog, tmp_path):
    """An archive imported again listed each sample "already in your samples" by its file name (QA)."""
    dialog.export_to(str(tmp_path / "mine.zip"))
    dialog.import_from(str(tmp_path / "mine.zip"))
    assert dialog.message.text() == "Nothing imported: all 3 samples are already in your samples."


def test_my_samples_is_usable_by_keyboard_and_screen_reader(dialog):
    named = [*dialog.findChildren(QListWidget), *dialog.findChildren(QComboBox)]
    assert all(w.accessibleName() for w in named)
    buttons = dialog.findChildren(QAbstractButton)
    assert buttons and all(b.toolTip() for b in buttons)
    order, widget = [], dialog.digits
    while widget not in order:
        order.append(widget)
        widget = widget.nextInFocusChain()
    tabbed = [w for w in order if w.focusPolicy() & Qt.FocusPolicy.TabFocus and w.isVisible()]
    assert tabbed[:2] == [dialog.digits, dialog.grid]
    assert tabbed.index(dialog.relabel_to) < tabbed.index(dialog.undo_button)


# --- teaching in the window --------------------------------------------------------------------


def show(window, qtbot, strokes, reads: int | None = None) -> None:
    """Put strokes drawn on a 400x400 canvas on the window's canvas (one step, as an opened drawing)."""
    window.canvas.set_drawing(Drawing(handmade.CANVAS, handmade.CANVAS, tuple(strokes)))
    if reads is not None:
        qtbot.waitUntil(lambda: window.reading is not None and window.reading.label == reads, timeout=2000)


def stroke(canvas, points) -> None:
    """A mouse stroke through `points` of a 400x400 drawing, mapped onto the widget."""
    scale = min(canvas.width(), canvas.height()) / handmade.CANVAS
    at = [QPoint(round(x * scale), round(y * scale)) for x, y in points]
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at[0])
    for p in at[1:]:
        QTest.mouseMove(canvas, p)
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at[-1])


def test_enter_without_a_chosen_label_saves_nothing_and_says_how_to_teach(app_window, qtbot):
    show(app_window, qtbot, handmade.seven(), reads=7)
    QTest.keyClick(app_window, Qt.Key.Key_Return)
    assert app_window.samples.samples() == []  # the model's 7 is never taught on its own
    assert app_window.statusBar().currentMessage() == HOW_TO_TEACH
    assert not app_window.canvas.is_empty()  # the drawing stays, to be labelled
    assert app_window.teach_button.isEnabled() and app_window.teach_button.text() == "Teach: choose the label (0-9)"
    app_window.teach_button.click()
    assert app_window.samples.samples() == [] and app_window.statusBar().currentMessage() == HOW_TO_TEACH


def test_a_chosen_label_is_shown_and_taught_even_against_the_models_guess(app_window, qtbot):
    show(app_window, qtbot, handmade.seven(), reads=7)
    QTest.keyClick(app_window, Qt.Key.Key_4)
    button = app_window.teach_button
    assert button.text() == "Teach as 4  ⏎" and button.font().bold() and "4" in button.accessibleDescription()
    assert "Label 4 chosen" in app_window.statusBar().currentMessage()
    QTest.keyClick(app_window, Qt.Key.Key_Return)
    assert [s.label for s in app_window.samples.samples()] == [4]
    assert app_window.statusBar().currentMessage() == "Saved as 4 — you have 1 sample of 4"
    assert app_window.canvas.is_empty() and app_window.label_to_teach() is None and not button.font().bold()
    qtbot.waitUntil(lambda: not button.isEnabled(), timeout=2000)  # once the empty canvas is read


def test_escape_forgets_the_chosen_label_and_the_drawing_stays(app_window, qtbot):
    """Escape did nothing: "Teach as 8" stayed, ready for Enter (QA)."""
    show(app_window, qtbot, handmade.seven(), reads=7)
    QTest.keyClick(app_window, Qt.Key.Key_8)
    assert app_window.teach_button.text() == "Teach as 8  ⏎"
    assert "Label 8 chosen" in app_window.statusBar().currentMessage()
    QTest.keyClick(app_window, Qt.Key.Key_Escape)
    assert app_window.label_to_teach() is None and app_window.teach_button.text() == "Teach: choose the label (0-9)"
    assert "Label 8" not in app_window.statusBar().currentMessage()  # it said Enter would save (QA)
    assert not app_window.canvas.is_empty()
    QTest.keyClick(app_window, Qt.Key.Key_Return)
    assert app_window.samples.samples() == []


def test_after_teaching_with_the_button_the_next_digit_key_chooses_the_next_label(app_window, qtbot):
    """Teach empties the canvas and disables itself; the focus goes back to the canvas, not on to
    the pen width box, where the digit key would set the pen."""
    show(app_window, qtbot, handmade.seven(), reads=7)
    app_window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is app_window, timeout=2000)
    app_window.choose_label(7)
    QTest.mouseClick(app_window.teach_button, Qt.MouseButton.LeftButton)
    assert [s.label for s in app_window.samples.samples()] == [7]
    qtbot.waitUntil(lambda: not app_window.teach_button.isEnabled(), timeout=2000)
    assert QApplication.focusWidget() is app_window.canvas
    pen = app_window.canvas.pen_width_px()
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_4)
    assert app_window.label_to_teach() == 4 and app_window.canvas.pen_width_px() == pen


def test_a_bar_click_chooses_the_label(app_window, qtbot):
    show(app_window, qtbot, handmade.seven(), reads=7)
    app_window.bars.digitClicked.emit(1)
    assert app_window.teach()
    assert [s.label for s in app_window.samples.samples()] == [1]


def test_the_chosen_label_stays_with_its_drawing_and_goes_when_the_drawing_does(app_window, qtbot):
    canvas = app_window.canvas
    show(app_window, qtbot, handmade.seven(), reads=7)
    app_window.choose_label(7)
    stroke(canvas, [(165, 210), (265, 210)])  # the bar of a continental 7: the same drawing, grown
    assert app_window.label_to_teach() == 7
    canvas.undo_stack.undo()  # and shrunk again
    assert app_window.label_to_teach() == 7
    app_window.clear()
    assert app_window.label_to_teach() is None
    qtbot.waitUntil(lambda: app_window.teach_button.text() == "Teach (draw a digit first)", timeout=2000)
    canvas.undo_stack.undo()  # the seven is back, but its label was for what was cleared: choose again
    assert app_window.label_to_teach() is None
    app_window.choose_label(7)
    show(app_window, qtbot, handmade.one(), reads=1)  # another drawing opened over it
    assert app_window.label_to_teach() is None


def test_a_label_chosen_before_drawing_belongs_to_what_is_drawn_next(app_window, qtbot):
    app_window.choose_label(1)
    assert app_window.teach_button.text() == "Teach (draw a digit first)"
    # It said "Enter saves this drawing as a sample of 1" with nothing drawn (QA).
    assert app_window.statusBar().currentMessage() == (
        "Label 1 chosen for what you draw next: Enter then saves it as a sample of 1"
    )
    stroke(app_window.canvas, [(205, 90), (200, 200), (195, 310)])
    qtbot.waitUntil(lambda: app_window.reading is not None and not app_window.reading.blank, timeout=2000)
    assert app_window.label_to_teach() == 1 and app_window.teach_button.text() == "Teach as 1  ⏎"
    QTest.keyClick(app_window, Qt.Key.Key_Return)
    assert [s.label for s in app_window.samples.samples()] == [1]


def test_a_label_chosen_before_a_digit_of_two_strokes_stays_while_its_second_is_drawn(app_window, qtbot):
    """An open 4: while its stem was being drawn, the stem's start read as a character of its own
    for a moment, and the label chosen for the 4 went (found by a QA pass)."""
    canvas = app_window.canvas
    app_window.choose_label(4)
    stroke(canvas, [(170, 100), (110, 240), (230, 240)])  # the L
    scale = min(canvas.width(), canvas.height()) / handmade.CANVAS
    at = [QPoint(round(250 * scale), round(y * scale)) for y in (120, 140, 160, 180)]  # the stem, begun
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at[0])
    for p in at[1:]:
        QTest.mouseMove(canvas, p)
    app_window.predict_now()  # a reading while the pen is down
    assert len(app_window.number.characters) == 2  # the stem's start reads as a character of its own
    end = QPoint(round(250 * scale), round(320 * scale))
    QTest.mouseMove(canvas, end)
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    app_window.predict_now()
    assert app_window.label_to_teach() == 4
    QTest.keyClick(app_window, Qt.Key.Key_Return)
    assert [s.label for s in app_window.samples.samples()] == [4]


def test_enter_on_a_blank_canvas_says_to_draw_first(app_window):
    app_window.choose_label(3)
    QTest.keyClick(app_window, Qt.Key.Key_Return)
    assert app_window.samples.samples() == [] and app_window.statusBar().currentMessage() == DRAW_FIRST
    assert not app_window.teach_button.isEnabled()
