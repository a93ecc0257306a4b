"""Importing a samples archive that may come from anywhere: a bad archive is refused with a message
for a person, a bad sample in it is skipped with its reason, memory and time stay within the
budgets, and the user's own samples stay as they were."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import struct
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handwriting_recognizer.app.imageio import encode_png, gray_to_qimage
from handwriting_recognizer.core import samples
from handwriting_recognizer.core.safe_io import GB, MB, describe_size
from handwriting_recognizer.core.samples import (
    ARCHIVE_MARKER,
    MAX_ARCHIVE_BYTES,
    MAX_ARCHIVE_SAMPLES,
    SAMPLE_ID,
    ImportReport,
    SampleError,
    SampleStore,
    _read_member,
)
from tests.fakes import disk_full_at

# Fields of a member's record in the zip's central directory, which zipfile trusts: (offset, format).
CENTRAL_FIELDS = {"flags": (8, "<H"), "method": (10, "<H"), "crc": (16, "<I"), "size": (24, "<I")}
NOT_A_SAMPLE_FILE = "not a sample's file"


def png(seed: int = 0) -> bytes:
    """A sample's picture as the app writes it."""
    return encode_png(gray_to_qimage(np.random.default_rng(seed).random((28, 28)), invert=False))


def meta(label: object, **extra: object) -> bytes:
    return json.dumps({"label": label, "created": "2026-01-01T00:00:00+00:00", **extra}).encode()


def sample(folder: str, sample_id: str, seed: int = 0) -> list[tuple[str, bytes]]:
    """The two members of one valid sample."""
    return [(f"{folder}/{sample_id}.png", png(seed)), (f"{folder}/{sample_id}.json", meta(int(folder)))]


def archive(
    members: list[tuple[str, bytes]], marker: str | None = ARCHIVE_MARKER, compression: int = zipfile.ZIP_DEFLATED
) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as z, warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Duplicate name", UserWarning)  # some tests write a name twice
        if marker is not None:
            z.writestr("FORMAT", marker)
        for name, data in members:
            z.writestr(name, data)
    return buffer.getvalue()


def forge(data: bytes, name: str, field: str, value: int) -> bytes:
    """The archive with one field of `name`'s central directory record overwritten: a forged header."""
    offset, fmt = CENTRAL_FIELDS[field]
    buffer, pos = bytearray(data), 0
    while (pos := buffer.find(b"PK\x01\x02", pos)) >= 0:
        length = struct.unpack_from("<H", buffer, pos + 28)[0]
        if buffer[pos + 46 : pos + 46 + length] == name.encode():
            struct.pack_into(fmt, buffer, pos + offset, value)
            return bytes(buffer)
        pos += 4
    raise KeyError(name)


def garble(data: bytes, name: str) -> bytes:
    """The archive with `name`'s compressed bytes overwritten (0xff starts an invalid deflate block)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        info = z.getinfo(name)
    start = info.header_offset + 30 + sum(struct.unpack_from("<HH", data, info.header_offset + 26))
    return data[:start] + b"\xff" * info.compress_size + data[start + info.compress_size :]


# Ways to damage one member, each with the reason the importer gives.
DAMAGES = {
    "bad CRC": (lambda data, name: forge(data, name, "crc", 0x12345678), "damaged: its data in the archive is corrupt"),
    "corrupt deflate stream": (garble, "damaged: its data in the archive is corrupt"),
    "bzip2 header on deflate data": (
        lambda data, name: forge(data, name, "method", zipfile.ZIP_BZIP2),
        "damaged: its data in the archive is corrupt",
    ),
    "lzma header on deflate data": (
        lambda data, name: forge(data, name, "method", zipfile.ZIP_LZMA),
        "damaged: its data in the archive is corrupt",
    ),
    "unsupported method": (
        lambda data, name: forge(data, name, "method", 99),
        "compressed in a way this app cannot read",
    ),
    "encrypted": (lambda data, name: forge(data, name, "flags", 0x1), "encrypted with a password"),
    "size understated": (
        lambda data, name: forge(data, name, "size", 10),
        "damaged: its data in the archive is corrupt",
    ),
}


@pytest.fixture
def store(tmp_path) -> SampleStore:
    """The user's samples: one already there."""
    store = SampleStore(tmp_path / "mine")
    store.add(3, np.full((28, 28), 0.5, np.float32))
    return store


