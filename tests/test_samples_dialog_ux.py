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
