"""My Samples and the app's boxes as a user meets them (found by a hands-on pass): what a delete says,
where Export and Import start, Export with nothing to export, the hint in an empty list, the About
text, and dialogs that fit a small or scaled screen."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import numpy as np
import pytest
from PySide6.QtWidgets import QPushButton

from handwriting_recognizer.app import settings as keys
from handwriting_recognizer.app.file_actions import start_folder
from handwriting_recognizer.app.samples_view import SamplesDialog
from handwriting_recognizer.core.drawing import Drawing, save_drawing
from handwriting_recognizer.core.samples import SampleStore
from tests import handmade
from tests.commands import on_a_scaled_screen


def image(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).random((28, 28)).astype(np.float32)


@pytest.fixture
def store(tmp_path) -> SampleStore:
    """Two 1s and a 7."""
    mine = SampleStore(tmp_path / "mine")
    for seed, digit in enumerate((1, 1, 7)):
        mine.add(digit, image(seed))
    return mine


def open_dialog(qtbot, store: SampleStore):
    from handwriting_recognizer.app.application import create_application

    create_application([])
    dialog = SamplesDialog(None, store)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def button(dialog, text: str) -> QPushButton:
    return next(b for b in dialog.findChildren(QPushButton) if b.text() == text)


def test_delete_and_relabel_are_enabled_while_samples_are_selected(qtbot, store):
    """They were enabled with nothing selected, even with no samples, and only said "Select the
    samples ... first"; relabelling a 1 as a 1 cleared the selection without a word (QA)."""
    dialog = open_dialog(qtbot, store)
    delete, relabel = button(dialog, "Delete Selected"), button(dialog, "Relabel Selected")
    assert not delete.isEnabled() and not relabel.isEnabled()
    ones = [i for i in range(dialog.grid.count()) if dialog.grid.item(i).text() == "1"]
    for i in ones:
        dialog.grid.item(i).setSelected(True)
    assert delete.isEnabled() and relabel.isEnabled()
    dialog.relabel_to.setCurrentIndex(1)
    relabel.click()
    assert dialog.message.text() == "They are already samples of 1." and len(dialog.selected()) == 2
    assert dialog.undo_stack.count() == 0
    delete.click()
    assert not delete.isEnabled() and not relabel.isEnabled()  # what was selected is gone


def test_deleting_one_sample_says_it_comes_back_and_several_say_them(qtbot, store):
    dialog = open_dialog(qtbot, store)
    dialog.grid.item(0).setSelected(True)
    dialog.delete_selected()
    assert dialog.message.text() == "Deleted 1 sample. Undo (Ctrl+Z) brings it back."
    dialog.grid.selectAll()
    dialog.delete_selected()
    assert dialog.message.text() == "Deleted 2 samples. Undo (Ctrl+Z) brings them back."


def test_a_long_import_shows_its_progress_and_stop_ends_it(qtbot, store, tmp_path, monkeypatch):
    """Importing 2,000 samples froze the window for 3 s with no way to stop it (QA review)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QProgressDialog

    from handwriting_recognizer.app import samples_view

    other = SampleStore(tmp_path / "other")
    for seed in range(30):
        other.add(seed % 10, image(100 + seed))
    other.export_archive(tmp_path / "many.zip")
    dialog = open_dialog(qtbot, store)
    monkeypatch.setattr(samples_view, "PROGRESS_AFTER_MS", 0)  # shown at once, as a long import's is
    seen = []

    def press_stop() -> None:
        progress = dialog.findChild(QProgressDialog, "import-progress")
        if progress is not None and progress.isVisible() and progress.value() >= 10:
            seen.append(progress.labelText())
            assert progress.windowTitle() == "Importing Samples"  # the app's name was cut to "Handw…gnizer" (QA)
            progress.cancel()

    watch = QTimer(dialog)
    watch.timeout.connect(press_stop)
    watch.start(0)  # runs while the import lets the window repaint
    dialog.import_from(str(tmp_path / "many.zip"))
    watch.stop()
    assert seen == ["Importing samples…"]
    assert dialog.message.text().startswith("Stopped: imported 1") and dialog.message.text().endswith("not looked at.")
    assert 3 + 10 <= len(store.samples()) < 3 + 30


def app_folder(kind) -> Path:
    """One of the app's standard folders (its name places them: create_application)."""
    from PySide6.QtCore import QStandardPaths

    from handwriting_recognizer.app.application import create_application

    create_application([])
    return Path(QStandardPaths.writableLocation(kind))