def contents(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def import_bytes(store: SampleStore, data: bytes, name: str = "in.zip") -> ImportReport:
    path = store.root.parent / name
    path.write_bytes(data)
    return store.import_archive(path)


def reasons(report: ImportReport) -> dict[str, str]:
    return dict(report.skipped)


def test_an_archive_declaring_gigabytes_is_refused_before_anything_is_unpacked(store):
    before = contents(store.root)
    bomb = forge(archive(sample("4", "a")), "4/a.png", "size", 3 * GB)  # what a 3 MB zip of 3 GB of zeros declares
    with pytest.raises(
        SampleError,
        match=r"^in.zip: its files would unpack to 3.0 GB, more than a samples "
        r"archive may \(512.0 MB\)$",
    ):
        import_bytes(store, bomb)
    assert contents(store.root) == before


def test_a_member_over_its_budget_is_skipped_and_the_rest_imported(store):
    report = import_bytes(
        store,
        archive(
            [
                ("4/a.png", bytes(1 * MB)),
                ("4/a.json", meta(4)),
                ("5/b.png", png()),
                ("5/b.json", b" " * (5 * MB)),
                *sample("6", "c"),
            ]
        ),
    )
    assert report == ImportReport(
        1,
        (
            ("4/a.json", "its picture a.png: 1.0 MB, more than a sample picture may be (256.0 KB)"),
            ("5/b.json", "5.0 MB, more than a sample file may be (4.0 MB)"),
        ),
    )
    assert [s.id for s in store.samples() if s.label == 6] == ["c"]


def test_a_member_that_unpacks_to_more_than_it_declares_is_stopped_at_the_declared_size():
    class Endless(io.RawIOBase):
        """What a zip reader that trusted the compressed stream over the header would hand back."""

        served = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:
            buffer[:] = b"x" * len(buffer)
            Endless.served += len(buffer)
            return len(buffer)

    class Archive:
        def open(self, info):
            return io.BufferedReader(Endless())

    info = zipfile.ZipInfo("4/a.png")
    info.file_size = 100
    with pytest.raises(SampleError, match="unpacks to more than the size it declares"):
        _read_member(Archive(), info, 256 * 1024, "sample picture")
    assert Endless.served <= 1 * MB


def test_an_archive_with_more_files_than_25000_samples_make_is_refused(store):
    members = [(f"x{i}", b"") for i in range(2 * MAX_ARCHIVE_SAMPLES + 1)]  # with FORMAT, one too many
    with pytest.raises(
        SampleError,
        match=r"^in.zip: more than 50,001 files, more than a samples archive may hold "
        r"\(25,000 samples\)$",
    ):
        import_bytes(store, archive(members, compression=zipfile.ZIP_STORED))


def test_an_archive_of_the_most_samples_is_imported_and_one_file_more_is_refused(store, monkeypatch):
    monkeypatch.setattr(samples, "MAX_ARCHIVE_SAMPLES", 3)
    most = [member for i in range(3) for member in sample("4", f"s{i}", i)]  # with FORMAT, 7 files
    with pytest.raises(
        SampleError,
        match=r"^in.zip: more than 7 files, more than a samples archive may hold "
        r"\(3 samples\)$",
    ):
        import_bytes(store, archive(most + [("4/extra.png", png())]))
    assert import_bytes(store, archive(most)) == ImportReport(3, ())


def export_refused(store: SampleStore, path: Path, reason: str) -> None:
    """Exporting `store` to `path` fails with `reason` and writes nothing."""
    before = contents(path.parent)
    with pytest.raises(SampleError) as caught:
        store.export_archive(path)
    assert str(caught.value) == f"Not exported: {reason}; it could not be imported back. Nothing was written."
    assert contents(path.parent) == before


def test_an_export_of_the_most_samples_imports_back_and_one_more_is_not_written(tmp_path, monkeypatch):
    monkeypatch.setattr(samples, "MAX_ARCHIVE_SAMPLES", 3)
    mine = SampleStore(tmp_path / "mine")
    for digit in range(3):
        mine.add(digit, np.zeros((28, 28), np.float32))
    (mine.root / "5").mkdir()
    (mine.root / "5" / "huge.json").write_bytes(meta(5))
    with open(mine.root / "5" / "huge.png", "wb") as f:
        f.truncate(samples.MAX_PNG_BYTES + 1)  # over its budget: this sample stays behind and does not count
    out = tmp_path / "out.zip"
    assert mine.export_archive(out) == 3
    assert SampleStore(tmp_path / "other").import_archive(out) == ImportReport(3, ())
    mine.add(9, np.zeros((28, 28), np.float32))
    export_refused(mine, out, "more than 3 samples, more than an archive may hold")


@pytest.mark.parametrize(
    "damage",
    [
        lambda s: s.meta.write_text('{"label": 3}'),  # not its folder's label
        lambda s: s.meta.write_text("[1, 2]"),
        lambda s: s.meta.write_text("{"),
        lambda s: s.png.write_bytes(encode_png(gray_to_qimage(np.zeros((14, 14), np.float32)))),  # not 28x28
    ],
    ids=["label of another folder", "not an object", "not JSON", "picture not 28x28"],
)
def test_an_export_holds_exactly_the_samples_an_import_takes_back(tmp_path, damage):
    mine = SampleStore(tmp_path / "mine")
    for digit in (1, 2):
        mine.add(digit, np.random.default_rng(digit).random((28, 28)))
    damage(mine.samples()[0])
    out = tmp_path / "out.zip"
    assert mine.export_archive(out) == 1
    assert SampleStore(tmp_path / "other").import_archive(out) == ImportReport(1, ())


def test_an_export_within_the_byte_budgets_imports_back_and_one_byte_more_is_not_written(tmp_path, monkeypatch):
    mine = SampleStore(tmp_path / "mine")
    for digit in range(2):
        mine.add(digit, np.random.default_rng(digit).random((28, 28)))
    unpacked = len(ARCHIVE_MARKER) + sum(len(s.png.read_bytes()) + len(s.meta.read_bytes()) for s in mine.samples())
    monkeypatch.setattr(samples, "MAX_UNPACKED_BYTES", unpacked)
    out = tmp_path / "out.zip"
    assert mine.export_archive(out) == 2
    zipped = out.stat().st_size
    monkeypatch.setattr(samples, "MAX_ARCHIVE_BYTES", zipped)
    assert SampleStore(tmp_path / "other").import_archive(out) == ImportReport(2, ())

    monkeypatch.setattr(samples, "MAX_UNPACKED_BYTES", unpacked - 1)
    export_refused(
        mine,
        tmp_path / "over.zip",
        f"more than {describe_size(unpacked - 1)} of samples, more than an archive may hold",
    )
    with pytest.raises(SampleError, match="its files would unpack to"):
        SampleStore(tmp_path / "third").import_archive(out)

    monkeypatch.setattr(samples, "MAX_UNPACKED_BYTES", unpacked)
    monkeypatch.setattr(samples, "MAX_ARCHIVE_BYTES", zipped - 1)
    export_refused(
        mine,
        tmp_path / "over.zip",
        f"{describe_size(zipped)} zipped, more than an archive may be ({describe_size(zipped - 1)})",
    )
    with pytest.raises(SampleError, match="is more than a samples archive may be"):
        SampleStore(tmp_path / "third").import_archive(out)


def test_an_export_whose_bytes_an_import_would_count_as_too_many_files_is_not_written(tmp_path, monkeypatch):
    monkeypatch.setattr(samples, "MAX_ARCHIVE_SAMPLES", 1)
    mine = SampleStore(tmp_path / "mine")
    mine.add(4, np.zeros((28, 28), np.float32))
    # Stands for compressed bytes that happen to hold the signature of a member's record: every
    # header signature starts with PK, so the count exceeds the 3 files of one sample and FORMAT.
    monkeypatch.setattr(samples, "_CENTRAL_DIRECTORY_RECORD", b"PK")
    export_refused(mine, tmp_path / "out.zip", "its zip seems to list more than 3 files, more than an archive may hold")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_an_archive_too_big_or_a_pipe_is_refused_without_reading_it(store, tmp_path):
    with open(tmp_path / "big.zip", "wb") as f:
        f.truncate(MAX_ARCHIVE_BYTES + 1)  # sparse: no disk used
    os.mkfifo(tmp_path / "pipe.zip")  # no writer: opening it for reading would wait forever
    expected = {
        "big.zip": "big.zip: 256.0 MB is more than a samples archive may be (256.0 MB)",
        "pipe.zip": "pipe.zip: not a regular file (a pipe, device or socket), not a samples archive",
    }
    for name, message in expected.items():
        with pytest.raises(SampleError) as caught:
            store.import_archive(tmp_path / name)
        assert str(caught.value) == message


def test_a_folder_named_like_an_archive_is_refused(store, tmp_path):
    (tmp_path / "folder.zip").mkdir()
    with pytest.raises(SampleError, match=r"^folder.zip: is a folder, not a samples archive$"):
        store.import_archive(tmp_path / "folder.zip")


@pytest.mark.parametrize(
    "label, reason",
    [
        (True, "the label must be a digit 0-9, not true"),
        (False, "the label must be a digit 0-9, not false"),
        (1.0, "the label must be a digit 0-9, not 1.0"),
        ("1", 'the label must be a digit 0-9, not "1"'),
        (10, "the label must be a digit 0-9, not 10"),
        (-1, "the label must be a digit 0-9, not -1"),
        (None, "the label must be a digit 0-9, not null"),
        ([1], "the label must be a digit 0-9, not a list"),
        (2, "the label 2 does not match its folder 1/"),
    ],
)
def test_a_label_that_is_not_the_digit_of_its_folder_is_skipped(store, label, reason):
    before = contents(store.root)
    members = [("1/a.png", png()), ("1/a.json", meta(label)), ("True/b.png", png()), ("True/b.json", meta(label))]
    report = import_bytes(store, archive(members))
    assert report.imported == 0 and reasons(report)["1/a.json"] == reason
    assert reasons(report)["True/b.json"].startswith(NOT_A_SAMPLE_FILE)
    assert contents(store.root) == before
    assert sorted(p.name for p in store.root.iterdir()) == ["3"]  # no True/ or False/ folder


@pytest.mark.parametrize(
    "folder, sample_id",
    [
        ("4", "a" * 300),  # longer than a file name may be
        ("..", "x"),
        ("4/..", "x"),
        ("/4", "x"),
        ("", "x"),
        ("4\\..\\..", "x"),
        ("4/sub", "x"),
        ("44", "x"),
        ("True", "x"),
        ("4", "a b"),
        ("4", "a.b"),
        ("4", "ü"),
        ("4", "CON"),
        ("4", "nul"),
        ("4", "x\n"),
    ],
)
def test_an_entry_named_unlike_a_sample_is_skipped_and_nothing_lands_outside_the_folder(
    store, tmp_path, folder, sample_id
):
    outside = contents(tmp_path)
    report = import_bytes(
        store,
        archive(sample("4", "fine") + [(f"{folder}/{sample_id}.png", png()), (f"{folder}/{sample_id}.json", meta(4))]),
    )
    assert report.imported == 1 and len(report.skipped) == 2
    for name, reason in report.skipped:
        assert reason.startswith(NOT_A_SAMPLE_FILE) and len(name) <= 60 and name.isprintable()
    assert set(contents(tmp_path)) - set(outside) == {"in.zip", "mine/4/fine.png", "mine/4/fine.json"}


def test_an_imported_sample_keeps_when_it_was_made(store):
    """Import wrote the time of the import as each sample's "created" (QA)."""
    report = import_bytes(store, archive(sample("4", "a") + [("5/b.png", png(1)), ("5/b.json", meta(5, created=7))]))
    assert report.imported == 2
    created = {s.id: json.loads(s.meta.read_text())["created"] for s in store.samples() if s.label in (4, 5)}
    assert created["a"] == "2026-01-01T00:00:00+00:00"
    made_now = dt.datetime.now(dt.timezone.utc) - dt.datetime.fromisoformat(created["b"])  # 7 is no time
    assert dt.timedelta(0) <= made_now < dt.timedelta(minutes=1)


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_format_marker_is_refused_with_a_message(store, damage):
    spoil, reason = DAMAGES[damage]
    data = spoil(archive(sample("4", "a")), "FORMAT")
    with pytest.raises(SampleError) as caught:
        import_bytes(store, data)
    assert str(caught.value) == f"in.zip: cannot read its FORMAT marker: {reason}"


@pytest.mark.parametrize("damage", DAMAGES)
@pytest.mark.parametrize("member", ["4/a.png", "4/a.json"])
def test_a_damaged_sample_is_skipped_and_the_others_imported(store, damage, member):
    spoil, reason = DAMAGES[damage]
    report = import_bytes(store, spoil(archive(sample("4", "a") + sample("5", "b")), member))
    if member.endswith(".png"):  # the sample is named by its JSON: its picture is named in the reason
        reason = f"its picture a.png: {reason}"
    assert report == ImportReport(1, (("4/a.json", reason),))
    assert [s.id for s in store.samples() if s.label in (4, 5)] == ["b"]


UNREADABLE_ZIP = "not a readable zip file (damaged, or cut short: an unfinished download or copy?)"


def test_a_foreign_or_unreadable_archive_is_refused(store):
    """A newer app's archive said "not a samples archive exported by this app", and one cut short
    "not a samples archive" (QA)."""
    for data, message in [
        (b"", f"in.zip: {UNREADABLE_ZIP}"),
        (archive(sample("4", "a"))[:300], f"in.zip: {UNREADABLE_ZIP}"),  # a copy cut short
        (b"PK\x05\x06" + bytes(18), "in.zip: not a samples archive exported by this app"),
        (archive(sample("4", "a"), marker=None), "in.zip: not a samples archive exported by this app"),
        (archive(sample("4", "a"), marker="hwr-samples/0"), "in.zip: not a samples archive exported by this app"),
        (
            archive(sample("4", "a"), marker="hwr-samples/2"),
            "in.zip: a samples archive of a newer version of this app (hwr-samples/2; this one reads "
            "hwr-samples/1): update the app to import it",
        ),
        (
            archive([], marker=ARCHIVE_MARKER * 1000),
            "in.zip: cannot read its FORMAT marker: 12.7 KB, more than a format marker may be (64 bytes)",
        ),
    ]:
        with pytest.raises(SampleError) as caught:
            import_bytes(store, data)
        assert str(caught.value) == message


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"[" * 100_000, "sample file: nested too deeply"),
        (b'{"label": ' + b"1" * 5000 + b"}", "sample file: a number is too long"),
        (b'{"label": 4, "name": "\xff\xfe"}', "sample file: not UTF-8 text"),
        (b"[4]", "sample file: not an object with a label"),
        (b'"4"', "sample file: not an object with a label"),
        (b"null", "sample file: not an object with a label"),
        (b'{"label": 4', "sample file: not valid JSON (Expecting ',' delimiter, line 1)"),
        (b"", "sample file: the file is empty"),
        (meta(4, drawing={"width": 10}), "its drawing is unusable: "),
        (meta(4, drawing=[]), "its drawing is unusable: "),
    ],
)
def test_malformed_json_is_skipped_with_its_reason(store, content, reason):
    report = import_bytes(store, archive([("4/a.png", png()), ("4/a.json", content)] + sample("5", "b")))
    assert report.imported == 1 and len(report.skipped) == 1
    assert report.skipped[0][0] == "4/a.json" and report.skipped[0][1].startswith(reason)


