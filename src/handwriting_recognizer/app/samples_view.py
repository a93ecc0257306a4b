"""Model > My Samples...: the samples grouped by digit, with thumbnails; delete (to the desktop's
trash) and relabel (both undoable while the dialog is open), export and import as one archive."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEvent, QSettings, QSize, QStandardPaths, Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence, QPalette, QPixmap, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressDialog,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from handwriting_recognizer.app import settings as keys
from handwriting_recognizer.app.actions import redo_keys
from handwriting_recognizer.app.contrast import paper_and_ink
from handwriting_recognizer.app.dialogs import SCREEN_SHARE, fitted_size
from handwriting_recognizer.app.file_actions import ask_file
from handwriting_recognizer.app.imageio import ink_on_paper
from handwriting_recognizer.app.trash import Trashed, restore, to_trash
from handwriting_recognizer.core.samples import (
    ALREADY_HELD,
    ImportReport,
    RemovedSample,
    Sample,
    SampleError,
    SampleStore,
)

PROGRESS_AFTER_MS = 500  # an import shows its progress once it has taken this long
MAX_REASONS_SHOWN = 10  # skipped entries listed after an import; the rest are counted
THUMBNAIL = 56  # pixels
SIZE = (720, 480)  # the dialog's first size, where the screen has room for it
ALL = -1  # the digit group that shows every sample
EXPORT_TIP = "Save all your samples as one archive, for another machine"
NOTHING_TO_EXPORT = "Nothing to export yet: teach or import samples first"
EMPTY_HINT = (
    "No samples yet. To teach one, draw a digit in the main window, choose its label (press its digit key "
    "or click its bar) and press Enter (Model > Teach This Drawing): it is saved here, for retraining. "
    "Or import an archive of samples (Import…)."
)
ARCHIVE_FILTER = "Sample archives (*.zip)"
ARCHIVE_NAME = "my-samples.zip"  # what Export proposes
ARCHIVE_FOLDERS = (  # where Export and Import first open (then where they were last): the first that exists
    QStandardPaths.StandardLocation.DocumentsLocation,
    QStandardPaths.StandardLocation.HomeLocation,
)


def _samples(n: int) -> str:
    return f"{n} sample{'' if n == 1 else 's'}"


def import_summary(report: ImportReport) -> str:
    """'Imported N samples', how many the user already had (counted: an archive imported again
    would list every one), then the first entries skipped for another reason, one a line."""
    held = sum(reason.startswith(ALREADY_HELD) for _, reason in report.skipped)
    others = [(name, reason) for name, reason in report.skipped if not reason.startswith(ALREADY_HELD)]
    if held and not others and not report.imported:
        return f"Nothing imported: all {_samples(held)} are {ALREADY_HELD}."
    first = f"Imported {_samples(report.imported)}" + (f"; {held} {ALREADY_HELD}" if held else "")
    if report.left:
        first = f"Stopped: {first[0].lower()}{first[1:]}; {report.left} not looked at"
    if not others:
        return f"{first}."
    lines = [f"{first}; skipped {len(others)}:"]
    lines += [f"{name}: {reason}" for name, reason in others[:MAX_REASONS_SHOWN]]
    if len(others) > MAX_REASONS_SHOWN:
        lines.append(f"and {len(others) - MAX_REASONS_SHOWN} more")
    return "\n".join(lines)


def input_icon(image: np.ndarray, side: int, palette: QPalette) -> QIcon:
    """A 28x28 model input as a list thumbnail, in the canvas' paper and ink."""
    pixmap = QPixmap.fromImage(ink_on_paper(image, *paper_and_ink(palette)))
    return QIcon(pixmap.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio))


def _problem(exc: Exception) -> str:
    return str(exc) if isinstance(exc, SampleError) else str(getattr(exc, "strerror", None) or exc)


