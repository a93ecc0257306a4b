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


NON_TEXT_CONTRAST = 3.0  # WCAG 2.1's least contrast for a graph's parts against what they lie on


def distinct(colour: QColor, background: QColor, minimum: float = NON_TEXT_CONTRAST) -> QColor:
    """`colour`, moved towards white on a dark `background` (black on a light one) just as far as it
    takes to contrast `minimum` with it: a probability bar keeps its hue where the theme allows (a
    dark theme's dark-blue highlight on its grey track was 1.13:1, the bars hard to see)."""
    towards = QColor(255, 255, 255) if is_dark(background) else QColor(0, 0, 0)
    for tenth in range(11):
        moved = blend(colour, towards, tenth / 10)
        if contrast_ratio(moved, background) >= minimum:
            return moved
    return towards


def accent(hue: int, background: QColor) -> QColor:
    """A saturated colour of `hue` (0..359) that stands out on `background`: light on a dark one,
    dark on a light one (a plot's series keep their hues on any theme)."""
    return QColor.fromHsl(hue, 200, 175 if is_dark(background) else 90)
