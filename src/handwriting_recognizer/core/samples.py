"""The user's own labelled samples, kept in their data folder, for retraining.

Layout: `<root>/<digit>/<id>.png` (the 28x28 model input, white ink on black like MNIST) and
`<root>/<digit>/<id>.json` (`{"label", "created", "drawing"}`, drawing optional). The PNG is
written first and the JSON last, each atomically: a sample exists once its JSON does, so a crash
or a full disk can lose at most the sample being written, never an earlier one.

Samples travel as a zip archive (`export_archive`, `import_archive`) holding `FORMAT` and
`<digit>/<id>.png` + `<digit>/<id>.json`. An archive may come from anywhere, so it is read within
the budgets below, on the sizes it declares and again on the bytes it unpacks to, and every
sample in it is validated before anything is written. An export over those budgets is refused, so
every archive the app writes can be imported back.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import lzma
import re
import struct
import uuid
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np

from handwriting_recognizer.core.atomic import write_bytes_atomic
from handwriting_recognizer.core.contract import SIZE, UINT8_INK
from handwriting_recognizer.core.drawing import Drawing, DrawingError
from handwriting_recognizer.core.png import PngError, decode_gray, encode_gray
from handwriting_recognizer.core.safe_io import (
    KB,
    MB,
    FileRefused,
    describe_size,
    entries,
    exists,
    is_file,
    parse_json,
    read_regular_file,
)

ARCHIVE_MARKER = "hwr-samples/1"
MARKER_MEMBER = "FORMAT"
MAX_MARKER_BYTES = 64  # the marker of this or a later format
# A sample's id, as `add` makes them (20261125-163000-1a2b3c4d): a safe file name on every system.
SAMPLE_ID = re.compile(r"[A-Za-z0-9_-]{1,80}")

# Budgets. A 28x28 PNG is under 1 KB and a sample's JSON with a long drawing tens of KB, so an
# archive of 25,000 samples (50,001 files with FORMAT) with drawings unpacks to about 150 MB.
MAX_PNG_BYTES = 256 * KB  # one sample's picture
MAX_JSON_BYTES = 4 * MB  # one sample's JSON (label and drawing)
MAX_ARCHIVE_BYTES = 256 * MB  # the archive file
MAX_ARCHIVE_SAMPLES = 25_000  # samples in the archive: two files each, and FORMAT
MAX_UNPACKED_BYTES = 512 * MB  # all the archive's files together, uncompressed
MAX_CREATED_CHARS = 64  # a sample's creation time as written (ISO 8601 takes 25)

_MEMBER_NAME = re.compile(rf"([0-9])/({SAMPLE_ID.pattern})\.(png|json)")
_WINDOWS_DEVICE = re.compile(r"CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9]", re.IGNORECASE)  # not file names there
_CENTRAL_DIRECTORY_RECORD = b"PK\x01\x02"  # starts each member's entry in a zip's table of contents
# The PNG signature, then the IHDR chunk (13 bytes of data) declaring SIZE x SIZE pixels.
_PNG_HEADER = b"\x89PNG\r\n\x1a\n" + struct.pack(">I4sII", 13, b"IHDR", SIZE, SIZE)
_CHUNK_BYTES = 64 * KB
# What zipfile and its decompressors raise on a damaged archive or member (RuntimeError covers
# NotImplementedError: a compression method or zip version zipfile does not support).
_DAMAGED = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError, ValueError, RuntimeError)


class SampleError(Exception):
    """A sample or an archive of samples is unusable; the message is fit for a person."""


@dataclass(frozen=True)
class Sample:
    label: int
    png: Path
    meta: Path

    @property
    def id(self) -> str:
        return self.meta.stem


@dataclass(frozen=True)
class RemovedSample:
    """A deleted sample's files, kept in memory so that the deletion can be undone (`put_back`)."""

    sample: Sample
    png: bytes
    meta: bytes


ALREADY_HELD = "already in your samples"  # why an archive's sample is skipped: the user has it (by its id)


@dataclass(frozen=True)
class ImportReport:
    """What an import added, and each archive entry it left out with the reason, to show the user."""

    imported: int
    skipped: tuple[tuple[str, str], ...]  # (entry name, shortened and printable; reason)
    left: int = 0  # samples not looked at: the user stopped the import


def _encode_png(image: np.ndarray) -> bytes:
    return encode_gray(np.round(np.clip(image, 0.0, 1.0) * UINT8_INK).astype(np.uint8))


