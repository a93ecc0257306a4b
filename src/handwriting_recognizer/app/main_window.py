"""The main window: lays out the widgets, builds the menus from one table of actions, and wires them
to the helpers that do the work.

Data flows one way: canvas strokes (or an opened picture) -> a `NumberReader` (one per model: it
groups the ink into characters and reads them, a single character exactly as a single digit) ->
the reading -> views. Predictions are coalesced: however many points arrive while one prediction
runs, the next one reads only the latest drawing. The big label shows the whole number; the bars,
the 28x28 preview and teaching are about its selected character (the last one written, until the
user selects another). The jobs live beside this module: `file_actions` (files, drops,
paste), `model_choice` (which model, remembered), `teaching` (own samples), `dialogs` (message
boxes), `actions` (the menu table and the shortcuts help).
"""

from __future__ import annotations

import functools
import sys
import time
from pathlib import Path
from typing import Any, cast

import numpy as np
from PySide6.QtCore import QSize, QStandardPaths, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from handwriting_recognizer.app import dialogs
from handwriting_recognizer.app import settings as keys
from handwriting_recognizer.app.actions import MenuEntry, build_menus, is_plain, label_key, redo_keys, separator
from handwriting_recognizer.app.actions import shortcut_rows as menu_shortcut_rows
from handwriting_recognizer.app.application import APPLICATION
from handwriting_recognizer.app.canvas import Canvas
from handwriting_recognizer.app.canvas_tools import PEN_LABEL, CanvasTools
from handwriting_recognizer.app.dialogs import SCREEN_SHARE, fitted_size
from handwriting_recognizer.app.elided_label import ElidedLabel
from handwriting_recognizer.app.file_actions import FileActions, busy
from handwriting_recognizer.app.history import HistoryEntry, ReadingHistory, Said
from handwriting_recognizer.app.imageio import qimage_to_array
from handwriting_recognizer.app.model_choice import ModelChoice, ModelStatus, recipe_width
from handwriting_recognizer.app.run_folders import RunFolder, left_behind
from handwriting_recognizer.app.teaching import Teacher
from handwriting_recognizer.app.views import InputPreview, PredictionLabel, ProbabilityBars
from handwriting_recognizer.core.contract import LABELS
from handwriting_recognizer.core.model_store import ModelStore
from handwriting_recognizer.core.numbers import SYMBOLS, NumberReader, NumberReading
from handwriting_recognizer.core.preprocess import InkBudgetError, empty_input, strokes_to_input
from handwriting_recognizer.core.recognizer import BLANK, ModelError, Reading, Recognizer, read
from handwriting_recognizer.core.samples import SampleStore

GESTURES = [  # what has no menu action; the keyboard shortcuts are read from the menus themselves
    ("Draw", "left mouse button, pen or finger on the canvas"),
    ("Pick the right label", "a digit key 0-9, or click its bar"),
    ("Forget the label picked", "Escape"),
    ("Select a character of a number", "click it in the reading, or Left/Right, Home/End"),
    ("Pick a label from the bars", "Tab to them, then Up/Down and Space or Enter"),
    ("Pen width", f"{QKeySequence.mnemonic(PEN_LABEL).toString(QKeySequence.SequenceFormat.NativeText)}, then Up/Down"),
]
MESSAGE_MARGIN = 40  # px a status message needs beyond its text: the bar's own margins and size grip
# A reading this slow, back to back with the next, holds back a mouse's next move (125 Hz): while a
# stroke is drawn, such readings pause for as long (the moves are merged otherwise). A digit reads in
# about 2 ms; a 10-character number's last character 4-11 ms, so only a slow day's pause.
SLOW_READING_MS = 8
LEFT_RUN_MS = 20_000  # how long the status bar names a finished run it cannot offer
MODEL_SWITCH_MS = 8000  # how long the status bar says a new model is now reading
PICTURE_READS = 8  # pictures whose reading is kept, for Undo and Redo between them (a 28x28 input a character)
DEFAULT_SIZE = (860, 560)  # the first start's window, when the screen has room for it, else SCREEN_SHARE of it
LATENCY_TIP = (
    "How long reading the drawing took, in milliseconds: finding its characters, preparing their 28x28 inputs "
    "and the network's time (characters read before are remembered), without drawing the views."
)
NO_PROBABILITIES = (
    "Character {n} is {symbol}: it is told by its shape and place, not by the model, so it has no digit "
    "probabilities. Select a digit (click it in the reading, or Left/Right) to see its probabilities."
)
CHARACTER_BARS_TIP = (
    "Probability of each digit for character {n} of the number. Click a digit, or use Up/Down and Space, "
    "to pick it as that character's right label."
)
FILE, EDIT, MODEL, HELP = "&File", "&Edit", "&Model", "&Help"


