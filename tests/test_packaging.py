"""Packaging: build.spec selects its flavour, the self-test works from source, and (with
HWR_BUILD_TEST=1) a real lean PyInstaller build passes its --self-test.

The cheap tests run the spec with stand-ins for PyInstaller's Analysis/PYZ/EXE/COLLECT, so they need
neither PyInstaller nor a build.
"""

from __future__ import annotations

import ast
import json
import os
import runpy
import shutil
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

import pytest

import handwriting_recognizer
from handwriting_recognizer import selftest
from handwriting_recognizer.core.recognizer import INT8_EXPORT_FAILED

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "build.spec"
BUILD_SCRIPT = ROOT / "scripts" / "build.sh"
APP = "HandwritingRecognizer"


class _Recorder:
    """Stands in for a PyInstaller build target and records how the spec called it."""

    calls: dict[str, _Recorder] = {}
    found_binaries: list[tuple[str, str, str]] = []  # what the "analysis" finds

    def __init__(self, kind: str, *args, **kwargs):
        self.kind, self.args, self.kwargs = kind, args, kwargs
        self.binaries, self.datas, self.pure, self.scripts = (
            list(self.found_binaries),
            list(kwargs.get("datas", [])),
            [],
            [],
        )
        _Recorder.calls[kind] = self


def _run_spec(monkeypatch, tmp_path: Path, flavour: str | None) -> dict[str, _Recorder]:
    if flavour is None:
        monkeypatch.delenv("HWR_FLAVOUR", raising=False)
    else:
        monkeypatch.setenv("HWR_FLAVOUR", flavour)
    # PyInstaller's helpers, faked: the spec must not depend on what this environment has installed.
    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.collect_submodules = lambda package, **_: [f"{package}.fake_submodule"]
    hooks.copy_metadata = lambda name, **_: [(f"/site-packages/{name}.dist-info", f"{name}.dist-info")]
    qt = types.ModuleType("PyInstaller.utils.hooks.qt")

    class QtLibraryInfo:
        def collect_plugins(self, plugin_type):
            folder = f"PySide6/Qt/plugins/{plugin_type}"
            names = {
                "platforms": ["libqxcb.so", "libqvnc.so", "libqwayland.so"],
                "platformthemes": ["libqgtk3.so", "libqxdgdesktopportal.so"],
            }[plugin_type]
            return [(f"/qt/plugins/{plugin_type}/{name}", folder) for name in names]

    qt.QtLibraryInfo = QtLibraryInfo
    hooks.qt = qt
    for name, module in {
        "PyInstaller": types.ModuleType("PyInstaller"),
        "PyInstaller.utils": types.ModuleType("PyInstaller.utils"),
        "PyInstaller.utils.hooks": hooks,
        "PyInstaller.utils.hooks.qt": qt,
    }.items():
        monkeypatch.setitem(sys.modules, name, module)
    _Recorder.calls = {}
    namespace = {
        "__name__": "__main__",
        "__file__": str(SPEC),
        "SPECPATH": str(ROOT),
        "DISTPATH": str(tmp_path / "dist"),
        "workpath": str(tmp_path / "work"),
        **{
            kind: (lambda *a, _kind=kind, **k: _Recorder(_kind, *a, **k))
            for kind in ("Analysis", "PYZ", "EXE", "COLLECT")
        },
    }
    exec(compile(SPEC.read_text(), str(SPEC), "exec"), namespace)
    namespace["plugin_filter_probe"] = [
        *QtLibraryInfo().collect_plugins("platforms"),
        *QtLibraryInfo().collect_plugins("platformthemes"),
    ]
    calls = dict(_Recorder.calls)
    calls["namespace"] = namespace  # type: ignore[assignment]
    return calls


def test_spec_is_python():
    ast.parse(SPEC.read_text(), str(SPEC))


