"""What an import's batch write (write_all_atomic) does to what is already at an answer file's
path, against what write_atomic promises for every file the tool writes (docs/guarantees.md)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from alignment_cli.files.writes import write_all_atomic, write_atomic

MODE_LOST = (
    "write_all_atomic opens its temporary files 0o666 under the umask and never fchmods "
    "them to the old file's mode as write_atomic does: an import --overwrite turns a "
    "0o600 answer file into 0o644 (readable by everyone)"
)
LINK_LOST = (
    "write_all_atomic renames onto the path itself: a symlinked answer file is replaced "
    "by a regular file (the link is gone, its target keeps the old answers), where "
    "write_atomic replaces the link's target and keeps the link"
)


def _two(folder: Path, name: str) -> list[tuple[Path, str]]:
    return [(folder / name, "new: 1\n"), (folder / "other.yaml", "new: 2\n")]


@pytest.mark.parametrize(
    "write",
    [
        "one",
        "batch",
    ],
)
def test_old_permissions_kept(tmp_path: Path, write: str) -> None:
    target = tmp_path / "dana-lee.yaml"
    target.write_text("old: 1\n")
    target.chmod(0o600)
    if write == "one":
        write_atomic(target, "new: 1\n")
    else:
        write_all_atomic(_two(tmp_path, target.name))
    assert target.read_text() == "new: 1\n"
    assert target.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    "write",
    [
        "one",
        "batch",
    ],
)
def test_symlink_followed(tmp_path: Path, write: str) -> None:
    real = tmp_path / "elsewhere.yaml"
    real.write_text("old: 1\n")
    link = tmp_path / "dana-lee.yaml"
    link.symlink_to(real)
    if write == "one":
        write_atomic(link, "new: 1\n")
    else:
        write_all_atomic(_two(tmp_path, link.name))
    assert link.is_symlink()
    assert real.read_text() == "new: 1\n"


def test_fifo_written_into_not_replaced(tmp_path: Path) -> None:
    """write_atomic writes into a FIFO (a reader gets the text) instead of replacing it."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        write_atomic(fifo, "through the pipe\n")
        assert os.read(reader, 100) == b"through the pipe\n"
    finally:
        os.close(reader)
    assert fifo.is_fifo()