@pytest.fixture
def threes() -> tuple[SampleStore, list]:
    """Two samples of 3 where the window keeps the samples, in the app's data folder (the desktop's
    trash needs the data folder of the desktop above it)."""
    from PySide6.QtCore import QStandardPaths

    mine = SampleStore(app_folder(QStandardPaths.StandardLocation.AppDataLocation) / "samples")
    return mine, [mine.add(digit, image(seed)) for seed, digit in enumerate((3, 3))]


def trash_folder() -> Path:
    from PySide6.QtCore import QStandardPaths

    return app_folder(QStandardPaths.StandardLocation.GenericDataLocation) / "Trash"


def test_deleted_samples_go_to_the_trash_and_come_back_from_it_after_the_dialog_closed(qtbot, threes):
    mine, kept = threes
    dialog = open_dialog(qtbot, mine)
    dialog.grid.selectAll()
    dialog.delete_selected()
    assert dialog.message.text() == "Deleted 2 samples (moved to the Trash). Undo (Ctrl+Z) brings them back."
    dialog.close()  # its undo is gone with it; the Trash is not
    assert mine.samples() == []
    trash = trash_folder()
    for sample in kept:  # what a file manager's Restore does: each file back where it was
        for path in (sample.png, sample.meta):
            (trash / "files" / path.name).rename(path)
            assert f"Path={quote(str(path))}\n" in (trash / "info" / f"{path.name}.trashinfo").read_text()
    assert sorted(mine.samples(), key=str) == sorted(kept, key=str)


def test_undo_takes_the_very_files_back_out_of_the_trash(qtbot, threes):
    """Undo wrote copies back and left the originals in the trash, a pair more on every delete and
    undo; on a full disk the copies could not be written and the samples were lost (QA pass)."""
    mine, kept = threes
    inodes = {path: path.stat().st_ino for sample in kept for path in (sample.png, sample.meta)}
    dialog = open_dialog(qtbot, mine)
    for _ in range(2):
        dialog.grid.selectAll()
        dialog.delete_selected()
        dialog.undo_stack.undo()
        assert dialog.message.text() == "Restored 2 samples."
    assert {path: path.stat().st_ino for path in inodes} == inodes  # moved back, not written again
    assert list((trash_folder() / "files").iterdir()) == list((trash_folder() / "info").iterdir()) == []


def test_a_sample_the_trash_takes_only_half_of_is_deleted_whole_and_comes_back(qtbot, threes):
    """On a full disk the trash took each sample's JSON but not its picture, which was then deleted
    for good: half a sample in the trash, which no Restore can make whole (QA pass)."""
    mine, kept = threes
    for sample in kept:  # the real trash refuses each picture: a folder of its name is in the way
        (trash_folder() / "files" / sample.png.name / "in-the-way").mkdir(parents=True)
    dialog = open_dialog(qtbot, mine)
    dialog.grid.selectAll()
    dialog.delete_selected()
    assert dialog.message.text() == "Deleted 2 samples. Undo (Ctrl+Z) brings them back."  # not "to the Trash"
    assert mine.samples() == [] and not any(p.exists() for s in kept for p in (s.png, s.meta))
    held = {p.name for p in (trash_folder() / "files").iterdir()}
    assert held == {s.png.name for s in kept}  # the folders in the way, and no half sample
    assert list((trash_folder() / "info").iterdir()) == []
    dialog.undo_stack.undo()
    assert sorted(mine.samples(), key=str) == sorted(kept, key=str)


def test_my_samples_shows_what_another_window_changed_when_it_comes_back_to_front(qtbot, store):
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    dialog = open_dialog(qtbot, store)
    dialog.grid.item(2).setSelected(True)  # the 7
    store.delete(store.samples()[0])  # the other window deletes a 1 and teaches a 4
    store.add(4, image(9))
    QApplication.sendEvent(dialog, QEvent(QEvent.Type.WindowActivate))
    assert sorted(dialog.grid.item(i).text() for i in range(dialog.grid.count())) == ["1", "4", "7"]
    assert [s.label for s in dialog.selected()] == [7]


