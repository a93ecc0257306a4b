"""The desktop app: draw a digit, watch the network read it. Never imports TensorFlow.

`desktop.MainWindow` is imported lazily so that the pure modules (preprocess, drawing, engine)
can be used, by training too, without loading Qt.
"""


def __getattr__(name: str):
    if name == "MainWindow":
        from desktop.main_window import MainWindow

        return MainWindow
    raise AttributeError(name)
