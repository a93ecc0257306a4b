"""UNIPEN train_r01_v07 (real pen trajectories of isolated characters) as labelled strokes.

The corpus is a folder of UNIPEN text files: `data/<category>/<group>/...` files `.INCLUDE` pen
data from `include/...` (which may include further files) and name the characters with
`.SEGMENT CHARACTER <components> <quality> "<label>"`. What this reader makes of it was checked by
drawing hundreds of characters of every group and category (`benchmarks/unipen_sheets.py`):
- A component is a non-empty `.PEN_DOWN` or `.PEN_UP` block, numbered from 0 over the data file
  with its includes inlined; `A-B` is a range of components, `A:M-B:N` cuts from point M of A to
  point N of B (inclusive, points numbered from 0: 341 of the corpus's cuts end on a component's
  last point, none one past it), a comma separates parts.
- Only pen-down points are ink (tos, pri, cea, ceb record pen-up trajectories too); a single
  `0 0` point is a placeholder some groups write, not ink.
- y points up in every group, and x and y resolutions may differ (aga): points become millimetres,
  y down as on the canvas, from the top-left of the character's ink. The millimetres are the files'
  declared resolution: apa and app were captured in screen pixels and apb at a finer, unstated
  scale, all declared 145 per inch, so compare shapes, not sizes, across groups.
- The writer is the data's `.WRITER_ID` (one per included pen file), prefixed with the group.

Segments that are not one character, or hold no ink, are skipped and counted (`read_unipen`, and
logged at INFO; none in train_r01_v07). A damaged file (a malformed line, a missing include, an
include cycle, a file or a character over its budget) raises `UnipenError` naming the file and
line, and the load stops: the distributed corpus parses cleanly, and silently dropping a damaged
file's writers would skew every per-group figure built on it.

Only the pen blocks a segment names are parsed into numbers, and an included file is read once per
load, so the 11,177 digits (1a) of the 13 groups load in about 3 s (all of 1a-1d, 75,598
characters: 18 s) on one core of the development machine; nothing is cached on disk.
"""

from __future__ import annotations

import io
import logging
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from pathlib import Path

import numpy as np

from handwriting_recognizer.core.safe_io import MB, FileRefused, exists, is_folder, read_regular_file

logger = logging.getLogger(__name__)

CATEGORIES = {"1a": "digits", "1b": "upper case", "1c": "lower case", "1d": "symbols"}
MM_PER_INCH = 25.4

# Budgets. In train_r01_v07 the largest file is 0.8 MB, the longest character 1,395 points, the
# deepest include 2 levels below a data file, the most keywords a data file walks through with its
# includes inlined 8,588, the most points of all the characters of one data file 37,474.
MAX_FILE_BYTES = 64 * MB  # any one file, data or included
MAX_SAMPLE_POINTS = 20_000  # points (pen-up ones too) one character's components may hold
MAX_INCLUDE_DEPTH = 8  # .INCLUDE levels below a data file
MAX_WALKED_KEYWORDS = 1_000_000  # keywords of a data file with its includes inlined (a file included
# ten times by each of seven levels of files would make 10^7 of 60 KB of files)
MAX_FILE_POINTS = 2_000_000  # points of all the characters of a data file (segments may name the
# same long component again and again: 2,000 of them, 20,000 points each, took 640 MB)

_KEYWORD = re.compile(r"^\.([A-Z][A-Z0-9_]*)", re.M)
_INK = re.compile(r"\S")
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_ESCAPE = re.compile(r"\\(.)")
_END = r"(\d{1,9})(?::(\d{1,9}))?"  # numbers of at most 9 digits: int() raises on 4,300
_PART = re.compile(rf"{_END}(?:-{_END})?")
_PEN = {"PEN_DOWN": True, "PEN_UP": False}


Progress = Callable[[int, int], None]  # told how many of how many (files, drawings) are done


class UnipenError(ValueError):
    """A UNIPEN file is damaged or over a budget; the one-line message names the file and line."""