def test_a_sample_with_one_of_its_files_restored_from_the_trash_is_told(qtbot, threes):
    """Restoring only a deleted sample's JSON from the Trash showed nothing, and counted nothing (QA pass)."""
    mine, kept = threes
    dialog = open_dialog(qtbot, mine)
    dialog.grid.item(0).setSelected(True)
    dialog.delete_selected()
    dialog.close()
    trashed = next(p for p in (trash_folder() / "files").iterdir() if p.suffix == ".json")
    trashed.rename(next(s.meta for s in kept if s.meta.name == trashed.name))  # the JSON alone
    again = open_dialog(qtbot, mine)
    assert "1 with one of its two files missing, not counted" in again.counts.text()


def test_ctrl_y_redoes_in_my_samples_too(qtbot, store):
    from PySide6.QtGui import QKeySequence

    dialog = open_dialog(qtbot, store)
    redo = next(action for action in dialog.actions() if action.text().startswith("Redo"))
    assert QKeySequence("Ctrl+Y") in redo.shortcuts()


# --- what the app says it is -------------------------------------------------------------------------


def test_about_help_and_the_package_say_the_app_reads_numbers_too():
    import subprocess
    import sys
    from pathlib import Path

    import tomllib

    from handwriting_recognizer.app.application import DESCRIPTION, about_text

    assert about_text().splitlines()[1] == DESCRIPTION
    assert "digit or a whole number" in DESCRIPTION
    pyproject = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())
    assert pyproject["project"]["description"] == DESCRIPTION
    shown = subprocess.run(
        [sys.executable, "-m", "handwriting_recognizer", "--help"], capture_output=True, text=True, timeout=60
    )
    assert shown.returncode == 0 and " ".join(DESCRIPTION.split()) in " ".join(shown.stdout.split())


# --- where Export and Import start -------------------------------------------------------------------


class FileDialogs:
    """QFileDialog's static functions as a user answers them: each call is recorded (which, title, where
    it started) and answered with the next of `answers`."""

    def __init__(self, monkeypatch, answers: list[str]):
        from PySide6.QtWidgets import QFileDialog

        self.calls: list[tuple[str, str, str]] = []
        self.answers = list(answers)
        for which in ("getSaveFileName", "getOpenFileName"):
            monkeypatch.setattr(QFileDialog, which, self._answer(which))

    def _answer(self, which: str):
        def answer(parent, title, start, filter_):
            self.calls.append((which, title, start))
            return self.answers.pop(0), filter_

        return answer


def test_export_and_import_start_in_documents_then_where_the_user_last_was(
    qtbot, store, tmp_path, monkeypatch, isolated_user_folders
):
    monkeypatch.chdir(tmp_path)  # the working directory is where a launcher started the app: never offered
    documents = isolated_user_folders / "Documents"
    documents.mkdir()
    elsewhere = tmp_path / "usb stick"
    elsewhere.mkdir()
    dialogs = FileDialogs(monkeypatch, [str(elsewhere / "backup"), str(elsewhere / "backup.zip"), ""])
    dialog = open_dialog(qtbot, store)
    button(dialog, "Export…").click()
    assert dialogs.calls[-1] == ("getSaveFileName", "Export Samples", str(documents / "my-samples.zip"))
    assert (elsewhere / "backup.zip").is_file()  # the name typed without .zip gets it
    assert dialog.message.text() == "Exported 3 samples to backup.zip."  # where it went: QA pass
    button(dialog, "Import…").click()
    assert dialogs.calls[-1] == ("getOpenFileName", "Import Samples", str(elsewhere))
    assert dialog.message.text() == "Nothing imported: all 3 samples are already in your samples."

    elsewhere.rename(tmp_path / "unplugged")  # the folder is gone: Documents again, then home
    button(dialog, "Export…").click()  # cancelled: nothing remembered, nothing written
    assert dialogs.calls[-1] == ("getSaveFileName", "Export Samples", str(documents / "my-samples.zip"))
    documents.rmdir()
    from handwriting_recognizer.app.samples_view import ARCHIVE_FOLDERS

    assert start_folder(dialog.settings, keys.SAMPLES_FOLDER, ARCHIVE_FOLDERS) == str(isolated_user_folders)


