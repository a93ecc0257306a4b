"""The toolbar above the canvas: Clear, Undo and Redo (the very actions the Edit menu holds, so
their state and shortcuts are shared) and the pen width, remembered in the settings."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSettings, QSignalBlocker, Qt
from PySide6.QtGui import QAction, QIcon, QKeyEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QSpinBox, QToolBar

from handwriting_recognizer.app import settings as keys
from handwriting_recognizer.app.actions import takes_own_key
from handwriting_recognizer.app.canvas import PEN_WIDTH_DEFAULT, PEN_WIDTH_MAX, PEN_WIDTH_MIN, Canvas

PEN_TIP = (
    "Pen width on screen, in pixels. It changes how the ink looks, not the reading, except that ink hardly "
    "longer than the pen is wide is a dot. An opened drawing sets the pen it was drawn with."
)
ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
PEN_LABEL = "&Pen:"  # its access key takes the focus to the pen width (the keyboard help names it)


class PenWidthBox(QSpinBox):
    """The pen width in screen pixels, at the drawing's scale when it was begun or opened. Enter
    confirms it and hands the focus back to the canvas, so that the digit keys pick labels again
    (and Enter does not reach the window's Teach shortcut)."""

    def __init__(self, canvas: Canvas):
        super().__init__()
        self._canvas = canvas

    def event(self, event: QEvent) -> bool:
        if takes_own_key(event, ENTER):
            event.accept()  # this key is the box's, not a shortcut's
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        super().keyPressEvent(event)
        if event.key() in ENTER:
            self._canvas.setFocus(Qt.FocusReason.OtherFocusReason)


class CanvasTools(QToolBar):
    """Clear, Undo, Redo and the pen width, for people who do not use the menus or the keys."""

    def __init__(
        self, window: QMainWindow, canvas: Canvas, settings: QSettings, clear: QAction, undo: QAction, redo: QAction
    ):
        super().__init__("Canvas tools", window)
        self.setObjectName("canvas_tools")
        self.setAccessibleName("Canvas tools")
        self.setMovable(False)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)  # text alone where the theme has no icons
        self._canvas, self._settings = canvas, settings
        for action, icon in (
            (clear, QIcon.ThemeIcon.EditClear),
            (undo, QIcon.ThemeIcon.EditUndo),
            (redo, QIcon.ThemeIcon.EditRedo),
        ):
            if action.icon().isNull():
                action.setIcon(QIcon.fromTheme(icon))
            self.addAction(action)
        for action, word in ((undo, "Undo"), (redo, "Redo")):
            # The button keeps one short word, so the toolbar does not jump as the step changes
            # ("Undo Open Drawing"); its tooltip and the Edit menu name the step.
            action.setIconText(word)
        self.addSeparator()
        self.pen_width = PenWidthBox(canvas)
        self.pen_width.setObjectName("pen_width")
        self.pen_width.setRange(PEN_WIDTH_MIN, PEN_WIDTH_MAX)
        self.pen_width.setSuffix(" px")
        self.pen_width.setToolTip(PEN_TIP)
        self.pen_width.setAccessibleName("Pen width")
        self.pen_width.setAccessibleDescription(PEN_TIP)
        label = QLabel(PEN_LABEL)
        label.setBuddy(self.pen_width)  # its access key (Alt+P) moves the focus to it
        self.addWidget(label)
        self.addWidget(self.pen_width)
        self.pen_width.setValue(
            keys.read_int(settings, keys.PEN_WIDTH, PEN_WIDTH_DEFAULT, PEN_WIDTH_MIN, PEN_WIDTH_MAX)
        )
        canvas.set_pen_width_px(self.pen_width.value())
        self.pen_width.valueChanged.connect(self._set_pen_width)
        canvas.penWidthChanged.connect(self._show_pen_width)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self)

    def _show_pen_width(self, px: int) -> None:
        """The canvas took another pen (an opened drawing's): show it, without remembering it as the
        user's choice."""
        with QSignalBlocker(self.pen_width):
            self.pen_width.setValue(px)

    def _set_pen_width(self, px: int) -> None:
        self._canvas.set_pen_width_px(px)
        self._settings.setValue(keys.PEN_WIDTH, px)
