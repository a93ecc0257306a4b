"""Which model reads the drawings: the one asked for, else the last one used, else the bundled one.

A switch happens whole or not at all: a model is opened and checked before it replaces the active
one, and a failure says why and keeps the active model. The choice is remembered in the settings.
A model opens on the CPU, at once; where onnxruntime offers CUDA, its CUDA session (whose first
start in a process takes seconds) opens in the background and takes over when ready, unless the
user has switched models meanwhile.
Models are named by what they are (model_text): the bundled one, a retrained one by its date, a
file by its name, never by the file name the store gives every model.
"""

from __future__ import annotations

import filecmp
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QThreadPool, QTimer, Signal

from handwriting_recognizer.app import settings as keys
from handwriting_recognizer.app.model_text import accuracy_text, model_title, runs_on, trained_at
from handwriting_recognizer.core.model_store import ModelStore, Origin
from handwriting_recognizer.core.paths import bundled_model_path
from handwriting_recognizer.core.recognizer import CUDA, ModelError, ModelInfo, Recognizer, cuda_offered
from handwriting_recognizer.core.safe_io import exists, is_file

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelStatus:
    """The status bar's words for a model: what it is (and its accuracy), what runs it, and their tooltips."""

    title: str
    model: str
    model_tip: str
    provider: str
    provider_tip: str

    @classmethod
    def of(cls, info: ModelInfo, title: str) -> ModelStatus:
        """Computed before a switch: a model whose info cannot be shown does not become active."""
        accuracy = accuracy_text(info)
        date = trained_at(info.date)
        where = runs_on(info.provider)
        return cls(
            title,
            f"Model: {title}" + (f", {accuracy}" if accuracy else ""),
            "\n".join([str(info.path), *([f"Trained {date}"] if date else [])]),
            f"{where} {info.precision}",
            f"Runs on the {where} with onnxruntime ({info.provider}), {info.precision} model"
            + (", drawings also read by its stroke model" if info.fusion is not None else ""),
        )


def is_bundled(path: Path, origin: Origin | None) -> bool:
    """The bundled model itself, or the store's copy of it, kept to revert to. A copy the user opened
    from a file of their own is named by that file."""
    bundled = bundled_model_path()
    try:
        if path.resolve() == bundled.resolve():
            return True
        return origin is not None and not origin.retrained and filecmp.cmp(path, bundled, shallow=False)
    except OSError:
        return False


def recipe_width(info: ModelInfo) -> int | None:
    """The width the model was trained with, so that retraining builds the same network."""
    recipe = info.metadata.get("recipe")
    width = recipe.get("width") if isinstance(recipe, dict) else None
    return width if isinstance(width, int) and not isinstance(width, bool) else None


