"""What the model reads, shown three ways: the top digit (or the whole number), the ten probability
bars, the 28x28 input.

Their colours come from the palette (`theme`), so they read as well on a dark desktop as on a light
one; their texts, the percentages included, come from `reading_text`, `number_text` and `percent`,
so a screen reader hears what the eye sees. A number's characters are selected in the big label
(a click, or Left/Right): the bars and the input then show that character.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QEvent, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QFont,
    QFontMetricsF,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from handwriting_recognizer.app.actions import takes_own_key
from handwriting_recognizer.app.contrast import readable
from handwriting_recognizer.app.imageio import gray_to_qimage
from handwriting_recognizer.app.theme import blend, distinct
from handwriting_recognizer.core.contract import LABELS, SIZE
from handwriting_recognizer.core.numbers import SYMBOLS, Character, NumberReading, number_problem
from handwriting_recognizer.core.percent import percent, percent_number
from handwriting_recognizer.core.recognizer import NOT_A_DIGIT, UNSURE, Reading

DIGIT_POINTS = 40  # the big label's font for a digit ...
WORD_POINTS = 22  # ... and for a word ("Unsure", "Not a digit"), which must fit the same column;
SMALLEST_POINTS = 12  # either shrinks, down to this, to fit a narrow window
ELLIPSIS = "…"  # marks where a number too long for the label even then is cut
BARS_TIP = "Probability of each digit. Click a digit, or use Up/Down and Space, to pick it as the right label."
NOT_READ = "?"  # a character of a number that is not read as a digit: unsure, or not a digit at all
NUMBER_TIP = (
    "The number the model reads, one character at a time; the line under it gives each digit's probability, "
    "rounded down. Click a character, or use Left/Right, to see its ten probabilities and its 28x28 input and "
    "to teach it."
)
STILL_READING = "Still reading: lift the pen for the reading"
TOO_SMALL = "Too small to read: write bigger, or with a thinner pen"
TOO_SMALL_TIP = (
    "The ink is read as the model sees it, shrunk to 28x28 pixels with the digit about 20 tall: "
    "this ink makes only a dot there (a tap, or a small digit under a wide pen)."
)
STILL_READING_TIP = (
    "While a stroke is drawn, a reading that is unsure or not a digit is not shown: a half-drawn digit "
    "often looks like another digit, or like no digit at all. The bars show the probabilities so far."
)
# A number's digits the caption lists with their confidence; a longer number's caption names the
# least sure digit instead: 20 listed took 8 lines, more than a small screen at 200 % has room for.
CAPTION_LISTS = 4
CAPTION_LINES = 3
NUMBER_RULES = "A number is digits, with at most one decimal point after a digit and a minus sign only at its start."


@dataclass(frozen=True)
class ReadingText:
    """One reading in words: the big label's text, the caption under it, what a screen reader says
    (the label's accessible name) and the tooltip that explains it."""

    big: str
    caption: str
    spoken: str
    tip: str

    @property
    def is_word(self) -> bool:
        """Words ("Unsure") take a smaller font than digits and numbers."""
        return any(ch.isalpha() for ch in self.big)


READING_DESCRIPTION = "What the model reads in the drawing, and how sure it is"
READING_TIP = "The digit the model reads in your drawing, and how sure it is (its probability, rounded down)."


def reading_text(reading: Reading | None, drawing: bool = False, inked: bool = False) -> ReadingText:
    """What to show for a reading: no big text for nothing drawn (a dash there read as a minus sign,
    which a number may start with), "Unsure" or "Not a digit" when no digit
    is shown (saying why; while a stroke is `drawing`, that it is still reading), else the digit and
    its probability, floored (`percent`). A blank reading of `inked` strokes is of ink too small to
    read: "Write a digit" under a visible 7 drawn with a 40 px pen said nothing of why (QA pass)."""
    if reading is not None and reading.blank and inked and not drawing:
        return ReadingText("", TOO_SMALL, "Too small to read", TOO_SMALL_TIP)
    if reading is None or reading.blank:
        return ReadingText(
            "",
            "Write a digit or a number",
            "Nothing drawn yet",
            "Write a digit or a number: the model reads it while you write.",
        )
    if drawing and reading.label is None:
        return ReadingText("Reading…", STILL_READING, "Still reading", STILL_READING_TIP)
    if reading.reason == NOT_A_DIGIT:
        sure = percent(reading.not_a_digit)
        return ReadingText(
            "Not a digit",
            f"Not a digit ({sure} sure)",
            f"Not a digit, {percent_number(reading.not_a_digit)} percent sure",
            f"Not a digit: the model reads this as something other than a digit (a letter, a scribble), "
            f"with {sure}, more than for any digit. Only models trained with a not-a-digit class say this.",
        )
    guess = int(np.argmax(reading.probabilities))
    if reading.reason == UNSURE or reading.label is None:
        return ReadingText(
            "Unsure",
            f"Unsure — best guess {guess} at {percent(reading.confidence)}",
            f"Unsure, best guess {guess}, {percent_number(reading.confidence)} percent",
            f"Unsure: no digit is likely enough to be shown; the likeliest, {guess}, has only "
            f"{percent(reading.confidence)}. The drawing may be unclear, unfinished or not a digit: "
            "the bars show every digit's probability.",
        )
    return ReadingText(
        f"{reading.label}  {percent(reading.confidence)}",
        f"Reads {reading.label} with {percent(reading.confidence, 1)} confidence",
        f"Reads {reading.label}, {percent_number(reading.confidence)} percent sure",
        READING_TIP,
    )


def character_words(character: Character) -> str:
    """One character of a number in words: "2, 97% sure", "a decimal point", "unsure, best guess 2 at
    45%", "not a digit"."""
    reading = character.reading
    if reading is None:
        return SYMBOLS.get(character.char or "", "a mark")
    if character.char is not None:
        return f"{character.char}, {percent(reading.confidence)} sure"
    if reading.reason == NOT_A_DIGIT:
        return "not a digit"
    return f"unsure, best guess {int(np.argmax(reading.probabilities))} at {percent(reading.confidence)}"


def number_text(number: NumberReading, drawing: bool = False) -> ReadingText:
    """What to show for a reading of several characters: the characters ("2026"; NOT_READ for one
    not read as a digit) and under them each digit's probability ("2 99% · 0 98% · ..."), or why it
    is not a number, or which character the model is unsure of (while a stroke is `drawing`: that
    it is still reading)."""
    big = "".join(c.char or NOT_READ for c in number.characters)
    if number.text is not None:
        read = [(i, c.char, c.confidence) for i, c in enumerate(number.characters) if c.confidence is not None]
        if len(read) <= CAPTION_LISTS:
            # A digit and its confidence never part at a line break ("5" ending one line, "99%" starting the next).
            caption = " · ".join(f"{char}\N{NO-BREAK SPACE}{percent(sure)}" for _, char, sure in read)
        else:
            i, char, sure = min(read, key=lambda item: item[2])
            caption = f"{len(read)} digits; least sure: {char} at {percent(sure)} (character {i + 1})"
        spoken = f"Reads {number.text}, {percent_number(number.confidence)} percent sure"
        return ReadingText(big, caption, spoken, NUMBER_TIP)
    if drawing:
        return ReadingText(big, STILL_READING, f"Still reading, so far {big}", STILL_READING_TIP)
    if number.problem_at is not None:
        why = f"Not a number: {number_problem(number)}"
        return ReadingText(big, why, why, f"{why}. {NUMBER_RULES}")
    unsure = [i for i, c in enumerate(number.characters) if c.reading is not None and c.char is None]
    first = unsure[0] if unsure else 0
    more = f" (and {len(unsure) - 1} more)" if len(unsure) > 1 else ""
    words = character_words(number.characters[first]).removeprefix("unsure, ")
    caption = f"Unsure of character {first + 1}{more}: {words}"
    tip = (
        f"Unsure: no digit is likely enough for character {first + 1}{more}, shown as {NOT_READ}. Select it to "
        "see every digit's probability, and teach it its right label (a digit key, then Enter)."
    )
    return ReadingText(big, caption, f"Unsure number, {big}: character {first + 1}, {words}", tip)


class ProbabilityBars(QWidget):
    """Ten horizontal softmax bars, the top class highlighted. Clicking a digit, or Space/Enter on
    the row that Up/Down moved the focus to, emits `digitClicked`; Enter on the digit already
    picked is left to the window (Teach), as the status bar says once a digit is picked."""

    digitClicked = Signal(int)
    PICK_KEYS = (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("probabilities")
        self.setMinimumSize(160, round(len(LABELS) * QFontMetricsF(self.font()).height()))  # rows fit their text
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setToolTip(BARS_TIP)
        self.setAccessibleName("Digit probabilities")
        self._probabilities = np.zeros(len(LABELS), np.float32)
        self._highlight: int | None = None
        self._chosen: int | None = None
        self._focus_row = 0
        self._describe()

    def probabilities(self) -> np.ndarray:
        return self._probabilities.copy()

    def highlighted(self) -> int | None:
        """The highlighted (top, confident) digit, if any."""
        return self._highlight

    def focus_row(self) -> int:
        """The digit Up/Down moved to: Space or Enter picks it."""
        return self._focus_row

    def set_reading(self, reading: Reading, tip: str = BARS_TIP) -> None:
        """Show a reading's probabilities (zeros for a blank input) and highlight its label, if any;
        `tip` says whose they are (a number's character) or why there are none (its '.' or '-')."""
        self._probabilities = np.asarray(reading.probabilities, np.float32).copy()
        self._highlight = reading.label
        self.setToolTip(tip)
        self._describe()
        self.update()

    def set_chosen(self, digit: int | None) -> None:
        """Mark the digit the user picked as the right label; the keyboard focus row follows it."""
        self._chosen = digit
        if digit is not None:
            self._focus_row = digit
        self._describe()
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(260, 260)

    def _row_height(self) -> float:
        return self.height() / len(LABELS)

    def _describe(self) -> None:
        """The accessible description: how to use the bars, and the row the keyboard is on."""
        row = self._focus_row
        text = (
            "Each digit's probability. Up and Down move between digits; Space or Enter picks one as the right "
            f"label. On {row}: {percent_number(float(self._probabilities[row]))} percent"
            + (", picked." if row == self._chosen else ".")
        )
        if text != self.accessibleDescription():
            self.setAccessibleDescription(text)

    # --- mouse and keyboard --------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        row = int(event.position().y() // self._row_height())
        if 0 <= row < len(LABELS):
            self._focus_row = row
            self.digitClicked.emit(row)

    def focusInEvent(self, event) -> None:
        """Tabbing in starts on the picked digit, else on the one the model reads."""
        start = self._chosen if self._chosen is not None else self._highlight
        if start is not None:
            self._focus_row = start
            self._describe()
        super().focusInEvent(event)

    def event(self, event: QEvent) -> bool:
        """Space and Enter pick a digit here, before the window's shortcuts (Enter: Teach) see them;
        Enter on the digit already picked goes on to Teach."""
        if takes_own_key(event, self.PICK_KEYS):
            enter_on_picked = event.key() != Qt.Key.Key_Space and self._focus_row == self._chosen
            if not enter_on_picked:
                event.accept()
                return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Up/Down (Home/End) move the focus row; Space/Enter pick it. Other keys (the digit keys)
        go on to the window."""
        moves = {
            Qt.Key.Key_Up: self._focus_row - 1,
            Qt.Key.Key_Down: self._focus_row + 1,
            Qt.Key.Key_Home: 0,
            Qt.Key.Key_End: len(LABELS) - 1,
        }
        key = event.key()
        if key in moves:
            self._focus_row = min(max(moves[Qt.Key(key)], 0), len(LABELS) - 1)
            self._describe()
            self.update()
        elif key in self.PICK_KEYS:
            self.digitClicked.emit(self._focus_row)
        else:
            super().keyPressEvent(event)

    # --- painting ------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        """Digits and percentages in the palette's text colour; the empty track a faint tint of it,
        the bars a mid tint of the highlight and the top digit's bar the highlight itself, each moved
        as far as it must to stand out from the track (`distinct`)."""
        palette = self.palette()
        window, text, highlight = (
            palette.color(QPalette.ColorRole.Window),
            palette.color(QPalette.ColorRole.WindowText),
            palette.color(QPalette.ColorRole.Highlight),
        )
        text = readable(text, window)  # a theme whose text and window are too alike
        track = blend(window, text, 0.12)
        bar, top_bar = distinct(blend(window, highlight, 0.55), track), distinct(highlight, track)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = QFont(self.font())
        font.setBold(True)
        metrics = QFontMetricsF(font)
        row = self._row_height()
        label_w = metrics.horizontalAdvance("0") + 14
        pct_w = metrics.horizontalAdvance("100%") + 8
        bar_w = max(self.width() - label_w - pct_w - 4, 10)
        for digit, p in enumerate(self._probabilities):
            y = digit * row
            top, chosen = digit == self._highlight, digit == self._chosen
            bar_box = QRectF(label_w, y + row * 0.2, bar_w, row * 0.6)
            if chosen:
                painter.fillRect(QRectF(0, y, self.width(), row), blend(window, highlight, 0.25))
            font.setBold(top or chosen)
            painter.setFont(font)
            painter.setPen(text)
            painter.drawText(QRectF(0, y, label_w, row), Qt.AlignmentFlag.AlignCenter, str(digit))
            painter.fillRect(bar_box, track)
            filled = QRectF(bar_box.left(), bar_box.top(), bar_w * float(p), bar_box.height())
            painter.fillRect(filled, top_bar if top else bar)
            if chosen:
                painter.setPen(QPen(highlight, 2))
                painter.drawRect(QRectF(1, y + 1, self.width() - 2, row - 2))
            painter.setPen(text)
            painter.drawText(
                QRectF(label_w + bar_w, y, pct_w, row),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                percent(float(p)),
            )
            if digit == self._focus_row and self.hasFocus():
                painter.setPen(QPen(text, 1, Qt.PenStyle.DotLine))
                painter.drawRect(QRectF(3.5, y + 3.5, self.width() - 7, row - 7))
        painter.end()


class PredictionLabel(QLabel):
    """The large top-1 digit and its confidence; "Unsure" or "Not a digit" when no digit is shown,
    nothing for a blank canvas (its caption says what to do); a number's characters ("2026"), one of
    them selected. Its accessible name is the reading in words.

    `caption` is a small companion label that says the same in words. A number's character is
    selected by a click on it or, with the focus here (Tab reaches the label while it shows a
    number), by Left/Right/Home/End: `characterSelected` says which.
    """

    characterSelected = Signal(int)
    MOVES = (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Home, Qt.Key.Key_End)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("prediction")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # The words may be wider than the column at a small window: they are cut, the window is not widened.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        font = QFont(self.font())
        font.setPointSize(DIGIT_POINTS)
        font.setBold(True)
        self.setFont(font)
        self.setMinimumHeight(round(QFontMetricsF(font).height()))
        self._points = DIGIT_POINTS
        self._characters: tuple[Character, ...] = ()  # a number's, while one is shown
        self._selected = 0
        self._whole = ""  # the reading's text; the label shows part of a number's when all does not fit
        self._first = 0  # the number's first character shown
        self.caption = _Caption()
        self.caption.setTextFormat(Qt.TextFormat.PlainText)  # it may quote a model's or a file's words
        self.caption.setObjectName("caption")
        self.caption.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.caption.setWordWrap(True)  # a long reason wraps instead of widening the window ...
        # ... or its column: the canvas beside it keeps its width as a number's line grows.
        self.caption.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.caption.setAccessibleName("Reading in words")
        self.caption.setAccessibleDescription("The reading, or why there is none, in a sentence")
        self.set_reading(None)

    def set_reading(self, reading: Reading | None, drawing: bool = False, inked: bool = False) -> None:
        """Show a reading (None: nothing drawn), as `reading_text` words it."""
        self._show(reading_text(reading, drawing, inked))

    def set_problem(self, reason: str) -> None:
        """Nothing can be read, and why (e.g. far too much ink)."""
        self._show(ReadingText("?", reason, reason, reason))  # the reason says "Cannot read this: ..."

    def set_number(self, number: NumberReading, selected: int, drawing: bool = False) -> None:
        """Show a reading of several characters, as `number_text` words it, with one selected."""
        self._show(number_text(number, drawing), number.characters)
        self.select(selected)

    def characters(self) -> tuple[Character, ...]:
        """The characters of the number shown; none while a single character (or nothing) is."""
        return self._characters

    def selected(self) -> int | None:
        """The selected character of the number shown, if one is."""
        return self._selected if self._characters else None

    def select(self, index: int) -> None:
        """Select a character of the number shown (kept within its characters)."""
        if not self._characters:
            return
        self._selected = min(max(index, 0), len(self._characters) - 1)
        self._show_part(QFontMetricsF(self.font()))
        character = self._characters[self._selected]
        self.setAccessibleDescription(
            f"Character {self._selected + 1} of {len(self._characters)} selected: {character_words(character)}. "
            "Left and Right select another; the bars show its probabilities."
        )
        self.update()

    def _show(self, shown: ReadingText, characters: tuple[Character, ...] = ()) -> None:
        if bool(characters) != bool(self._characters) or not self.accessibleDescription():  # a number, or no more
            if not characters and self.window().focusWidget() is self:  # also while the window is inactive
                self.focusNextChild()  # the bars: a label that takes no focus would keep it, showing none
            self.setFocusPolicy(Qt.FocusPolicy.StrongFocus if characters else Qt.FocusPolicy.NoFocus)
            self.setCursor(Qt.CursorShape.PointingHandCursor if characters else Qt.CursorShape.ArrowCursor)
            self.setAccessibleDescription(READING_DESCRIPTION)
        self._characters = characters
        self._points = WORD_POINTS if shown.is_word else DIGIT_POINTS
        if shown.big != self._whole:  # the same number shown again (another selection) keeps its part shown
            self._whole, self._first = shown.big, 0
        self._fit()
        self.setToolTip(shown.tip)
        self.setAccessibleName(shown.spoken)
        self.caption.setText(shown.caption)
        self.caption.setToolTip(shown.tip)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """The largest font, up to the text's own size, in which the text fits the label's width."""
        font = QFont(self.font())
        points = self._points
        font.setPointSize(points)
        while points > SMALLEST_POINTS and QFontMetricsF(font).horizontalAdvance(self._whole) > self.width():
            points -= 2
            font.setPointSize(points)
        if font.pointSize() != self.font().pointSize():
            self.setFont(font)
        self._show_part(QFontMetricsF(font))

    def _show_part(self, metrics: QFontMetricsF) -> None:
        """All of the text; or, for a number too long for the label even in the smallest font, the
        characters around the selected one that fit, an ellipsis where it is cut (the window moves only
        as far as the selection needs)."""
        text, first, end = self._whole, 0, len(self._whole)
        if self._characters and metrics.horizontalAdvance(text) > self.width():
            shown = 1
            while shown < len(text) and metrics.horizontalAdvance(ELLIPSIS * 2 + text[: shown + 1]) <= self.width():
                shown += 1
            first = min(max(self._first, self._selected - shown + 1), self._selected, len(text) - shown)
            end = first + shown
        self._first = first
        part = (ELLIPSIS if first else "") + text[first:end] + (ELLIPSIS if end < len(text) else "")
        if part != self.text():
            self.setText(part)

    # --- a number's characters: where they are, picking one --------------------------------------

    def _shown_characters(self) -> range:
        """The number's characters the label shows (all, unless it is too long for it)."""
        return range(self._first, self._first + len(self.text().strip(ELLIPSIS)))

    def _character_box(self, index: int) -> QRectF:
        """Where character `index` of the number is drawn, if shown (the text is centred, one glyph each)."""
        metrics = QFontMetricsF(self.font())
        text, area = self.text(), QRectF(self.contentsRect())
        at = index - self._first + (1 if self._first else 0)  # its place in the text shown
        left = area.center().x() - metrics.horizontalAdvance(text) / 2 + metrics.horizontalAdvance(text[:at])
        height = metrics.height()
        return QRectF(left, area.center().y() - height / 2, metrics.horizontalAdvance(text[at]), height)

    def _character_at(self, x: float) -> int:
        """The character drawn nearest to `x`: past an ellipsis, the next one hidden there."""
        shown = self._shown_characters()
        nearest = min(shown, key=lambda i: abs(self._character_box(i).center().x() - x))
        if nearest == shown[0] and shown[0] > 0 and x < self._character_box(nearest).left():
            return nearest - 1
        if nearest == shown[-1] and shown[-1] < len(self._characters) - 1 and x > self._character_box(nearest).right():
            return nearest + 1
        return nearest

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self._characters and event.button() == Qt.MouseButton.LeftButton:
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            self.select(self._character_at(event.position().x()))
            self.characterSelected.emit(self._selected)
        else:
            super().mousePressEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Left/Right (Home/End) select another character; other keys (digits, Enter) go on to the window."""
        key = event.key()
        if not self._characters or key not in self.MOVES:
            super().keyPressEvent(event)
            return
        last = len(self._characters) - 1
        moves = {Qt.Key.Key_Left: self._selected - 1, Qt.Key.Key_Right: self._selected + 1, Qt.Key.Key_Home: 0}
        self.select(moves.get(Qt.Key(key), last))
        self.characterSelected.emit(self._selected)

    def paintEvent(self, event: QPaintEvent) -> None:
        """A number's selected character stands on a tint of the palette's highlight, underlined with it
        (dotted round it while the label has the focus); the text is QLabel's own."""
        if self._characters:
            palette = self.palette()
            window, highlight = palette.color(QPalette.ColorRole.Window), palette.color(QPalette.ColorRole.Highlight)
            box = self._character_box(self._selected).adjusted(-2, 0, 2, 0)
            painter = QPainter(self)
            painter.fillRect(box, blend(window, highlight, 0.3))
            painter.fillRect(QRectF(box.left(), box.bottom() - 3, box.width(), 3), highlight)
            if self.hasFocus():
                painter.setPen(
                    QPen(readable(palette.color(QPalette.ColorRole.WindowText), window), 1, Qt.PenStyle.DotLine)
                )
                painter.drawRect(box.adjusted(0.5, 0.5, -0.5, -0.5))
            painter.end()
        super().paintEvent(event)


class _Caption(QLabel):
    """The reading in words: CAPTION_LINES lines high, whatever it says; a longer text shows its
    first lines, the last ending in "…" (`text()` is all of it; a screen reader hears the whole
    reading from the big label's accessible name). A
    word-wrapped QLabel's height follows its text (height-for-width), and Qt's box layouts then hold
    its column at that height even below the window's least size: at 200 % on a small screen the
    Teach button was laid over the bars."""

    def __init__(self) -> None:
        super().__init__()
        self._whole = ""

    def text(self) -> str:
        return self._whole

    def setText(self, text: str) -> None:
        self._whole = text
        self._fit()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """Show the lines of the text that fit, the last one cut with "…" where more follow."""
        width = max(self.contentsRect().width(), 1)
        layout = QTextLayout(self._whole, self.font())
        layout.setTextOption(QTextOption(Qt.AlignmentFlag.AlignHCenter))  # wraps at word boundaries
        starts = []
        layout.beginLayout()
        while (line := layout.createLine()).isValid():
            line.setLineWidth(width)
            starts.append(line.textStart())
        layout.endLayout()
        shown = self._whole
        if len(starts) > CAPTION_LINES:
            last = starts[CAPTION_LINES - 1]
            rest = self.fontMetrics().elidedText(self._whole[last:], Qt.TextElideMode.ElideRight, width)
            shown = self._whole[:last] + rest
        if shown != super().text():
            super().setText(shown)

    def hasHeightForWidth(self) -> bool:
        return False

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), CAPTION_LINES * self.fontMetrics().lineSpacing())

    def minimumSizeHint(self) -> QSize:
        return QSize(0, self.sizeHint().height())


