"""Model > My Samples...: counts per digit, thumbnails, delete, export and import as one archive."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from handwriting_recognizer.app.imageio import gray_to_qimage
from handwriting_recognizer.core.samples import ImportReport, SampleError, SampleStore

MAX_REASONS_SHOWN = 10  # skipped entries listed after an import; the rest are counted


def _samples(n: int) -> str:
    return f"{n} sample{'' if n == 1 else 's'}"


def import_summary(report: ImportReport) -> str:
    """'Imported N samples; skipped M:' then the first skipped entries with their reasons, one a line."""
    if not report.skipped:
        return f"Imported {_samples(report.imported)}."
    lines = [f"Imported {_samples(report.imported)}; skipped {len(report.skipped)}:"]
    lines += [f"{name}: {reason}" for name, reason in report.skipped[:MAX_REASONS_SHOWN]]
    if len(report.skipped) > MAX_REASONS_SHOWN:
        lines.append(f"and {len(report.skipped) - MAX_REASONS_SHOWN} more")
    return "\n".join(lines)


class SamplesDialog(QDialog):
    """The user's samples, to check and prune before retraining, or to move to another machine."""

    def __init__(self, parent: QWidget | None, store: SampleStore):
        super().__init__(parent)
        self.setWindowTitle("My Samples")
        self.setObjectName("samples")
        self.store = store
        self.counts = QLabel()
        self.counts.setObjectName("counts")
        self.grid = QListWidget()
        self.grid.setViewMode(QListWidget.ViewMode.IconMode)
        self.grid.setIconSize(QSize(56, 56))
        self.grid.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # it shows names from archives: never HTML
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        for text, slot in (
            ("Delete Selected", self.delete_selected),
            ("Export…", self._ask_export),
            ("Import…", self._ask_import),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.counts)
        layout.addWidget(self.grid, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.resize(640, 480)
        self.refresh()

    def refresh(self) -> None:
        """Counts and thumbnails; a sample whose picture cannot be read is counted, not shown."""
        counts = self.store.counts()
        self.grid.clear()
        unreadable = 0
        for sample in self.store.samples():
            try:
                image = self.store.image(sample)
            except SampleError:
                unreadable += 1
                continue
            thumbnail = QPixmap.fromImage(gray_to_qimage(image, invert=True))
            pixmap = thumbnail.scaled(56, 56, Qt.AspectRatioMode.KeepAspectRatio)
            item = QListWidgetItem(QIcon(pixmap), str(sample.label))
            item.setData(Qt.ItemDataRole.UserRole, sample)
            self.grid.addItem(item)
        self.counts.setText(
            "  ".join(f"<b>{d}</b>: {n}" for d, n in enumerate(counts))
            + f"  — {sum(counts)} in all"
            + (f" ({unreadable} unreadable, not shown)" if unreadable else "")
        )

    def delete_selected(self) -> None:
        """Delete the selected samples; a failure says why and the list shows what is left."""
        try:
            for item in self.grid.selectedItems():
                self.store.delete(item.data(Qt.ItemDataRole.UserRole))
        except OSError as exc:
            self.message.setText(f"Cannot delete: {exc.strerror or exc}")
        self.refresh()

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
        self.message.setText(f"Exported {_samples(n)}.")

    def import_from(self, path: str) -> None:
        """Import an archive and say what was imported and what was skipped, and why."""
        try:
            self.message.setText(import_summary(self.store.import_archive(path)))
        except SampleError as exc:
            self.message.setText(str(exc))
        self.refresh()  # a failed import may have added samples before it stopped

    def _ask_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export Samples", "my-samples.zip", "Sample archives (*.zip)")
        if path:
            self.export_to(path)

    def _ask_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import Samples", "", "Sample archives (*.zip)")
        if path:
            self.import_from(path)