@dataclass(frozen=True)
class PenSample:
    """One handwritten character: pen-down strokes, each (n, 2) float64 in millimetres, x right,
    y down, from the top-left of the ink; the intended character; who wrote it."""

    strokes: list[np.ndarray]
    label: str
    category: str  # "1a" digits, "1b" upper case, "1c" lower case, "1d" symbols
    group: str  # contributor group, the folder under data/<category>/
    writer: str  # "<group>/<.WRITER_ID>": unique within the corpus


@dataclass(frozen=True)
class UnipenCorpus:
    """A load's characters and how many segments were skipped, by reason."""

    samples: list[PenSample]
    skipped: Counter[str]
    files: int


def load_unipen(
    root: Path | str,
    categories: Iterable[str] = ("1a",),
    groups: Iterable[str] | None = None,
    progress: Progress | None = None,
) -> list[PenSample]:
    """The characters of `categories` of `groups` (all groups if None) under `root`; `progress` is
    told the data files read so far and their number after each one (all of 1a-1d: 4,696 files, 19 s)."""
    return read_unipen(root, categories, groups, progress).samples


def read_unipen(
    root: Path | str,
    categories: Iterable[str] = ("1a",),
    groups: Iterable[str] | None = None,
    progress: Progress | None = None,
) -> UnipenCorpus:
    """`load_unipen` with the count of skipped segments, which it also logs at INFO."""
    started = time.perf_counter()
    root = Path(root)
    if not (root / "data").is_dir() or not (root / "include").is_dir():
        raise UnipenError(f"{root}: not a UNIPEN corpus folder (it needs data/ and include/)")
    work = _work(root, list(categories), None if groups is None else list(groups))
    by_part: dict[tuple[str, str], list[PenSample]] = {}
    skipped: Counter[str] = Counter()
    files, read = sum(len(paths) for _, _, paths in work), 0
    for group, parts in groupby(sorted(work, key=itemgetter(1)), key=itemgetter(1)):
        reader = _Reader(root, group)  # a group's categories include the same pen files: read each once
        for category, _, paths in parts:
            found: list[PenSample] = []
            for path in paths:
                found += reader.samples(path, category, skipped)
                read += 1
                if progress is not None:
                    progress(read, files)
            by_part[(category, group)] = found
    samples = [s for category, group, _ in work for s in by_part[(category, group)]]
    counts = Counter(s.category for s in samples)
    logger.info(
        "UNIPEN %s: %d characters (%s) from %d files in %.1f s; skipped %d segments (%s)",
        root,
        len(samples),
        ", ".join(f"{c}: {n}" for c, n in sorted(counts.items())) or "none",
        files,
        time.perf_counter() - started,
        sum(skipped.values()),
        ", ".join(f"{why}: {n}" for why, n in skipped.most_common()) or "none",
    )
    return UnipenCorpus(samples, skipped, files)


def _work(root: Path, categories: list[str], groups: list[str] | None) -> list[tuple[str, str, list[Path]]]:
    """(category, group, data files) to read, in order; UnipenError for a category or group not there."""
    work = []
    for category in categories:
        folder = root / "data" / category
        if not folder.is_dir():
            raise UnipenError(f"{root}: has no category {category!r} (no folder data/{category})")
        present = sorted(p.name for p in folder.iterdir() if p.is_dir())
        for group in present if groups is None else [g for g in groups if g in present]:
            work.append((category, group, _data_files(folder / group)))
    missing = sorted(set(groups or ()) - {g for _, g, _ in work})
    if missing:
        raise UnipenError(f"{root}: no group {', '.join(missing)} in categories {', '.join(categories)}")
    return work


def _data_files(folder: Path) -> list[Path]:
    """The .dat files under `folder` in a stable order (symbolic links to folders are not followed)."""
    return sorted(Path(d) / f for d, _, names in os.walk(folder) for f in names if f.endswith(".dat"))


