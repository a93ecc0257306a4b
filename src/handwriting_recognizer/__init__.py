"""Handwriting Recognizer: write a digit or a number, watch a network read it; train and retrain that network.

Three layers: `core` (the contract between training and the app: preprocessing, model files,
the recognizer over onnxruntime, drawings, samples, progress events; no Qt, no TensorFlow), `app`
(PySide6; core only) and `training` (TensorFlow; core only). `__main__` starts whichever is asked
for. `__version__` is looked up lazily: importlib.metadata costs about 25 ms to import, which
`predict` and the training worker need not pay.
"""

from functools import cache

DISTRIBUTION = "handwriting-recognizer"  # the package name in pyproject.toml, and the app's name in --version
UNKNOWN_VERSION = "unknown"
# What the app is, in one line: About, --help; pyproject.toml's description repeats it (a test holds them equal)
DESCRIPTION = (
    "Write a digit or a whole number and watch a neural network read it, live; train and retrain that network."
)


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
    raise AttributeError(name)