class ModelChoice(QObject):
    """Holds the active Recognizer; `switched` carries the new model's status once it is active."""

    switched = Signal(ModelStatus)
    _opened_on_gpu = Signal(object, int)  # a CUDA Recognizer opened in the background, for which switch

    def __init__(
        self, parent: QObject, settings: QSettings, models: ModelStore, show_error: Callable[[str, str], None]
    ):
        super().__init__(parent)
        self.recognizer: Recognizer | None = None
        self.title = ""  # what the active model is, in words (model_text.model_title)
        self.bundled = False  # whether the active model is the bundled one (or the store's copy of it)
        self._settings = settings
        self._models = models
        self._switches = 0  # counts the switches, so that a late CUDA session of a model left since is dropped
        self._opened_on_gpu.connect(self._take_gpu)
        self._show_error = show_error

    def _candidates(self, model_path: str | Path | None) -> tuple[list[Path], list[str]]:
        """The models to try, in order, and why the one used last is not among them: the given
        one or the one used last, then the user's own current model (the store's), then the bundled
        one. Nothing remembered means the bundled model was chosen (Reset forgets the path)."""
        problems = []
        if model_path:
            first = [Path(model_path)]
        elif remembered := keys.read_text(self._settings, keys.MODEL_PATH):
            first = [Path(remembered)] if exists(remembered) else []
            if not first:  # a removed drive, a folder moved
                problems.append(f"The model used last is no longer there: {remembered}")
        else:
            return [bundled_model_path()], []
        mine = self._models.current
        return [*first, *([mine] if is_file(mine) and mine not in first else []), bundled_model_path()], problems

    def load_initial(self, model_path: str | Path | None) -> None:
        """The first model that opens of `model_path` (else the remembered one), the user's own
        current one and the bundled one; what failed is said once the window shows, the app starts
        either way."""
        paths, problems = self._candidates(model_path)
        for path in paths:
            try:
                self._use(Recognizer(path, use_gpu=False))
                break
            except ModelError as exc:
                problems.append(str(exc))
        if problems:
            QTimer.singleShot(0, self, lambda: self._show_error("Model problem", "\n".join(problems)))

    def _use(self, recognizer: Recognizer) -> None:
        info = recognizer.info
        origin = self._models.origin(info.path)
        # First: nothing changes if the model's info cannot be shown.
        bundled = is_bundled(info.path, origin)
        status = ModelStatus.of(info, model_title(info, origin, bundled))
        self.recognizer, self.title, self.bundled = recognizer, status.title, bundled
        self.switched.emit(status)
        self._switches += 1
        if recognizer.info.provider != CUDA and cuda_offered():
            path, switch = recognizer.info.path, self._switches
            QThreadPool.globalInstance().start(lambda: self._open_on_gpu(path, switch))

    def _open_on_gpu(self, path: Path, switch: int) -> None:
        """In a pool thread: the model's CUDA session, handed to the GUI thread when CUDA really runs
        it (the Recognizer logs why not, and the CPU session keeps reading)."""
        try:
            recognizer = Recognizer(path)
        except ModelError as exc:  # the file changed since it opened on the CPU
            log.warning("%s: not opened on the GPU: %s", path.name, str(exc))
            return
        if recognizer.info.provider == CUDA:
            try:
                self._opened_on_gpu.emit(recognizer, switch)
            except RuntimeError:  # the window closed meanwhile: nobody needs this session any more
                log.info("%s: opened on the GPU after its window closed", path.name)

    def _take_gpu(self, recognizer: Recognizer, switch: int) -> None:
        """The CUDA session replaces the CPU's of the same model, if the user is still on it."""
        if switch == self._switches:
            self._use(recognizer)

    def open(self, path: str | Path) -> bool:
        """Switch to another model and remember it; on failure show why and keep the current one."""
        try:
            recognizer = Recognizer(path, use_gpu=False)
        except ModelError as exc:
            self._show_error("Cannot open model", f"{exc}\n\nThe current model stays active.")
            return False
        self._use(recognizer)
        self._settings.setValue(keys.MODEL_PATH, str(Path(path).resolve()))
        return True

    def reset(self) -> bool:
        """Back to the bundled model, and forget the remembered one."""
        if not self.open(bundled_model_path()):
            return False
        self._settings.remove(keys.MODEL_PATH)
        return True

    def install(self, path: Path) -> bool:
        """Make a newly trained model the active one; the one it replaces becomes 'previous'."""
        active = self.recognizer.info.path if self.recognizer is not None else bundled_model_path()
        try:
            Recognizer(path, use_gpu=False)  # check it before anything is replaced
            current = self._models.install(path, active)
        except (ModelError, OSError) as exc:
            self._show_error("Cannot use the new model", f"{exc}\n\nThe current model stays active.")
            return False
        return self.open(current)

    def _switched_away(self) -> bool:
        """Whether another model than the user's current one in the store is active (after Reset or
        Open Model), while the store has one."""
        current = self._models.current
        if not exists(current):
            return False
        if self.recognizer is None:
            return True
        try:
            return self.recognizer.info.path.resolve() != current.resolve()
        except (OSError, RuntimeError):  # a path the system cannot follow is not the store's
            return True

    def can_revert(self) -> bool:
        """Whether Revert has a model to go back to (see `revert`)."""
        return self._models.has_previous() or self._switched_away()

    def revert(self) -> bool:
        """Back to the model used before: after Reset or Open Model, the user's current model (the
        store's pointer stays); else the model the last install replaced (current and previous swap)."""
        if self._switched_away():
            return self.open(self._models.current)
        try:
            current = self._models.revert()
        except OSError as exc:
            self._show_error("Cannot revert", str(exc))
            return False
        return self.open(current)
