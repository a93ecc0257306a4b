"""The main window: wires the canvas, the recognizer and the views, and owns menus and settings.

Data flows one way: canvas strokes (or an opened picture) -> 28x28 input -> recognizer ->
probabilities -> views. Predictions are coalesced: however many points arrive while one prediction
runs, the next one reads only the latest drawing.
"""
from __future__ import annotations

import html
import sys
from pathlib import Path

import numpy as np
from PySide6.QtCore import QStandardPaths, Qt, QTimer, QUrl
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QGuiApplication, QImage, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QPushButton,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from handwriting_recognizer.app import settings as keys
from handwriting_recognizer.app.application import APPLICATION, about_text, log_file_path
from handwriting_recognizer.app.canvas import Canvas
from handwriting_recognizer.core.drawing import DrawingError, load_drawing, save_drawing
from handwriting_recognizer.core.recognizer import ModelError, Reading, Recognizer, read
from handwriting_recognizer.app.imageio import (
    IMAGE_SUFFIXES,
    ImageError,
    gray_to_qimage,
    qimage_to_array,
    read_image,
    save_png,
    within_pixel_budget,
)
from handwriting_recognizer.core.model_store import ModelStore
from handwriting_recognizer.core.paths import bundled_model_path
from handwriting_recognizer.core.preprocess import InkBudgetError, empty_input, image_to_input, is_blank, strokes_to_input
from handwriting_recognizer.core.samples import SampleStore
from handwriting_recognizer.app.views import InputPreview, PredictionLabel, ProbabilityBars

IMAGE_FILTER = "Images (" + " ".join(f"*.{s}" for s in sorted(IMAGE_SUFFIXES)) + ")"
DRAWING_FILTER = "Drawings (*.json)"
GESTURES = [  # what has no menu action; the keyboard shortcuts are read from the menus themselves
    ("Draw", "left mouse button, pen or finger on the canvas"),
    ("Pick the right label", "a digit key 0-9, or click its bar"),
]