def _decode_png(data: bytes) -> np.ndarray:
    """A sample's 28x28 input from PNG bytes. The header is checked before decoding, so a small
    file declaring a huge picture is refused before it is expanded in memory."""
    if not data.startswith(_PNG_HEADER):
        raise SampleError("not a 28x28 PNG picture")
    try:
        return decode_gray(data, SIZE).astype(np.float32) / UINT8_INK
    except PngError as exc:
        raise SampleError(f"not a readable PNG picture ({exc})") from None


class SampleStore:
    """Samples under `root`; every write is atomic."""

    def __init__(self, root: Path | str):
        self.root = Path(root)

    def add(self, label: int, image: np.ndarray, drawing: Drawing | None = None) -> Sample:
        """Save one sample: its 28x28 input, its label and (if drawn) its strokes."""
        _check_label(label)
        if np.shape(image) != (SIZE, SIZE):
            raise SampleError(f"a sample is a 28x28 input, got shape {np.shape(image)}")
        sample_id = dt.datetime.now().strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:8]
        return self._write(int(label), sample_id, image, drawing)

    def _write(
        self, label: int, sample_id: str, image: np.ndarray, drawing: Drawing | None, created: str | None = None
    ) -> Sample:
        """The PNG first, the JSON last: the sample exists once both are complete. When the JSON
        cannot be written (a full disk), the PNG goes too: no picture is left that no sample names.
        `created`: when it was first made (an imported sample keeps its own), else now."""
        sample = self._at(label, sample_id)
        meta = {
            "label": label,
            "created": created or dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "drawing": drawing.to_json() if drawing is not None else None,
        }
        write_bytes_atomic(sample.png, _encode_png(image))
        try:
            write_bytes_atomic(sample.meta, json.dumps(meta).encode("utf-8"))
        except BaseException:
            sample.png.unlink(missing_ok=True)
            raise
        return sample

    def label_of(self, sample_id: str) -> int | None:
        """The label the sample `sample_id` has now (it may have been relabelled), or None when it
        is not among the samples."""
        return next((d for d in range(10) if exists(self._at(d, sample_id).meta)), None)

    def _at(self, label: int, sample_id: str) -> Sample:
        """Where the sample `sample_id` of digit `label` lives."""
        folder = self.root / str(label)
        return Sample(label, folder / f"{sample_id}.png", folder / f"{sample_id}.json")

    def samples(self) -> list[Sample]:
        """Complete samples (JSON and PNG present as regular files, named as `add` names them) by
        digit, oldest first. Nothing is read: `image` says whether a sample's picture is usable."""
        found = []
        for digit in range(10):
            for meta in (p for p in entries(self.root / str(digit)) if p.suffix == ".json"):
                png = meta.with_suffix(".png")
                if SAMPLE_ID.fullmatch(meta.stem) and is_file(meta) and is_file(png):
                    found.append(Sample(digit, png, meta))
        return found

    def half_samples(self) -> int:
        """Samples with only one of their two files (a JSON whose picture is missing, or the reverse:
        one file restored from the desktop's trash, a crash): not samples, but worth telling the user."""
        halves = 0
        for digit in range(10):
            folder = self.root / str(digit)
            names = {p.name for p in entries(folder) if p.suffix in (".json", ".png") and SAMPLE_ID.fullmatch(p.stem)}
            stems = {name.rsplit(".", 1)[0] for name in names}
            halves += sum((f"{stem}.json" in names) != (f"{stem}.png" in names) for stem in stems)
        return halves

    def counts(self) -> list[int]:
        counts = [0] * 10
        for sample in self.samples():
            counts[sample.label] += 1
        return counts

    def image(self, sample: Sample) -> np.ndarray:
        """The sample's 28x28 input; SampleError when its picture is unreadable, too big or not 28x28."""
        try:
            data = read_regular_file(sample.png, MAX_PNG_BYTES, "sample picture")
        except FileRefused as exc:
            raise SampleError(str(exc)) from None
        try:
            return _decode_png(data)
        except SampleError as exc:
            raise SampleError(f"{sample.png.name}: {exc}") from None

    def delete(self, sample: Sample) -> None:
        """Remove a sample: the JSON first, so a half-deleted sample is simply absent."""
        sample.meta.unlink(missing_ok=True)
        sample.png.unlink(missing_ok=True)

    def _files(self, sample: Sample) -> tuple[bytes, bytes]:
        """A sample's PNG and JSON bytes, each within its budget; SampleError when either cannot be read."""
        try:
            return (
                read_regular_file(sample.png, MAX_PNG_BYTES, "sample picture"),
                read_regular_file(sample.meta, MAX_JSON_BYTES, "sample file"),
            )
        except FileRefused as exc:
            raise SampleError(str(exc)) from None

    def remove(self, sample: Sample, discard: Callable[[Sample], object] | None = None) -> RemovedSample:
        """Delete a sample (`discard`, default `delete`: the app's moves it to the desktop's trash)
        and return its files, so that `put_back` can undo the deletion. SampleError, and nothing
        deleted, when they cannot be read."""
        png, meta = self._files(sample)
        (discard or self.delete)(sample)
        return RemovedSample(sample, png, meta)

    def put_back(self, removed: RemovedSample) -> Sample:
        """Undo `remove`: the same files under the same name, the PNG first and the JSON last."""
        write_bytes_atomic(removed.sample.png, removed.png)
        write_bytes_atomic(removed.sample.meta, removed.meta)
        return removed.sample

    def relabel(self, sample: Sample, label: int) -> Sample:
        """Move a sample to another digit, keeping its id, picture and drawing; return it as moved.

        The new files are written (each atomically, the JSON last) before the old ones are removed:
        whatever interrupts it, the sample is under its old label or its new one (at worst both),
        never lost. SampleError when its files cannot be read or the label is no digit.
        """
        _check_label(label)
        if label == sample.label:
            return sample
        png, meta_bytes = self._files(sample)
        try:
            meta = parse_json(meta_bytes, "sample file")
        except FileRefused as exc:
            raise SampleError(str(exc)) from None
        if not isinstance(meta, dict):
            raise SampleError(f"{sample.meta.name}: not an object with a label")
        moved = self._at(label, sample.id)
        if exists(moved.meta):
            raise SampleError(f"{sample.id}: there is already a sample of {label} with this name")
        write_bytes_atomic(moved.png, png)
        write_bytes_atomic(moved.meta, json.dumps({**meta, "label": label}).encode("utf-8"))
        self.delete(sample)
        return moved

    def export_archive(self, path: Path | str) -> int:
        """Write all readable samples into one zip archive (atomically); return how many.

        A sample an import would skip (files that cannot be read within the budgets, a label that is
        not its folder's, a picture that is not 28x28, an unusable drawing) stays behind.
        Samples that `import_archive` would refuse as a whole (over MAX_ARCHIVE_SAMPLES or a byte
        budget) are a SampleError, and nothing is written.
        """
        buffer = io.BytesIO()
        exported = 0
        unpacked = len(ARCHIVE_MARKER)
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(MARKER_MEMBER, ARCHIVE_MARKER)
            for s in self.samples():
                try:
                    png = read_regular_file(s.png, MAX_PNG_BYTES, "sample picture")
                    meta = read_regular_file(s.meta, MAX_JSON_BYTES, "sample file")
                    _sample_content(meta, png, s.label)
                except (FileRefused, SampleError):
                    continue
                exported += 1
                unpacked += len(png) + len(meta)
                if exported > MAX_ARCHIVE_SAMPLES:  # checked while packing: the archive is built in memory
                    raise _not_exported(f"more than {MAX_ARCHIVE_SAMPLES:,} samples, more than an archive may hold")
                if unpacked > MAX_UNPACKED_BYTES:
                    raise _not_exported(
                        f"more than {describe_size(MAX_UNPACKED_BYTES)} of samples, more than an archive may hold"
                    )
                archive.writestr(f"{s.label}/{s.png.name}", png)
                archive.writestr(f"{s.label}/{s.meta.name}", meta)
        data = buffer.getvalue()
        if len(data) > MAX_ARCHIVE_BYTES:
            raise _not_exported(
                f"{describe_size(len(data))} zipped, more than an archive may be ({describe_size(MAX_ARCHIVE_BYTES)})"
            )
        if _too_many_members(data):  # only by chance: compressed bytes that look like a member's record
            raise _not_exported(
                f"its zip seems to list more than {_max_members():,} files, more than an archive may hold"
            )
        write_bytes_atomic(path, data)
        return exported

    def import_archive(self, path: Path | str, going_on: Callable[[int, int], bool] | None = None) -> ImportReport:
        """Add the samples of an archive made by `export_archive`; report what was left out and why.

        A problem with the archive as a whole (unreadable, not a samples archive, over a budget, a
        failed write) is a SampleError; a problem with one sample (damaged, malformed, oddly named,
        already present) skips that sample. Samples written before a failure stay, each complete.
        `going_on(done, total)` is asked before each sample: False stops the import there (25,000
        samples take about 40 s), the samples written so far kept.
        """
        path = Path(path)
        with _open_archive(path) as archive:
            _check_archive(path.name, archive)
            groups, skipped = _sample_members(archive.infolist())
            imported = 0
            for done, ((folder, sample_id), members) in enumerate(groups.items()):
                if going_on is not None and not going_on(done, len(groups)):
                    return ImportReport(imported, tuple(skipped), len(groups) - done)
                meta, png = members.get("json"), members.get("png")
                shown = meta or png
                if shown is None:  # cannot be: a group holds at least one member
                    continue
                name = _shown(shown.filename)
                try:
                    reason = self._import_one(archive, folder, sample_id, meta, png)
                except OSError as exc:
                    raise SampleError(
                        f"Cannot save {name}: {exc.strerror or exc}. Stopped after importing "
                        f"{imported} sample{'' if imported == 1 else 's'}; your earlier samples "
                        "are untouched."
                    ) from None
                if reason is None:
                    imported += 1
                else:
                    skipped.append((name, reason))
        return ImportReport(imported, tuple(skipped))

    def _import_one(
        self,
        archive: zipfile.ZipFile,
        folder: int,
        sample_id: str,
        meta: zipfile.ZipInfo | None,
        png: zipfile.ZipInfo | None,
    ) -> str | None:
        """Write one archived sample; return why it was skipped instead, or None once written."""
        if meta is None:
            return "no .json (label) beside this picture"
        if png is None:
            return "no .png picture beside it"
        held = self.label_of(sample_id)
        if held is not None:  # under any label: relabelled since the export, it stays as the user said
            return ALREADY_HELD + ("" if held == folder else f" (as a {held})")
        try:
            image, drawing, created = _read_sample(archive, meta, png, folder)
        except SampleError as exc:
            return str(exc)
        self._write(folder, sample_id, image, drawing, created)
        return None


