"""Reading a whole number ("2026", "3.14", "-42") from a drawing's strokes or from a picture.

The ink is grouped into characters by geometry (`core.segment`; a picture's marks come from
`core.components`), every candidate character is read by the digit model in one batch (a drawing's
also from its strokes, by the stroke model when the recognizer has one), and where
the grouping is ambiguous the grouping whose readings are most likely wins. '.' and '-' are told by
their shape and place, not by the model. The result says why it has no text: BLANK, UNSURE (a digit
the model is unsure of), NOT_A_DIGIT (one character that is not a digit, as for a single digit) or
NOT_A_NUMBER (a character that is not a digit, '.' or '-', or one in the wrong place: `problem_at`).

A drawing that holds one character is read exactly as a single digit always was: the whole
drawing's input, `Recognizer.read` (`NumberReading.single`); with stray taps beside it (far from
the line, not decimal points), the input of that character alone.

While a number is written it is read again on every stroke event; a `NumberReader` keeps the model
inputs and answers of recent candidate characters (keyed by their exact strokes), so only the
characters that changed are rendered and read again.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from handwriting_recognizer.core.components import ink_runs, picture_marks, region_ink
from handwriting_recognizer.core.contract import INPUT_SHAPE, LABELS
from handwriting_recognizer.core.preprocess import (
    InkBudgetError,
    ink_to_input,
    is_blank,
    strokes_to_input,
    to_ink,
)
from handwriting_recognizer.core.recognizer import BLANK, NOT_A_DIGIT, UNSURE, Reading, Recognizer, read
from handwriting_recognizer.core.segment import (
    MAX_MARKS,
    Box,
    Layout,
    Mark,
    Piece,
    best_runs,
    dots,
    layout,
    runs,
    union_box,
)

NOT_A_NUMBER = "not_a_number"  # a character that is not a digit, '.' or '-', or one out of place
POINT, MINUS = ".", "-"
SYMBOLS = {POINT: "a decimal point", MINUS: "a minus sign"}  # the characters told by shape, in words
MAX_CHARACTERS = 32  # budget: characters in a number (the issue asks for 12 at least)
MAX_PIECES = 2 * MAX_CHARACTERS  # budget: pieces of ink read (a digit drawn in parts is several)
CACHE_SIZE = 256  # candidate characters whose input and answer a NumberReader keeps
UNREADABLE = 1e-9  # the likelihood given to a candidate that cannot be a digit (a scribble over the ink budget)


class NumberBudgetError(InkBudgetError):
    """More strokes, marks or characters than a number may have: the message says how many."""


@dataclass(frozen=True)
class Character:
    """One character of a reading: a digit, '.', '-' or None (its `reading` says why: unsure, not a
    digit), its box in the drawing's (or picture's pixel) coordinates, the model's reading and input
    (None for '.' and '-', which are told by shape), and its marks: the indices of its strokes in a
    drawing (what teaching saves), the numbers of its pieces of ink in a picture."""

    char: str | None
    box: Box
    reading: Reading | None = None
    input: np.ndarray | None = field(default=None, repr=False, compare=False)
    marks: tuple[int, ...] = ()

    @property
    def confidence(self) -> float | None:
        """The read digit's probability (its best guess's when unsure); None for '.' and '-'."""
        return None if self.reading is None else self.reading.confidence

    @property
    def probabilities(self) -> np.ndarray | None:
        """The ten digits' probabilities; None for '.' and '-'."""
        return None if self.reading is None else self.reading.probabilities


@dataclass(frozen=True)
class NumberReading:
    """What a drawing or picture reads as: `text` ("2026", "3.14", "-42"; None when there is none,
    and then `reason` says why), its characters left to right, the reading of the whole ink when it
    is one character (or blank) as a single digit is read, and which character makes it not a number."""

    text: str | None
    reason: str | None
    characters: tuple[Character, ...] = ()
    single: Reading | None = None
    problem_at: int | None = None

    @property
    def confidence(self) -> float:
        """The probability that every digit is read right: the product of the digits' confidences
        (for a single character, its reading's confidence)."""
        if self.single is not None:
            return self.single.confidence
        return math.prod(c.confidence for c in self.characters if c.confidence is not None)


