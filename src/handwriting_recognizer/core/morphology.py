"""Grey-scale morphology in numpy: running maxima and minima over square windows, and the closing.

A picture's paper is what is left when the dark strokes are filled in with the paper around them:
the closing (a running maximum, then a running minimum) with a window wider than the strokes. It
keeps every shape wider than the window, so a shadow's edge, a sheet's edge and smooth light stay
in the paper while the strokes go. The running extremes use van Herk and Gil-Werman's method (two
passes over blocks of the window's size), so a window costs the same whatever its width.
"""

from __future__ import annotations

import numpy as np


def running_extreme(
    image: np.ndarray, radius: int, op: np.ufunc, axis: int, outside: float | None = None
) -> np.ndarray:
    """`op` (np.maximum or np.minimum) of each pixel's window of 2*radius+1 along `axis`. Beyond
    the image, the window sees the image mirrored at its edge, or the value `outside`."""
    if radius <= 0:
        return image
    k = 2 * radius + 1
    a = np.moveaxis(image, axis, -1)
    n = a.shape[-1]
    padded_length = -(-(n + 2 * radius) // k) * k
    pad = [(0, 0)] * (a.ndim - 1) + [(radius, padded_length - n - radius)]
    p = np.pad(a, pad, mode="symmetric") if outside is None else np.pad(a, pad, constant_values=outside)
    blocks = p.reshape(*p.shape[:-1], -1, k)
    ahead = op.accumulate(blocks, axis=-1).reshape(p.shape)  # from each block's start to here
    behind = op.accumulate(blocks[..., ::-1], axis=-1)[..., ::-1].reshape(p.shape)  # from here to its end
    return np.moveaxis(op(behind[..., :n], ahead[..., k - 1 : k - 1 + n]), -1, axis)


def closing(image: np.ndarray, radius: int, outside: float | None = None) -> np.ndarray:
    """The image with its dark marks narrower than a square of 2*radius+1 filled in by what is
    around them (grey-scale closing). `outside` as for `running_extreme`: a dark `outside` keeps
    dark shapes that touch the image's edge, which then reach beyond it."""
    # Along the rows, then along the columns of a transposed copy: each pass runs along memory.
    grown = running_extreme(image, radius, np.maximum, 1, outside)
    grown = running_extreme(np.ascontiguousarray(grown.T), radius, np.maximum, 1, outside)
    shrunk = running_extreme(grown, radius, np.minimum, 1, outside)
    return running_extreme(np.ascontiguousarray(shrunk.T), radius, np.minimum, 1, outside)
