"""Entry point of the app and of the executable.

python -m handwriting_recognizer [--model PATH] [Qt options, e.g. -style Fusion]   the app
python -m handwriting_recognizer predict FILE... [--json]   recognize files without a window
python -m handwriting_recognizer --self-test                check the bundled model (and, in a full build, training)
python -m handwriting_recognizer --version                  print "handwriting-recognizer <version>"
python -m handwriting_recognizer --training-worker ARGS     the training CLI (the frozen app re-invokes itself so)
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

# The app's numpy work is small matrices: extra BLAS threads only add latency (and fight the UI).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


# Qt's own command-line options (QGuiApplication's and QApplication's, X11's and Windows'), which
# Qt takes with one dash or two: an option of two dashes that is none of these is refused before Qt.
QT_OPTIONS = frozenset(
    "platform platformpluginpath platformtheme plugin qmljsdebugger qwindowgeometry qwindowicon qwindowtitle "
    "reverse session style stylesheet widgetcount display geometry title name visual ncols cmap im inputstyle "
    "nograb dograb sync dialogs fontengine darkmode".split()
)


def main(argv: list[str]) -> int:
    if argv and argv[0] == "predict":
        from handwriting_recognizer.app.predict import main as predict

        return predict(argv[1:])
    if argv and argv[0] == "--training-worker":
        from handwriting_recognizer.training.cli import main as train  # only in the worker process, never in the app

        return train(argv[1:])
    if argv and argv[0] == "--self-test":
        from handwriting_recognizer.selftest import run_self_test

        return run_self_test()
    from handwriting_recognizer import DESCRIPTION, DISTRIBUTION, __version__

    parser = argparse.ArgumentParser(
        prog="python -m handwriting_recognizer",
        description=DESCRIPTION,
        epilog="Subcommand: 'predict FILE... [--json] [--model PATH]' recognizes files without a window; "
        "'--self-test' checks the installation. Qt's own options (-style Fusion, -platform NAME, -reverse) "
        "go to Qt.",
    )
    parser.add_argument(
        "--model", type=Path, help="ONNX model to start with (default: the last one used, else the bundled one)"
    )
    parser.add_argument("--version", action="version", version=f"{DISTRIBUTION} {__version__}")
    # Qt's own options (-style Fusion, -platform xcb, -reverse...) are not ours: QApplication takes
    # them, and what it leaves is parsed again, strictly, so a mistyped option is still refused.
    _, rest = parser.parse_known_args(argv)  # --help and --version answer here, before any window
    if any(arg.startswith("--") and arg[2:].split("=")[0] not in QT_OPTIONS for arg in rest):
        parser.parse_args(argv)  # refused before Qt starts: a typo is not met by "no display" on a bare terminal
    from handwriting_recognizer.app.application import run

    return run(argv, lambda rest: parser.parse_args(rest).model)


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main(sys.argv[1:]))


if __name__ == "__main__":
    entry()