NO_READING = read(np.zeros(len(LABELS), np.float32), blank=True)  # what the views show for no ink


class MainWindow(QMainWindow):
    """Draw on the left; on the right, what the model reads. `model_path` None: last or bundled."""

    def __init__(self, model_path: str | Path | None = None):
        super().__init__()
        self.setWindowTitle(APPLICATION)
        self.setAcceptDrops(True)
        self.settings = keys.open_settings()
        self.reading: Reading | None = None  # what the bars show: the single digit's, or the selected character's
        self.number: NumberReading | None = None  # what the big label shows: the whole reading
        self._reader: NumberReader | None = None
        self._replaced: HistoryEntry | None = None  # the history's entry for what the canvas replaced last
        self._picture_reads: dict[int, NumberReading] = {}  # the last PICTURE_READS pictures read, by their key
        self._user_selection: tuple[int, ...] | None = None  # the marks of the character the user selected
        self.last_error: QMessageBox | None = None
        data = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation))
        self.samples = SampleStore(data / "samples")
        self.models = ModelStore(data / "models")
        self.runs_dir = data / "runs"
        self.canvas = Canvas()
        self.prediction = PredictionLabel()
        self.bars = ProbabilityBars()
        self.preview = InputPreview()
        self.files = FileActions(self, self.canvas, self.settings, self.shown_input, self.show_error, self.open_model)
        self.history = ReadingHistory(self, self.canvas, self.read_input)
        self.teacher = Teacher(
            self,
            self.canvas,
            self.bars,
            self.samples,
            self.history,
            self.read_character,
            lambda: self.number,
            self.prediction.selected,
            self.show_error,
        )
        self.teach_button = self.teacher.button
        self.model_choice = ModelChoice(self, self.settings, self.models, self.show_error)
        self._build_layout()
        self._build_status_bar()
        self.menu_actions = build_menus(self, self._action_table())
        self.revert_action = self.menu_actions["Revert to Previous Model"]
        self.reset_action = self.menu_actions["Reset to Bundled Model"]
        clear = self.menu_actions["Clear"]
        self.canvas_tools = CanvasTools(self, self.canvas, self.settings, clear, self.undo_action, self.redo_action)
        self.revert_action.setEnabled(self.model_choice.can_revert())
        self._set_tab_order()
        self._wire()
        self.model_choice.load_initial(model_path)  # a model that opens reads the canvas (_show_model)
        self._restore_geometry()
        if self.recognizer is None:
            self.predict_now()  # no model: the views still show the empty input

    # --- construction --------------------------------------------------------------------------

    def _action_table(self) -> list[MenuEntry]:
        """Every menu action, in menu order: the menus and the shortcuts help are built from this."""
        enter = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        return [
            MenuEntry(FILE, "&Open Image...", self.files.ask_open_image, QKeySequence.StandardKey.Open),
            MenuEntry(FILE, "Open &Drawing...", self.files.ask_open_drawing, "Ctrl+Shift+O"),
            MenuEntry(FILE, "&Save Drawing...", self.files.ask_save_drawing, QKeySequence.StandardKey.Save),
            MenuEntry(FILE, "&Export 28x28 PNG...", self.files.ask_export_input, "Ctrl+E"),
            separator(FILE),
            MenuEntry(FILE, "&Quit", self.close, QKeySequence.StandardKey.Quit),
            *self._undo_entries(),
            MenuEntry(EDIT, "Cl&ear", self.clear, (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)),
            MenuEntry(EDIT, "&Copy Reading", self.copy_reading, QKeySequence.StandardKey.Copy),
            MenuEntry(EDIT, "&Paste Image", self.paste, QKeySequence.StandardKey.Paste),
            MenuEntry(EDIT, action=self.history.toggleViewAction()),
            MenuEntry(MODEL, "&Open Model...", self.files.ask_open_model, "Ctrl+M"),
            MenuEntry(MODEL, "&Reset to Bundled Model", self.reset_model),
            MenuEntry(MODEL, "Model &Info", self.show_model_info),
            separator(MODEL),
            MenuEntry(MODEL, "&Teach This Drawing", self.teach, enter),
            MenuEntry(MODEL, "My &Samples...", self.show_samples),
            MenuEntry(MODEL, "Retr&ain...", self.show_retrain, "Ctrl+R"),
            MenuEntry(MODEL, "Revert to &Previous Model", self.revert_model),
            MenuEntry(HELP, "&Keyboard Shortcuts", self.show_shortcuts, QKeySequence.StandardKey.HelpContents),
            MenuEntry(HELP, "&About", self.show_about),
        ]

    def _undo_entries(self) -> list[MenuEntry]:
        """The canvas' undo and redo actions: they name the step they undo and disable themselves."""
        self.undo_action = self.canvas.step_action(self)
        self.undo_action.setShortcuts(QKeySequence.StandardKey.Undo)
        self.redo_action = self.canvas.step_action(self, redo=True)
        self.redo_action.setShortcuts(redo_keys())
        for action, name in ((self.undo_action, "Undo"), (self.redo_action, "Redo")):
            action.setIconText(name)  # the shortcuts help's name: the menu text names the step ("Undo Clear")
        return [MenuEntry(EDIT, action=self.undo_action), MenuEntry(EDIT, action=self.redo_action)]

    def _build_layout(self) -> None:
        """The canvas; beside it the reading and the model's input on top, the bars, the Teach button.
        Nothing tall is stacked: the window's minimum height stays small (at scale 2 on a small
        screen the status bar stays on it)."""
        reading = QVBoxLayout()
        reading.addWidget(self.prediction)
        reading.addWidget(self.prediction.caption)
        reading.addStretch(1)
        model_input = QVBoxLayout()
        model_input.addWidget(self.preview)
        model_input.addWidget(QLabel("Model input"), 0, Qt.AlignmentFlag.AlignHCenter)
        top = QHBoxLayout()
        top.addLayout(reading, 1)
        top.addLayout(model_input)
        side = QVBoxLayout()
        side.addLayout(top)
        side.addWidget(self.bars, 1)
        side.addWidget(self.teach_button)
        root = QHBoxLayout()
        root.addWidget(self.canvas, 3)
        root.addLayout(side, 2)
        central = QWidget()
        central.setLayout(root)
        self.setCentralWidget(central)

    def _set_tab_order(self) -> None:
        """Tab goes from the canvas to the reading while it shows a number (Left/Right), to the bars
        (Up/Down, Space) and on to Teach, then to the rest; set once every widget is in the window."""
        QWidget.setTabOrder(self.canvas, self.prediction)
        QWidget.setTabOrder(self.prediction, self.bars)
        QWidget.setTabOrder(self.bars, self.teach_button)

    def _build_status_bar(self) -> None:
        self.model_status = ElidedLabel()  # a long model name ends in "…" where the bar has no room
        self.provider_status = QLabel()
        self.latency_status = QLabel()
        self.latency_status.setToolTip(LATENCY_TIP)
        described = (
            (self.model_status, "Model", "The model that reads the drawings"),
            (self.provider_status, "Runs on", "Where the model runs (CPU or GPU) and in which precision"),
            (self.latency_status, "Reading time", LATENCY_TIP),
        )
        for label, name, description in described:
            label.setAccessibleName(name)
            label.setAccessibleDescription(description)
            self.statusBar().addPermanentWidget(label)
        self.statusBar().messageChanged.connect(self._make_room_for_message)

    def _make_room_for_message(self, message: str) -> None:
        """A message (how to teach, what was copied) too long for the room the model's labels leave
        hides them while it shows: cut, an instruction cannot be followed."""
        labels = (self.model_status, self.provider_status, self.latency_status)
        room = self.statusBar().width() - sum(label.sizeHint().width() for label in labels)
        fits = self.statusBar().fontMetrics().horizontalAdvance(message) <= room - MESSAGE_MARGIN
        for label in labels:
            label.setVisible(not message or fits)

    def _wire(self) -> None:
        """Drawing -> a coalesced prediction; bars, button and model switches -> their slots."""
        self._predict_timer = QTimer(self)
        self._predict_timer.setSingleShot(True)
        self._predict_timer.timeout.connect(self.predict_now)
        self._reading_ms = 0  # how long the last reading took
        self.canvas.changed.connect(self._schedule_reading)
        self.canvas.changed.connect(self.teacher.canvas_changed)
        self.canvas.changed.connect(self._forget_selection)
        # What an opened drawing or picture replaces goes to the history, as a cleared one does.
        self.canvas.replacing.connect(self._remember_replaced)
        self.canvas.kept.connect(lambda: self.history.forget(self._replaced))  # a dropped stroke replaced nothing
        self.canvas.penWidthChanged.connect(self._schedule_reading)  # ink smaller than the pen reads as a dot
        self.bars.digitClicked.connect(self.choose_label)
        self.prediction.characterSelected.connect(self.select_character)
        self.teach_button.clicked.connect(self.teach)
        self.model_choice.switched.connect(self._show_model)

    def _restore_geometry(self) -> None:
        """The remembered geometry, or DEFAULT_SIZE; either way within the screen the window opens on."""
        available = self.screen().availableGeometry().size()
        geometry = keys.read_bytes(self.settings, keys.GEOMETRY)
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(fitted_size(QSize(*DEFAULT_SIZE), available, SCREEN_SHARE))
        else:  # remembered on a larger screen, or at a smaller scale
            self.resize(fitted_size(self.size(), available, 1.0))

    # --- models --------------------------------------------------------------------------------

    @property
    def recognizer(self) -> Recognizer | None:
        """The active model (None only when no model could be opened at all)."""
        return self.model_choice.recognizer

    def _show_model(self, status: ModelStatus) -> None:
        self.model_status.setText(status.model)
        self.model_status.setToolTip(status.model_tip)
        self.provider_status.setText(status.provider)
        self.provider_status.setToolTip(status.provider_tip)
        self.reset_action.setEnabled(not self.model_choice.bundled)
        self.revert_action.setEnabled(self.model_choice.can_revert())
        self.predict_now()

    def open_model(self, path: str | Path) -> bool:
        """Switch to another model; on failure show why and keep the current one."""
        return self.model_choice.open(path)

    def reset_model(self) -> bool:
        """Back to the bundled model."""
        return self.model_choice.reset()

    def install_model(self, path: Path) -> bool:
        """Make a newly trained model the active one; the one it replaces becomes 'previous'. The
        status bar says so: the retrain dialog closes on Use New Model, and only the model's name
        changed in a corner of the window."""
        if not self.model_choice.install(path):
            return False
        self.statusBar().showMessage(
            f"Now reading with the new model ({self.model_choice.title}); Model > Revert to Previous Model goes back",
            MODEL_SWITCH_MS,
        )
        return True

    def revert_model(self) -> bool:
        """Back to the model used before (ModelChoice.revert)."""
        return self.model_choice.revert()

    # --- recognition ---------------------------------------------------------------------------

    def current_input(self) -> np.ndarray:
        """The model input for what the canvas shows now; InkBudgetError for far too much ink."""
        picture_input = self.canvas.picture_input()
        if picture_input is not None:
            return picture_input
        return strokes_to_input(self.canvas.strokes(), self.canvas.pen_width())

    def read_input(self) -> np.ndarray:
        """The model input that a reading of what the canvas shows now reads (`read_character`)."""
        return self.read_character()[0]

    def read_character(self) -> tuple[np.ndarray, tuple[int, ...] | None]:
        """The model input that a reading of what the canvas shows now reads: a single character's,
        without the stray taps the reading leaves out (Teach saved, and Export wrote, the whole
        canvas squeezed with the tap), else the whole canvas'; and the strokes it is read from
        when they are not all of them, else None. Read now, not taken from the last reading, which
        may be older than the canvas; InkBudgetError for far too much ink."""
        reader = self.number_reader()
        if reader is not None:
            try:
                number = self._read(reader)
            except ModelError:
                return self.current_input(), None
            character = number.characters[0] if number.single is not None and number.characters else None
            if character is not None and character.input is not None:
                drawn = self.canvas.picture() is None and len(character.marks) < len(self.canvas.strokes())
                return character.input, character.marks if drawn else None
        return self.current_input(), None

    def shown_input(self) -> np.ndarray:
        """The model input the preview shows: the selected character's in a number (an empty one for
        its '.' or '-'), else the one read (`read_input`); InkBudgetError for far too much ink."""
        selected = self.prediction.selected()
        if self.number is None or selected is None:
            return self.read_input()
        character = self.number.characters[selected]
        return empty_input() if character.input is None else character.input

    def number_reader(self) -> NumberReader | None:
        """The reader for the active model (a new one for a new model: it remembers its answers)."""
        recognizer = self.recognizer
        if recognizer is None:
            return None
        if self._reader is None or self._reader.recognizer is not recognizer:
            self._reader = NumberReader(recognizer)
            self._picture_reads.clear()  # read by the old model
        return self._reader

    def _schedule_reading(self) -> None:
        """Read the canvas once the event loop is free (one reading for many changes). While a
        stroke is drawn and readings are slow (SLOW_READING_MS), not before a pause as long as the
        last reading took: the moves are taken in between. A long stroke's readings took 30 ms
        each, back to back: its moves were merged while they waited, and the stroke was kept as a
        few straight chords (QA pass)."""
        if not self.canvas.stroke_in_progress():
            self._predict_timer.start(0)
        elif not self._predict_timer.isActive():
            self._predict_timer.start(self._reading_ms if self._reading_ms >= SLOW_READING_MS else 0)

    def predict_now(self) -> None:
        """Read the canvas and update every view."""
        reader = self.number_reader()
        if reader is None:  # no model: the views still show the input
            try:
                self.preview.set_input(self.current_input())
            except InkBudgetError as exc:
                self._show_unreadable(f"Cannot read this: {exc}. Undo or clear.")
            return
        start = time.perf_counter()
        try:
            self.number = self._read(reader)
        except InkBudgetError as exc:
            self._show_unreadable(f"Cannot read this: {exc}. Undo or clear.")
            return
        except ModelError as exc:
            self._show_unreadable(f"The model failed on this drawing: {exc}")
            return
        took = (time.perf_counter() - start) * 1000
        self._reading_ms = round(took)
        if self.number.reason == BLANK:
            self.latency_status.clear()  # an empty canvas is not read: no time to show
        else:
            self.latency_status.setText(f"{took:.2f} ms")
        self._show_number(self._default_selection(self.number))

    def _read(self, reader: NumberReader) -> NumberReading:
        """The number the canvas' strokes or picture hold (a picture is read once while it is shown)."""
        picture = self.canvas.picture()
        if picture is None:
            return reader.read_strokes(self.canvas.strokes(), self.canvas.pen_width())
        # Undo and Redo between two photos read each again, 0.5 s a time (QA pass): a few are kept.
        key = picture.cacheKey()
        number = self._picture_reads.pop(key, None)
        if number is None:
            with busy():  # a photo's ink and characters: about half a second
                number = reader.read_picture(qimage_to_array(picture))
        self._picture_reads[key] = number  # the newest last
        while len(self._picture_reads) > PICTURE_READS:
            del self._picture_reads[next(iter(self._picture_reads))]
        return number

    def _default_selection(self, number: NumberReading) -> int:
        """The character of a number to show in the bars: the one the user selected while the ink is
        unchanged, else the digit written last (the rightmost in a picture)."""
        characters = number.characters
        if number.single is not None:
            return 0
        for i, character in enumerate(characters):
            if character.marks == self._user_selection:
                return i
        digits = [i for i, c in enumerate(characters) if c.reading is not None] or list(range(len(characters)))
        if self.canvas.picture() is not None:
            return digits[-1]
        return max(digits, key=lambda i: max(characters[i].marks, default=-1))

    def _show_number(self, selected: int) -> None:
        """Show `self.number`: a single character as a single digit always was, else the whole number
        with the `selected` character in the bars and the preview."""
        number = self.number
        if number is None:
            return
        drawing = self.canvas.stroke_in_progress()  # a half-drawn digit: no verdict until the pen lifts
        if number.single is not None:
            self.reading = number.single
            self.prediction.set_reading(self.reading, drawing, inked=bool(self.canvas.strokes()))
            self.bars.set_reading(self.reading)
            whole = number.characters[0].input if number.characters else None
            self.preview.set_input(self.current_input() if whole is None else whole)
        else:
            character = number.characters[selected]
            self.prediction.set_number(number, selected, drawing)
            symbol = SYMBOLS.get(character.char or "")
            if character.reading is None:
                self.reading = NO_READING
                tip = NO_PROBABILITIES.format(n=selected + 1, symbol=symbol)
            else:
                self.reading = character.reading
                tip = CHARACTER_BARS_TIP.format(n=selected + 1)
            self.bars.set_reading(self.reading, tip)
            self.preview.set_input(empty_input() if character.input is None else character.input)
        self.teacher.refresh()

    def select_character(self, index: int) -> None:
        """Show character `index` of the number read in the bars and the preview (a click on it in
        the reading, or Left/Right); teaching is then about it."""
        if self.number is None or self.number.single is not None:
            return
        index = min(max(index, 0), len(self.number.characters) - 1)
        self._user_selection = self.number.characters[index].marks
        self._show_number(index)

    def _forget_selection(self) -> None:
        """The ink changed: the bars follow the writing again."""
        self._user_selection = None

    def _remember_replaced(self) -> None:
        """What an opened drawing or picture, or a stroke over a picture, replaces goes to the history."""
        self._replaced = self.history.remember(self.said())

    def said(self) -> Said | None:
        """What the big label says, to copy and to keep in the history: a single character's reading
        (as a single digit's), or the whole number's."""
        if self.number is None:
            return None
        return self.number.single if self.number.single is not None else self.number

    def _show_unreadable(self, reason: str) -> None:
        self.reading = None
        self.number = None
        self.latency_status.clear()  # no reading: the last one's time would pass for this one's
        self.preview.set_input(empty_input())
        self.prediction.set_problem(reason)
        self.bars.set_reading(NO_READING)
        self.teacher.refresh()

    # --- teaching and retraining ---------------------------------------------------------------

    def choose_label(self, digit: int | None) -> None:
        """The user says which digit this is (a digit key or a click on its bar)."""
        self.teacher.choose(digit)

    def label_to_teach(self) -> int | None:
        """The label the user chose; None until they do (the model's guess is never taught)."""
        return self.teacher.label()

    def teach(self) -> bool:
        """Save the current drawing (or picture) with the chosen label as one of the user's samples;
        without one, say how to teach."""
        return self.teacher.teach()

    def clear(self) -> None:
        """Edit > Clear: the reading goes to the history, then the canvas is cleared (undoably)."""
        self.history.remember(self.said())
        self.canvas.clear()

    def copy_reading(self) -> bool:
        """Edit > Copy Reading: the digit or number read, as text ("7", "3.14"; a past one while the
        history has the focus)."""
        return self.history.copy(self.said())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """A digit key (main keyboard or keypad) picks that label, Escape forgets it; Left/Right,
        Home/End, which no widget took (the canvas, the bars), select another character of a number,
        as they do in the reading."""
        plain = is_plain(event)
        selected = self.prediction.selected()
        if (digit := label_key(event)) is not None:
            self.choose_label(digit)
        elif event.key() == Qt.Key.Key_Escape and plain and self.label_to_teach() is not None:
            self.choose_label(None)
        elif selected is not None and plain and event.key() in PredictionLabel.MOVES:
            self.prediction.keyPressEvent(event)
        else:
            super().keyPressEvent(event)

    def show_samples(self) -> None:
        """Model > My Samples: browse, delete, export and import the user's samples."""
        from handwriting_recognizer.app.samples_view import SamplesDialog

        dialog = SamplesDialog(self, self.samples, self.settings)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def offer_left_run(self) -> None:
        """At start: a finished run that a closed app (a crash, a power cut) left neither kept nor
        discarded opens in the retrain dialog, to keep or discard; unfinished ones are removed. A
        finished run that cannot be offered (its summary damaged) is named in the status bar: its
        model is there, for Model > Open Model (it was kept with no word but a log line)."""
        from handwriting_recognizer.core.worker import training_available

        unreadable: list[tuple[Path, str]] = []
        left = left_behind(self.runs_dir, unreadable)
        if unreadable:
            folder, why = unreadable[0]
            more = f" (and {len(unreadable) - 1} more)" if len(unreadable) > 1 else ""
            self.statusBar().showMessage(
                f"A finished training run cannot be offered ({why}); its model is in {folder}{more}", LEFT_RUN_MS
            )
        if left is None:
            return
        if training_available() and self.recognizer is not None:
            self.show_retrain(left_run=left)
        else:
            left[0].release()  # offered where it can be

    def show_retrain(self, *, left_run: tuple[RunFolder, dict[str, Any]] | None = None) -> QDialog | None:
        """Open the retrain dialog (non-blocking) and return it; None when it cannot run here. It shows
        `left_run`, else a finished run a closed app left (`run_folders.left_behind`), if any."""
        from handwriting_recognizer.app.retrain import RetrainDialog
        from handwriting_recognizer.core.worker import TRAINING_EXTRA_HINT, training_available

        if not training_available():
            dialogs.info_box(self, "retrain-unavailable", "Retrain", TRAINING_EXTRA_HINT)
            return None
        if self.recognizer is None:
            self.show_error("No model", "Open a model first.")
            return None
        info = self.recognizer.info
        dialog = RetrainDialog(
            self,
            info.path,
            self.samples.root,
            self.runs_dir,
            sum(self.samples.counts()),
            self.settings,
            self.install_model,
            recipe_width(info),
            reads_strokes=info.fusion is not None,
            left_run=left_run or left_behind(self.runs_dir),
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    # --- files, drops and paste (file_actions does the work) -----------------------------------

    def open_file(self, path: str | Path) -> bool:
        """Open a drawing (.json) or a picture, by its suffix."""
        return self.files.open_file(path)

    def open_image(self, path: str | Path) -> bool:
        """Show a picture file on the canvas and read it."""
        return self.files.open_image(path)

    def show_picture(self, pixels: np.ndarray) -> bool:
        """Recognize an RGBA picture and show it on the canvas."""
        return self.files.show_picture(pixels)

    def open_drawing(self, path: str | Path) -> bool:
        """Replace the canvas with a drawing file (undoable)."""
        return self.files.open_drawing(path)

    def save_drawing(self, path: str | Path) -> bool:
        """Write the canvas' strokes as a drawing file."""
        return self.files.save_drawing(path)

    def export_input(self, path: str | Path) -> bool:
        """Write the 28x28 model input as a PNG."""
        return self.files.export_input(path)

    def paste(self) -> bool:
        """Open the file the clipboard holds, else show its image (`FileActions.paste`)."""
        return self.files.paste()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Accept what can be opened (a local file, image data) and web links, to say why they cannot."""
        if self.files.accepts(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        """Open a dropped file, or show dropped image data."""
        self.files.drop(event.mimeData())
        event.acceptProposedAction()

    # --- dialogs -------------------------------------------------------------------------------

    def show_error(self, title: str, text: str) -> None:
        """A non-blocking warning: the app keeps working behind it. The latest is `last_error`."""
        self.last_error = dialogs.error_box(self, title, text)

    def show_model_info(self) -> None:
        """Model > Info: what the active model's file says about it."""
        if self.recognizer is not None:
            dialogs.model_info_box(self, self.recognizer.info, self.model_choice.title)

    def shortcut_rows(self) -> list[tuple[str, str]]:
        """The gestures, then every menu shortcut as the menus name it: the help cannot drift from them."""
        return menu_shortcut_rows(self.menuBar(), GESTURES)

    def show_shortcuts(self) -> None:
        """Help > Keyboard Shortcuts."""
        dialogs.shortcuts_box(self, self.shortcut_rows())

    def show_about(self) -> None:
        """Help > About: the version, the libraries and the log file, for a bug report."""
        dialogs.about_box(self)

    def _close_once_answered(self, dialog: QDialog) -> None:
        """Close the window once the question about `dialog`'s unused model is answered with Use or
        Discard and the dialog has closed (the window stayed open, to be closed again); Cancel, or a
        model that could not be installed, keeps both open."""
        from handwriting_recognizer.app.retrain import UNUSED_MODEL_BOX

        def answered(box: QMessageBox, button: QAbstractButton) -> None:
            if box.buttonRole(button) == QMessageBox.ButtonRole.RejectRole:
                return
            if dialog.isVisible():  # still open (the model could not be installed): when it closes
                dialog.finished.connect(self.close, Qt.ConnectionType.SingleShotConnection)
            else:  # the answer closed it already
                QTimer.singleShot(0, self, self.close)

        for box in cast(list[QMessageBox], list(dialog.findChildren(QMessageBox, UNUSED_MODEL_BOX))):
            if box.isVisible():
                box.buttonClicked.connect(functools.partial(answered, box), Qt.ConnectionType.SingleShotConnection)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Stop a running training cleanly before closing; remember the window's geometry."""
        retrain = sys.modules.get("handwriting_recognizer.app.retrain")
        dialogs: list[Any] = list(self.findChildren(retrain.RetrainDialog)) if retrain is not None else []
        for dialog in dialogs:
            running = dialog.process is not None
            dialog.reject()  # cancels a running training; that dialog closes once the worker has stopped
            if running:  # and the window then: the worker stops cleanly while the window stays live
                dialog.finished.connect(self.close, Qt.ConnectionType.SingleShotConnection)
                event.ignore()
                return
            if dialog.isVisible():  # it asks whether to keep its new model: the answer comes first
                self._close_once_answered(dialog)
                event.ignore()
                return
        self.settings.setValue(keys.GEOMETRY, self.saveGeometry())
        super().closeEvent(event)
