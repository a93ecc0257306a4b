"""Teaching: the user's own samples, for retraining. The label is the one the user picked (a digit
key or a click on its bar), else the model's confident reading; the Teach button says which."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtWidgets import QMainWindow, QPushButton

from handwriting_recognizer.app.canvas import Canvas
from handwriting_recognizer.app.views import ProbabilityBars
from handwriting_recognizer.core.preprocess import InkBudgetError, is_blank
from handwriting_recognizer.core.recognizer import Reading
from handwriting_recognizer.core.samples import SampleStore

STATUS_MS = 5000
TEACH_TIP = (
    "Save this drawing with its label as one of your samples, for retraining.\n"
    "Press a digit key or click a bar first to correct the label."
)


def _samples(n: int, label: int) -> str:
    return f"{n} sample{'s' if n != 1 else ''} of {label}"


class Teacher:
    """Owns the Teach button (object name "teach") and the label the user picked."""

    def __init__(
        self,
        window: QMainWindow,
        canvas: Canvas,
        bars: ProbabilityBars,
        samples: SampleStore,
        current_input: Callable[[], np.ndarray],
        reading: Callable[[], Reading | None],
        show_error: Callable[[str, str], None],
    ):
        self._window = window
        self._canvas = canvas
        self._bars = bars
        self._samples = samples
        self._current_input = current_input
        self._reading = reading
        self._show_error = show_error
        self.chosen_label: int | None = None
        self.button = QPushButton()
        self.button.setObjectName("teach")
        self.button.setToolTip(TEACH_TIP)

    def _say(self, text: str) -> None:
        self._window.statusBar().showMessage(text, STATUS_MS)

    def refresh(self) -> None:
        """The reading changed: the button follows it."""
        self._update_button()

    def choose(self, digit: int | None) -> None:
        """The user says which digit this is; None forgets it."""
        self.chosen_label = digit
        self._bars.set_chosen(digit)
        self._update_button()

    def forget_choice(self) -> None:
        """A changed drawing needs its label picked again."""
        if self.chosen_label is not None:
            self.choose(None)

    def label(self) -> int | None:
        """The chosen label, else the model's confident reading."""
        if self.chosen_label is not None:
            return self.chosen_label
        reading = self._reading()
        return None if reading is None else reading.label

    def _update_button(self) -> None:
        label, reading = self.label(), self._reading()
        ready = label is not None and reading is not None and not reading.blank
        self.button.setEnabled(ready)
        self.button.setText(f"Teach as {label}  ⏎" if ready else "Teach (pick a digit first)")

    def teach(self) -> bool:
        """Save the current drawing (or picture) with its label as one of the user's samples, then
        clear the canvas for the next one."""
        label = self.label()
        try:
            x = self._current_input()
        except InkBudgetError as exc:
            self._say(f"Nothing to teach: {exc}")
            return False
        if label is None or is_blank(x):
            self._say("Draw a digit and pick its label (a digit key or a click on its bar) first")
            return False
        drawing = None if self._canvas.picture() is not None else self._canvas.drawing()
        try:
            self._samples.add(label, x, drawing)
        except OSError as exc:
            self._show_error("Cannot save the sample", f"{exc.strerror or exc}. Your earlier samples are untouched.")
            return False
        count = self._samples.counts()[label]
        self._canvas.clear()
        self.choose(None)
        self._say(f"Saved as {label} — you have {_samples(count, label)}")
        return True