@pytest.mark.parametrize("flavour", [None, "full", "lean", " LEAN "])
def test_spec_selects_the_flavour(monkeypatch, tmp_path, flavour):
    expected = (flavour or "full").strip().lower()
    calls = _run_spec(monkeypatch, tmp_path, flavour)
    analysis, exe, coll = calls["Analysis"], calls["EXE"], calls["COLLECT"]
    assert exe.kwargs["name"] == APP
    assert coll.kwargs["name"] == f"{APP}-{expected}"
    assert analysis.args[0] == [str(ROOT / "src" / "handwriting_recognizer" / "__main__.py")]
    excludes, hidden = set(analysis.kwargs["excludes"]), set(analysis.kwargs["hiddenimports"])
    datas = {Path(src).name: dest for src, dest in analysis.kwargs["datas"]}
    assert datas["model.onnx"] == "assets" and datas["icon.png"] == "assets"
    assert datas["model.int8.onnx"] == datas["model.strokes.onnx"] == "assets"  # what the CPU runs, fused
    assert not any("report" in src for src, _ in analysis.kwargs["datas"])
    if (ROOT / "assets" / "model.weights.h5").is_file():
        assert ("model.weights.h5" in datas) == (expected == "full")  # the start point of a retraining
    # onnxruntime's tooling: only the full flavour's worker quantizes (int8 export).
    assert ("onnxruntime.quantization" in excludes) == ("onnxruntime.transformers" in excludes) == (expected == "lean")
    assert {"PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtNetwork"} <= excludes  # unused Qt modules
    assert not {"PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets"} & excludes
    heavy = {"tensorflow", "keras", "tf2onnx", "onnx", "matplotlib", "scipy", "handwriting_recognizer.training"}
    if expected == "lean":
        assert heavy <= excludes
        assert not any(".training" in h for h in hidden)
    else:
        assert not heavy & excludes
        assert {"handwriting_recognizer.training.fake_submodule", "tf2onnx.fake_submodule"} <= hidden


@pytest.mark.skipif(sys.platform != "linux", reason="Linux packaging")
def test_spec_leaves_desktop_libraries_to_the_system_and_trims_icu(monkeypatch, tmp_path):
    icu = next((ROOT / ".venv").glob("lib/python3*/site-packages/PySide6/Qt/lib/libicudata.so.*"), None)
    found = [
        ("libX11.so.6", "/usr/lib/libX11.so.6", "BINARY"),
        ("libfontconfig.so.1", "/usr/lib/libfontconfig.so.1", "BINARY"),
        ("libstdc++.so.6", "/usr/lib/libstdc++.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6Core.so.6", "/venv/PySide6/Qt/lib/libQt6Core.so.6", "BINARY"),
    ]
    if icu is not None:
        found.append((f"PySide6/Qt/lib/{icu.name}", str(icu), "BINARY"))
    monkeypatch.setattr(_Recorder, "found_binaries", found)
    binaries = {dest: src for dest, src, _ in _run_spec(monkeypatch, tmp_path, "lean")["Analysis"].binaries}
    assert "libX11.so.6" not in binaries and "libfontconfig.so.1" not in binaries  # the desktop's own
    assert "libstdc++.so.6" in binaries and "PySide6/Qt/lib/libQt6Core.so.6" in binaries
    if icu is not None and shutil.which("icupkg"):  # the build's tools (./dev build installs them)
        trimmed = Path(binaries[f"PySide6/Qt/lib/{icu.name}"])
        assert trimmed.parent == tmp_path / "work" / "icu"
        assert trimmed.stat().st_size < icu.stat().st_size / 3
        # What the rebuilt package holds: English, root and collation, no break iterator data.
        trim_icu = runpy.run_path(str(ROOT / "scripts" / "trim_icu.py"))
        symbol, blob = trim_icu["data_blob"](trimmed)
        package = tmp_path / trim_icu["package_name"](symbol)
        package.write_bytes(blob)
        items = subprocess.run(
            ["icupkg", "-l", str(package)], check=True, capture_output=True, text=True
        ).stdout.split()
        assert {"coll/root.res", "coll/ucadata.icu", "en.res", "root.res"} <= set(items)
        assert not [item for item in items if item.startswith("brkitr/")]


