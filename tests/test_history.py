"""Copy the reading (Ctrl+C) and the last readings: kept on clear and teach, copied, put back on the
canvas undoably; the shortcuts help lists every action's keys."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtTest import QTest

from handwriting_recognizer.app.actions import menus_of, on_a_pc_keyboard
from handwriting_recognizer.app.history import (
    BLANK_NOT_COPIED,
    CLEAR_HERE,
    HISTORY_SIZE,
    NOT_A_DIGIT_NOT_COPIED,
    UNSURE_NOT_COPIED,
    HistoryEntry,
    copy_reading,
)
from handwriting_recognizer.app.imageio import gray_to_qimage, qimage_to_array
from handwriting_recognizer.core.drawing import Drawing
from handwriting_recognizer.core.preprocess import render_strokes
from handwriting_recognizer.core.recognizer import NOT_A_DIGIT, Reading, read
from tests import handmade


def show(window, qtbot, strokes, reads: int) -> None:
    window.canvas.set_drawing(Drawing(handmade.CANVAS, handmade.CANVAS, tuple(strokes)))
    qtbot.waitUntil(lambda: window.reading is not None and window.reading.label == reads, timeout=2000)


@pytest.fixture
def clipboard():
    board = QGuiApplication.clipboard()
    board.setText("before")
    return board


def test_ctrl_c_copies_the_digit_read(app_window, qtbot, clipboard):
    show(app_window, qtbot, handmade.seven(), reads=7)
    QTest.keyClick(app_window, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert clipboard.text() == "7" and app_window.statusBar().currentMessage() == "Copied 7"


def test_no_digit_copies_nothing_and_says_why(app_window, clipboard):
    assert not app_window.copy_reading()  # a blank canvas
    assert clipboard.text() == "before" and app_window.statusBar().currentMessage() == BLANK_NOT_COPIED
    unsure = read(np.full(10, 0.1, np.float32), blank=False)
    assert not copy_reading(app_window, unsure)
    assert app_window.statusBar().currentMessage() == UNSURE_NOT_COPIED
    not_a_digit = Reading(None, 0.1, np.full(10, 0.01, np.float32), NOT_A_DIGIT, 0.9)
    assert not copy_reading(app_window, not_a_digit)
    assert app_window.statusBar().currentMessage() == NOT_A_DIGIT_NOT_COPIED
    assert clipboard.text() == "before"


def test_a_reading_enters_the_history_on_clear_and_on_teach_not_while_drawing(app_window, qtbot):
    history = app_window.history
    show(app_window, qtbot, handmade.one(), reads=1)  # a live reading is not kept
    assert history.entries() == []
    QTest.keyClick(app_window, Qt.Key.Key_Delete)  # Edit > Clear
    assert [e.reading.label for e in history.entries()] == [1] and history.entries()[0].taught is None
    show(app_window, qtbot, handmade.seven(), reads=7)
    app_window.choose_label(7)
    assert app_window.teach()
    assert [(e.reading.label, e.taught) for e in history.entries()] == [(7, 7), (1, None)]
    assert history.list.count() == 2 and "taught as 7" in history.list.item(0).text()
    assert history.list.item(1).text().startswith("1  · ") and not history.list.item(1).icon().isNull()
    app_window.clear()  # a blank canvas: nothing to keep
    assert len(history.entries()) == 2


def test_the_history_keeps_the_last_readings_newest_first(app_window, qtbot):
    for i in range(HISTORY_SIZE + 2):
        show(app_window, qtbot, handmade.seven(dx=i) if i % 2 else handmade.one(dx=i), reads=7 if i % 2 else 1)
        app_window.clear()
    entries = app_window.history.entries()
    assert len(entries) == HISTORY_SIZE == app_window.history.list.count()
    assert entries[0].reading.label == 7 and entries[0].drawing.strokes[0][0][0] == handmade.seven(dx=11)[0][0][0]


def test_a_past_drawing_is_put_back_on_the_canvas_undoably(app_window, qtbot):
    canvas = app_window.canvas
    show(app_window, qtbot, handmade.seven(), reads=7)
    app_window.clear()
    show(app_window, qtbot, handmade.one(), reads=1)
    assert app_window.history.reopen(0)
    qtbot.waitUntil(lambda: app_window.reading.label == 7, timeout=2000)
    np.testing.assert_allclose(canvas.strokes()[0], handmade.seven()[0])
    canvas.undo_stack.undo()
    qtbot.waitUntil(lambda: app_window.reading.label == 1, timeout=2000)  # the one is back
    assert not app_window.history.reopen(5)
    assert app_window.statusBar().currentMessage() == "Select a reading in the history first"


def test_enter_in_the_history_opens_the_entry_instead_of_teaching(app_window, qtbot):
    """Enter on an entry ran Teach for the canvas ("Press a digit key...") and opened nothing (QA)."""
    show(app_window, qtbot, handmade.seven(), reads=7)
    app_window.clear()
    app_window.history.show()
    app_window.history.list.setFocus()
    app_window.history.list.setCurrentRow(0)
    QTest.keyClick(app_window.history.list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: app_window.reading is not None and app_window.reading.label == 7, timeout=2000)
    np.testing.assert_allclose(app_window.canvas.strokes()[0], handmade.seven()[0])
    assert app_window.samples.samples() == []


def test_enter_on_a_history_button_presses_it_and_delete_in_the_list_clears_nothing(app_window, qtbot):
    """With a label chosen, Enter on the focused "Open on Canvas" button taught the canvas instead;
    Delete in the list cleared the canvas (found by a keyboard-only QA pass)."""
    from PySide6.QtWidgets import QPushButton

    show(app_window, qtbot, handmade.seven(), reads=7)
    app_window.clear()
    show(app_window, qtbot, handmade.one(), reads=1)
    app_window.history.show()
    app_window.history.list.setFocus()
    app_window.history.list.setCurrentRow(0)
    QTest.keyClick(app_window.history.list, Qt.Key.Key_Delete)
    assert len(app_window.canvas.strokes()) == 1  # the 1 is still there
    assert app_window.statusBar().currentMessage() == CLEAR_HERE  # and why: it did nothing without a word (QA)
    QTest.keyClick(app_window, Qt.Key.Key_3)  # a label for the 1 on the canvas
    reopen = next(b for b in app_window.history.findChildren(QPushButton) if b.text() == "Open on Canvas")
    reopen.setFocus()
    QTest.keyClick(reopen, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: app_window.reading is not None and app_window.reading.label == 7, timeout=2000)
    assert app_window.samples.samples() == []


@pytest.mark.parametrize("floating", [False, True])
@pytest.mark.parametrize("focus", ["list", "Open on Canvas"])
def test_a_digit_key_in_the_history_picks_the_label_and_enter_then_teaches(app_window, qtbot, focus, floating):
    """In the list, 3 jumped to an entry starting with 3 (its type-ahead search) instead of picking
    the label; on a focused button it picked it ("Enter saves this drawing as a sample of 3") but
    Enter then pressed the button, and "Open on Canvas" replaced the drawing (QA)."""
    from PySide6.QtWidgets import QApplication, QPushButton

    show(app_window, qtbot, handmade.seven(), reads=7)
    app_window.clear()
    show(app_window, qtbot, handmade.one(), reads=1)
    app_window.history.show()
    app_window.history.setFloating(floating)  # a window of its own: focus does not leave it by itself (review)
    active = app_window.history if floating else app_window
    active.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is active, timeout=2000)
    app_window.history.list.setCurrentRow(0)
    buttons = {b.text(): b for b in app_window.history.findChildren(QPushButton)}
    target = app_window.history.list if focus == "list" else buttons[focus]
    target.setFocus()
    QTest.keyClick(target, Qt.Key.Key_3)
    assert app_window.label_to_teach() == 3 and app_window.history.list.currentRow() == 0
    qtbot.waitUntil(lambda: QApplication.focusWidget() is app_window.canvas, timeout=2000)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert [s.label for s in app_window.samples.samples()] == [3]
    assert app_window.history.entries()[0].reading.label == 1  # the taught 1, not the 7 put back


def test_the_same_drawing_cleared_twice_is_listed_once(app_window, qtbot):
    """Undo Clear, then Clear again listed the same drawing twice (QA)."""
    show(app_window, qtbot, handmade.seven(), reads=7)
    app_window.clear()
    show(app_window, qtbot, handmade.one(), reads=1)
    app_window.clear()
    app_window.canvas.undo_stack.undo()  # the 1 is back
    qtbot.waitUntil(lambda: app_window.reading is not None and app_window.reading.label == 1, timeout=2000)
    app_window.clear()
    assert [e.reading.label for e in app_window.history.entries()] == [1, 7]
    assert app_window.history.list.count() == 2


def test_what_an_opened_drawing_or_picture_replaces_enters_the_history(app_window, qtbot):
    """Opening photos one after another left the history empty: only Clear and Teach kept a reading (QA)."""
    show(app_window, qtbot, handmade.seven(), reads=7)
    ink = render_strokes(handmade.one(), (400, 400), handmade.PEN)
    assert app_window.files.show_picture(qimage_to_array(gray_to_qimage(ink)), "one.png", "Open Picture")
    qtbot.waitUntil(lambda: app_window.reading is not None and app_window.reading.label == 1, timeout=2000)
    show(app_window, qtbot, handmade.seven(), reads=7)  # a drawing opened over the picture
    assert [e.reading.label for e in app_window.history.entries()] == [1, 7]
    assert app_window.history.entries()[0].picture is not None


def test_a_picture_drawn_over_enters_the_history(app_window, qtbot):
    """Drawing over a picture replaced it, but its reading never reached the history (QA pass)."""
    from PySide6.QtCore import QPoint

    ink = render_strokes(handmade.one(), (400, 400), handmade.PEN)
    assert app_window.files.show_picture(qimage_to_array(gray_to_qimage(ink)), "one.png", "Open Picture")
    qtbot.waitUntil(lambda: app_window.reading is not None and app_window.reading.label == 1, timeout=2000)
    canvas = app_window.canvas
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, pos=QPoint(100, 100))
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=QPoint(100, 100))
    [entry] = app_window.history.entries()
    assert entry.reading.label == 1 and entry.picture is not None


def test_a_pinch_on_a_picture_leaves_the_history_as_it_was(app_window, qtbot):
    """Each pinch on a photo added an entry for it, though the dropped stroke left it shown (review)."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QInputDevice

    ink = render_strokes(handmade.one(), (400, 400), handmade.PEN)
    assert app_window.files.show_picture(qimage_to_array(gray_to_qimage(ink)), "one.png", "Open Picture")
    qtbot.waitUntil(lambda: app_window.reading is not None and app_window.reading.label == 1, timeout=2000)
    canvas, screen = app_window.canvas, QTest.createTouchDevice(QInputDevice.DeviceType.TouchScreen)
    one, two = QPoint(110, 110), QPoint(300, 300)
    for _ in range(3):
        QTest.touchEvent(canvas, screen).press(0, QPoint(100, 100), canvas).commit()
        QTest.touchEvent(canvas, screen).move(0, one, canvas).press(1, two, canvas).commit()
        QTest.touchEvent(canvas, screen).release(0, one, canvas).release(1, two, canvas).commit()
    assert canvas.picture() is not None and app_window.history.entries() == []
    app_window.clear()  # now it is listed; Undo shows it again, and a pinch on it lists it still
    canvas.undo_stack.undo()
    qtbot.waitUntil(lambda: app_window.reading is not None and app_window.reading.label == 1, timeout=2000)
    QTest.touchEvent(canvas, screen).press(0, QPoint(100, 100), canvas).commit()
    QTest.touchEvent(canvas, screen).move(0, one, canvas).press(1, two, canvas).commit()
    QTest.touchEvent(canvas, screen).release(0, one, canvas).release(1, two, canvas).commit()
    assert [e.reading.label for e in app_window.history.entries()] == [1]  # it was lost (review)