@pytest.mark.parametrize("answer", ["No", "Yes"])
def test_an_export_named_without_zip_asks_before_replacing_a_backup(qtbot, store, tmp_path, monkeypatch, answer):
    """The dialog asked about "backup" only: "backup.zip", an older export, was replaced without a
    word. Now the user is asked, and No keeps it as it was."""
    from PySide6.QtWidgets import QMessageBox

    backup = tmp_path / "backup.zip"
    backup.write_bytes(b"an older backup")
    asked = []
    button_ = getattr(QMessageBox.StandardButton, answer)
    monkeypatch.setattr(QMessageBox, "question", lambda parent, title, text, *rest: asked.append(text) or button_)
    FileDialogs(monkeypatch, [str(tmp_path / "backup")] + ([""] if answer == "No" else []))  # No: asked again
    dialog = open_dialog(qtbot, store)
    button(dialog, "Export…").click()
    assert asked == ["backup.zip already exists.\nDo you want to replace it?"]
    if answer == "No":
        assert backup.read_bytes() == b"an older backup" and "Exported" not in dialog.message.text()
    else:
        assert (
            backup.read_bytes() != b"an older backup" and dialog.message.text() == "Exported 3 samples to backup.zip."
        )


def test_the_window_and_my_samples_remember_their_folders_apart(app_window, tmp_path, monkeypatch):
    """Open Drawing and My Samples share one dialog helper, not one remembered folder: a picture
    folder does not become where archives go."""
    pictures, archives = tmp_path / "pictures", tmp_path / "archives"
    pictures.mkdir()
    archives.mkdir()
    save_drawing(Drawing(100, 100, tuple(handmade.seven())), pictures / "a.json")
    dialogs = FileDialogs(monkeypatch, [str(pictures / "a.json"), str(archives / "s.zip"), "", ""])
    app_window.files.ask_open_drawing()
    app_window.show_samples()
    samples = app_window.findChild(SamplesDialog)
    button(samples, "Import…").click()
    app_window.files.ask_open_drawing()
    button(samples, "Import…").click()
    assert [start for _, _, start in dialogs.calls[2:]] == [str(pictures), str(archives)]
    assert samples.settings is app_window.settings  # remembered in the app's settings file


# --- nothing to export, nothing shown ----------------------------------------------------------------


def test_export_is_disabled_while_there_is_nothing_to_export_and_the_empty_list_says_how_to_teach(
    qtbot, store, tmp_path
):
    store.export_archive(tmp_path / "three.zip")
    empty = open_dialog(qtbot, SampleStore(tmp_path / "new"))
    export = button(empty, "Export…")
    assert not export.isEnabled() and "Nothing to export" in export.toolTip()
    assert empty.empty_hint.isVisible() and not empty.grid.isVisible()
    hint = empty.empty_hint.text()
    assert "digit key" in hint and "Enter" in hint and "Import…" in hint

    empty.import_from(str(tmp_path / "three.zip"))
    assert export.isEnabled() and empty.grid.isVisible() and not empty.empty_hint.isVisible()
    empty.grid.selectAll()
    empty.delete_selected()
    assert not export.isEnabled() and empty.empty_hint.isVisible()
    empty.undo_stack.undo()
    assert export.isEnabled() and empty.grid.count() == 3 and not empty.empty_hint.isVisible()
    empty.digits.setCurrentRow(1 + 3)  # a digit without samples: the others still export
    assert export.isEnabled() and empty.grid.count() == 0 and not empty.empty_hint.isVisible()


def test_samples_that_cannot_be_read_are_nothing_to_export(qtbot, store):
    for sample in store.samples():
        sample.png.write_bytes(b"not a png")
    dialog = open_dialog(qtbot, store)
    assert "3 unreadable" in dialog.counts.text() and not button(dialog, "Export…").isEnabled()


def test_the_empty_hint_names_the_menu_action_that_teaches(app_window):
    from PySide6.QtGui import QAction

    from handwriting_recognizer.app.samples_view import EMPTY_HINT

    teach = [a.text().replace("&", "") for a in app_window.findChildren(QAction) if "Teach" in a.text()]
    assert any(f"Model > {text}" in EMPTY_HINT for text in teach), teach


# --- a small or scaled screen ------------------------------------------------------------------------