def _check_label(label: int) -> None:
    """SampleError unless `label` is a digit 0-9."""
    if not 0 <= int(label) <= 9:
        raise SampleError(f"label must be a digit 0-9, got {label}")


def _not_exported(reason: str) -> SampleError:
    """The error for an export over the archive budgets, which an import would refuse."""
    return SampleError(f"Not exported: {reason}; it could not be imported back. Nothing was written.")


def _max_members() -> int:
    """The files in an archive of MAX_ARCHIVE_SAMPLES samples: each one's PNG and JSON, and FORMAT."""
    return 2 * MAX_ARCHIVE_SAMPLES + 1


def _too_many_members(data: bytes) -> bool:
    """Whether zip bytes may list more than `_max_members()` files. Every member has a central
    directory record, so counting their signatures bounds the members before zipfile builds an
    object for each (a 256 MB archive can list millions)."""
    return data.count(_CENTRAL_DIRECTORY_RECORD) > _max_members()


def _open_archive(path: Path) -> zipfile.ZipFile:
    """The zip archive at `path`, read within MAX_ARCHIVE_BYTES and the files of MAX_ARCHIVE_SAMPLES."""
    try:
        data = read_regular_file(path, MAX_ARCHIVE_BYTES, "samples archive")
    except FileRefused as exc:
        raise SampleError(str(exc)) from None
    if _too_many_members(data):
        raise SampleError(
            f"{path.name}: more than {_max_members():,} files, more than a samples archive may hold "
            f"({MAX_ARCHIVE_SAMPLES:,} samples)"
        )
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except _DAMAGED:
        raise SampleError(
            f"{path.name}: not a readable zip file (damaged, or cut short: an unfinished download or copy?)"
        ) from None


