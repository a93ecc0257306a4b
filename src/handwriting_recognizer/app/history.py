"""Copy the reading, and the last readings: a dock that keeps what was read, with its drawing (or
picture) and the time, from which a reading can be copied or put back on the canvas.

A reading is a single digit's (`Reading`, as it always was) or a whole number's (`NumberReading`);
Copy copies its text ("7", "3.14"). A reading enters the history when the user is done with a
drawing (clears it or teaches it), not on every live update while drawing. The history lives as
long as the window; putting an entry back on the canvas is one undoable step, like opening a drawing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QImage, QKeyEvent, QKeySequence, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from handwriting_recognizer.app.actions import label_key, takes_own_key
from handwriting_recognizer.app.canvas import Canvas
from handwriting_recognizer.app.contrast import paper_and_ink
from handwriting_recognizer.app.imageio import ink_on_paper
from handwriting_recognizer.app.samples_view import input_icon
from handwriting_recognizer.core.drawing import Drawing
from handwriting_recognizer.core.numbers import NOT_A_NUMBER, NumberReading, number_problem
from handwriting_recognizer.core.preprocess import InkBudgetError, is_blank, render_strokes
from handwriting_recognizer.core.recognizer import BLANK, NOT_A_DIGIT, Reading

HISTORY_SIZE = 10  # readings kept, newest first
STATUS_MS = 5000
THUMBNAIL = 40  # pixels
NUMBER_THUMBNAIL_WIDTH = 2 * THUMBNAIL  # a number's thumbnail is its line of ink, at most this wide
TIME_FORMAT = "%H:%M:%S"
HISTORY_KEY = "Ctrl+H"
CLEAR_KEYS = (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)  # Edit > Clear's keys, which the history holds
CLEAR_HERE = "The history keeps its readings: Delete clears the canvas once it has the focus (click it)"
DOCK_SHARE = 0.25  # of the window's width the dock takes at most when it opens (the user may widen it)
# Why Copy puts nothing on the clipboard.
BLANK_NOT_COPIED = "Nothing to copy: draw a digit first"
NOT_A_DIGIT_NOT_COPIED = "Nothing copied: this does not look like a digit"
UNSURE_NOT_COPIED = "Nothing copied: the model is unsure which digit this is (choose its label and teach it?)"
NOT_A_NUMBER_NOT_COPIED = "Nothing copied: not a number ({problem})"
UNSURE_NUMBER_NOT_COPIED = (
    "Nothing copied: the model is unsure of a digit in this number (select it, choose its label and teach it?)"
)
HISTORY_TIP = (
    "What was read before each clear, teach or opened file. Double-click, or Enter, to put it back on the canvas."
)

Said = Reading | NumberReading  # what a reading says: a single digit's, or a whole number's


def copied_text(reading: Said | None) -> str | None:
    """What Copy puts on the clipboard: the digit or number read ("7", "-3.14"); None when none is shown."""
    if isinstance(reading, NumberReading):
        return reading.text
    return None if reading is None or reading.label is None else str(reading.label)


def not_copied(reading: Said | None) -> str:
    """Why Copy copies nothing for a reading without text."""
    if isinstance(reading, NumberReading):
        if reading.reason == NOT_A_NUMBER:
            return NOT_A_NUMBER_NOT_COPIED.format(problem=number_problem(reading))
        return BLANK_NOT_COPIED if reading.reason == BLANK else UNSURE_NUMBER_NOT_COPIED
    if reading is None or reading.blank:
        return BLANK_NOT_COPIED
    return NOT_A_DIGIT_NOT_COPIED if reading.reason == NOT_A_DIGIT else UNSURE_NOT_COPIED


def copy_reading(window: QMainWindow, reading: Said | None) -> bool:
    """Put the reading's digit or number on the clipboard and say so; when none is shown, say why
    and leave the clipboard as it was."""
    text = copied_text(reading)
    if text is None:
        window.statusBar().showMessage(not_copied(reading), STATUS_MS)
        return False
    QGuiApplication.clipboard().setText(text)
    window.statusBar().showMessage(f"Copied {text}", STATUS_MS)
    return True


@dataclass(frozen=True, eq=False)  # one entry is itself: == reached its arrays and raised (review)
class HistoryEntry:
    """One reading and what it was read from: the strokes, or a picture with its model input."""

    reading: Said
    input: np.ndarray  # the 28x28 model input: the thumbnail, and a picture's input when put back
    drawing: Drawing | None  # None for a picture
    picture: QImage | None
    time: dt.datetime
    taught: int | None = None  # the label it was taught as, if it was

    def read_as(self) -> str:
        """What was read: the digit or number, "Unsure", "Not a digit" or "Not a number"."""
        text = copied_text(self.reading)
        if text is not None:
            return text
        words = {NOT_A_DIGIT: "Not a digit", NOT_A_NUMBER: "Not a number"}
        return words.get(self.reading.reason or "", "Unsure")

    def describe(self) -> str:
        """One short line: what was read, when, and what it was taught as."""
        taught = "" if self.taught is None else f", taught as {self.taught}"
        return f"{self.read_as()}  · {self.time.strftime(TIME_FORMAT)}{taught}"


def _same_ink(a: HistoryEntry, b: HistoryEntry) -> bool:
    """Whether two entries hold the same ink: the same model input, and the same strokes or pixels
    (a long number's input is a squeezed bar that two numbers may share)."""
    if not np.array_equal(a.input, b.input) or (a.drawing is None) != (b.drawing is None):
        return False
    if a.drawing is None or b.drawing is None:
        return a.picture is not None and b.picture is not None and a.picture == b.picture
    return len(a.drawing.strokes) == len(b.drawing.strokes) and all(
        np.array_equal(s, t) for s, t in zip(a.drawing.strokes, b.drawing.strokes, strict=True)
    )


def _thumbnail(entry: HistoryEntry, palette: QPalette) -> QIcon:
    """A digit's thumbnail is its model input; a number's is its own line of ink, whose 28x28
    input squeezes twelve digits into a black bar; both in the canvas' paper and ink. Each is
    centred in the same slot, so that the entries' words line up."""
    size = QSize(NUMBER_THUMBNAIL_WIDTH, THUMBNAIL)
    if not isinstance(entry.reading, NumberReading):
        image = input_icon(entry.input, THUMBNAIL, palette).pixmap(THUMBNAIL, THUMBNAIL)
    elif entry.picture is not None:
        image = QPixmap.fromImage(entry.picture).scaled(size, Qt.AspectRatioMode.KeepAspectRatio)
    else:
        assert entry.drawing is not None  # an entry holds a picture or a drawing
        image = QPixmap.fromImage(ink_on_paper(_line_of_ink(entry.drawing, size), *paper_and_ink(palette)))
    slot = QPixmap(size)
    slot.fill(Qt.GlobalColor.transparent)
    painter = QPainter(slot)
    painter.drawPixmap((size.width() - image.width()) // 2, (size.height() - image.height()) // 2, image)
    painter.end()
    return QIcon(slot)


def _line_of_ink(drawing: Drawing, size: QSize) -> np.ndarray:
    """The drawing's strokes as ink, scaled to fit `size` with a 2 px margin, its pen scaled too."""
    points = np.concatenate(drawing.strokes)
    low, high = points.min(axis=0), points.max(axis=0)
    extent = np.maximum(high - low, 1.0)
    scale = min((size.width() - 4) / extent[0], (size.height() - 4) / extent[1])
    shape = (round(extent[1] * scale) + 4, round(extent[0] * scale) + 4)
    pen = max(1.0, (drawing.pen_width or 1.0) * scale)
    return render_strokes(drawing.strokes, shape, pen, scale, (2 - low[0] * scale, 2 - low[1] * scale))


class ReadingHistory(QDockWidget):
    """The last HISTORY_SIZE readings (object name "history"), newest first; hidden until asked for
    (its `toggleViewAction` is in the Edit menu)."""

    # Keys the dock's own widgets take before the window's shortcuts can: Enter opens the current
    # entry (as a double-click does) or presses the focused button, not Teach; Delete does not Clear.
    OWN_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, *CLEAR_KEYS)

    def event(self, event: QEvent) -> bool:
        if takes_own_key(event, self.OWN_KEYS):  # plain only: Alt+Backspace is Undo on Windows, a shortcut's still
            event.accept()  # a key its focused widget left unaccepted comes up to the dock
            return True
        return super().event(event)

    def __init__(self, window: QMainWindow, canvas: Canvas, current_input: Callable[[], np.ndarray]):
        super().__init__("Reading History", window)
        self.setObjectName("history")
        self.setAccessibleName("Reading history")
        self.setAccessibleDescription(HISTORY_TIP)
        self._window = window
        self._canvas = canvas
        self._current_input = current_input
        self._entries: list[HistoryEntry] = []
        self.list = QListWidget()
        self.list.setObjectName("history_list")
        self.list.setAccessibleName("Past readings")
        self.list.setAccessibleDescription(HISTORY_TIP)
        self.list.setToolTip(HISTORY_TIP)
        self.list.setIconSize(QSize(NUMBER_THUMBNAIL_WIDTH, THUMBNAIL))
        # An entry wraps in the dock's width, which is a quarter of the window's: cut off, with a
        # scroll bar to reach the rest, "Not a digit · 23" said nothing of when (QA pass).
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.itemActivated.connect(lambda item: self.reopen(self.list.row(item)))
        self.copy_button = copy = QPushButton("Copy")
        copy.setToolTip("Copy the selected reading's digit or number (Ctrl+C while the list has the focus)")
        copy.clicked.connect(lambda: self.copy_entry(self.list.currentRow()))
        self.reopen_button = reopen = QPushButton("Open on Canvas")
        reopen.setToolTip("Put the selected drawing back on the canvas (Ctrl+Z undoes it)")
        reopen.clicked.connect(lambda: self.reopen(self.list.currentRow()))
        buttons = QHBoxLayout()
        for button in (copy, reopen):
            button.setAutoDefault(True)  # Enter presses it while it has the focus, as Space does
            buttons.addWidget(button)
        for widget in (self.list, copy, reopen):
            widget.installEventFilter(self)  # digit keys pick the label to teach (`eventFilter`)
        self.list.itemSelectionChanged.connect(self._enable_buttons)
        self._enable_buttons()
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self.setWidget(body)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self)
        self.visibilityChanged.connect(self._leave_room_for_the_canvas)
        self.hide()
        show = self.toggleViewAction()  # Edit > Reading History: shows and hides the dock
        show.setText("Reading &History")
        show.setShortcut(QKeySequence(HISTORY_KEY))

    def changeEvent(self, event: QEvent) -> None:
        """A new theme while the app runs: the thumbnails of ink take its paper and ink."""
        if event.type() == QEvent.Type.PaletteChange:
            for row, entry in enumerate(self._entries):
                self.list.item(row).setIcon(_thumbnail(entry, self.palette()))
        super().changeEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """A digit key in the dock picks the label to teach, as it does anywhere in the window, and
        the focus goes back to the canvas, so that Enter then teaches as the status bar says. The
        list searched its entries for the digit instead, and after a button had the focus Enter
        pressed it ("Open on Canvas" replaced the drawing to teach)."""
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and label_key(event) is not None:
            self._window.activateWindow()  # a floating dock is a window of its own: keys stayed there
            self._canvas.setFocus()
            QApplication.sendEvent(self._window, event)
            return True
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and event.key() in CLEAR_KEYS:
            # Held here (browsing the history must not clear the canvas), they did nothing without a word (QA).
            self._window.statusBar().showMessage(CLEAR_HERE, STATUS_MS)
        return super().eventFilter(watched, event)

    def _enable_buttons(self) -> None:
        """Copy and Open on Canvas act on the selected entry: with none, they are disabled (they were
        enabled on an empty list, to say "Select a reading in the history first"; QA pass)."""
        chosen = bool(self.list.selectedItems())
        self.copy_button.setEnabled(chosen)
        self.reopen_button.setEnabled(chosen)

    def _leave_room_for_the_canvas(self, visible: bool) -> None:
        """Shown the first time, at most DOCK_SHARE of the window's width: at its own width it
        squeezed the canvas of an 800x600 screen's window to a strip narrower than itself. Later
        shows keep the width the user gave it."""
        if visible:
            self.visibilityChanged.disconnect(self._leave_room_for_the_canvas)
            width = min(self.sizeHint().width(), int(self._window.width() * DOCK_SHARE))
            self._window.resizeDocks([self], [width], Qt.Orientation.Horizontal)

    def entries(self) -> list[HistoryEntry]:
        """The readings kept, newest first."""
        return list(self._entries)

    def remember(self, reading: Said | None, taught: int | None = None) -> HistoryEntry | None:
        """Keep the reading of what the canvas shows now (call before it is cleared); nothing for a
        blank canvas or one that cannot be read (the reading may still be the last drawing's). The
        entry added, to `forget` if what replaced the canvas is dropped; None when none was added
        (the same ink again only moves its entry to the top: forgetting it lost the ink)."""
        if reading is None or reading.reason == BLANK:
            return None
        try:
            x = self._current_input()
        except InkBudgetError:
            return None
        if is_blank(x):
            return None
        picture = self._canvas.picture()
        drawing = self._canvas.drawing() if picture is None else None
        entry = HistoryEntry(reading, x, drawing, picture, dt.datetime.now(), taught)
        again = [kept for kept in self._entries if kept.taught == taught and _same_ink(kept, entry)]
        chosen = any(self.list.item(row).isSelected() for row, kept in enumerate(self._entries) if kept in again)
        for kept in again:
            self.forget(kept)  # the same ink again (Undo Clear, then Clear): listed once, as the newest
        self._entries = [entry, *self._entries][:HISTORY_SIZE]
        item = QListWidgetItem(_thumbnail(entry, self.palette()), entry.describe())
        item.setToolTip(f"{entry.describe()}\n{HISTORY_TIP}")
        self.list.insertItem(0, item)
        while self.list.count() > HISTORY_SIZE:
            self._take(self.list.count() - 1)
        if chosen:  # the selection stays on that ink: it moved to the next entry, another reading (QA)
            self.list.setCurrentRow(0)
        return None if again else entry

    def forget(self, entry: HistoryEntry | None) -> None:
        """Take back `entry`, if it is still kept: what it kept is shown again (a stroke over a
        picture, dropped: a pinch on a photo added an entry at each try)."""
        row = next((i for i, kept in enumerate(self._entries) if kept is entry), None)
        if row is not None:
            del self._entries[row]
            self._take(row)

    def _take(self, row: int) -> None:
        """Take the list's `row` out; when it was selected, nothing is: Qt selected the entry taking
        its place, another reading, which Copy and Open on Canvas then acted on (QA pass)."""
        selected = self.list.item(row).isSelected()
        self.list.takeItem(row)
        if selected:
            self.list.setCurrentRow(-1)
            self.list.clearSelection()

    def copy(self, reading: Said | None) -> bool:
        """Edit > Copy: the selected past reading while the list has the focus, else the current one."""
        if self.list.hasFocus() and self.list.currentRow() >= 0:
            return self.copy_entry(self.list.currentRow())
        return copy_reading(self._window, reading)

    def copy_entry(self, row: int) -> bool:
        """Copy the digit or number of the entry in `row` (0: the newest)."""
        if not 0 <= row < len(self._entries):
            self._window.statusBar().showMessage("Select a reading in the history first", STATUS_MS)
            return False
        return copy_reading(self._window, self._entries[row].reading)

    def reopen(self, row: int) -> bool:
        """Put the drawing (or picture) of the entry in `row` back on the canvas, as one undoable step."""
        if not 0 <= row < len(self._entries):
            self._window.statusBar().showMessage("Select a reading in the history first", STATUS_MS)
            return False
        entry = self._entries[row]
        self._window.statusBar().clearMessage()  # a note of what went before ("Copied 47") stayed (QA)
        if entry.picture is not None:
            self._canvas.set_picture(entry.picture, entry.input, "Open from History")
        elif entry.drawing is not None:
            self._canvas.set_drawing(entry.drawing)
        self._canvas.setFocus(Qt.FocusReason.OtherFocusReason)
        return True
