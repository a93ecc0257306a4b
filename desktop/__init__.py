"""The desktop app: draw a digit, watch the network read it. Never imports TensorFlow.

`desktop.MainWindow` is imported lazily so that the pure modules (preprocess, drawing, engine)
can be used, by training too, without loading Qt. `desktop.__version__` is looked up lazily too:
importlib.metadata costs about 25 ms to import, which `predict` and the training worker need not pay.
"""
from functools import cache

DISTRIBUTION = "handwriting-recognizer"  # the package name in pyproject.toml, and the app's name in --version
UNKNOWN_VERSION = "unknown"


@cache
def installed_version() -> str:
    """The version of the installed package (pyproject.toml's, through its metadata; the frozen
    build carries that metadata too), or "unknown" when the code runs without being installed."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return UNKNOWN_VERSION


def __getattr__(name: str):
    if name == "__version__":
        return installed_version()
    if name == "MainWindow":
        from desktop.main_window import MainWindow

        return MainWindow
    raise AttributeError(name)
