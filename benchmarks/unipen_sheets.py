"""Contact sheets of UNIPEN characters, to check the loader by eye: one PNG per category and group.

Each tile is a character drawn by the app's own stroke renderer (`strokes_to_raster`, which keeps
the aspect ratio), sorted by label, with its label in red at the top left. Look for characters
upside down or mirrored, squashed or stretched, and labels that do not match the drawing.

    .venv/bin/pip install -e '.[train]'        # matplotlib
    .venv/bin/python benchmarks/unipen_sheets.py [--data $HWR_UNIPEN] [--out /tmp/unipen_sheets]
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from handwriting_recognizer.core.preprocess import resize, strokes_to_raster  # noqa: E402
from handwriting_recognizer.core.train_config import UNIPEN_ENV  # noqa: E402
from handwriting_recognizer.training.unipen import CATEGORIES, PenSample, read_unipen  # noqa: E402

TILE = 48  # pixels per character
COLUMNS = 25


def sheet(samples: list[PenSample], title: str, path: Path) -> None:
    """Write `samples` as a grid of tiles with their labels to `path`."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = -(-len(samples) // COLUMNS)
    mosaic = np.ones((rows * TILE, COLUMNS * TILE), np.float32)
    for i, sample in enumerate(samples):
        r, c = divmod(i, COLUMNS)
        tile = resize(strokes_to_raster(sample.strokes, pen_width=0.5), TILE - 2, TILE - 2)
        mosaic[r * TILE + 1 : (r + 1) * TILE - 1, c * TILE + 1 : (c + 1) * TILE - 1] = 1.0 - tile / max(
            tile.max(), 1e-6
        )
    dpi = 100
    fig = plt.figure(figsize=(COLUMNS * TILE / dpi, rows * TILE / dpi + 0.3), dpi=dpi)
    ax = fig.add_axes((0, 0, 1, rows * TILE / (rows * TILE + 30)))
    ax.imshow(mosaic, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    for i, sample in enumerate(samples):
        r, c = divmod(i, COLUMNS)
        ax.text(c * TILE + 2, r * TILE + 9, sample.label, color="red", fontsize=7)
    ax.set_axis_off()
    fig.suptitle(title, fontsize=9, y=0.999, va="top")
    fig.savefig(path, dpi=dpi)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=os.environ.get(UNIPEN_ENV, ROOT.parent / "shared/data/unipen"))
    parser.add_argument("--out", type=Path, default=Path("/tmp/unipen_sheets"))
    parser.add_argument("--per-sheet", type=int, default=300)
    parser.add_argument("--categories", nargs="+", default=list(CATEGORIES))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    corpus = read_unipen(args.data, args.categories)
    parts: dict[tuple[str, str], list[PenSample]] = defaultdict(list)
    for sample in corpus.samples:
        parts[(sample.category, sample.group)].append(sample)
    args.out.mkdir(parents=True, exist_ok=True)
    for (category, group), samples in sorted(parts.items()):
        chosen = random.Random(0).sample(samples, min(args.per_sheet, len(samples)))
        chosen.sort(key=lambda s: s.label)
        writers = len({s.writer for s in samples})
        title = f"{category} ({CATEGORIES.get(category, '?')}) {group}: {len(samples)} characters, {writers} writers"
        path = args.out / f"{category}_{group}.png"
        sheet(chosen, title, path)
        print(f"{path}  {title}")


if __name__ == "__main__":
    main()