def test_the_report_names_every_entry_left_out(store):
    present = store.samples()[0]
    report = import_bytes(
        store,
        archive(
            [
                (f"3/{present.id}.png", png()),
                (f"3/{present.id}.json", meta(3)),  # already there
                ("4/", b""),  # a folder entry, as other zip tools write them: nothing to report
                ("4/lonely.png", png()),
                ("4/blind.json", meta(4)),
                *sample("5", "twice"),
                ("5/twice.json", meta(5)),
                ("notes.txt", b"hello"),
                *sample("6", "new"),
            ]
        ),
    )
    assert report == ImportReport(
        2,
        (
            ("5/twice.json", "a second file of this name in the archive"),
            (
                "notes.txt",
                NOT_A_SAMPLE_FILE + ": expected <digit>/<id>.png or .json, the id up to 80 letters, digits, - or _",
            ),
            (f"3/{present.id}.json", "already in your samples"),
            ("4/lonely.png", "no .json (label) beside this picture"),
            ("4/blind.json", "no .png picture beside it"),
        ),
    )
    assert sorted(s.id for s in store.samples()) == sorted([present.id, "twice", "new"])


def test_an_import_that_fails_half_way_keeps_every_sample_written_before(store, monkeypatch):
    before = contents(store.root)
    disk_full_at(monkeypatch, 4)  # PNG and JSON of the first sample, the second's PNG, then its JSON
    with pytest.raises(SampleError) as caught:
        import_bytes(store, archive(sample("4", "a") + sample("5", "b") + sample("6", "c")))
    monkeypatch.undo()
    assert str(caught.value) == (
        "Cannot save 5/b.json: No space left on device. Stopped after importing 1 "
        "sample; your earlier samples are untouched."
    )
    assert {k: v for k, v in contents(store.root).items() if k in before} == before
    assert sorted(s.id for s in store.samples() if s.label != 3) == ["a"]
    assert store.image(store.samples()[1]).shape == (28, 28)
    assert not list(store.root.rglob("*.tmp"))