class _Delete(QUndoCommand):
    """Delete samples to the desktop's trash, where they outlive the dialog and the app; undo moves
    them back from it (where there was no trash, it writes back the very files, kept in memory
    while the dialog is open)."""

    def __init__(self, dialog: SamplesDialog, samples: Sequence[Sample]):
        super().__init__(f"Delete {_samples(len(samples))}")
        self._dialog = dialog
        self._samples = list(samples)
        self._removed: list[RemovedSample] = []
        self._in_trash: dict[Sample, Trashed] = {}

    def _discard(self, sample: Sample) -> None:
        """The JSON first, so that a half-deleted sample is simply absent; both to the trash or,
        where there is none, both deleted for good."""
        trashed = to_trash([sample.meta, sample.png])
        if trashed is None:
            self._dialog.store.delete(sample)
        else:
            self._in_trash[sample] = trashed

    def redo(self) -> None:
        problems = []
        self._removed, self._in_trash = [], {}
        for sample in self._samples:
            try:
                self._removed.append(self._dialog.store.remove(sample, self._discard))
            except (SampleError, OSError) as exc:
                problems.append(f"Cannot delete {sample.id}: {_problem(exc)}")
        self.setObsolete(not self._removed)  # nothing deleted: nothing to undo
        n = len(self._removed)
        where = " (moved to the Trash)" if len(self._in_trash) == n else ""
        done = f"Deleted {_samples(n)}{where}. Undo (Ctrl+Z) brings {'it' if n == 1 else 'them'} back." if n else ""
        self._dialog.done_step(done, problems)

    def undo(self) -> None:
        problems = []
        for removed in reversed(self._removed):
            try:
                self._put_back(removed)
            except OSError as exc:
                problems.append(f"Cannot restore {removed.sample.id}: {_problem(exc)}")
        total = len(self._removed)
        done = f"Restored {total - len(problems)} of {_samples(total)}." if problems else f"Restored {_samples(total)}."
        self._removed, self._in_trash = [], {}
        self._dialog.done_step(done, problems)

    def _put_back(self, removed: RemovedSample) -> None:
        """From the trash (a rename), else (emptied meanwhile, or never there) from memory."""
        trashed = self._in_trash.get(removed.sample)
        if trashed is not None:
            try:
                restore(trashed)
                return
            except OSError:
                pass
        self._dialog.store.put_back(removed)


class _Import(QUndoCommand):
    """An import, done before it is pushed: undo removes the samples it added for good (the archive
    still holds them), and redo writes them back."""

    def __init__(self, dialog: SamplesDialog, added: Sequence[Sample], said: str):
        super().__init__(f"Import of {_samples(len(added))}")
        self._dialog, self._said = dialog, said
        self._added = list(added)
        self._removed: list[RemovedSample] = []

    def redo(self) -> None:
        problems = []
        for removed in self._removed:  # none the first time: the import has just added them
            try:
                self._dialog.store.put_back(removed)
            except OSError as exc:
                problems.append(f"Cannot restore {removed.sample.id}: {_problem(exc)}")
        self._removed = []
        self._dialog.done_step(self._said, problems)

    def undo(self) -> None:
        problems = []
        for sample in self._added:
            try:
                self._removed.append(self._dialog.store.remove(sample))
            except (SampleError, OSError) as exc:
                problems.append(f"Cannot remove {sample.id}: {_problem(exc)}")
        n = len(self._removed)
        key = redo_keys()[0].toString(QKeySequence.SequenceFormat.NativeText)  # the dialog has no Redo button
        again = "it" if n == 1 else "them"
        self._dialog.done_step(f"Import undone: {_samples(n)} removed. Redo ({key}) adds {again} again.", problems)


class _Relabel(QUndoCommand):
    """Move samples to another digit; undo moves each back to the digit it had."""

    def __init__(self, dialog: SamplesDialog, samples: Sequence[Sample], label: int):
        super().__init__(f"Relabel {_samples(len(samples))} as {label}")
        self._dialog = dialog
        self._label = label
        self._before = list(samples)
        self._moved: list[tuple[Sample, int]] = []  # each moved sample and the label it had

    def _move(self, pairs: Sequence[tuple[Sample, int]]) -> tuple[list[tuple[Sample, int]], list[str]]:
        done, problems = [], []
        for sample, label in pairs:
            try:
                done.append((self._dialog.store.relabel(sample, label), sample.label))
            except (SampleError, OSError) as exc:
                problems.append(f"Cannot relabel {sample.id}: {_problem(exc)}")
        return done, problems

    def redo(self) -> None:
        self._moved, problems = self._move([(s, self._label) for s in self._before if s.label != self._label])
        self.setObsolete(not self._moved)  # nothing moved: nothing to undo
        done = f"Relabelled {_samples(len(self._moved))} as {self._label}." if self._moved else ""
        self._dialog.done_step(done, problems)

    def undo(self) -> None:
        back, problems = self._move(self._moved)
        self._before = [sample for sample, _ in back]
        self._moved = []
        self._dialog.done_step("Labels restored.", problems)