def test_trimmed_icu_keeps_english_and_locale_independent_data():
    trim_icu = runpy.run_path(str(ROOT / "scripts" / "trim_icu.py"))
    wanted = trim_icu["wanted"]
    for item in (
        "root.res",
        "en.res",
        "en_GB.res",
        "coll/root.res",
        "coll/ucadata.icu",
        "uprops.icu",
        "nfc.nrm",
        "zoneinfo64.res",
        "supplementalData.res",
        "cnvalias.icu",
    ):
        assert wanted(item), item
    for item in (
        "de.res",
        "zh_Hant_TW.res",
        "coll/zh.res",
        "coll/de_.res",
        "curr/fr.res",
        "zone/ja.res",
        "ibm-1047_P100-1995.cnv",
        "translit/root.res",
        "unames.icu",
        "brkitr/cjdict.dict",
        "brkitr/line.brk",
        "brkitr/root.res",
    ):  # break iterators' data
        assert not wanted(item), item


def test_spec_leaves_unused_qt_plugins_out(monkeypatch, tmp_path):
    calls = _run_spec(monkeypatch, tmp_path, "lean")
    kept = [Path(src).name for src, _ in calls["namespace"]["plugin_filter_probe"]]
    assert kept == ["libqxcb.so", "libqwayland.so", "libqxdgdesktopportal.so"]  # not vnc, gtk3
    dropped = calls["namespace"]["_dropped"]
    assert dropped("PySide6/Qt/translations/qtbase_de.qm")
    assert not dropped("PySide6/Qt/plugins/platforms/libqoffscreen.so")
    assert not dropped("PySide6/Qt/plugins/imageformats/libqjpeg.so")
    # OpenGL stays out (the app paints with the raster engine), and with it libQt6OpenGL, which only
    # Wayland's client buffer integrations link; Wayland keeps xdg-shell and its decorations.
    for plugin in (
        "xcbglintegrations/libqxcb-glx-integration.so",
        "xcbglintegrations/libqxcb-egl-integration.so",
        "wayland-graphics-integration-client/libqt-plugin-wayland-egl.so",
        "wayland-shell-integration/libivi-shell.so",
        "wayland-shell-integration/libwl-shell-plugin.so",
    ):
        assert dropped(f"PySide6/Qt/plugins/{plugin}"), plugin
    for plugin in (
        "platforms/libqwayland.so",
        "wayland-shell-integration/libxdg-shell.so",
        "wayland-decoration-client/libadwaita.so",
    ):
        assert not dropped(f"PySide6/Qt/plugins/{plugin}"), plugin
    assert "numpy._core._multiarray_tests" in calls["Analysis"].kwargs["excludes"]  # numpy's test helper


def test_spec_rejects_an_unknown_flavour(monkeypatch, tmp_path):
    with pytest.raises(SystemExit, match="HWR_FLAVOUR"):
        _run_spec(monkeypatch, tmp_path, "medium")


def test_build_script_is_documented():
    text = BUILD_SCRIPT.read_text()
    assert os.access(BUILD_SCRIPT, os.X_OK)
    assert "./dev build [lean|full]" in text and "--self-test" in text


def test_self_test_drawings_and_worker_command():
    assert {expected for expected, _ in selftest.DRAWINGS.values()} >= {0, 1, 7}
    from handwriting_recognizer.core.worker import STOP_WITH_APP_ENV, worker_command, worker_environment

    command = worker_command(["--epochs", "1"])
    assert command[:3] == [sys.executable, "-m", "handwriting_recognizer.training"] and command[-2:] == [
        "--epochs",
        "1",
    ]
    env = worker_environment({"HWR_MNIST": "/data/mnist.npz", STOP_WITH_APP_ENV: "1"}, dataset_from_env=False)
    assert str(ROOT / "src") in env["PYTHONPATH"].split(os.pathsep) and "HWR_MNIST" not in env
    # The self-test gives the worker no input: a worker told to stop with its app stopped at once,
    # and the full build's self-test failed (review). Only the app's workers are told to.
    assert STOP_WITH_APP_ENV not in env
    from handwriting_recognizer.app.retrain_process import prepared_process

    assert prepared_process(None).processEnvironment().value(STOP_WITH_APP_ENV) == "1"


def test_self_test_reports_every_drawing(capsys):
    ok = selftest.check_recognition()
    out = capsys.readouterr().out
    for name in selftest.DRAWINGS:
        assert f"drawing {name}: expected" in out
    assert ok == (out.count(" ok\n") == len(selftest.DRAWINGS))  # passed exactly when every drawing read right