# Property-based: whatever the archive holds, the importer answers with a report or a SampleError,
# writes only complete, valid samples inside the user's folder and leaves the others alone.


def check_import_of(data: bytes, base: Path) -> None:
    store = SampleStore(base / "mine")
    existing = store.add(3, np.zeros((28, 28), np.float32))
    before = contents(store.root)
    path = base / "in.zip"
    path.write_bytes(data)
    try:
        report = store.import_archive(path)
    except SampleError as exc:
        assert str(exc)
        imported = None
    else:
        assert isinstance(report, ImportReport) and all(name and reason for name, reason in report.skipped)
        imported = report.imported
    after = contents(store.root)
    assert {k: after[k] for k in before} == before
    assert set(contents(base)) == {"in.zip"} | {f"mine/{k}" for k in after}  # nothing written elsewhere
    new = [s for s in store.samples() if s.meta != existing.meta]
    if imported is not None:
        assert len(new) == imported
    for s in new:
        assert SAMPLE_ID.fullmatch(s.id) and json.loads(s.meta.read_bytes())["label"] == s.label
        assert store.image(s).shape == (28, 28)


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=4096))
def test_any_bytes_give_a_report_or_a_sample_error(tmp_path_factory, data):
    check_import_of(data, tmp_path_factory.mktemp("any"))


