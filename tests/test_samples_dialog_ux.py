"""My Samples and the app's boxes as a user meets them (found by a hands-on pass): what a delete says,
where Export and Import start, Export with nothing to export, the hint in an empty list, the About
text, and dialogs that fit a small or scaled screen."""

from __future__ import annotations

import numpy as np
import pytest

from handwriting_recognizer.core.samples import SampleStore


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
    from handwriting_recognizer.app.samples_view import SamplesDialog

    create_application([])
    dialog = SamplesDialog(None, store)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_deleting_one_sample_says_it_comes_back_and_several_say_them(qtbot, store):
    dialog = open_dialog(qtbot, store)
    dialog.grid.item(0).setSelected(True)
    dialog.delete_selected()
    assert dialog.message.text() == "Deleted 1 sample. Undo (Ctrl+Z) brings it back."
    dialog.grid.selectAll()
    dialog.delete_selected()
    assert dialog.message.text() == "Deleted 2 samples. Undo (Ctrl+Z) brings them back."


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