class InputPreview(QWidget):
    """The 28x28 image the model sees, scaled up without smoothing, in a frame of the palette's colour:
    four screen pixels a pixel, fewer (whole ones) where the window has no room (at 200 % on a
    1366x768 screen, a fixed 112 px made the window taller than the screen)."""

    SIDE = 112

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("preview")
        self.setMinimumSize(self.SIDE // 2, self.SIDE // 2)
        self.setMaximumSize(self.SIDE, self.SIDE)
        self.setToolTip(
            "What the model sees: your drawing (in a number, the selected character) cropped, scaled to 28x28 and "
            "centred, as in MNIST"
        )
        self.setAccessibleName("Model input")
        self.setAccessibleDescription("The 28 by 28 pixel image the model reads, light ink on dark")
        self._image = np.zeros((28, 28), np.float32)
        self._qimage = gray_to_qimage(self._image, invert=False)

    def sizeHint(self) -> QSize:
        return QSize(self.SIDE, self.SIDE)

    def input(self) -> np.ndarray:
        return self._image.copy()

    def set_input(self, image: np.ndarray) -> None:
        """Show a 28x28 input, light ink on dark, as the model gets it."""
        self._image = np.asarray(image, np.float32)
        self._qimage = gray_to_qimage(self._image, invert=False)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        side = max(SIZE, min(self.width(), self.height()) // SIZE * SIZE)  # whole screen pixels a pixel: even rows
        square = QRect((self.width() - side) // 2, (self.height() - side) // 2, side, side)
        painter = QPainter(self)
        painter.drawImage(square, self._qimage)  # no smoothing: the model's pixels, as they are
        painter.setPen(self.palette().color(QPalette.ColorRole.Mid))
        painter.drawRect(square.adjusted(0, 0, -1, -1))
        painter.end()