@dataclass(frozen=True)
class _Ink:
    """What a reading needs from the ink, whatever its kind: its marks, the model input of a set of
    them (None when over the ink budget), the key to remember an input by, the single reading, and
    a drawing's strokes of a set of marks (for the stroke model; a picture has none)."""

    marks: list[Mark]
    input_of: Callable[[tuple[int, ...]], np.ndarray | None]
    key_of: Callable[[tuple[int, ...]], object] | None
    whole: Callable[[], tuple[Reading, np.ndarray]]
    strokes_of: Callable[[tuple[int, ...]], list[np.ndarray]] | None = None


@dataclass(frozen=True)
class _Answer:
    """A candidate character's model input and the model's answer (both None when its ink is over
    the budget: a scribble), and whether the input is blank."""

    input: np.ndarray | None
    probabilities: np.ndarray | None
    blank: bool = False

    @property
    def log_likelihood(self) -> float:
        """How likely the candidate is one digit: its likeliest digit's probability, as a log."""
        best = UNREADABLE if self.probabilities is None else float(np.max(self.probabilities[: len(LABELS)]))
        return math.log(max(best, UNREADABLE))


class NumberReader:
    """Reads numbers with one recognizer (make a new reader for another model: it remembers answers)."""

    def __init__(self, recognizer: Recognizer) -> None:
        self.recognizer = recognizer
        self._cache: OrderedDict[object, _Answer] = OrderedDict()

    def read_strokes(self, strokes: Sequence[np.ndarray], pen_width: float | None = None) -> NumberReading:
        """The number written with these strokes (x, y points, y down) with a pen `pen_width` wide (None: not known).
        Characters' `marks` are indices into `strokes`. Raises InkBudgetError (NumberBudgetError
        too), ModelError and ValueError (a point that is not a finite number) as a single reading does."""
        arrays = [np.asarray(s, np.float64).reshape(-1, 2) for s in strokes]
        if len(arrays) > MAX_MARKS:
            raise NumberBudgetError(f"{len(arrays):,} strokes are more than a number may have (at most {MAX_MARKS:,})")
        if not all(np.isfinite(a).all() for a in arrays):
            raise ValueError("a stroke has a point that is not a finite number")
        kept = [i for i, a in enumerate(arrays) if len(a)]  # an empty stroke holds no ink
        strokes = [arrays[i] for i in kept]

        def strokes_of(marks: tuple[int, ...]) -> list[np.ndarray]:
            return [strokes[m] for m in marks]

        def input_of(marks: tuple[int, ...]) -> np.ndarray | None:
            try:
                return strokes_to_input(strokes_of(marks), pen_width)
            except InkBudgetError:
                return None

        def whole() -> tuple[Reading, np.ndarray]:
            x = strokes_to_input(strokes, pen_width)
            return self.recognizer.read(x, strokes), x

        def key_of(marks: tuple[int, ...]) -> object:
            return (pen_width, *(strokes[m].tobytes() for m in marks))

        marks = [stroke_mark(s) for s in strokes]
        return _renumbered(self._read(_Ink(marks, input_of, key_of, whole, strokes_of)), kept)

    def read_picture(self, pixels: np.ndarray) -> NumberReading:
        """The number in a picture (gray, RGB or RGBA; either polarity). Raises as `read_strokes`."""
        ink = to_ink(pixels)
        x = ink_to_input(ink)

        def whole() -> tuple[Reading, np.ndarray]:
            return self.recognizer.read(x), x

        if is_blank(x):
            return _single(_Ink([], lambda _: None, None, whole))
        found = ink_runs(ink)
        marks, regions = picture_marks(ink, found)

        def input_of(chosen: tuple[int, ...]) -> np.ndarray:
            return ink_to_input(region_ink(ink, found, [regions[m] for m in chosen]))

        return self._read(_Ink(marks, input_of, None, whole))

    def _read(self, ink: _Ink) -> NumberReading:
        lay = layout(ink.marks)
        if len(lay.pieces) + len(lay.dashes) > MAX_PIECES:
            raise NumberBudgetError(
                f"{len(lay.pieces) + len(lay.dashes)} separate pieces of ink are more than a number may have "
                f"(at most {MAX_PIECES}: {MAX_CHARACTERS} characters)"
            )
        if len(lay.pieces) + len(lay.dashes) <= 1 and not _points(lay, [p.box for p in lay.pieces]):
            return self._alone(ink, lay.pieces[0]) if lay.dots and lay.pieces else _single(ink)
        candidates = runs(lay)
        answers = dict(
            zip(candidates, self._answers(ink, [_marks(lay.pieces[i:j]) for i, j in candidates]), strict=True)
        )
        chosen = best_runs(lay, {run: answer.log_likelihood for run, answer in answers.items()})
        if len(chosen) == 1 and not lay.dashes and not _points(lay, [union_box(p.box for p in lay.pieces)]):
            return _single(ink)
        threshold = self.recognizer.unsure_below(drawn=ink.strokes_of is not None)
        return _assemble(lay, [self._character(lay.pieces[i:j], answers[(i, j)], threshold) for i, j in chosen])

    def _alone(self, ink: _Ink, piece: Piece) -> NumberReading:
        """One character with stray taps beside it (a click to focus, a pen's bounce): the
        character alone, read as a single digit is (with them, a "7" read "1 53 %")."""
        marks = _marks([piece])
        (answer,) = self._answers(ink, [marks])  # remembered while more is written beside the tap
        if answer.input is None or answer.probabilities is None:
            return _single(ink)  # over the ink budget: refused as the whole is
        threshold = self.recognizer.unsure_below(drawn=ink.strokes_of is not None)
        return _one(read(answer.probabilities, answer.blank, threshold), answer.input, piece.box, marks)

    def _answers(self, ink: _Ink, groups: list[tuple[int, ...]]) -> list[_Answer]:
        """The answer for each group of marks: remembered, or read (the new ones in one batch)."""
        keys = [ink.key_of(g) if ink.key_of else None for g in groups]
        known = {i: self._cache[k] for i, k in enumerate(keys) if k is not None and k in self._cache}
        inputs = {i: ink.input_of(g) for i, g in enumerate(groups) if i not in known}
        batch = {i: x for i, x in inputs.items() if x is not None}
        if batch:
            drawn = ink.strokes_of
            paths = None if drawn is None else self.recognizer.trajectories([drawn(groups[i]) for i in batch])
            probs = self.recognizer.predict_batch(np.stack(list(batch.values())).reshape(-1, *INPUT_SHAPE), paths)
            for (i, x), p in zip(batch.items(), probs, strict=True):
                known[i] = _Answer(x, p, is_blank(x))
        known.update({i: _Answer(None, None) for i in inputs if i not in batch})
        for i, key in enumerate(keys):
            if key is not None:
                self._remember(key, known[i])
        return [known[i] for i in range(len(groups))]

    def _remember(self, key: object, answer: _Answer) -> None:
        self._cache[key] = answer
        self._cache.move_to_end(key)
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)

    def _character(self, pieces: Sequence[Piece], answer: _Answer, threshold: float) -> Character:
        """The character some neighbouring pieces read as: a digit, or None with the reason (unsure
        below `threshold`)."""
        if answer.input is None or answer.probabilities is None:
            reading = Reading(None, 1.0, np.zeros(len(LABELS), np.float32), reason=NOT_A_DIGIT, not_a_digit=1.0)
        else:
            reading = read(answer.probabilities, answer.blank, threshold)
        char = None if reading.label is None else str(reading.label)
        return Character(char, union_box(p.box for p in pieces), reading, answer.input, _marks(pieces))


