"""The user's own labelled samples, kept in their data folder, for retraining.

Layout: `<root>/<digit>/<id>.png` (the 28x28 model input, white ink on black like MNIST) and
`<root>/<digit>/<id>.json` (`{"label", "created", "drawing"}`, drawing optional). The PNG is
written first and the JSON last, each atomically: a sample exists once its JSON does, so a crash
or a full disk can lose at most the sample being written, never an earlier one.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import uuid
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from desktop.atomic import write_bytes_atomic
from desktop.drawing import Drawing, DrawingError
from desktop.imageio import ImageError, decode_image, encode_png, gray_to_qimage

ARCHIVE_MARKER = "hwr-samples/1"


class SampleError(Exception):
    """A sample or an archive of samples is unusable."""


@dataclass(frozen=True)
class Sample:
    label: int
    png: Path
    meta: Path

    @property
    def id(self) -> str:
        return self.meta.stem


def _encode_png(image: np.ndarray) -> bytes:
    return encode_png(gray_to_qimage(image, invert=False))


def _decode_png(data: bytes) -> np.ndarray:
    return decode_image(data)[..., 0].astype(np.float32) / 255.0


class SampleStore:
    """Samples under `root`; every write is atomic."""

    def __init__(self, root: Path | str):
        self.root = Path(root)

    def add(self, label: int, image: np.ndarray, drawing: Drawing | None = None) -> Sample:
        """Save one sample: its 28x28 input, its label and (if drawn) its strokes."""
        if not 0 <= int(label) <= 9:
            raise SampleError(f"label must be a digit 0-9, got {label}")
        if np.shape(image) != (28, 28):
            raise SampleError(f"a sample is a 28x28 input, got shape {np.shape(image)}")
        sample_id = dt.datetime.now().strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:8]
        return self._write(int(label), sample_id, image, drawing)

    def _write(self, label: int, sample_id: str, image: np.ndarray, drawing: Drawing | None) -> Sample:
        """The PNG first, the JSON last: the sample exists once both are complete."""
        folder = self.root / str(label)
        sample = Sample(label, folder / f"{sample_id}.png", folder / f"{sample_id}.json")
        meta = {"label": label, "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                "drawing": drawing.to_json() if drawing is not None else None}
        write_bytes_atomic(sample.png, _encode_png(image))
        write_bytes_atomic(sample.meta, json.dumps(meta).encode("utf-8"))
        return sample

    def samples(self) -> list[Sample]:
        """Complete samples (JSON and PNG present, label matching the folder), oldest first."""
        found = []
        for digit in range(10):
            for meta in sorted((self.root / str(digit)).glob("*.json")):
                png = meta.with_suffix(".png")
                if png.is_file():
                    found.append(Sample(digit, png, meta))
        return found

    def counts(self) -> list[int]:
        counts = [0] * 10
        for sample in self.samples():
            counts[sample.label] += 1
        return counts

    def image(self, sample: Sample) -> np.ndarray:
        return _decode_png(sample.png.read_bytes())

    def delete(self, sample: Sample) -> None:
        """Remove a sample: the JSON first, so a half-deleted sample is simply absent."""
        sample.meta.unlink(missing_ok=True)
        sample.png.unlink(missing_ok=True)

    def export_archive(self, path: Path | str) -> int:
        """Write all samples into one zip archive (atomically); return how many."""
        buffer = io.BytesIO()
        samples = self.samples()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("FORMAT", ARCHIVE_MARKER)
            for s in samples:
                archive.write(s.png, f"{s.label}/{s.png.name}")
                archive.write(s.meta, f"{s.label}/{s.meta.name}")
        write_bytes_atomic(path, buffer.getvalue())
        return len(samples)

    def import_archive(self, path: Path | str) -> tuple[int, int]:
        """Add the samples of an exported archive; return (imported, skipped as invalid or present)."""
        path = Path(path)
        try:
            archive = zipfile.ZipFile(path)
        except (OSError, zipfile.BadZipFile) as exc:
            raise SampleError(f"{path.name}: not a samples archive ({exc})") from exc
        with archive:
            try:
                marker = archive.read("FORMAT").decode("ascii", "replace")
            except KeyError:
                marker = ""
            if marker != ARCHIVE_MARKER:
                raise SampleError(f"{path.name}: not a samples archive exported by this app")
            imported = skipped = 0
            for name in archive.namelist():
                if not name.endswith(".json"):
                    continue
                try:
                    label, image, drawing = self._read_archived(archive, name)
                except (SampleError, ImageError, KeyError, ValueError, DrawingError, zipfile.BadZipFile,
                        RuntimeError, NotImplementedError, zlib.error):  # damaged or encrypted members
                    skipped += 1
                    continue
                if (self.root / str(label) / Path(name).name).exists():
                    skipped += 1
                    continue
                self._write(label, Path(name).stem, image, drawing)
                imported += 1
        return imported, skipped

    @staticmethod
    def _read_archived(archive: zipfile.ZipFile, name: str) -> tuple[int, np.ndarray, Drawing | None]:
        meta = json.loads(archive.read(name))
        label = meta.get("label") if isinstance(meta, dict) else None
        if not isinstance(label, int) or not 0 <= label <= 9 or not name.startswith(f"{label}/"):
            raise SampleError(f"{name}: bad label")
        image = _decode_png(archive.read(name[: -len(".json")] + ".png"))
        if image.shape != (28, 28):
            raise SampleError(f"{name}: not a 28x28 sample")
        drawing = Drawing.from_json(meta["drawing"]) if meta.get("drawing") else None
        return label, image, drawing