@settings(max_examples=150, deadline=None)
@given(
    edits=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), min_size=1, max_size=8),
    cut=st.none() | st.integers(min_value=0),
)
def test_a_damaged_export_gives_a_report_or_a_sample_error(tmp_path_factory, edits, cut):
    data = bytearray(archive(sample("4", "a") + sample("5", "b", 1)))
    for position, value in edits:
        data[position % len(data)] = value
    check_import_of(bytes(data[: None if cut is None else cut % len(data)]), tmp_path_factory.mktemp("damaged"))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=30,
)
# zipfile cuts a name at its first NUL and cannot write an empty name (the damaged-export test reaches those).
member_names = st.one_of(
    st.text(max_size=100).filter(lambda name: name.split("\0")[0]),
    st.from_regex(r"[0-9]/[A-Za-z0-9_.-]{0,90}\.(png|json)", fullmatch=True),
)
member_contents = st.binary(max_size=300) | st.sampled_from([png(), meta(4)])


@settings(max_examples=150, deadline=None)
@given(
    members=st.lists(st.tuples(member_names, member_contents), max_size=6),
    compression=st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA]),
)
def test_members_of_any_name_and_content_give_a_report_or_a_sample_error(tmp_path_factory, members, compression):
    check_import_of(archive(members, compression=compression), tmp_path_factory.mktemp("members"))


