"""Atomic writes keep what the user set on a file: its permissions, and a link's place."""

from __future__ import annotations

import errno
import os
import stat

import pytest

from handwriting_recognizer.core import atomic
from handwriting_recognizer.core.atomic import write_bytes_atomic

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions and links")


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_saving_over_a_private_file_keeps_it_private(tmp_path):
    """Saving over a 0600 drawing left it 0644, readable by everyone (QA review)."""
    path = tmp_path / "diary.json"
    path.write_text("old")
    path.chmod(0o600)
    write_bytes_atomic(path, b"new")
    assert path.read_bytes() == b"new" and mode(path) == 0o600


def test_a_new_file_gets_the_users_umask(tmp_path):
    previous = os.umask(0o077)
    try:
        write_bytes_atomic(tmp_path / "new.json", b"new")
    finally:
        os.umask(previous)
    assert mode(tmp_path / "new.json") == 0o600  # 0o644 whatever the umask, before


def test_a_linked_file_is_written_where_the_link_points_and_the_link_stays(tmp_path):
    """Saving over a symbolic link replaced the link by a plain file; the file it named kept the
    old content (QA review)."""
    target = tmp_path / "shared" / "seven.json"
    target.parent.mkdir()
    target.write_text("old")
    link = tmp_path / "seven.json"
    link.symlink_to(target)
    write_bytes_atomic(link, b"new")
    assert link.is_symlink() and target.read_bytes() == b"new"


def test_a_link_that_leads_nowhere_is_replaced_by_the_file_and_makes_no_folders(tmp_path):
    """A dangling link made the whole folder chain it named; a looping one raised (review)."""
    dangling, looping = tmp_path / "dangling.json", tmp_path / "loop.json"
    dangling.symlink_to(tmp_path / "nowhere" / "deep" / "d.json")
    looping.symlink_to(looping)
    for link in (dangling, looping):
        write_bytes_atomic(link, b"new")
        assert not link.is_symlink() and link.read_bytes() == b"new"
    assert not (tmp_path / "nowhere").exists()


def test_a_failed_write_leaves_the_old_file_and_no_temporary_one(tmp_path, monkeypatch):
    path = tmp_path / "seven.json"
    path.write_text("old")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", full)
    with pytest.raises(OSError, match="No space left"):
        write_bytes_atomic(path, b"new")
    assert path.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["seven.json"]