class SamplesDialog(QDialog):
    """The user's samples, to check, correct and prune before retraining, or to move to another machine."""

    def __init__(self, parent: QWidget | None, store: SampleStore, settings: QSettings | None = None):
        """`settings` remember where archives were exported or imported (the window passes its own;
        None opens the app's)."""
        super().__init__(parent)
        self.setWindowTitle("My Samples")
        self.setObjectName("samples")
        self.setAccessibleName("My samples")
        self.setAccessibleDescription("Your labelled samples for retraining, grouped by digit")
        self.store = store
        self.settings = keys.open_settings() if settings is None else settings
        self.undo_stack = QUndoStack(self)
        self._listed: tuple[list[Sample], int] = ([], 0)  # what the list last showed (`_on_disk`)
        self.counts = QLabel()
        self.counts.setObjectName("counts")
        self.counts.setAccessibleName("Samples per digit")
        self.counts.setWordWrap(True)  # the counts (and a note of unreadable ones) wrap, never widen the dialog
        self.digits = QListWidget()
        self.digits.setObjectName("digits")
        self.digits.setAccessibleName("Digit groups")
        self.digits.setAccessibleDescription("Pick a digit to show only its samples")
        self.digits.setToolTip("Show the samples of one digit, or all of them")
        self.digits.setMaximumWidth(120)
        for digit in (ALL, *range(10)):
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, digit)
            self.digits.addItem(item)
        self.digits.setCurrentRow(0)
        self.grid = QListWidget()
        self.grid.setObjectName("grid")
        self.grid.setAccessibleName("Samples")
        self.grid.setAccessibleDescription(
            "Thumbnails of the samples, each named by its label; select to delete or relabel"
        )
        self.grid.setViewMode(QListWidget.ViewMode.IconMode)
        self.grid.setIconSize(QSize(THUMBNAIL, THUMBNAIL))
        self.grid.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.empty_hint = QLabel(EMPTY_HINT)  # in the grid's place while there are no samples
        self.empty_hint.setObjectName("empty-hint")
        self.empty_hint.setWordWrap(True)
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_hint.setAccessibleName("No samples yet")
        self.area = QStackedWidget()
        self.area.addWidget(self.grid)
        self.area.addWidget(self.empty_hint)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # it shows names from archives: never HTML
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setAccessibleName("Last result")
        self.relabel_to = QComboBox()
        self.relabel_to.setObjectName("relabel-to")
        self.relabel_to.addItems([str(d) for d in range(10)])
        self.relabel_to.setAccessibleName("New label")
        self.relabel_to.setToolTip("The digit the selected samples really are")
        self.undo_button = self._button(
            "Undo", "Undo the last delete, relabel or import (Ctrl+Z)", self.undo_stack.undo
        )
        self.undo_button.setEnabled(False)
        self.undo_stack.canUndoChanged.connect(self.undo_button.setEnabled)
        self.undo_stack.undoTextChanged.connect(lambda text: self.undo_button.setText(f"Undo {text}".strip()))
        self._add_shortcuts()
        self._build_layout()
        self.digits.currentRowChanged.connect(self.refresh)
        self.resize(fitted_size(QSize(*SIZE), self.screen().availableGeometry().size(), SCREEN_SHARE))
        self.refresh()

    def _button(self, text: str, tip: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.setAutoDefault(False)  # Enter must not delete or relabel: only Close is the default
        button.clicked.connect(slot)
        return button

    def _build_layout(self) -> None:
        delete = self.delete_button = self._button(
            "Delete Selected", "Delete the selected samples (Delete; Ctrl+Z undoes it)", self.delete_selected
        )
        relabel = self.relabel_button = self._button(
            "Relabel Selected", "Give the selected samples the label on the left", self._relabel
        )
        self.grid.itemSelectionChanged.connect(self._selection_changed)
        self._selection_changed()
        export = self.export_button = self._button("Export…", EXPORT_TIP, self._ask_export)
        import_ = self._button(
            "Import…", "Add the samples of an archive; what is left out is listed with why", self._ask_import
        )
        close = self._button("Close", "Close this window", self.accept)
        close.setDefault(True)
        relabel_as = QLabel("Relabel &as:")
        relabel_as.setBuddy(self.relabel_to)
        edits = QHBoxLayout()
        for widget in (delete, relabel_as, self.relabel_to, relabel, self.undo_button):
            edits.addWidget(widget)
        edits.addStretch(1)
        files = QHBoxLayout()
        for widget in (export, import_):
            files.addWidget(widget)
        files.addStretch(1)
        files.addWidget(close)
        groups = QHBoxLayout()
        groups.addWidget(self.digits)
        groups.addWidget(self.area, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.counts)
        layout.addLayout(groups, 1)
        layout.addWidget(self.message)
        layout.addLayout(edits)
        layout.addLayout(files)
        order = [self.digits, self.grid, delete, self.relabel_to, relabel, self.undo_button, export, import_, close]
        for first, second in zip(order, order[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def _add_shortcuts(self) -> None:
        """Delete, Undo and Redo inside the dialog (the main window's shortcuts do not reach it)."""
        delete = QAction("Delete Selected", self)
        delete.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        delete.triggered.connect(self.delete_selected)
        undo = self.undo_stack.createUndoAction(self)
        undo.setShortcuts(QKeySequence.StandardKey.Undo)
        redo = self.undo_stack.createRedoAction(self)
        redo.setShortcuts(redo_keys())
        self.addActions([delete, undo, redo])

    def group(self) -> int:
        """The digit whose samples are shown, or ALL."""
        item = self.digits.currentItem()
        return ALL if item is None else int(item.data(Qt.ItemDataRole.UserRole))

    def event(self, event: QEvent) -> bool:
        """Back in front, the list shows what another window taught, deleted or imported meanwhile: a
        thumbnail of a sample gone could not be deleted ("cannot read"). A new theme while the dialog
        is open redraws the thumbnails in its paper and ink. The selection is kept."""
        changed = event.type() == QEvent.Type.WindowActivate and self._on_disk() != self._listed
        if changed or event.type() == QEvent.Type.PaletteChange:
            chosen = set(self.selected())
            self.refresh()
            for row in range(self.grid.count()):
                item = self.grid.item(row)
                item.setSelected(item.data(Qt.ItemDataRole.UserRole) in chosen)
        return super().event(event)

    def _on_disk(self) -> tuple[list[Sample], int]:
        """What the list shows: the samples, and how many have one of their two files missing."""
        return self.store.samples(), self.store.half_samples()

    def refresh(self) -> None:
        """Counts per digit and the thumbnails of the chosen group; a sample whose picture cannot be
        read is counted, not shown. No samples at all: how to teach one, in the grid's place. Export
        is enabled while there is a sample it would write."""
        self._listed = self._on_disk()
        samples = self._listed[0]
        counts = [0] * 10
        for sample in samples:
            counts[sample.label] += 1
        for row in range(self.digits.count()):
            item = self.digits.item(row)
            digit = int(item.data(Qt.ItemDataRole.UserRole))
            item.setText(f"All digits ({len(samples)})" if digit == ALL else f"{digit}  ({counts[digit]})")
        shown = self.group()
        self.grid.clear()
        unreadable = 0
        for sample in samples:
            try:
                image = self.store.image(sample)
            except SampleError:
                unreadable += 1
                continue
            if shown not in (ALL, sample.label):
                continue
            item = QListWidgetItem(input_icon(image, THUMBNAIL, self.palette()), str(sample.label))
            item.setData(Qt.ItemDataRole.UserRole, sample)
            item.setToolTip(f"A sample of {sample.label} ({sample.id})")
            self.grid.addItem(item)
        halves = self._listed[1]
        self.counts.setText(
            "  ".join(f"<b>{d}</b>: {n}" for d, n in enumerate(counts))
            + f"  — {sum(counts)} in all"
            + (f" ({unreadable} unreadable, not shown)" if unreadable else "")
            + (
                f" ({halves} with one of its two files missing, not counted: the other may be in the Trash)"
                if halves
                else ""
            )
        )
        self.area.setCurrentWidget(self.grid if samples else self.empty_hint)
        exportable = len(samples) > unreadable
        self.export_button.setEnabled(exportable)
        self.export_button.setToolTip(EXPORT_TIP if exportable else NOTHING_TO_EXPORT)

    def _selection_changed(self) -> None:
        """Delete Selected and Relabel Selected are enabled while samples are selected (they only
        said "Select the samples ... first", also with no samples at all)."""
        chosen = bool(self.grid.selectedItems())
        self.delete_button.setEnabled(chosen)
        self.relabel_button.setEnabled(chosen)

    def selected(self) -> list[Sample]:
        """The selected samples, in the grid's order."""
        return [item.data(Qt.ItemDataRole.UserRole) for item in self.grid.selectedItems()]

    def done_step(self, done: str, problems: Sequence[str]) -> None:
        """After a delete, a relabel or their undo: say what failed and why, then what was done (if
        anything), and show what is left."""
        self.message.setText("\n".join(line for line in [*problems[:MAX_REASONS_SHOWN], done] if line))
        self.refresh()

    def delete_selected(self) -> None:
        """Delete the selected samples (undoable); a failure says why and the list shows what is left."""
        chosen = self.selected()
        if not chosen:
            self.message.setText("Select the samples to delete first.")
            return
        self.undo_stack.push(_Delete(self, chosen))

    def relabel_selected(self, label: int) -> None:
        """Give the selected samples another label (undoable)."""
        chosen = self.selected()
        if not chosen:
            self.message.setText("Select the samples to relabel first.")
            return
        if all(sample.label == label for sample in chosen):  # no step: it cleared the selection without a word
            many = len(chosen) > 1
            self.message.setText(
                f"{'They are' if many else 'It is'} already {'samples' if many else 'a sample'} of {label}."
            )
            return
        self.undo_stack.push(_Relabel(self, chosen, label))

    def _relabel(self) -> None:
        self.relabel_selected(self.relabel_to.currentIndex())

    def export_to(self, path: str) -> None:
        """Export all samples to one archive and say how many, or why none were."""
        try:
            n = self.store.export_archive(path)
        except SampleError as exc:
            self.message.setText(str(exc))
            return
        except OSError as exc:
            self.message.setText(f"Cannot export: {exc.strerror or exc}")
            return
        left = len(self.store.samples()) - n
        skipped = f" {left} left out: unreadable or malformed, an import would skip them." if left > 0 else ""
        self.message.setText(f"Exported {_samples(n)} to {Path(path).name}.{skipped}")  # where: QA pass

    def import_from(self, path: str) -> None:
        """Import an archive and say what was imported and what was skipped, and why. A long import
        shows its progress, and Stop ends it (what was imported stays): 2,000 samples took 3 s."""
        progress = QProgressDialog("Importing samples…", "Stop", 0, 1, self)
        progress.setObjectName("import-progress")
        progress.setWindowTitle("Importing Samples")  # else the app's name, cut to "Handw…gnizer" (QA pass)
        progress.setWindowModality(Qt.WindowModality.WindowModal)  # its setValue lets the window repaint
        progress.setMinimumDuration(PROGRESS_AFTER_MS)

        def going_on(done: int, total: int) -> bool:
            progress.setMaximum(total)
            progress.setValue(done)
            return not progress.wasCanceled()

        before = set(self.store.samples())
        try:
            said = import_summary(self.store.import_archive(path, going_on))
        except SampleError as exc:
            said = str(exc)
        finally:
            progress.reset()
            progress.deleteLater()
        # Undoable, as a delete is: the wrong archive's 2,000 samples took a select-all and Delete (QA
        # pass). What was added is what is there now and was not before (a failed import adds some too).
        added = [sample for sample in self.store.samples() if sample not in before]
        if added:
            self.undo_stack.push(_Import(self, added, said))
        else:
            self.message.setText(said)
            self.refresh()

    def _ask_archive(self, title: str, save: bool) -> str:
        """A file dialog where archives were last exported or imported, else in the user's documents
        (never the working directory); Export proposes ARCHIVE_NAME there."""
        name, suffix = (ARCHIVE_NAME, ".zip") if save else ("", "")
        return ask_file(
            self, self.settings, title, ARCHIVE_FILTER, save, keys.SAMPLES_FOLDER, ARCHIVE_FOLDERS, name, suffix
        )

    def _ask_export(self) -> None:
        if path := self._ask_archive("Export Samples", save=True):
            self.export_to(path)

    def _ask_import(self) -> None:
        if path := self._ask_archive("Import Samples", save=False):
            self.import_from(path)