def test_a_see_through_number_picture_s_thumbnail_shows_its_ink(app_window, qtbot):
    """A white number drawn only in the alpha channel left an empty thumbnail (review)."""
    from handwriting_recognizer.app.contrast import contrast_ratio
    from handwriting_recognizer.app.history import NUMBER_THUMBNAIL_WIDTH, THUMBNAIL

    ink = render_strokes(handmade.write("12"), (250, 700), handmade.PEN)
    rgba = np.zeros((*ink.shape, 4), np.uint8)
    rgba[..., :3] = 255
    rgba[..., 3] = np.round(ink * 255).astype(np.uint8)
    assert app_window.show_picture(rgba)
    qtbot.waitUntil(lambda: app_window.number is not None and app_window.number.text == "12", timeout=2000)
    app_window.clear()
    icon = app_window.history.list.item(0).icon().pixmap(NUMBER_THUMBNAIL_WIDTH, THUMBNAIL).toImage()
    middle = [icon.pixelColor(x, icon.height() // 2) for x in range(icon.width())]
    opaque = [c for c in middle if c.alpha() == 255]
    assert opaque and max(contrast_ratio(c, opaque[0]) for c in opaque) > 3


def test_a_past_picture_is_put_back_with_its_reading(app_window, qtbot):
    picture = gray_to_qimage(render_strokes(handmade.seven(), (400, 400), 30.0), invert=True)
    assert app_window.show_picture(qimage_to_array(picture))
    qtbot.waitUntil(lambda: app_window.reading is not None and app_window.reading.label == 7, timeout=2000)
    shown = app_window.current_input()
    app_window.clear()
    qtbot.waitUntil(lambda: app_window.reading.blank, timeout=2000)
    assert app_window.history.entries()[0].drawing is None
    app_window.history.reopen(0)
    qtbot.waitUntil(lambda: app_window.reading.label == 7, timeout=2000)
    assert app_window.canvas.picture() is not None
    np.testing.assert_array_equal(app_window.current_input(), shown)


def test_a_past_reading_is_copied_from_the_history(app_window, qtbot, clipboard):
    history = app_window.history
    show(app_window, qtbot, handmade.seven(), reads=7)
    app_window.clear()
    show(app_window, qtbot, handmade.one(), reads=1)
    assert history.copy_entry(0) and clipboard.text() == "7"
    menu_action(app_window, "Reading History").trigger()
    assert history.isVisible()
    history.list.setCurrentRow(0)
    history.list.setFocus()
    qtbot.waitUntil(history.list.hasFocus, timeout=2000)
    clipboard.setText("before")
    assert app_window.copy_reading() and clipboard.text() == "7"  # the selected past reading, not the 1 shown
    app_window.canvas.setFocus()
    qtbot.waitUntil(app_window.canvas.hasFocus, timeout=2000)
    assert app_window.copy_reading() and clipboard.text() == "1"


def test_the_history_dock_is_hidden_until_asked_for_and_named(app_window):
    history = app_window.history
    assert not history.isVisible()
    QTest.keyClick(app_window, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    assert history.isVisible()
    assert history.accessibleName() and history.list.accessibleName() and history.list.toolTip()


def menu_action(window, text: str) -> QAction:
    for menu in menus_of(window.menuBar()):
        for action in menu.actions():
            if action.text().replace("&", "").removesuffix("...") == text:
                return action
    raise AssertionError(f"no menu action {text!r}")


def test_the_shortcuts_help_lists_every_action_that_has_keys(app_window):
    rows = dict(app_window.shortcut_rows())
    listed = set(rows.values())
    with_keys = [a for a in app_window.findChildren(QAction) if any(map(on_a_pc_keyboard, a.shortcuts()))]
    assert len(with_keys) >= 14
    for action in with_keys:
        keys = " / ".join(
            k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts() if on_a_pc_keyboard(k)
        )
        assert keys in listed, action.text()
    assert rows["Retrain"] == "Ctrl+R" and rows["Keyboard Shortcuts"] == "F1"
    assert rows["Copy Reading"] == "Ctrl+C" and rows["Reading History"] == "Ctrl+H"


def test_an_entry_says_what_was_read_in_a_word_when_no_digit_was():
    unsure = read(np.full(10, 0.1, np.float32), blank=False)
    not_a_digit = Reading(None, 0.1, np.full(10, 0.01, np.float32), NOT_A_DIGIT, 0.9)
    at = dt.datetime(2026, 11, 25, 14, 3, 7)
    entries = [
        HistoryEntry(r, np.zeros((28, 28)), None, None, at, taught) for r, taught in ((unsure, 3), (not_a_digit, None))
    ]
    assert [e.describe() for e in entries] == ["Unsure  · 14:03:07, taught as 3", "Not a digit  · 14:03:07"]


def test_a_number_s_thumbnail_is_its_line_of_ink_not_a_black_bar(app_window, qtbot):
    """A 12-digit number's thumbnail was its 28x28 input: twelve digits squeezed into a black bar (QA)."""
    written = "123456789012"
    app_window.canvas.set_drawing(Drawing(800, 300, tuple(handmade.write(written)), handmade.PEN))
    qtbot.waitUntil(lambda: app_window.number is not None and app_window.number.text == written, timeout=3000)
    app_window.clear()
    icon = app_window.history.list.item(0).icon()
    size = icon.availableSizes()[0]
    rgba = qimage_to_array(icon.pixmap(size).toImage()) / 255.0
    ink = rgba[..., 3] * (1.0 - rgba[..., 0])  # dark and opaque; the slot around the ink is transparent
    assert size.width() >= 2 * size.height() and ink.mean() < 0.3, (size, ink.mean())


def test_the_history_leaves_the_canvas_wider_than_itself_in_a_small_window(app_window):
    """In an 800x600 screen's window the dock took its own width and squeezed the canvas to a strip
    narrower than itself, its hint cut to "rite a digit or a number he" (keyboard-only QA pass)."""
    from PySide6.QtWidgets import QApplication

    app_window.resize(780, 560)
    QApplication.processEvents()
    app_window.history.show()
    QApplication.processEvents()
    assert app_window.canvas.width() > app_window.history.width()


def test_the_history_keeps_the_width_the_user_gave_it_and_leaves_modified_keys_to_shortcuts(app_window):
    """Each show put the dock back to a quarter of the window (a minimised window restored); the
    dock took Alt+Backspace too, Windows' Undo (review)."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    app_window.resize(1200, 560)
    app_window.history.show()
    QApplication.processEvents()
    app_window.resizeDocks([app_window.history], [500], Qt.Orientation.Horizontal)  # the user widens it
    QApplication.processEvents()
    widened = app_window.history.width()
    app_window.history.hide()
    app_window.history.show()
    QApplication.processEvents()
    assert app_window.history.width() == widened
    alt = QKeyEvent(QEvent.Type.ShortcutOverride, Qt.Key.Key_Backspace, Qt.KeyboardModifier.AltModifier)
    QApplication.sendEvent(app_window.history.list, alt)
    assert not alt.isAccepted()


def test_copy_and_open_are_enabled_only_for_a_selected_entry_whose_words_show_in_full(app_window, qtbot):
    """On an empty history both buttons were enabled, to say "Select a reading in the history
    first"; an entry was cut off in the dock's width ("Not a digit · 23") with only the history's
    general tip on hover (QA pass)."""
    history = app_window.history
    assert not history.copy_button.isEnabled() and not history.reopen_button.isEnabled()
    show(app_window, qtbot, handmade.seven(), reads=7)
    QTest.keyClick(app_window, Qt.Key.Key_Delete)
    assert not history.copy_button.isEnabled()  # nothing selected yet
    history.list.setCurrentRow(0)
    assert history.copy_button.isEnabled() and history.reopen_button.isEnabled()
    item = history.list.item(0)
    assert item.toolTip().startswith(item.text())
    history.show()
    history.list.resize(215, 300)  # the dock's share of a 860 px wide window
    history.list.doItemsLayout()
    rect = history.list.visualItemRect(item)
    assert rect.right() < history.list.viewport().width()
    assert history.list.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff and history.list.wordWrap()


def test_the_selection_stays_on_the_ink_that_clear_moves_to_the_top(app_window, qtbot):
    """Open on Canvas, then Clear: the entry's ink moved to the top, and the selection to the next
    entry, another reading, which Copy and Open on Canvas then acted on (QA pass)."""
    history = app_window.history
    for strokes, digit in ((handmade.seven(), 7), (handmade.one(), 1), (handmade.zero(), 0)):
        show(app_window, qtbot, strokes, reads=digit)
        QTest.keyClick(app_window, Qt.Key.Key_Delete)
    history.list.setCurrentRow(1)  # the 1
    assert history.reopen(1)
    qtbot.waitUntil(lambda: app_window.reading is not None and app_window.reading.label == 1, timeout=2000)
    QTest.keyClick(app_window, Qt.Key.Key_Delete)
    assert [e.reading.label for e in history.entries()] == [1, 0, 7]
    assert history.list.currentRow() == 0 and history.list.item(0).isSelected()


def test_a_selected_entry_dropped_as_the_oldest_leaves_nothing_selected(app_window, qtbot):
    """Selected, the oldest entry was dropped for a new one, and the next oldest, another reading,
    became the selected one that Open on Canvas opened (QA pass)."""
    history = app_window.history
    for i in range(HISTORY_SIZE):
        show(app_window, qtbot, handmade.seven(dx=i) if i % 2 else handmade.one(dx=i), reads=7 if i % 2 else 1)
        QTest.keyClick(app_window, Qt.Key.Key_Delete)
    history.list.setCurrentRow(HISTORY_SIZE - 1)
    show(app_window, qtbot, handmade.zero(), reads=0)
    QTest.keyClick(app_window, Qt.Key.Key_Delete)
    assert history.list.count() == HISTORY_SIZE and not history.list.selectedItems()
    assert not history.reopen_button.isEnabled()


def test_undoing_a_teach_takes_its_history_entry_back(app_window, qtbot):
    """Undone, a Teach left "taught as 7" in the history for a sample no longer saved, and Clear
    then listed the same drawing a second time (QA pass). Redo does not list it again: put back on
    top, it broke the history's order and could push a newer entry out (review)."""
    history = app_window.history
    show(app_window, qtbot, handmade.one(), reads=1)
    QTest.keyClick(app_window, Qt.Key.Key_Delete)
    show(app_window, qtbot, handmade.seven(), reads=7)
    app_window.choose_label(7)
    assert app_window.teach()
    assert [(e.reading.label, e.taught) for e in history.entries()] == [(7, 7), (1, None)]
    app_window.canvas.undo()
    assert [(e.reading.label, e.taught) for e in history.entries()] == [(1, None)] and history.list.count() == 1
    app_window.canvas.redo()
    assert [(e.reading.label, e.taught) for e in history.entries()] == [(1, None)]
    app_window.canvas.undo()
    qtbot.waitUntil(lambda: app_window.reading is not None and app_window.reading.label == 7, timeout=2000)
    QTest.keyClick(app_window, Qt.Key.Key_Delete)
    assert [(e.reading.label, e.taught) for e in history.entries()] == [(7, None), (1, None)]


def test_clear_after_undoing_a_teach_of_ink_listed_untaught_clears(app_window, qtbot):
    """Listed before untaught and taught, the same ink cleared again compared entries with ==, which
    reached their arrays and raised: Clear reported an error and left the ink (review)."""
    show(app_window, qtbot, handmade.seven(), reads=7)
    QTest.keyClick(app_window, Qt.Key.Key_Delete)
    app_window.canvas.undo()
    qtbot.waitUntil(lambda: app_window.reading is not None and app_window.reading.label == 7, timeout=2000)
    app_window.choose_label(7)
    assert app_window.teach()
    app_window.canvas.undo()
    qtbot.waitUntil(lambda: not app_window.canvas.is_empty(), timeout=2000)
    app_window.clear()
    assert app_window.canvas.is_empty()