def read_number(recognizer: Recognizer, strokes: Sequence[np.ndarray], pen_width: float | None = None) -> NumberReading:
    """The number written with these strokes, read once (see `NumberReader.read_strokes`)."""
    return NumberReader(recognizer).read_strokes(strokes, pen_width)


def read_number_picture(recognizer: Recognizer, pixels: np.ndarray) -> NumberReading:
    """The number in a picture, read once (see `NumberReader.read_picture`)."""
    return NumberReader(recognizer).read_picture(pixels)


def stroke_mark(stroke: np.ndarray) -> Mark:
    """A stroke as segmentation sees it: its box and its points."""
    lo, hi = stroke.min(axis=0), stroke.max(axis=0)
    return Mark((float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1])), stroke)


def _renumbered(result: NumberReading, index: list[int]) -> NumberReading:
    """`result` with its characters' marks renumbered through `index` (the strokes it read among
    those it was given)."""
    if index == list(range(len(index))):
        return result
    characters = tuple(replace(c, marks=tuple(index[m] for m in c.marks)) for c in result.characters)
    return replace(result, characters=characters)


def _marks(pieces: Sequence[Piece]) -> tuple[int, ...]:
    return tuple(sorted(m for p in pieces for m in p.marks))


def _single(ink: _Ink) -> NumberReading:
    """The whole ink read as one character, exactly as a single digit is read."""
    reading, x = ink.whole()
    box = union_box(m.box for m in ink.marks) if ink.marks else (0.0, 0.0, 0.0, 0.0)
    return _one(reading, x, box, tuple(range(len(ink.marks))))


