"""Files in and out of the window: the File menu's dialogs, drag and drop, and paste.

Every failure shows one clear message (`show_error`, or the status bar for "nothing to paste") and
leaves the canvas, the picture and the settings as they were; every success is one step on the
canvas' undo stack. The first dialog opens in the user's pictures folder (documents, home when there
is none); the folder of the last file chosen is remembered for the next one. `ask_file` is that
dialog, for any remembered folder (My Samples keeps its own, for archives).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
from PySide6.QtCore import QMimeData, QObject, QSettings, QStandardPaths, Qt, QUrl
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox, QWidget

from handwriting_recognizer.app import settings as keys
from handwriting_recognizer.app.canvas import Canvas
from handwriting_recognizer.app.imageio import (
    IMAGE_SUFFIXES,
    ImageError,
    gray_to_qimage,
    qimage_to_array,
    read_image_file,
    save_png,
    within_pixel_budget,
)
from handwriting_recognizer.core.drawing import DrawingError, load_drawing, save_drawing
from handwriting_recognizer.core.preprocess import InkBudgetError, image_to_input, on_backdrop
from handwriting_recognizer.core.safe_io import is_folder

IMAGE_FILTER = "Images (" + " ".join(f"*.{s}" for s in sorted(IMAGE_SUFFIXES)) + ")"
DRAWING_FILTER = "Drawings (*.json)"
PNG_FILTER = "PNG (*.png)"
MODEL_FILTER = "ONNX models (*.onnx);;All files (*)"
ELSEWHERE = {  # files dropped or pasted on the canvas that open from a menu
    ".onnx": "is a model: open it with Model > Open Model",
    ".zip": "is an archive: if it holds samples, import it with Model > My Samples > Import",
}
STATUS_MS = 4000  # how long a status-bar note stays
Locations = tuple[QStandardPaths.StandardLocation, ...]  # a file dialog's first folders, in order of preference
FIRST_FOLDERS: Locations = (  # where the first file dialog opens: the first of these that exists
    QStandardPaths.StandardLocation.PicturesLocation,
    QStandardPaths.StandardLocation.DocumentsLocation,
    QStandardPaths.StandardLocation.HomeLocation,
)


def with_suffix(path: str, suffix: str) -> str:
    """`path`, with `suffix` added when the user typed a name without it."""
    return path if path.lower().endswith(suffix) else path + suffix


@contextlib.contextmanager
def busy() -> Iterator[None]:
    """The wait cursor while a picture is decoded or its ink found: a 12-megapixel photo took 3 s
    with the window frozen and nothing to say so (QA pass)."""
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QGuiApplication.restoreOverrideCursor()


def dropped_files(mime: QMimeData) -> list[Path]:
    """The local files in dropped or copied data (a file manager's copy is a list of them)."""
    urls = mime.urls() if mime.hasUrls() else []
    return [Path(u.toLocalFile()) for u in urls if isinstance(u, QUrl) and u.isLocalFile()]


def start_folder(settings: QSettings, key: str = keys.FILES_FOLDER, first: Locations = FIRST_FOLDERS) -> str:
    """The folder a file dialog opens in: the last one used (remembered under `key`) while it
    exists, else the first of the user's `first` folders that exists (never the working directory,
    which a launcher picks)."""
    last = keys.read_text(settings, key)
    if last and is_folder(last):
        return last
    for location in first:
        folder = QStandardPaths.writableLocation(location)
        if folder and is_folder(folder):
            return folder
    return ""


def ask_file(
    parent: QWidget,
    settings: QSettings,
    title: str,
    filter_: str,
    save: bool = False,
    key: str = keys.FILES_FOLDER,
    first: Locations = FIRST_FOLDERS,
    name: str = "",
    suffix: str = "",
) -> str:
    """A file dialog in `start_folder` (a save dialog proposes `name` there); the chosen file's
    folder is remembered under `key` for the next one. The chosen path, or "" when cancelled.

    A save dialog's name typed without `suffix` gets it (so the file opens again), and when that
    names a file that exists, the user is asked before it is replaced: the dialog asked only about
    the name as typed (a samples backup was overwritten without a word). No asks for another name,
    as the dialog's own question does."""
    ask = QFileDialog.getSaveFileName if save else QFileDialog.getOpenFileName
    folder = start_folder(settings, key, first)
    start = str(Path(folder, name)) if folder and name else folder or name
    while True:
        path, _ = ask(parent, title, start, filter_)
        if not (path and save and suffix):
            break
        typed, path = path, with_suffix(path, suffix)
        if path == typed or not Path(path).exists() or _may_replace(parent, title, Path(path)):
            break
        start = path  # No: the dialog again, where the user was
    if path:
        settings.setValue(key, str(Path(path).parent))
    return path


def _may_replace(parent: QWidget, title: str, path: Path) -> bool:
    """Whether the user lets an existing file be replaced (the question file dialogs ask)."""
    answer = QMessageBox.question(
        parent,
        title,
        f"{path.name} already exists.\nDo you want to replace it?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


class FileActions(QObject):
    """Opens, saves, exports, pastes and takes drops for the window's canvas.

    `current_input` is the model input now shown (exported as the 28x28 PNG); `open_model` switches
    models (the Model menu's file dialog lives here with the other dialogs). A picture's model input
    travels with it on the canvas (`Canvas.picture_input`), so undo brings back both.
    """

    def __init__(
        self,
        window: QMainWindow,
        canvas: Canvas,
        settings: QSettings,
        current_input: Callable[[], np.ndarray],
        show_error: Callable[[str, str], None],
        open_model: Callable[[str], object],
    ):
        super().__init__(window)
        self._window = window
        self._canvas = canvas
        self._settings = settings
        self._current_input = current_input
        self._show_error = show_error
        self._open_model = open_model

    def _say(self, text: str) -> None:
        self._window.statusBar().showMessage(text, STATUS_MS)

    # --- opening -------------------------------------------------------------------------------

    def open_file(self, path: str | Path) -> bool:
        """Open a drawing (.json) or a picture, by its suffix."""
        opened, note = self._open(Path(path))
        if note:
            self._say(note)
        return opened

    def open_image(self, path: str | Path) -> bool:
        """Show a picture file on the canvas and read it; a file of several pictures (a TIFF's
        pages, a GIF's frames) shows its first, and the status bar says so (it did without a word)."""
        opened, note = self._open_image(Path(path))
        if note:
            self._say(note)
        return opened

    def _open(self, path: Path) -> tuple[bool, str]:
        """Open a drawing or a picture: whether it opened, and what the status bar should say of it.
        A model or a samples archive is said to open elsewhere (it was "not a readable image")."""
        suffix = path.suffix.lower()
        if suffix in ELSEWHERE:
            self._show_error("Cannot open here", f"{path.name} {ELSEWHERE[suffix]}.")
            return False, ""
        return (self.open_drawing(path), "") if suffix == ".json" else self._open_image(path)

    def _open_image(self, path: Path) -> tuple[bool, str]:
        """Open a picture file (`open_image`): whether it opened, and its note on extra pages."""
        try:
            with busy():
                opened = read_image_file(path)
        except ImageError as exc:
            self._show_error("Cannot open image", str(exc))
            return False, ""
        if not self.show_picture(opened.pixels, path.name, f"Open {path.name}"):
            return False, ""
        if opened.pictures > 1:
            return True, f"{path.name} holds {opened.pictures} pictures (pages or frames): the first is shown and read"
        return True, ""

    def show_picture(self, pixels: np.ndarray, name: str = "the picture", step: str = "Open Picture") -> bool:
        """Recognize an RGBA picture and show it on the canvas as one undoable `step` (its input is
        computed first: a picture that cannot be read, or holds no ink, changes nothing)."""
        try:
            with busy():
                x = image_to_input(pixels)
        except ValueError as exc:
            self._show_error("Cannot use image", str(exc))
            return False
        if not x.any():
            self._show_error(
                "Cannot use image", f"No ink found in {name}: it is all one colour, or its marks are too faint."
            )
            return False
        h, w = pixels.shape[:2]
        shown = np.ascontiguousarray(on_backdrop(pixels))  # see-through parts as they are read
        picture = QImage(shown.data, w, h, 4 * w, QImage.Format.Format_RGBA8888).copy()
        self._canvas.set_picture(picture, x, step)
        self._window.statusBar().clearMessage()  # a note of what went before ("holds no image") stayed (QA)
        return True

    def show_qimage(self, image: QImage, source: str, step: str) -> bool:
        """Show pasted or dropped image data as one undoable `step`; `source` names it in messages."""
        if image.isNull():
            self._say(f"The {source} holds no readable image")
            return False
        return self.show_picture(qimage_to_array(within_pixel_budget(image)), f"the image from the {source}", step)

    def open_drawing(self, path: str | Path) -> bool:
        """Replace the canvas with a drawing file (undoable)."""
        try:
            drawing = load_drawing(path)
        except DrawingError as exc:
            self._show_error("Cannot open drawing", str(exc))
            return False
        self._canvas.set_drawing(drawing)
        self._window.statusBar().clearMessage()
        return True

    # --- saving --------------------------------------------------------------------------------

    def _nothing_to_save(self) -> str | None:
        """Why Save Drawing has nothing to write, if it has not: it would write a drawing without
        strokes, over the file the user picked (a picture shown is not strokes)."""
        if self._canvas.picture() is not None:
            return "Nothing to save: Save Drawing saves strokes, and a picture is shown"
        if not self._canvas.strokes():
            return "Nothing to save: draw first"
        return None

    def save_drawing(self, path: str | Path) -> bool:
        """Write the canvas' strokes as a drawing file (atomically: a failure leaves any old file)."""
        if why := self._nothing_to_save():
            self._say(why)
            return False
        try:
            save_drawing(self._canvas.drawing(), path)
        except OSError as exc:
            self._show_error("Cannot save drawing", f"{Path(path).name}: {exc.strerror or exc}")
            return False
        self._say(f"Saved {Path(path).name}")
        return True

    def export_input(self, path: str | Path) -> bool:
        """Write the 28x28 model input as a PNG, as the model sees it."""
        try:
            save_png(gray_to_qimage(self._current_input(), invert=False), path)
        except (OSError, ImageError, InkBudgetError) as exc:
            self._show_error("Cannot export", f"{Path(path).name}: {exc}")
            return False
        self._say(f"Exported {Path(path).name}")
        return True

    # --- clipboard and drops -------------------------------------------------------------------

    def paste(self) -> bool:
        """Open the file the clipboard holds (copied in a file manager), else show its image: Ctrl+V
        of a copied picture file said the clipboard held no image, where dropping it worked."""
        clipboard = QGuiApplication.clipboard()
        mime = clipboard.mimeData()
        if files := dropped_files(mime) if mime is not None else []:
            return self._open_first(files, "pasted")
        return self.show_qimage(clipboard.image(), "clipboard", "Paste Image")

    def accepts(self, mime: QMimeData) -> bool:
        """Whether a drag carries something the window can open, or a web link it can say why not
        (refused at once, it left the user with a no-entry cursor and no word)."""
        return mime.hasUrls() or mime.hasImage()

    def drop(self, mime: QMimeData) -> bool:
        """Open a dropped file, else show dropped image data."""
        if files := dropped_files(mime):
            return self._open_first(files, "dropped")
        if mime.hasImage():
            return self.show_qimage(QImage(mime.imageData()), "dropped data", "Drop Image")
        if mime.hasUrls():
            self._say("Only files on this computer open here: save the picture from the web first, then drop the file")
        return False

    def _open_first(self, files: list[Path], how: str) -> bool:
        """Open the first of several files that opens here (a model or an archive dropped first
        kept the pictures beside it out): the canvas shows one drawing or picture at a time, and
        the others are named as left out (they were left without a word), beside what is said of
        the one opened (its first page: that was lost)."""
        files = sorted(files, key=lambda path: path.suffix.lower() in ELSEWHERE)  # stable: their order kept
        opened, note = self._open(files[0])
        if len(files) > 1:
            more = f"{len(files) - 1} more {how} file{'s' if len(files) > 2 else ''}"
            said = (  # when the first failed, the others went unmentioned (QA pass)
                f"Opened {files[0].name} only, one at a time: {more} left out"
                if opened
                else f"Could not open {files[0].name}; {more} left out (one opens at a time)"
            )
            elsewhere = [
                f"{path.name} {ELSEWHERE[path.suffix.lower()]}"
                for path in files[1:]
                if path.suffix.lower() in ELSEWHERE
            ]
            note = ". ".join(part for part in [said, note, *elsewhere] if part)  # where each opens (review)
        if note:
            self._say(note)
        return opened

    # --- dialogs -------------------------------------------------------------------------------

    def _ask(self, title: str, filter_: str, save: bool = False, suffix: str = "") -> str:
        """A file dialog in the window's remembered folder (`ask_file`)."""
        return ask_file(self._window, self._settings, title, filter_, save, suffix=suffix)

    def ask_open_image(self) -> None:
        """File > Open Image."""
        if path := self._ask("Open Image", IMAGE_FILTER + ";;All files (*)"):
            self.open_image(path)

    def ask_open_drawing(self) -> None:
        """File > Open Drawing."""
        if path := self._ask("Open Drawing", DRAWING_FILTER):
            self.open_drawing(path)

    def ask_save_drawing(self) -> None:
        """File > Save Drawing; a name typed without .json gets it, so it can be opened again."""
        if why := self._nothing_to_save():  # before the dialog: no name asked for nothing
            self._say(why)
        elif path := self._ask("Save Drawing", DRAWING_FILTER, save=True, suffix=".json"):
            self.save_drawing(path)

    def ask_export_input(self) -> None:
        """File > Export 28x28 PNG; a name typed without .png gets it."""
        if path := self._ask("Export 28x28 PNG", PNG_FILTER, save=True, suffix=".png"):
            self.export_input(path)

    def ask_open_model(self) -> None:
        """Model > Open Model."""
        if path := self._ask("Open Model", MODEL_FILTER):
            self._open_model(path)