@dataclass
class _File:
    """One file's text and where its keywords are, read once per load."""

    name: str  # relative to the corpus root, for messages
    text: str
    keywords: list[tuple[str, int, int]]  # keyword, start and end of its argument
    parsed: dict[int, np.ndarray] = field(default_factory=dict)  # pen blocks parsed so far, by keyword

    def argument(self, index: int) -> str:
        _, start, end = self.keywords[index]
        return self.text[start:end]

    def line(self, index: int) -> int:
        """The 1-based line of keyword `index`."""
        return self.text.count("\n", 0, self.keywords[index][1]) + 1

    def error(self, index: int, problem: str, below: int = 0) -> UnipenError:
        return UnipenError(f"{self.name}, line {self.line(index) + below}: {problem}")

    def numbers(self, index: int) -> np.ndarray:
        """The (n, columns) numbers of pen block `index`, parsed when first asked for."""
        found = self.parsed.get(index)
        if found is None:
            body = self.argument(index)
            try:
                found = np.loadtxt(io.StringIO(body), dtype=np.float64, comments=None, ndmin=2)
            except ValueError:
                found = None
            if found is None or found.shape[1] < 2 or not np.isfinite(found).all():
                raise self._bad_line(index, body)
            self.parsed[index] = found
        return found

    def _bad_line(self, index: int, body: str) -> UnipenError:
        """The error naming the first line of pen block `index` that is not a point like the others."""
        width = None
        for below, line in enumerate(body.split("\n")):
            words = line.split()
            if not words:
                continue
            width = width or len(words)
            try:
                finite = all(np.isfinite(float(w)) for w in words)
            except ValueError:
                finite = False
            if not finite or len(words) < 2 or len(words) != width:
                return self.error(index, f"{line.strip()!r} is not a point like the others (x y ...)", below)
        return self.error(index, f".{self.keywords[index][0]} block is not a list of points (x y ...)")


@dataclass
class _State:
    """What earlier keywords of a data file (and its includes) declared: it applies to later points."""

    x_per_mm: float | None = None
    y_per_mm: float | None = None
    columns: tuple[int, int] = (0, 1)  # where x and y are in a point's line (.COORD)
    writer: str | None = None


@dataclass(slots=True)
class _Component:
    """A non-empty .PEN_DOWN or .PEN_UP block and what was declared before it."""

    file: _File
    index: int  # of its keyword in the file
    pen_down: bool
    mm_per_unit: tuple[float, float] | None  # None: no resolution declared, tablet units taken as square
    columns: tuple[int, int]
    writer: str | None

    def raw(self) -> np.ndarray:
        """The block's x and y as the tablet gave them."""
        numbers = self.file.numbers(self.index)
        if max(self.columns) >= numbers.shape[1]:
            raise self.file.error(self.index, f"points have {numbers.shape[1]} numbers, fewer than .COORD names")
        return numbers[:, self.columns]

    def points(self) -> np.ndarray:
        """(n, 2) millimetres, y down; none for a single `0 0` point, which some groups write where
        there is no ink."""
        raw = self.raw()
        if len(raw) == 1 and not raw.any():
            return raw[:0]
        sx, sy = self.mm_per_unit or (1.0, 1.0)
        with np.errstate(over="ignore"):  # checked just below
            points = raw * np.array([sx, -sy])
        if not np.isfinite(points).all():  # a huge number at a tiny declared resolution
            raise self.file.error(self.index, "a point is more millimetres than a number can hold (its resolution?)")
        return points


