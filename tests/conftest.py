"""Shared fixtures: headless Qt, isolated settings and data folders, the real MNIST when present."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BUNDLED_MODEL = ROOT / "assets" / "model.onnx"


@pytest.fixture(scope="session")
def optional_mnist_path() -> Path | None:
    """The real MNIST .npz named by $HWR_MNIST, or None: the one place tests look for it."""
    value = os.environ.get("HWR_MNIST")
    return Path(value) if value and Path(value).is_file() else None


@pytest.fixture(scope="session")
def mnist_path(optional_mnist_path: Path | None) -> Path:
    """The real MNIST .npz; tests that need it skip, loudly, without it."""
    if optional_mnist_path is None:
        pytest.skip("real MNIST not available: set HWR_MNIST to a Keras-layout mnist.npz to run this test")
    return optional_mnist_path


@pytest.fixture(scope="session")
def mnist(mnist_path: Path) -> dict[str, np.ndarray]:
    with np.load(mnist_path) as data:
        return {k: data[k] for k in ("x_train", "y_train", "x_test", "y_test")}


@pytest.fixture(scope="session")
def bundled_model() -> Path:
    assert BUNDLED_MODEL.is_file(), "assets/model.onnx is missing: the app ships it"
    return BUNDLED_MODEL


@pytest.fixture(autouse=True)
def isolated_user_folders(tmp_path_factory, monkeypatch):
    """Settings and the user's data folder go to a temporary place, never the real ones: Qt's test
    mode keeps QStandardPaths away from the user's folders on every system, and a fresh HOME/XDG
    per test separates the tests from each other (where Qt reads those: Linux, macOS)."""
    from PySide6.QtCore import QStandardPaths

    QStandardPaths.setTestModeEnabled(True)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    yield home


@pytest.fixture
def app_window(qtbot, bundled_model):
    """A fresh main window on the bundled model, with settings in a temporary folder."""
    from handwriting_recognizer.app.application import create_application
    from handwriting_recognizer.app.main_window import MainWindow
    from handwriting_recognizer.app.settings import open_settings

    create_application([])
    open_settings().clear()
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(900, 600)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture(scope="session")
def unipen_root() -> Path:
    """The real UNIPEN corpus: $HWR_UNIPEN, else the project's shared copy; tests that need it skip,
    loudly, without it."""
    from handwriting_recognizer.core.train_config import UNIPEN_ENV

    root = Path(os.environ.get(UNIPEN_ENV) or ROOT.parent / "shared" / "data" / "unipen")
    if not (root / "data" / "1a").is_dir():
        pytest.skip(f"UNIPEN train_r01_v07 not found at {root}: set {UNIPEN_ENV} to a copy of it to run this test")
    return root