class MainWindow(QMainWindow):
    """Draw on the left; on the right, what the model reads. `model_path` None: last or bundled."""

    def __init__(self, model_path: str | Path | None = None):
        super().__init__()
        self.setWindowTitle(APPLICATION)
        self.setAcceptDrops(True)
        self.settings = keys.open_settings()
        self.recognizer: Recognizer | None = None
        self.reading: Reading | None = None
        self.last_error: QMessageBox | None = None
        self._picture_input = empty_input()
        self.chosen_label: int | None = None
        data = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation))
        self.samples = SampleStore(data / "samples")
        self.models = ModelStore(data / "models")
        self.runs_dir = data / "runs"

        self.canvas = Canvas()
        self.prediction = PredictionLabel()
        self.bars = ProbabilityBars()
        self.preview = InputPreview()
        self._build_layout()
        self._build_status_bar()
        self._build_menus()

        self._predict_timer = QTimer(self)
        self._predict_timer.setSingleShot(True)
        self._predict_timer.setInterval(0)
        self._predict_timer.timeout.connect(self.predict_now)
        self.canvas.changed.connect(self._predict_timer.start)
        self.canvas.changed.connect(self._forget_chosen_label)
        self.bars.digitClicked.connect(self.choose_label)

        self._load_initial_model(model_path)
        geometry = keys.read_bytes(self.settings, keys.GEOMETRY)
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(860, 560)
        self.predict_now()

    # --- construction --------------------------------------------------------------------------

    def _build_layout(self) -> None:
        side = QVBoxLayout()
        side.addWidget(self.prediction)
        side.addWidget(self.prediction.caption)
        side.addWidget(self.bars, 1)
        self.teach_button = QPushButton()
        self.teach_button.setObjectName("teach")
        self.teach_button.setToolTip("Save this drawing with its label as one of your samples, for retraining.\n"
                                     "Press a digit key or click a bar first to correct the label.")
        self.teach_button.clicked.connect(self.teach)
        side.addWidget(self.teach_button)
        preview_row = QHBoxLayout()
        preview_row.addWidget(QLabel("Model input:"))
        preview_row.addWidget(self.preview)
        side.addLayout(preview_row)
        root = QHBoxLayout()
        root.addWidget(self.canvas, 3)
        root.addLayout(side, 2)
        central = QWidget()
        central.setLayout(root)
        self.setCentralWidget(central)

    def _build_status_bar(self) -> None:
        self.model_status = QLabel()
        self.provider_status = QLabel()
        self.latency_status = QLabel()
        for label in (self.model_status, self.provider_status, self.latency_status):
            self.statusBar().addPermanentWidget(label)

    def _action(self, menu, text: str, slot, shortcut=None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcuts(shortcut if isinstance(shortcut, list) else [QKeySequence(shortcut)])
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        self._action(file, "&Open Image...", self._ask_open_image, QKeySequence.StandardKey.Open)
        self._action(file, "Open &Drawing...", self._ask_open_drawing, "Ctrl+Shift+O")
        self._action(file, "&Save Drawing...", self._ask_save_drawing, QKeySequence.StandardKey.Save)
        self._action(file, "&Export 28x28 PNG...", self._ask_export_input, "Ctrl+E")
        file.addSeparator()
        self._action(file, "&Quit", self.close, QKeySequence.StandardKey.Quit)

        edit = bar.addMenu("&Edit")
        undo = self.canvas.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcuts(QKeySequence.StandardKey.Undo)
        redo = self.canvas.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcuts(QKeySequence.StandardKey.Redo)
        edit.addActions([undo, redo])
        self._action(edit, "&Clear", self.canvas.clear, [QKeySequence(Qt.Key.Key_Delete), QKeySequence(Qt.Key.Key_Backspace)])
        self._action(edit, "&Paste Image", self.paste, QKeySequence.StandardKey.Paste)

        self.model_menu = bar.addMenu("&Model")
        self._action(self.model_menu, "&Open Model...", self._ask_open_model, "Ctrl+M")
        self._action(self.model_menu, "&Reset to Bundled Model", self.reset_model)
        self._action(self.model_menu, "Model &Info", self.show_model_info)
        self.model_menu.addSeparator()
        self._action(self.model_menu, "&Teach This Drawing", self.teach, [QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)])
        self._action(self.model_menu, "My &Samples...", self.show_samples)
        self._action(self.model_menu, "Re&train...", self.show_retrain, "Ctrl+R")
        self.revert_action = self._action(self.model_menu, "Revert to &Previous Model", self.revert_model)
        self.revert_action.setEnabled(self.models.has_previous())

        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&Keyboard Shortcuts", self.show_shortcuts, QKeySequence.StandardKey.HelpContents)
        self._action(help_menu, "&About", self.show_about)

    # --- models --------------------------------------------------------------------------------

    def _load_initial_model(self, model_path: str | Path | None) -> None:
        remembered = keys.read_text(self.settings, keys.MODEL_PATH)
        candidates = [Path(model_path)] if model_path else []
        if not model_path and remembered and Path(remembered).exists():
            candidates.append(Path(remembered))
        candidates.append(bundled_model_path())
        problems = []
        for path in candidates:
            try:
                self._use(Recognizer(path))
                break
            except ModelError as exc:
                problems.append(str(exc))
        if problems:
            QTimer.singleShot(0, self, lambda: self.show_error("Model problem", "\n".join(problems)))

    def _use(self, recognizer: Recognizer) -> None:
        """Make `recognizer` the active one and say so in the status bar (texts first: a switch
        happens whole or not at all)."""
        info = recognizer.info
        accuracy = f", MNIST test {info.test_accuracy:.2%}" if info.test_accuracy is not None else ""
        texts = (f"Model: {info.name}{accuracy}", f"{info.provider.replace('ExecutionProvider', '')} {info.precision}",
                 f"onnxruntime execution provider: {info.provider}, {info.precision} model")
        self.recognizer = recognizer
        self.model_status.setText(texts[0])
        self.model_status.setToolTip(str(info.path))
        self.provider_status.setText(texts[1])
        self.provider_status.setToolTip(texts[2])

    def open_model(self, path: str | Path) -> bool:
        """Switch to another model; on failure show why and keep the current one."""
        try:
            recognizer = Recognizer(path)
        except ModelError as exc:
            self.show_error("Cannot open model", f"{exc}\n\nThe current model stays active.")
            return False
        self._use(recognizer)
        self.settings.setValue(keys.MODEL_PATH, str(Path(path).resolve()))
        self.predict_now()
        return True

    def reset_model(self) -> None:
        if self.open_model(bundled_model_path()):
            self.settings.remove(keys.MODEL_PATH)

    # --- recognition ---------------------------------------------------------------------------

    def current_input(self) -> np.ndarray:
        """The model input for what the canvas shows now."""
        if self.canvas.picture() is not None:
            return self._picture_input
        return strokes_to_input(self.canvas.strokes(), self.canvas.pen_width())

    def predict_now(self) -> None:
        """Read the canvas and update every view."""
        try:
            x = self.current_input()
        except InkBudgetError as exc:
            self._show_unreadable(f"Cannot read this: {exc}. Undo or clear.")
            return
        self.preview.set_input(x)
        if self.recognizer is None:
            return
        try:
            self.reading = read(self.recognizer.predict(x), blank=is_blank(x))
        except ModelError as exc:
            self._show_unreadable(f"The model failed on this drawing: {exc}")
            return
        self.prediction.set_reading(self.reading)
        self.bars.set_reading(self.reading)
        self.latency_status.setText(f"{self.recognizer.last_ms:.2f} ms")
        self._update_teach_button()

    def _show_unreadable(self, reason: str) -> None:
        self.reading = None
        self.preview.set_input(empty_input())
        self.prediction.set_problem(reason)
        self.bars.set_reading(read(np.zeros(10, np.float32), blank=True))
        self._update_teach_button()

    # --- teaching and retraining ---------------------------------------------------------------

    def choose_label(self, digit: int | None) -> None:
        """The user says which digit this is (a digit key or a click on its bar)."""
        self.chosen_label = digit
        self.bars.set_chosen(digit)
        self._update_teach_button()

    def _forget_chosen_label(self) -> None:
        if self.chosen_label is not None:
            self.choose_label(None)

    def label_to_teach(self) -> int | None:
        """The chosen label, else the model's confident reading."""
        if self.chosen_label is not None:
            return self.chosen_label
        return None if self.reading is None else self.reading.label

    def _update_teach_button(self) -> None:
        label = self.label_to_teach()
        blank = self.reading is None or self.reading.blank
        self.teach_button.setEnabled(label is not None and not blank)
        self.teach_button.setText("Teach (pick a digit first)" if label is None or blank else f"Teach as {label}  ⏎")

    def keyPressEvent(self, event) -> None:
        text = event.text()
        if len(text) == 1 and text.isdigit() and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            self.choose_label(int(text))
        else:
            super().keyPressEvent(event)

    def teach(self) -> bool:
        """Save the current drawing (or picture) with its label as one of the user's samples."""
        label = self.label_to_teach()
        try:
            x = self.current_input()
        except InkBudgetError as exc:
            self.statusBar().showMessage(f"Nothing to teach: {exc}", 5000)
            return False
        if label is None or is_blank(x):
            self.statusBar().showMessage("Draw a digit and pick its label (a digit key or a click on its bar) first", 5000)
            return False
        drawing = None if self.canvas.picture() is not None else self.canvas.drawing()
        try:
            self.samples.add(label, x, drawing)
        except OSError as exc:
            self.show_error("Cannot save the sample", f"{exc.strerror or exc}. Your earlier samples are untouched.")
            return False
        count = self.samples.counts()[label]
        self.canvas.clear()
        self.choose_label(None)
        self.statusBar().showMessage(f"Saved as {label} — you have {count} sample{'s' if count != 1 else ''} of {label}", 5000)
        return True

    def show_samples(self) -> None:
        from handwriting_recognizer.app.samples_view import SamplesDialog

        dialog = SamplesDialog(self, self.samples)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def show_retrain(self):
        """Open the retrain dialog (non-blocking) and return it."""
        from handwriting_recognizer.app.retrain import RetrainDialog
        from handwriting_recognizer.core.worker import TRAINING_EXTRA_HINT, training_available

        if not training_available():
            box = QMessageBox(QMessageBox.Icon.Information, "Retrain", TRAINING_EXTRA_HINT, QMessageBox.StandardButton.Ok, self)
            box.setObjectName("retrain-unavailable")
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()
            return None
        if self.recognizer is None:
            self.show_error("No model", "Open a model first.")
            return None
        recipe = self.recognizer.info.metadata.get("recipe")
        width = recipe.get("width") if isinstance(recipe, dict) else None
        dialog = RetrainDialog(self, self.recognizer.info.path, self.samples.root, self.runs_dir,
                               sum(self.samples.counts()), self.settings, self.install_model, width)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def install_model(self, path: Path) -> bool:
        """Make a newly trained model the active one; the one it replaces becomes 'previous'."""
        try:
            Recognizer(path)  # check it before anything is replaced
            current = self.models.install(path, self.recognizer.info.path)
        except (ModelError, OSError) as exc:
            self.show_error("Cannot use the new model", f"{exc}\n\nThe current model stays active.")
            return False
        self.revert_action.setEnabled(True)
        return self.open_model(current)

    def revert_model(self) -> bool:
        try:
            current = self.models.revert()
        except OSError as exc:
            self.show_error("Cannot revert", str(exc))
            return False
        return self.open_model(current)

    # --- files ---------------------------------------------------------------------------------

    def open_file(self, path: str | Path) -> bool:
        """Open a drawing (.json) or a picture, by its suffix."""
        path = Path(path)
        return self.open_drawing(path) if path.suffix.lower() == ".json" else self.open_image(path)

    def open_image(self, path: str | Path) -> bool:
        try:
            pixels = read_image(path)
        except ImageError as exc:
            self.show_error("Cannot open image", str(exc))
            return False
        return self.show_picture(pixels)

    def show_picture(self, pixels: np.ndarray) -> bool:
        """Recognize an RGBA picture and show it on the canvas."""
        try:
            self._picture_input = image_to_input(pixels)
        except ValueError as exc:
            self.show_error("Cannot use image", str(exc))
            return False
        h, w = pixels.shape[:2]
        picture = QImage(np.ascontiguousarray(pixels).data, w, h, 4 * w, QImage.Format.Format_RGBA8888).copy()
        self.canvas.set_picture(picture)
        return True

    def paste(self) -> None:
        image = QGuiApplication.clipboard().image()
        if image.isNull():
            self.statusBar().showMessage("The clipboard holds no image", 4000)
            return
        self.show_picture(qimage_to_array(within_pixel_budget(image)))

    def open_drawing(self, path: str | Path) -> bool:
        try:
            drawing = load_drawing(path)
        except DrawingError as exc:
            self.show_error("Cannot open drawing", str(exc))
            return False
        self.canvas.set_picture(None)
        self.canvas.set_drawing(drawing)
        return True

    def save_drawing(self, path: str | Path) -> bool:
        try:
            save_drawing(self.canvas.drawing(), path)
        except OSError as exc:
            self.show_error("Cannot save drawing", f"{Path(path).name}: {exc.strerror}")
            return False
        self.statusBar().showMessage(f"Saved {Path(path).name}", 4000)
        return True

    def export_input(self, path: str | Path) -> bool:
        try:
            save_png(gray_to_qimage(self.current_input(), invert=False), path)
        except (OSError, ImageError, InkBudgetError) as exc:
            self.show_error("Cannot export", f"{Path(path).name}: {exc}")
            return False
        self.statusBar().showMessage(f"Exported {Path(path).name}", 4000)
        return True

    def _ask(self, title: str, filter_: str, save: bool = False) -> str:
        folder = keys.read_text(self.settings, keys.FILES_FOLDER)
        ask = QFileDialog.getSaveFileName if save else QFileDialog.getOpenFileName
        path, _ = ask(self, title, folder, filter_)
        if path:
            self.settings.setValue(keys.FILES_FOLDER, str(Path(path).parent))
        return path

    def _ask_open_image(self) -> None:
        if path := self._ask("Open Image", IMAGE_FILTER + ";;All files (*)"):
            self.open_image(path)

    def _ask_open_drawing(self) -> None:
        if path := self._ask("Open Drawing", DRAWING_FILTER):
            self.open_drawing(path)

    def _ask_save_drawing(self) -> None:
        if path := self._ask("Save Drawing", DRAWING_FILTER, save=True):
            self.save_drawing(path if path.lower().endswith(".json") else path + ".json")

    def _ask_export_input(self) -> None:
        if path := self._ask("Export 28x28 PNG", "PNG (*.png)", save=True):
            self.export_input(path if path.lower().endswith(".png") else path + ".png")

    def _ask_open_model(self) -> None:
        if path := self._ask("Open Model", "ONNX models (*.onnx);;All files (*)"):
            self.open_model(path)

    # --- drag and drop -------------------------------------------------------------------------

    @staticmethod
    def _dropped_file(event) -> Path | None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        local = [Path(u.toLocalFile()) for u in urls if isinstance(u, QUrl) and u.isLocalFile()]
        return local[0] if local else None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped_file(event) is not None or event.mimeData().hasImage():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = self._dropped_file(event)
        if path is not None:
            self.open_file(path)
        elif event.mimeData().hasImage():
            image = QImage(event.mimeData().imageData())
            if image.isNull():
                self.statusBar().showMessage("The dropped data is not a readable image", 4000)
            else:
                self.show_picture(qimage_to_array(within_pixel_budget(image)))
        event.acceptProposedAction()

    # --- dialogs -------------------------------------------------------------------------------

    def show_error(self, title: str, text: str) -> None:
        """A non-blocking warning: the app keeps working behind it."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self)
        box.setTextFormat(Qt.TextFormat.PlainText)  # messages quote file names and file contents
        box.setObjectName("error")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.last_error = box
        box.open()

    def show_model_info(self) -> None:
        if self.recognizer is None:
            return
        info = self.recognizer.info
        rows = [("File", str(info.path)), ("Execution provider", info.provider), ("Precision", info.precision)]
        for label, fraction in (("MNIST test accuracy", info.test_accuracy), ("Validation accuracy", info.val_accuracy)):
            if fraction is not None:
                rows.append((label, f"{fraction:.2%}"))
        for label, value in (("Parameters", info.parameters), ("Epochs", info.epochs), ("Trained", info.date), ("Device", info.device)):
            if value is not None:
                rows.append((label, str(value)))
        data = info.metadata.get("training_data")
        if isinstance(data, dict):
            images, own = data.get("train_images"), data.get("own_samples") or 0
            if isinstance(images, int) and isinstance(own, int) and max(images, own) < 10**9:
                rows.append(("Training data", f"{images} MNIST images + {own} own samples"))
        table = "".join(f"<tr><td><b>{html.escape(k)}</b>&nbsp;</td><td>{html.escape(v)}</td></tr>" for k, v in rows)
        box = QMessageBox(QMessageBox.Icon.Information, "Model Info", f"<table>{table}</table>", QMessageBox.StandardButton.Ok, self)
        box.setTextFormat(Qt.TextFormat.RichText)  # the table is ours; every value in it is escaped
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def shortcut_rows(self) -> list[tuple[str, str]]:
        """The gestures, then every menu action that has a shortcut, as the menus name it: the help
        cannot drift from the menus."""
        rows = list(GESTURES)
        for menu in (action.menu() for action in self.menuBar().actions()):
            for action in menu.actions():
                keys = [key.toString(QKeySequence.SequenceFormat.NativeText) for key in action.shortcuts()]
                if keys:
                    rows.append((action.text().replace("&", "").removesuffix("..."), " / ".join(keys)))
        return rows

    def show_shortcuts(self) -> None:
        table = "".join(f"<tr><td><b>{html.escape(k)}</b>&nbsp;&nbsp;</td><td>{html.escape(v)}</td></tr>"
                        for k, v in self.shortcut_rows())
        box = QMessageBox(QMessageBox.Icon.NoIcon, "Keyboard Shortcuts", f"<table>{table}</table>",
                          QMessageBox.StandardButton.Ok, self)
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def show_about(self) -> None:
        box = QMessageBox(QMessageBox.Icon.NoIcon, f"About {APPLICATION}", f"{about_text()}\n\nLog file: {log_file_path()}",
                          QMessageBox.StandardButton.Ok, self)
        box.setObjectName("about")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def closeEvent(self, event) -> None:
        retrain = sys.modules.get("handwriting_recognizer.app.retrain")
        for dialog in self.findChildren(retrain.RetrainDialog) if retrain is not None else []:
            running = dialog.process is not None
            dialog.reject()  # cancels a running training; that dialog closes once the worker has stopped
            if running:  # and the window then: the worker stops cleanly while the window stays live
                dialog.finished.connect(self.close, Qt.ConnectionType.SingleShotConnection)
                event.ignore()
                return
        self.settings.setValue(keys.GEOMETRY, self.saveGeometry())
        super().closeEvent(event)
