"""Colours that stay readable on any theme: the WCAG contrast ratio, and a fallback when a palette's
pair of colours is too alike (a custom or broken theme)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette

MIN_CONTRAST = 4.5  # WCAG AA for text: the least contrast a foreground keeps against its background


def luminance(colour: QColor) -> float:
    """Relative luminance (WCAG 2): 0 for black, 1 for white."""

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(colour.redF()) + 0.7152 * linear(colour.greenF()) + 0.0722 * linear(colour.blueF())


def contrast_ratio(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio, from 1 (the same) to 21 (black on white)."""
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def readable(preferred: QColor, background: QColor, minimum: float = MIN_CONTRAST) -> QColor:
    """`preferred` when it contrasts enough with `background`, else black or white, whichever contrasts more."""
    if contrast_ratio(preferred, background) >= minimum:
        return preferred
    black, white = QColor(Qt.GlobalColor.black), QColor(Qt.GlobalColor.white)
    return black if contrast_ratio(black, background) >= contrast_ratio(white, background) else white


def paper_and_ink(palette: QPalette) -> tuple[QColor, QColor]:
    """The canvas' paper and ink, which thumbnails of ink share: the theme's Base and Text, ink
    black or white when the two are too alike."""
    paper = palette.color(QPalette.ColorRole.Base)
    return paper, readable(palette.color(QPalette.ColorRole.Text), paper)
