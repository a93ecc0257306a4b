"""Teaching: the user's own samples, for retraining.

A sample is saved only with a label the user chose (a digit key or a click on its bar), never with
the model's guess, which may be wrong. Enter (Teach) without a chosen label saves nothing and says
how to teach. The Teach button shows the chosen label ("Teach as 4"). A label belongs to the drawing
it was chosen for: it stays while that drawing grows or shrinks (strokes added or undone) and goes
when the canvas is cleared, taught, or shows another drawing or picture.

In a number the label is for its selected character ("Teach character 3 as 4"), and goes when
another character is selected. Teaching saves that character alone, as its own sample (its 28x28
input and, for a drawing, its strokes), and keeps the number on the canvas for the next correction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QMainWindow, QPushButton

from handwriting_recognizer.app.canvas import Canvas
from handwriting_recognizer.app.history import HistoryEntry, ReadingHistory
from handwriting_recognizer.app.views import ProbabilityBars
from handwriting_recognizer.core.drawing import Drawing
from handwriting_recognizer.core.numbers import MAX_CHARACTERS, SYMBOLS, Character, NumberReading
from handwriting_recognizer.core.preprocess import InkBudgetError, is_blank
from handwriting_recognizer.core.recognizer import BLANK
from handwriting_recognizer.core.safe_io import exists
from handwriting_recognizer.core.samples import RemovedSample, Sample, SampleError, SampleStore

STATUS_MS = 5000
HOW_TO_TEACH = "Press a digit key or click a bar to choose the right label, then Enter"
DRAW_FIRST = "Draw a digit first, then choose its label (a digit key or a click on its bar) and press Enter"
TEACH_TIP = (
    "Save this drawing as one of your samples, for retraining, with the label you chose.\n"
    "Choose the right label first: press a digit key or click a bar.\n"
    "In a number, select the character first (click it in the reading, or Left/Right): it alone is saved."
)
HOW_TO_TEACH_CHARACTER = (
    "Character {n} selected: press a digit key or click a bar to choose its right label, then Enter"
)
SELECT_A_DIGIT = "Character {n} is {symbol}, told by its shape: select a digit to teach (click it, or Left/Right)"
# The Teach button's texts; it is as wide as the longest, so that the column beside the canvas (and
# so the canvas) keeps its width while the text changes with the drawing.
BUTTON_READY = "Teach as {label}  ⏎"
BUTTON_CHOOSE = "Teach: choose the label (0-9)"
BUTTON_DRAW_FIRST = "Teach (draw a digit first)"
BUTTON_SELECT = "Teach: select a digit"
BUTTON_CHARACTER_READY = "Teach character {n} as {label}  ⏎"
BUTTON_CHARACTER_CHOOSE = "Teach character {n}: choose its label (0-9)"
BUTTON_TEXTS = (
    BUTTON_READY,
    BUTTON_CHOOSE,
    BUTTON_DRAW_FIRST,
    BUTTON_SELECT,
    BUTTON_CHARACTER_READY,
    BUTTON_CHARACTER_CHOOSE,
)


def _select_a_digit(index: int, character: Character) -> str:
    return SELECT_A_DIGIT.format(n=index + 1, symbol=SYMBOLS.get(character.char or "", "a mark"))


def _widest(button: QPushButton) -> int:
    """The width `button` needs for the longest of its texts (a number's last character, the widest digit)."""
    widths = []
    for text in BUTTON_TEXTS:
        button.setText(text.format(n=MAX_CHARACTERS, label=8))
        widths.append(button.minimumSizeHint().width())
    return max(widths)


def _samples(n: int, label: int) -> str:
    return f"{n} sample{'s' if n != 1 else ''} of {label}"


def _shown(canvas: Canvas) -> tuple[str, object] | None:
    """What identifies the drawing or picture on the canvas, to tell whether a chosen label still
    belongs to it: the picture's cache key, or the first point of the first stroke (which strokes
    added or undone after it leave alone); None for an empty canvas."""
    picture = canvas.picture()
    if picture is not None:
        return ("picture", picture.cacheKey())
    first = canvas.first_point()
    return None if first is None else ("strokes", first)


class _Taught(QUndoCommand):
    """A sample just taught, as a step of the canvas' undo stack: Undo takes it out of the samples
    again (its files kept in memory), Redo puts the very files back. Without it, Ctrl+Z after a
    Teach brought the drawing back and left its sample saved, under the label just corrected."""

    def __init__(
        self,
        store: SampleStore,
        sample: Sample,
        say: Callable[[str], None],
        history: ReadingHistory,
        kept: HistoryEntry | None,
    ):
        """`kept`: the history's entry "taught as" for it, taken out of the history when the Teach is
        undone (it stayed, for a sample no longer saved; QA pass). Redo does not list it again: put
        back on top, it broke the history's order, and could push a newer entry out (review)."""
        super().__init__(f"Save sample of {sample.label}")
        self._store, self._sample, self._say = store, sample, say
        self._history, self._kept = history, kept
        self._removed: RemovedSample | None = None  # while undone
        self._left = False  # whether an undo left the sample as My Samples had made it

    def redo(self) -> None:
        if self._removed is None:  # the first time (Teach has just saved it), or it stayed when undone
            if self._left:
                self._say(self._where())  # where it is now: My Samples may have changed it again
            return
        try:
            self._store.put_back(self._removed)
        except OSError as exc:
            self._say(f"Cannot save the sample again: {exc.strerror or exc}")
            return
        self._removed = None
        self._say(f"Saved again as {self._sample.label}")

    def undo(self) -> None:
        if not exists(self._sample.meta):  # deleted or relabelled in My Samples meanwhile: left as it is
            self._left = True
            self._say(self._where())
            return
        self._left = False
        try:
            self._removed = self._store.remove(self._sample)
        except (SampleError, OSError) as exc:
            self._say(f"The taught sample stays among your samples: {exc}")
            return
        self._history.forget(self._kept)
        self._say(f"Taught sample taken back: it is no longer among your samples of {self._sample.label}")

    def _where(self) -> str:
        """Where the taught sample is now that My Samples has changed it (an undo leaves it so)."""
        now = self._store.label_of(self._sample.id)
        if now is None:
            return "The taught sample is no longer among your samples: My Samples deleted it"
        if now == self._sample.label:
            return f"The taught sample is among your samples again, as a {now}"
        return f"The taught sample stays among your samples, as a {now}: My Samples relabelled it"


class Teacher:
    """Owns the Teach button (object name "teach") and the label the user chose."""

    def __init__(
        self,
        window: QMainWindow,
        canvas: Canvas,
        bars: ProbabilityBars,
        samples: SampleStore,
        history: ReadingHistory,
        read_character: Callable[[], tuple[np.ndarray, tuple[int, ...] | None]],
        number: Callable[[], NumberReading | None],
        selected: Callable[[], int | None],
        show_error: Callable[[str, str], None],
    ):
        self._window = window
        self._canvas = canvas
        self._bars = bars
        self._samples = samples
        self._history = history
        self._read_character = read_character
        self._number = number
        self._selected = selected
        self._show_error = show_error
        self.chosen_label: int | None = None
        self._chosen_for: tuple[str, object] | None = None  # what the canvas showed when it was chosen
        self._chosen_marks: tuple[int, ...] | None = None  # and the character of a number it was chosen for
        self._label_said = ""  # the status message that said which label was chosen
        self.button = QPushButton()
        self.button.setObjectName("teach")
        self.button.setToolTip(TEACH_TIP)
        self.button.setAccessibleName("Teach")
        self.button.setMinimumWidth(_widest(self.button))
        self._update_button()

    def _say(self, text: str) -> None:
        self._window.statusBar().showMessage(text, STATUS_MS)

    def _character(self) -> tuple[int, Character] | None:
        """The selected character of a number read (and its index); None for a single character."""
        number, index = self._number(), self._selected()
        if number is None or number.single is not None or index is None:
            return None
        return index, number.characters[index]

    def refresh(self) -> None:
        """The reading or the selected character changed: a label chosen for another character of a
        number goes; one chosen for the whole drawing stays while the pen is down (half a digit's
        stroke may read as a character of its own for a moment); the button follows."""
        selected = self._character()
        marks = None if selected is None else selected[1].marks
        whole_drawing_drawn = self._chosen_marks is None and self._canvas.stroke_in_progress()
        if self.chosen_label is not None and marks != self._chosen_marks and not whole_drawing_drawn:
            self.choose(None)
        self._update_button()

    def choose(self, digit: int | None) -> None:
        """The user says which digit this is (in a number, its selected character, which must be one
        the model reads: not a '.' or '-'); None forgets it."""
        selected = self._character()
        if digit is not None and selected is not None and selected[1].reading is None:
            self._say(_select_a_digit(*selected))
            return
        self.chosen_label = digit
        self._chosen_for = _shown(self._canvas)
        self._chosen_marks = None if selected is None else selected[1].marks
        self._bars.set_chosen(digit)
        self._update_button()
        status = self._window.statusBar()
        if digit is None:
            if self._label_said and status.currentMessage() == self._label_said:
                status.clearMessage()  # it promised what Enter no longer does (Escape, Clear)
            return
        if self._canvas.is_empty() and self._canvas.picture() is None:  # the label waits for the next drawing
            said = f"Label {digit} chosen for what you draw next: Enter then saves it as a sample of {digit}"
        elif selected is None:
            said = f"Label {digit} chosen: Enter saves this drawing as a sample of {digit}"
        else:
            said = f"Label {digit} chosen for character {selected[0] + 1}: Enter saves it as a sample of {digit}"
        self._say(said)
        self._label_said = said

    def canvas_changed(self) -> None:
        """Forget the chosen label once it belongs to another drawing: the canvas was emptied or shows
        another drawing or picture. A label chosen on an empty canvas belongs to what is drawn next."""
        if self.chosen_label is None:
            return
        shown = _shown(self._canvas)
        if self._chosen_for is None:
            self._chosen_for = shown
        elif shown != self._chosen_for:
            self.choose(None)

    def label(self) -> int | None:
        """The label a Teach would save: the one the user chose, never the model's guess."""
        return self.chosen_label

    def _update_button(self) -> None:
        number = self._number()
        has_ink = number is not None and number.reason != BLANK
        if not has_ink and self.button.hasFocus():
            # Qt would hand the focus on to the next widget, the pen width, where the next digit key
            # (the next drawing's label) would change the pen instead.
            self._canvas.setFocus()
        self.button.setEnabled(has_ink)
        ready = has_ink and self.chosen_label is not None
        font = self.button.font()
        font.setBold(ready)
        self.button.setFont(font)
        selected = self._character()
        if selected is not None and has_ink:
            self._update_character_button(*selected)
        elif ready:
            self.button.setText(BUTTON_READY.format(label=self.chosen_label))
            self.button.setAccessibleDescription(f"Saves this drawing as a sample of {self.chosen_label}")
        else:
            self.button.setText(BUTTON_CHOOSE if has_ink else BUTTON_DRAW_FIRST)
            self.button.setAccessibleDescription(HOW_TO_TEACH if has_ink else DRAW_FIRST)

    def _update_character_button(self, index: int, character: Character) -> None:
        """The button for the selected character of a number: its label, or what to do first."""
        n = index + 1
        if character.reading is None:
            self.button.setText(BUTTON_SELECT)
            self.button.setAccessibleDescription(_select_a_digit(index, character))
        elif self.chosen_label is not None:
            self.button.setText(BUTTON_CHARACTER_READY.format(n=n, label=self.chosen_label))
            self.button.setAccessibleDescription(
                f"Saves character {n} of the number as a sample of {self.chosen_label}"
            )
        else:
            self.button.setText(BUTTON_CHARACTER_CHOOSE.format(n=n))
            self.button.setAccessibleDescription(HOW_TO_TEACH_CHARACTER.format(n=n))

    def _drawing_of(self, marks: tuple[int, ...] | None) -> Drawing:
        """The canvas' drawing, or its strokes `marks` alone (a character of a number; a digit
        without the stray taps its reading left out, which the sample's drawing kept)."""
        whole = self._canvas.drawing()
        if marks is None:
            return whole
        pressure = whole.pressure
        return replace(
            whole,
            strokes=tuple(whole.strokes[m] for m in marks),
            pressure=None if pressure is None else tuple(pressure[m] for m in marks),
        )

    def teach(self) -> bool:
        """Save the current drawing (or picture) with the chosen label as one of the user's samples,
        keep its reading in the history, then clear the canvas for the next one; in a number, its
        selected character alone (`teach_character`). Without a chosen label nothing is saved: the
        status bar says how to teach."""
        selected = self._character()
        if selected is not None:
            return self.teach_character(*selected)
        try:
            x, marks = self._read_character()
        except InkBudgetError as exc:
            self._say(f"Nothing to teach: {exc}")
            return False
        if is_blank(x):
            self._say(DRAW_FIRST)
            return False
        label = self.chosen_label
        if label is None:
            self._say(HOW_TO_TEACH)
            return False
        drawing = None if self._canvas.picture() is not None else self._drawing_of(marks)
        try:
            sample = self._samples.add(label, x, drawing)
        except OSError as exc:
            self._show_error("Cannot save the sample", f"{exc.strerror or exc}. Your earlier samples are untouched.")
            return False
        count = self._samples.counts()[label]
        number = self._number()
        kept = self._history.remember(None if number is None else number.single, taught=label)
        self._canvas.finish_stroke()  # taught while drawing: the stroke is kept, its own step, before Teach
        steps = self._canvas.undo_stack
        steps.beginMacro(f"Teach as {label}")  # one Undo: the drawing back, its sample out
        steps.push(_Taught(self._samples, sample, self._say, self._history, kept))
        self._canvas.clear()
        steps.endMacro()
        self.choose(None)
        self._say(f"Saved as {label} — you have {_samples(count, label)}")
        return True

    def teach_character(self, index: int, character: Character) -> bool:
        """Save one character of a number with the chosen label as its own sample: its 28x28 input
        and, for a drawing, its strokes alone. The number stays on the canvas."""
        n, label = index + 1, self.chosen_label
        if character.reading is None:
            self._say(_select_a_digit(index, character))
            return False
        if label is None:
            self._say(HOW_TO_TEACH_CHARACTER.format(n=n))
            return False
        if character.input is None:
            self._say(f"Nothing to teach: character {n} has far too much ink for a digit")
            return False
        drawing = None if self._canvas.picture() is not None else self._drawing_of(character.marks)
        try:
            sample = self._samples.add(label, character.input, drawing)
        except OSError as exc:
            self._show_error("Cannot save the sample", f"{exc.strerror or exc}. Your earlier samples are untouched.")
            return False
        count = self._samples.counts()[label]
        taught = _Taught(self._samples, sample, self._say, self._history, None)  # the number stays: no entry
        taught.setText(f"Teach character {n} as {label}")
        self._canvas.undo_stack.push(taught)
        self.choose(None)
        self._say(f"Saved character {n} as {label} — you have {_samples(count, label)}")
        return True