def _check_archive(name: str, archive: zipfile.ZipFile) -> None:
    """Refuse the archive as a whole when it declares more than MAX_UNPACKED_BYTES or lacks our marker."""
    declared = sum(info.file_size for info in archive.infolist())
    if declared > MAX_UNPACKED_BYTES:
        raise SampleError(
            f"{name}: its files would unpack to {describe_size(declared)}, more than a "
            f"samples archive may ({describe_size(MAX_UNPACKED_BYTES)})"
        )
    try:
        marker = _read_member(archive, archive.getinfo(MARKER_MEMBER), MAX_MARKER_BYTES, "format marker")
    except KeyError:
        marker = b""
    except SampleError as exc:
        raise SampleError(f"{name}: cannot read its {MARKER_MEMBER} marker: {exc}") from None
    if marker == ARCHIVE_MARKER.encode("ascii"):
        return
    family, _, version = marker.decode("ascii", "replace").partition("/")
    ours, _, our_version = ARCHIVE_MARKER.partition("/")
    if family == ours and version.isdigit() and int(version) > int(our_version):
        raise SampleError(
            f"{name}: a samples archive of a newer version of this app ({family}/{version}; this one "
            f"reads {ARCHIVE_MARKER}): update the app to import it"
        )
    raise SampleError(f"{name}: not a samples archive exported by this app")