ON_A_SMALL_SCREEN = """
import json, sys
import numpy as np
from PySide6.QtCore import QRect, QStandardPaths
QStandardPaths.setTestModeEnabled(True)
from handwriting_recognizer.app.application import create_application
app = create_application(sys.argv)
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget
from handwriting_recognizer.app.dialogs import model_info_box
from handwriting_recognizer.app.samples_view import SamplesDialog, import_summary
from handwriting_recognizer.core.paths import bundled_model_path
from handwriting_recognizer.core.recognizer import Recognizer
from handwriting_recognizer.core.samples import ImportReport, SampleStore

rect = lambda r: [r.x(), r.y(), r.width(), r.height()]
size = lambda s: [s.width(), s.height()]
def buttons(widget):
    return {b.text(): rect(QRect(b.mapToGlobal(b.rect().topLeft()), b.size()))
            for b in widget.findChildren(QPushButton) if b.isVisible()}

window = QWidget()
window.resize(600, 400)
window.show()
store = SampleStore(sys.argv[1])
for seed in range(40):
    store.add(seed % 10, np.random.default_rng(seed).random((28, 28)).astype(np.float32))
samples = SamplesDialog(window, store)
samples.show()
app.processEvents()
shown = {"available": rect(samples.screen().availableGeometry()), "ratio": samples.devicePixelRatio()}
shown["samples"] = {"frame": rect(samples.frameGeometry()), "least": size(samples.minimumSizeHint()),
                    "hint": size(samples.sizeHint()), "buttons": buttons(samples)}
skipped = tuple((f"{i}/a.json", "not a 28x28 PNG picture") for i in range(15))
samples.message.setText(import_summary(ImportReport(0, skipped)))  # the longest message: 12 lines
app.processEvents()
shown["long message"] = {"frame": rect(samples.frameGeometry()), "least": size(samples.minimumSizeHint()),
                         "buttons": buttons(samples)}
info = model_info_box(window, Recognizer(bundled_model_path()).info, "bundled model")
app.processEvents()
next(b for b in info.buttons() if info.buttonRole(b) == QMessageBox.ButtonRole.ActionRole).click()
for _ in range(5):
    app.processEvents()
shown["model info"] = {"frame": rect(info.frameGeometry()), "buttons": buttons(info)}
print(json.dumps(shown))
"""


def test_my_samples_and_model_info_fit_a_1400x900_screen_at_200_percent(tmp_path):
    """700x450 logical pixels: My Samples opened at 720x480 (Export, Import and Close off the
    screen) and Model Info grew past the bottom when its details opened."""
    from PySide6.QtCore import QRect

    shown = on_a_scaled_screen(ON_A_SMALL_SCREEN, 1400, 900, tmp_path, str(tmp_path / "samples"))
    assert shown["ratio"] == 2 and shown["available"] == [0, 0, 700, 450]
    available = QRect(*shown["available"])
    for name in ("samples", "long message", "model info"):
        dialog = shown[name]
        assert available.contains(QRect(*dialog["frame"])), (name, dialog["frame"])
        for text, place in dialog["buttons"].items():
            assert available.contains(QRect(*place)), (name, text, place)
    assert {"Export…", "Import…", "Close"} <= set(shown["samples"]["buttons"])
    assert {"OK", "Hide Details..."} <= set(shown["model info"]["buttons"])
    for least in (shown["samples"]["least"], shown["long message"]["least"]):  # it can shrink to fit
        assert least[0] <= available.width() and least[1] <= available.height()
    assert shown["samples"]["hint"][0] <= available.width() and shown["samples"]["hint"][1] <= available.height()


def test_an_import_is_undone_and_redone(qtbot, store, tmp_path):
    """The wrong archive's samples could only go by selecting them all and deleting (QA pass)."""
    other = SampleStore(tmp_path / "other")
    for seed in range(4):
        other.add(seed + 2, image(200 + seed))
    other.export_archive(tmp_path / "theirs.zip")
    dialog = open_dialog(qtbot, store)
    mine = set(store.samples())
    dialog.import_from(str(tmp_path / "theirs.zip"))
    assert len(store.samples()) == 7 and dialog.message.text().startswith("Imported 4 samples")
    assert dialog.undo_button.text() == "Undo Import of 4 samples" and dialog.undo_button.isEnabled()
    dialog.undo_stack.undo()
    assert set(store.samples()) == mine and dialog.grid.count() == 3
    assert dialog.message.text().startswith("Import undone: 4 samples removed. Redo (Ctrl+")
    assert dialog.message.text().endswith(") adds them again.")
    dialog.undo_stack.redo()
    assert len(store.samples()) == 7 and dialog.grid.count() == 7
    dialog.import_from(str(tmp_path / "theirs.zip"))  # nothing new: nothing to undo
    assert dialog.undo_stack.count() == 1 and "already in your samples" in dialog.message.text()