class _Reader:
    """Reads data files of one group, following their includes; included files are read once."""

    def __init__(self, root: Path, group: str) -> None:
        self.root = root
        self.group = group
        self.files: dict[Path, _File] = {}
        self._walked = 0  # keywords the data file being read has walked through, includes inlined
        self._named = 0  # components its segments name (a range names each one in it)

    def samples(self, path: Path, category: str, skipped: Counter[str]) -> list[PenSample]:
        components: list[_Component] = []
        segments: list[tuple[_File, int]] = []
        self._walked = self._named = 0
        self._follow(path, _State(), components, segments, [])
        if any(c.mm_per_unit is None for c in components):
            logger.warning("%s declares no resolution: its points are taken as square", path)
        fallback = path.relative_to(self.root / "data" / category / self.group).with_suffix("").as_posix()
        found, points = [], 0
        for file, index in segments:
            sample = self._segment(file, index, components, category, fallback, skipped)
            if sample is not None:
                found.append(sample)
                points += sum(len(s) for s in sample.strokes)
                if points > MAX_FILE_POINTS:
                    raise file.error(index, f"the file's characters have more than {MAX_FILE_POINTS:,} points")
        return found

    def _read(self, path: Path) -> _File:
        file = self.files.get(path)
        if file is None:
            name = path.relative_to(self.root).as_posix()
            try:
                text = read_regular_file(path, MAX_FILE_BYTES, "UNIPEN file").decode("latin-1")
            except FileRefused as exc:
                raise UnipenError(f"{name}: {str(exc).split(': ', 1)[-1]}") from exc
            matches = list(_KEYWORD.finditer(text))
            ends = [m.start() for m in matches[1:]] + ([len(text)] if matches else [])  # none: no keywords
            keywords = [(m[1], m.end(), end) for m, end in zip(matches, ends, strict=True)]
            file = self.files[path] = _File(name, text, keywords)
        return file

    def _follow(
        self,
        path: Path,
        state: _State,
        components: list[_Component],
        segments: list[tuple[_File, int]],
        chain: list[Path],
    ) -> None:
        """Walk `path`'s keywords in order, inlining includes: collect components and segments."""
        file = self._read(path)
        chain = [*chain, path]
        self._walked += len(file.keywords)
        if self._walked > MAX_WALKED_KEYWORDS:
            data_file = self._read(chain[0]).name
            raise UnipenError(f"{data_file}: with its includes, more than {MAX_WALKED_KEYWORDS:,} keywords")
        for index, (keyword, start, end) in enumerate(file.keywords):
            if keyword in _PEN:
                if _INK.search(file.text, start, end):
                    components.append(
                        _Component(file, index, _PEN[keyword], _mm_per_unit(state), state.columns, state.writer)
                    )
            elif keyword == "SEGMENT":
                segments.append((file, index))
            elif keyword == "INCLUDE":
                self._follow(self._include(file, index, chain), state, components, segments, chain)
            elif keyword in ("X_POINTS_PER_INCH", "Y_POINTS_PER_INCH", "X_POINTS_PER_MM", "Y_POINTS_PER_MM"):
                per_mm = _positive(file, index) / (MM_PER_INCH if keyword.endswith("INCH") else 1.0)
                if keyword[0] == "X":
                    state.x_per_mm = per_mm
                else:
                    state.y_per_mm = per_mm
            elif keyword == "COORD":
                state.columns = _columns(file, index)
            elif keyword == "WRITER_ID":
                state.writer = " ".join(file.argument(index).split()) or None

    def _include(self, file: _File, index: int, chain: list[Path]) -> Path:
        """The file an .INCLUDE names, under include/; UnipenError if it leaves it, is missing,
        includes itself, or is too deep."""
        name = file.argument(index).strip()
        relative = Path(name)
        if not name or relative.is_absolute() or ".." in relative.parts:
            raise file.error(index, f".INCLUDE {name!r}: not a path inside the include folder")
        path = self.root / "include" / relative
        if path in chain:
            raise file.error(index, f".INCLUDE {name}: includes itself (an include cycle)")
        if len(chain) > MAX_INCLUDE_DEPTH:
            raise file.error(index, f".INCLUDE {name}: more than {MAX_INCLUDE_DEPTH} levels of includes")
        if is_folder(path):
            raise file.error(index, f".INCLUDE {name}: include/{relative.as_posix()} is a folder, not a file")
        if not exists(path):  # or a name the system cannot look up; a FIFO or a device: reading it says so
            raise file.error(index, f".INCLUDE {name}: no such file include/{relative.as_posix()}")
        return path

    def _segment(
        self,
        file: _File,
        index: int,
        components: list[_Component],
        category: str,
        fallback_writer: str,
        skipped: Counter[str],
    ) -> PenSample | None:
        """The character a .SEGMENT names, or None (counted in `skipped`) if it is not one with ink."""
        argument = file.argument(index)
        fields = argument.split(None, 3)
        if len(fields) < 2:
            raise file.error(index, f".SEGMENT {argument.strip()!r}: no components")
        parts = _delineation(file, index, fields[1], len(components))
        self._named += len(parts)
        if self._named > MAX_FILE_POINTS:  # empty components cost no points: each counts here
            raise file.error(index, f"the file's segments name more than {MAX_FILE_POINTS:,} components")
        quoted = _QUOTED.search(fields[3]) if len(fields) == 4 else None
        label = _ESCAPE.sub(r"\1", quoted[1]) if quoted else ""
        if fields[0] != "CHARACTER":
            skipped[f"{fields[0]} segment"] += 1
            return None
        if len(label) != 1:
            skipped["no label" if not label else "label of several characters"] += 1
            return None
        if fields[2] == "BAD":  # the quality the format gives a segment its writer or checker rejected
            skipped["quality BAD"] += 1
            return None
        budget = MAX_SAMPLE_POINTS
        strokes = []
        for number, first, last in parts:
            component = components[number]
            points = component.points()
            if not len(points):
                continue
            end = len(points) if last is None else last + 1
            if max(first, end - 1) >= len(points):
                missing = max(first, end - 1)
                raise file.error(index, f"component {number} has no point {missing} (it has {len(points)})")
            budget -= end - first
            if budget < 0:
                raise file.error(index, f"the character has more than {MAX_SAMPLE_POINTS} points")
            if component.pen_down:
                strokes.append(points[first:end])
        if not strokes:
            skipped["no ink"] += 1
            return None
        origin = np.concatenate(strokes).min(axis=0)
        writer = next((components[n].writer for n, _, _ in parts if components[n].writer), fallback_writer)
        return PenSample([s - origin for s in strokes], label, category, self.group, f"{self.group}/{writer}")


