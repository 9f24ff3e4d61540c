"""Every write is whole or fails: short writes, a full disk, special files, symlinks, leftovers.

The full-disk test mounts a small tmpfs where it may (as root, as in CI); the short-write
tests simulate what a nearly full disk does to `os.write` everywhere.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import MINIMAL_RESPONSES, MINIMAL_RUBRIC

from alignment_cli.files import writes
from alignment_cli.files.writes import (
    TEMP_SUFFIX,
    WriteFailed,
    remove_stale_temps,
    write_all_atomic,
    write_atomic,
)

Invoke = Callable[..., Any]
REPORT = ["report", str(MINIMAL_RESPONSES), "--rubric", str(MINIMAL_RUBRIC)]


def _short_writes(monkeypatch: pytest.MonkeyPatch, most: int) -> None:
    real = os.write

    def short(fd: int, data: Any) -> int:
        return real(fd, bytes(data[:most]))

    monkeypatch.setattr(writes.os, "write", short)


def test_a_short_write_is_carried_on_until_every_byte_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _short_writes(monkeypatch, 7)
    text = "answers:\n" + "".join(f"  q{i}: {i}\n" for i in range(500))
    write_atomic(tmp_path / "one.yaml", text)
    many = [(tmp_path / f"f{i}.yaml", text + f"# {i}\n") for i in range(5)]
    write_all_atomic(many)
    assert (tmp_path / "one.yaml").read_text() == text
    assert all(p.read_text() == t for p, t in many)
    assert not list(tmp_path.glob(f"*{TEMP_SUFFIX}"))


def test_a_disk_that_takes_nothing_more_fails_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = tmp_path / "a.yaml"
    old.write_text("old\n")
    calls = {"n": 0}
    real = os.write

    def filling(fd: int, data: Any) -> int:
        calls["n"] += 1
        if calls["n"] > 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd, bytes(data[:10]))

    monkeypatch.setattr(writes.os, "write", filling)
    with pytest.raises(WriteFailed, match=r"cannot write .*a\.yaml: the disk is full"):
        write_atomic(old, "new text that is longer than ten bytes\n")
    calls["n"] = 0
    items = [(tmp_path / "a.yaml", "x" * 50), (tmp_path / "b.yaml", "y" * 50)]
    with pytest.raises(WriteFailed, match="the disk is full"):
        write_all_atomic(items)
    assert old.read_text() == "old\n"
    assert not (tmp_path / "b.yaml").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml"]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs (root only); skipped where mounting is not allowed."""
    folder = tmp_path / "small"
    folder.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


def test_import_onto_a_full_disk_is_exit_2_and_leaves_no_truncated_file(
    invoke: Invoke, small_disk: Path, tmp_path: Path
) -> None:
    header = "Timestamp,Name,Role,lead-definition,market-maturity\n"
    rows = "".join(f"2026-11-03 10:00,Person {i:04d},sales,4,new\n" for i in range(400))
    survey = tmp_path / "survey.csv"
    survey.write_text(header + rows, encoding="utf-8")
    eng = small_disk / "eng"
    result = invoke("import", str(survey), str(eng), "--rubric", str(MINIMAL_RUBRIC))
    assert result.exit_code == 2, result.output
    assert "disk is full" in result.stderr
    assert "Traceback" not in result.output
    left = list((eng / "responses").glob("*")) if (eng / "responses").exists() else []
    assert [p.name for p in left if p.name.endswith(TEMP_SUFFIX)] == []
    assert [p for p in left if p.suffix == ".yaml"] == []  # nothing renamed into place


def test_report_into_a_fifo_writes_into_it(invoke: Invoke, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    result = invoke(*REPORT, "-o", str(fifo))
    reader.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert got and got[0].startswith(b"# ")


def test_report_to_dev_null_leaves_the_device_a_device(invoke: Invoke) -> None:
    result = invoke(*REPORT, "-o", "/dev/null")
    assert result.exit_code == 0, result.output
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_report_onto_a_symlink_replaces_its_target_and_keeps_the_link(
    invoke: Invoke, tmp_path: Path
) -> None:
    target = tmp_path / "real.md"
    target.write_text("old\n")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    result = invoke(*REPORT, "-o", str(link))
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text().startswith("# ")


@pytest.mark.parametrize(
    ("where", "message"),
    [("folder", "it is a folder"), ("under-a-file/report.md", "is a file, not a folder")],
)
def test_report_onto_a_folder_or_under_a_file_is_exit_2(
    invoke: Invoke, tmp_path: Path, where: str, message: str
) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "under-a-file").write_text("x")
    result = invoke(*REPORT, "-o", str(tmp_path / where))
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_a_name_too_long_is_exit_2(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke(*REPORT, "-o", str(tmp_path / ("r" * 300 + ".md")))
    assert result.exit_code == 2, result.output
    assert "too long" in result.stderr


def test_temporary_files_a_killed_run_left_are_removed_by_the_next(tmp_path: Path) -> None:
    stale = tmp_path / f".a.yaml.0123456789ab.0{TEMP_SUFFIX}"
    fresh = tmp_path / f".b.yaml.ba9876543210.0{TEMP_SUFFIX}"
    stale.write_text("half")
    fresh.write_text("another run, now")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    assert remove_stale_temps(tmp_path) == 1
    assert not stale.exists() and fresh.exists()


def test_a_text_written_in_pieces_is_their_bytes_and_claims_the_name_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """write_new takes a large text as pieces (a saved run of 100,000 respondents): the file is
    their UTF-8 bytes even when the disk takes a few bytes per write; a name already taken is
    left alone."""
    _short_writes(monkeypatch, 3)
    path = tmp_path / "run.json"
    pieces = ["{\n", '  "name": "Zoë 张伟"', "\n}", "\n"]
    assert writes.write_new(path, iter(pieces)) is True
    assert path.read_bytes() == "".join(pieces).encode("utf-8")
    assert writes.write_new(path, iter(["other"])) is False
    assert path.read_bytes() == "".join(pieces).encode("utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]  # no temporary file left


def test_pieces_that_fail_half_way_leave_no_file(tmp_path: Path) -> None:
    def pieces() -> Iterator[str]:
        yield "{\n"
        raise OSError(errno.ENOSPC, "No space left on device")

    path = tmp_path / "run.json"
    with pytest.raises(WriteFailed):
        writes.write_new(path, pieces())
    assert list(tmp_path.iterdir()) == []