def _one(reading: Reading, x: np.ndarray, box: Box, marks: tuple[int, ...]) -> NumberReading:
    """A number of one character: these marks in this box, read so."""
    if reading.reason == BLANK:
        return NumberReading(None, BLANK, (), reading)
    char = None if reading.label is None else str(reading.label)
    return NumberReading(char, reading.reason, (Character(char, box, reading, x, marks),), reading)


def _points(lay: Layout, characters: Sequence[Box]) -> list[Piece]:
    """The dots that are decimal points beside these characters (boxes, left to right)."""
    return [dot for dot, is_point in dots(lay, characters) if is_point]


def _assemble(lay: Layout, digits: list[Character]) -> NumberReading:
    """The digits, dashes and decimal points, left to right, as a number (or why they are none)."""
    symbols = [Character(MINUS, d.box, marks=d.marks) for d in lay.dashes]
    points = [Character(POINT, d.box, marks=d.marks) for d in _points(lay, [c.box for c in digits])]
    characters = tuple(sorted(digits + symbols + points, key=lambda c: c.box[0] + c.box[2]))
    if len(characters) > MAX_CHARACTERS:
        raise NumberBudgetError(
            f"{len(characters)} characters are more than a number may have (at most {MAX_CHARACTERS})"
        )
    fault = _fault(characters)
    if fault is not None:
        return NumberReading(None, NOT_A_NUMBER, characters, problem_at=fault[0])
    if any(c.char is None for c in characters):
        return NumberReading(None, UNSURE, characters)
    return NumberReading("".join(c.char or "" for c in characters), None, characters)


def _is_digit_at(characters: Sequence[Character], i: int) -> bool:
    """Whether there is a digit (an unsure one too) at `i`."""
    return 0 <= i < len(characters) and characters[i].reading is not None


def _fault(characters: Sequence[Character]) -> tuple[int, str] | None:
    """The first character that makes these no number and why, in words: not a digit (an unsure
    digit is still one), a '-' after the start, a '.' that is not between two digits or follows
    another '.'; characters that hold no digit at all are said to be so."""
    found = next(((i, why) for i in range(len(characters)) if (why := _out_of_place(characters, i))), None)
    if all(c.char in SYMBOLS for c in characters):
        return (0 if found is None else found[0]), "it has no digit"
    return found


def _out_of_place(characters: Sequence[Character], i: int) -> str | None:
    """Why character `i` cannot be where it is in a number, if it cannot."""
    c, n = characters[i], i + 1
    if c.char == MINUS and i > 0:
        return f"character {n} is a minus sign, which only goes first"
    if c.char == POINT and any(o.char == POINT for o in characters[:i]):
        return f"character {n} is a second decimal point"
    if c.char == POINT and not _is_digit_at(characters, i - 1):
        return f"character {n} is a decimal point with no digit before it"
    if c.char == POINT and not _is_digit_at(characters, i + 1):
        return f"character {n} is a decimal point with no digit after it"
    if c.char is None and c.reading is not None and c.reading.reason == BLANK:  # a dot: a tap, or a wide pen's
        return f"character {n} is too small to read (write bigger, or with a thinner pen)"
    if c.char is None and c.reading is not None and c.reading.reason != UNSURE:
        return f"character {n} is not a digit"
    return None


def number_problem(number: NumberReading) -> str:
    """Why a reading that is not a number is none, naming the character at fault: "character 3 is
    not a digit" (the window and the CLI say the same)."""
    fault = _fault(number.characters)
    assert fault is not None, "a reading that is a number has no problem to tell"
    return fault[1]
