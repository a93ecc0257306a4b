"""Photos of handwriting, made from ink: paper under the light a phone camera sees, with its grain.

A photo's grey is the paper's reflectance (ink darkens it) times the light falling on it, plus
sensor noise. LIGHTS are the ways people photograph a sheet: evenly lit, dim, light falling off
across it, darker corners, a hand's or phone's shadow across it, the sheet on a dark desk; CHALK
is light writing on a dark board.
"""

from __future__ import annotations

import numpy as np

PAPER = 0.88  # the paper's reflectance
INK = 0.85  # the share of the light a full stroke of ink takes away
DESK = 0.18  # a dark desk's reflectance
NOISE = 0.02  # the sensor's noise (standard deviation, of full white)
LIGHTS = ("even", "dim", "falling off", "dark corners", "shadow", "on a desk", "chalk")


def photograph(ink: np.ndarray, light: str, rng: np.random.Generator) -> np.ndarray:
    """`ink` (0..1, light on dark, as `render_strokes` makes it) photographed under `light`:
    an 8-bit grey picture of the same size."""
    h, w = ink.shape
    yy, xx = np.mgrid[0:h, 0:w]
    y, x = yy / h - 0.5, xx / w - 0.5
    reflectance = PAPER * (1.0 - INK * ink)
    lit = np.ones((h, w))
    if light == "chalk":
        reflectance = 0.1 + 0.8 * ink
    elif light == "dim":
        lit = np.full((h, w), 0.45)
    elif light == "falling off":
        angle = rng.uniform(0, 2 * np.pi)
        lit = 1.0 - 0.6 * ((np.cos(angle) * x + np.sin(angle) * y) / 0.71 + 0.5)
    elif light == "dark corners":
        lit = 1.0 - 0.6 * (np.hypot(x, y) / 0.71) ** 2
    elif light == "shadow":
        angle = rng.uniform(0, 2 * np.pi)
        across = np.cos(angle) * x + np.sin(angle) * y - rng.uniform(-0.2, 0.2)
        lit = 1.0 - 0.55 / (1.0 + np.exp(-across / 0.02))  # its edge a few percent of the picture wide
    elif light == "on a desk":
        margins = rng.uniform(0.04, 0.12, 4)
        tilt = np.radians(rng.uniform(-6, 6))
        u, v = np.cos(tilt) * x + np.sin(tilt) * y, -np.sin(tilt) * x + np.cos(tilt) * y
        sheet = (u > margins[0] - 0.5) & (u < 0.5 - margins[1]) & (v > margins[2] - 0.5) & (v < 0.5 - margins[3])
        reflectance = np.where(sheet, reflectance, DESK)
        lit = 1.0 - 0.25 * np.hypot(x, y)
    elif light != "even":
        raise ValueError(f"no such light: {light}")
    grey = reflectance * lit + rng.normal(0.0, NOISE, (h, w))
    return np.round(np.clip(grey, 0.0, 1.0) * 255).astype(np.uint8)