def _delineation(file: _File, index: int, text: str, count: int) -> list[tuple[int, int, int | None]]:
    """(component, first point, last point or None for its end) for each component that
    `text` names: `A`, `A-B`, `A:M-B:N`, `A-B:N`, `A:M-B` and a comma-separated list of those."""
    found: list[tuple[int, int, int | None]] = []
    for part in text.split(","):
        match = _PART.fullmatch(part)
        if match is None:
            raise file.error(index, f".SEGMENT component list {text!r} is not valid")
        a, m, b, n = match.groups()
        start, stop = int(a), int(a if b is None else b)
        first = int(m or 0)
        last = (first if m else None) if b is None else (None if n is None else int(n))
        if stop >= count or start > stop or (start == stop and last is not None and last < first):
            raise file.error(index, f".SEGMENT component list {text!r}: no such components (the file has {count})")
        if len(found) + stop - start + 1 > MAX_SAMPLE_POINTS:  # a character of that many components has more points
            raise file.error(index, f".SEGMENT names more than {MAX_SAMPLE_POINTS:,} components")
        found.extend((c, first if c == start else 0, last if c == stop else None) for c in range(start, stop + 1))
    return found


def _positive(file: _File, index: int) -> float:
    """The positive number a keyword such as .X_POINTS_PER_INCH declares."""
    words = file.argument(index).split()
    try:
        value = float(words[0])
    except (IndexError, ValueError):
        value = float("nan")
    if not (np.isfinite(value) and value > 0):
        raise file.error(index, f".{file.keywords[index][0]} {' '.join(words)!r}: not a positive number")
    return value


def _columns(file: _File, index: int) -> tuple[int, int]:
    """Where .COORD puts x and y in a point's line."""
    names = file.argument(index).split()
    if "X" not in names or "Y" not in names:
        raise file.error(index, f".COORD {' '.join(names)!r}: names no X and Y")
    return names.index("X"), names.index("Y")


def _mm_per_unit(state: _State) -> tuple[float, float] | None:
    """Millimetres per tablet unit in x and y, None if no resolution was declared; one declared
    resolution stands for both axes."""
    x = state.x_per_mm or state.y_per_mm
    y = state.y_per_mm or state.x_per_mm
    return None if x is None or y is None else (1.0 / x, 1.0 / y)