def test_self_test_checks_the_worker_result(monkeypatch, capsys):
    """check_training passes only when the worker exits 0 *and* wrote model.onnx."""

    def fake_worker(write: bool, code: int, quantizes: bool = True):
        def run(command, **kwargs):
            out = Path(command[command.index("--out") + 1])
            if write:
                out.mkdir(parents=True, exist_ok=True)
                (out / "model.onnx").write_bytes(b"x")
            warning = (
                ""
                if quantizes
                else json.dumps({"event": "warning", "message": f"{INT8_EXPORT_FAILED} (No module named x)"}) + "\n"
            )
            return subprocess.CompletedProcess(command, code, stdout=warning + '{"event": "done"}\n')

        return run

    assert selftest.check_training(fake_worker(True, 0))
    assert not selftest.check_training(fake_worker(False, 0))
    assert not selftest.check_training(fake_worker(True, 2))
    assert not selftest.check_training(fake_worker(True, 0, quantizes=False))  # a frozen worker missing a module
    assert "training worker: FAILED" in capsys.readouterr().out


def assert_the_window_starts(app: Path, env: dict[str, str]) -> None:
    """The executable as a user starts it, with no arguments: its window opens and its event loop
    runs (the app logs "started" from it). The self-test does not import the window's modules: a
    module the build left out that only they import (decimal) passed the self-test."""
    with tempfile.TemporaryDirectory() as home:
        folders = {"HOME": home, "XDG_CONFIG_HOME": f"{home}/config", "XDG_DATA_HOME": f"{home}/data"}
        log = Path(home) / "data" / "hwr" / "Handwriting Recognizer" / "logs" / "app.log"
        window = subprocess.Popen([str(app)], env={**env, **folders}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 60
            while window.poll() is None and time.monotonic() < deadline:
                if log.is_file() and " started (" in log.read_text(errors="replace"):
                    break
                time.sleep(0.1)
            running = window.poll() is None
        finally:
            window.terminate()
            _, errors = window.communicate(timeout=30)
        assert running and " started (" in log.read_text(errors="replace"), errors.decode(errors="replace")[-3000:]


@pytest.mark.skipif(
    os.environ.get("HWR_BUILD_TEST") != "1",
    reason="set HWR_BUILD_TEST=1 to build the lean app with PyInstaller (minutes)",
)
def test_lean_build_passes_its_self_test():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HWR_FLAVOUR": "lean"}
    build = subprocess.run(
        [str(ROOT / "dev"), "build", "lean"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200
    )
    output = build.stdout + build.stderr
    assert build.returncode == 0, output[-4000:]
    app = ROOT / "dist" / f"{APP}-lean" / APP
    assert app.is_file()
    bundle = app.parent / "_internal"
    assert (bundle / "assets" / "model.onnx").is_file() and (bundle / "assets" / "icon.png").is_file()
    assert "with its stroke model" in output  # the self-test's model line: drawings are read fused
    assert not (bundle / "tensorflow").exists() and not (bundle / "handwriting_recognizer" / "training").exists()
    assert not list(bundle.rglob("libQt6OpenGL*")) and not list(bundle.rglob("xcbglintegrations"))  # raster only
    assert (bundle / "PySide6" / "Qt" / "plugins" / "wayland-shell-integration" / "libxdg-shell.so").is_file()
    for name in selftest.DRAWINGS:
        assert f"drawing {name}: expected" in output
    assert "training worker: skipped (lean" in output and "self-test: passed" in output
    # The executable on its own, as a user would run it.
    result = subprocess.run([str(app), "--self-test"], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("drawing ") == len(selftest.DRAWINGS)
    assert "CPUExecutionProvider, int8" in result.stdout  # the bundled int8 copy runs
    assert (
        f"handwriting-recognizer {handwriting_recognizer.__version__}," in result.stdout
    )  # the frozen app knows its version
    assert_the_window_starts(app, env)
    # The size target, 150 MB in decimal bytes (what `du -sb` counts, less its directory entries).
    size = sum(f.stat().st_size for f in app.parent.rglob("*") if f.is_file() and not f.is_symlink())
    assert size <= 150_000_000, f"the lean build is {size / 1e6:.1f} MB"