def _sample_members(
    infos: list[zipfile.ZipInfo],
) -> tuple[dict[tuple[int, str], dict[str, zipfile.ZipInfo]], list[tuple[str, str]]]:
    """The members grouped by sample ((folder digit, id) -> {"png": ..., "json": ...}), and the
    members that are no sample's file, each with the reason (folders and FORMAT are left out)."""
    groups: dict[tuple[int, str], dict[str, zipfile.ZipInfo]] = {}
    skipped = []
    for info in infos:
        if info.filename == MARKER_MEMBER or info.filename.endswith("/"):  # not is_dir(): it fails on ""
            continue
        match = _MEMBER_NAME.fullmatch(info.filename)
        if match is None or _WINDOWS_DEVICE.fullmatch(match[2]):
            skipped.append(
                (
                    _shown(info.filename),
                    "not a sample's file: expected <digit>/<id>.png or .json, the id up to 80 letters, digits, - or _",
                )
            )
            continue
        members = groups.setdefault((int(match[1]), match[2]), {})
        if match[3] in members:
            skipped.append((_shown(info.filename), "a second file of this name in the archive"))
            continue
        members[match[3]] = info
    return groups, skipped


def _read_sample(
    archive: zipfile.ZipFile, meta_info: zipfile.ZipInfo, png_info: zipfile.ZipInfo, folder: int
) -> tuple[np.ndarray, Drawing | None, str | None]:
    """A sample's input, drawing and creation time from its archived JSON and PNG; SampleError
    says what is wrong (naming the picture when it is the picture: the sample is named by its JSON)."""
    meta = _read_member(archive, meta_info, MAX_JSON_BYTES, "sample file")
    try:
        png = _read_member(archive, png_info, MAX_PNG_BYTES, "sample picture")
    except SampleError as exc:
        raise SampleError(f"its picture {_shown(PurePosixPath(png_info.filename).name)}: {exc}") from None
    return _sample_content(meta, png, folder)


def _sample_content(meta_bytes: bytes, png: bytes, folder: int) -> tuple[np.ndarray, Drawing | None, str | None]:
    """A sample's input, drawing and creation time (None when missing or not a time) from its JSON
    and PNG bytes (in folder `folder`); SampleError says what is wrong."""
    try:
        meta = parse_json(meta_bytes, "sample file")
    except FileRefused as exc:
        raise SampleError(str(exc)) from None
    if not isinstance(meta, dict):
        raise SampleError("sample file: not an object with a label")
    label = meta.get("label")
    if isinstance(label, bool) or not isinstance(label, int) or not 0 <= label <= 9:
        raise SampleError(f"the label must be a digit 0-9, not {_describe(label)}")
    if label != folder:
        raise SampleError(f"the label {label} does not match its folder {folder}/")
    drawing = meta.get("drawing")
    try:
        drawing = None if drawing is None else Drawing.from_json(drawing)
    except DrawingError as exc:
        raise SampleError(f"its drawing is unusable: {exc}") from None
    return _decode_png(png), drawing, _created(meta.get("created"))


def _created(value: object) -> str | None:
    """A sample's creation time as written, when it is one (ISO 8601), else None."""
    if not isinstance(value, str) or len(value) > MAX_CREATED_CHARS:
        return None
    try:
        dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return value


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, max_bytes: int, what: str) -> bytes:
    """A member's bytes, at most `max_bytes`. The declared size is checked first (the archive's
    declared total is within budget), then each chunk against it while unpacking, since a forged
    header can understate it: the bytes read never exceed either budget."""
    if info.flag_bits & 0x1:  # bit 0 of the general purpose flags: encrypted
        raise SampleError("encrypted with a password")
    if info.file_size > max_bytes:
        raise SampleError(f"{describe_size(info.file_size)}, more than a {what} may be ({describe_size(max_bytes)})")
    data = bytearray()
    try:
        with archive.open(info) as member:
            while chunk := member.read(_CHUNK_BYTES):
                data += chunk
                if len(data) > info.file_size:
                    raise SampleError("damaged: it unpacks to more than the size it declares")
    except NotImplementedError:
        raise SampleError("compressed in a way this app cannot read") from None
    except _DAMAGED:
        raise SampleError("damaged: its data in the archive is corrupt") from None
    return bytes(data)


def _shown(text: str, limit: int = 60) -> str:
    """Text from an archive fit to show: non-printable characters replaced, long text shortened."""
    text = "".join(c if c.isprintable() else "?" for c in text) or "(no name)"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe(value: object) -> str:
    """A JSON value for a message: scalars as written (shortened), lists and objects by kind."""
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return _shown(json.dumps(value), 30)
