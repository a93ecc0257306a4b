"""Colours for custom-painted widgets, derived from their palette so that they follow the desktop's
theme, light or dark, and change with it while the app runs (Qt repaints a widget whose palette
changes; a widget that paints from `palette()` then shows the new colours).

Fixed colours fail on one theme or the other: dark grey digits vanish on a dark window and a
light-grey bar track glares on it. Blends of the palette's own roles keep the same contrast on both
(`contrast` measures it).
"""

from __future__ import annotations

from PySide6.QtGui import QColor

from handwriting_recognizer.app.contrast import contrast_ratio


def blend(base: QColor, towards: QColor, amount: float) -> QColor:
    """`base` moved `amount` (0..1) of the way towards `towards`: a subtle or a strong tint of a
    palette colour that stays on the same side, light or dark, as the palette itself."""
    return QColor.fromRgbF(
        base.redF() + (towards.redF() - base.redF()) * amount,
        base.greenF() + (towards.greenF() - base.greenF()) * amount,
        base.blueF() + (towards.blueF() - base.blueF()) * amount,
    )


def is_dark(background: QColor) -> bool:
    """A background that light text reads better on than dark text."""
    return contrast_ratio(background, QColor(255, 255, 255)) > contrast_ratio(background, QColor(0, 0, 0))


def accent(hue: int, background: QColor) -> QColor:
    """A saturated colour of `hue` (0..359) that stands out on `background`: light on a dark one,
    dark on a light one (a plot's series keep their hues on any theme)."""
    return QColor.fromHsl(hue, 200, 175 if is_dark(background) else 90)