@settings(max_examples=150, deadline=None)
@given(value=json_values, label=json_values | st.integers(0, 9), drawing=json_values)
def test_any_json_gives_a_report_or_a_sample_error(tmp_path_factory, value, label, drawing):
    members = [
        ("4/a.png", png()),
        ("4/a.json", json.dumps(value).encode()),
        ("5/b.png", png()),
        ("5/b.json", meta(label, drawing=drawing)),
    ]
    check_import_of(archive(members), tmp_path_factory.mktemp("json"))


def test_the_dialog_shows_what_was_skipped_as_plain_text(qtbot, store):
    from PySide6.QtCore import Qt

    from handwriting_recognizer.app.application import create_application
    from handwriting_recognizer.app.samples_view import SamplesDialog

    create_application([])
    odd = [(f"4/<b>odd{i}</b>.json", meta(4)) for i in range(12)]
    path = store.root.parent / "in.zip"
    path.write_bytes(archive(sample("4", "a") + odd))
    dialog = SamplesDialog(None, store)
    qtbot.addWidget(dialog)
    dialog.import_from(str(path))
    lines = dialog.message.text().split("\n")
    assert lines[0] == "Imported 1 sample; skipped 12:"
    assert lines[1:11] == [
        f"4/<b>odd{i}</b>.json: {NOT_A_SAMPLE_FILE}: expected <digit>/<id>.png or .json, "
        "the id up to 80 letters, digits, - or _"
        for i in range(10)
    ]
    assert lines[11:] == ["and 2 more"]
    assert dialog.message.textFormat() == Qt.TextFormat.PlainText  # the <b> is shown, never rendered
    assert dialog.grid.count() == 2 and "<b>4</b>: 1" in dialog.counts.text()
    dialog.import_from(str(path))
    assert dialog.message.text().startswith("Imported 0 samples; 1 already in your samples; skipped 12:\n")


def test_an_import_stopped_half_way_keeps_what_it_wrote_and_says_what_it_left(store):
    """An import ran on without a sign of progress or a way to stop it: 2,000 samples took 3 s, the
    25,000 an archive may hold about 40 s (QA review)."""
    from handwriting_recognizer.app.samples_view import import_summary

    asked = []
    path = store.root.parent / "in.zip"
    path.write_bytes(archive([m for i in range(5) for m in sample(str(i), f"s{i}", seed=i)]))
    report = store.import_archive(path, lambda done, total: asked.append((done, total)) or done < 2)
    assert asked == [(0, 5), (1, 5), (2, 5)]
    assert report == ImportReport(2, (), left=3) and len(store.samples()) == 1 + 2
    assert import_summary(report) == "Stopped: imported 2 samples; 3 not looked at."
