"""Every file the tool writes, written whole or not at all.

A reader, a crash or a kill sees the old file or the new one, never half of one: text goes to
a temporary file beside the target (an unpredictable name, removed on any failure), every byte
is written (a short write is retried, a full disk is an error), flushed to disk, then renamed
into place. What is at the path decides what "replace" means (docs/guarantees.md):

- a regular file, or nothing: replaced atomically, keeping the old file's permissions;
- a symlink: followed; the file it points to is replaced atomically, the link stays a link;
- a FIFO, a terminal, a device such as /dev/null or /dev/stdout: written into, never replaced;
- a folder: refused.

Ordinary failures (disk full, permission denied, a name too long, a read-only disk, a path
under a file) are `WriteFailed`, exit 2 with the path and what to do; never a traceback.
"""

from __future__ import annotations

import errno
import os
import secrets
import signal
import stat
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from alignment_cli.errors import AlignmentError, UsageError

TEMP_SUFFIX = ".alignment-tmp"
"""Temporary files end so; one older than STALE_SECONDS is left from a killed run."""
STALE_SECONDS = 600
JOURNAL_NAME = ".alignment-import.journal"
"""Beside the files an import renames into place: there only while the renames run, so one
found later means a run was killed half-way (SIGKILL, a power cut)."""
_JOURNAL_HEAD = "# alignment import: renaming these files into place; removed when done\n"

_WHAT_TO_DO = {
    errno.ENOSPC: "the disk is full; free some space and run the command again",
    errno.EDQUOT: "the disk quota is used up; free some space and run the command again",
    errno.EACCES: "permission denied; choose a folder you may write to, or change its permissions",
    errno.EPERM: "permission denied; choose a folder you may write to, or change its permissions",
    errno.EROFS: "the disk is read-only; write somewhere else",
    errno.ENAMETOOLONG: "the file name is too long for this file system; choose a shorter one",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EISDIR: "is a folder; give a file name",
    errno.ENOENT: "the folder does not exist",
}


_BATCH = 256
"""Files whose texts `write_all_atomic` makes at a time."""

_NO_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK}


class WriteFailed(AlignmentError):
    """A file could not be written for a reason of the machine's, not ours (exit 2)."""


def failure(path: Path | str, exc: OSError) -> WriteFailed:
    what = _WHAT_TO_DO.get(exc.errno or 0, exc.strerror or str(exc))
    return WriteFailed(f"cannot write {path}: {what}")


def _write_all(fd: int, data: bytes) -> None:
    """os.write may write less than asked (a nearly full disk, a signal): go on until done."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = view[written:]


def _target(path: Path) -> tuple[Path, bool]:
    """(where to write, whether to write into it instead of replacing it)."""
    try:
        st = os.stat(path)  # follows a symlink: the link's target is what gets written
    except FileNotFoundError:
        return Path(os.path.realpath(path)) if path.is_symlink() else path, False
    except OSError as exc:  # a name too long, a path under a file, no permission to look
        raise failure(path, exc) from None
    if stat.S_ISDIR(st.st_mode):
        raise WriteFailed(f"cannot write {path}: it is a folder; give a file name")
    if not stat.S_ISREG(st.st_mode):
        return path, True  # a FIFO, a terminal, /dev/null, /dev/stdout: write into it
    return Path(os.path.realpath(path)), False


def _temp_name(path: Path, token: str) -> Path:
    return path.parent / f".{path.name}.{token}{TEMP_SUFFIX}"


def write_atomic(path: Path, text: str, *, make_dirs: bool = False) -> None:
    """Write `text` (UTF-8) to `path`, whole or not at all.

    A missing folder is created only with `make_dirs` (an engagement's own responses/ and
    history/); a path someone typed into a folder that is not there is a mistake to report,
    not to paper over with a new folder.
    """
    if not isinstance(text, str):
        raise TypeError(f"write_atomic writes text, not {type(text).__name__}")
    data = text.encode("utf-8")
    target, into = _target(path)
    if into:
        _write_into(path, data)
        return
    folder = target.parent
    _ensure_folder(path, folder, make_dirs)
    tmp = _temp_name(target, secrets.token_hex(6))
    try:
        _write_temp(tmp, data, _mode_for(target))
        os.replace(tmp, target)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise failure(path, exc) from None
        raise
    _sync_folder(folder)


def _ensure_folder(path: Path, folder: Path, make_dirs: bool) -> None:
    try:
        if make_dirs:
            folder.mkdir(parents=True, exist_ok=True)
        elif not folder.is_dir():
            raise UsageError(f"{path}: the folder {folder} does not exist")
    except OSError as exc:
        raise failure(path, exc) from None


def _write_temp(tmp: Path, data: bytes | Iterable[str], mode: int) -> None:
    """A new temporary file holding every byte of `data` (bytes, or text in pieces written
    as UTF-8 one at a time), flushed to disk, with `mode`."""
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, mode)
        if isinstance(data, bytes):
            _write_all(fd, data)
        else:
            for piece in data:
                _write_all(fd, piece.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def write_new(path: Path, text: str | Iterable[str], *, make_dirs: bool = False) -> bool:
    """Write `text` (or its pieces, so a large text is never held whole) to `path` whole, only
    if nothing is there yet; False when the name is taken.

    The finished temporary file is hard-linked to the name, which fails when the name exists:
    of two runs claiming one name at the same moment, exactly one wins and the other can try
    the next name (a check then a rename would let the second replace the first)."""
    folder = path.parent
    _ensure_folder(path, folder, make_dirs)
    tmp = _temp_name(path, secrets.token_hex(6))
    try:
        _write_temp(tmp, text.encode("utf-8") if isinstance(text, str) else text, _new_mode())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        except OSError as exc:
            if exc.errno not in _NO_LINKS:
                raise
            # A file system without hard links: claim the name empty, then fill it.
            try:
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            except FileExistsError:
                return False
            os.replace(tmp, path)
    except OSError as exc:
        raise failure(path, exc) from None
    finally:
        tmp.unlink(missing_ok=True)
    _sync_folder(folder)
    return True


def _new_mode() -> int:
    """What a plain open() would give a new file under the umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _write_into(path: Path, data: bytes) -> None:
    try:
        fd = os.open(path, os.O_WRONLY)
        try:
            _write_all(fd, data)
        finally:
            os.close(fd)
    except OSError as exc:
        raise failure(path, exc) from None


def write_all_atomic(
    items: Sequence[tuple[Path, str | Callable[[], str]]],
    *,
    make_dirs: bool = False,
    journal: Path | None = None,
    on_applied: Callable[[], None] | None = None,
) -> None:
    """`write_atomic` for thousands of files: every file written beside its target, one flush
    to disk for all, then the renames. A failure before the renames changes nothing; the files
    of a kill are left as hidden temporary files, which the next run removes.

    A text may be given as a function that makes it, called once when its file is written, so
    that thousands of texts are never held at once.

    The renames run with Ctrl-C, SIGTERM and SIGHUP held off (they land once all are done), so
    an interruption never leaves some files new and some old. Only a kill can; `journal` then
    names the files that may have changed: written before the renames, removed after them
    (`on_applied` is called then, before any held signal lands).
    """
    # Paths as text from here on: thousands of pathlib objects cost more than the writes do.
    names = [os.fspath(path) for path, _ in items]
    folders = {os.path.dirname(name) or os.curdir for name in names}
    for folder in folders:
        remove_stale_temps(Path(folder))  # a killed run's, whatever this run writes
    if (len(items) < 2 and journal is None) or not hasattr(os, "sync"):
        with signals_held(), _journal(journal, names):
            for path, text in items:
                write_atomic(path, _text(text), make_dirs=make_dirs)
            if on_applied is not None:
                on_applied()
        return
    token = secrets.token_hex(6)
    temps: list[tuple[str, str]] = []
    current: Path | str = names[0] if names else journal or Path(".")
    try:
        for folder in folders:
            current = folder
            if make_dirs:
                Path(folder).mkdir(parents=True, exist_ok=True)
        into: list[tuple[Path, bytes]] = []  # FIFOs, devices: written into
        lstat, open_, close = os.lstat, os.open, os.close
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
        for start in range(0, len(items), _BATCH):
            # The texts of a batch made together, then its files: Python's work runs warm
            # instead of between system calls, and only a batch of texts is held.
            batch = range(start, min(start + _BATCH, len(items)))
            texts = [_text(items[i][1]).encode("utf-8") for i in batch]
            for i, data in zip(batch, texts, strict=True):
                name = current = names[i]
                mode: int | None = None  # None: a new file, made with the umask's permissions
                try:
                    st = lstat(name)
                except FileNotFoundError:
                    target = name
                except OSError:
                    followed, _ = _target(items[i][0])  # raises, saying what is wrong with it
                    target = os.fspath(followed)
                else:
                    if stat.S_ISREG(st.st_mode):
                        target, mode = name, st.st_mode & 0o777
                    else:  # a symlink: its target, as write_atomic does; a FIFO or a device
                        followed, special = _target(items[i][0])
                        if special:
                            into.append((items[i][0], data))
                            continue
                        target, mode = os.fspath(followed), _mode_for(followed)
                head, tail = os.path.split(target)
                tmp = os.path.join(head, f".{tail}.{token}.{i}{TEMP_SUFFIX}")
                # A new file takes the umask's permissions, as a plain open() gives it.
                fd = open_(tmp, flags, 0o666 if mode is None else 0o600)
                temps.append((tmp, target))
                try:
                    if mode is not None:
                        os.fchmod(fd, mode)  # the old file's permissions
                    _write_all(fd, data)
                finally:
                    close(fd)
        for path, data in into:
            current = path
            _write_into(path, data)
        os.sync()
        with signals_held():
            current = journal or current
            with _journal(journal, names):
                for tmp, target in temps:
                    current = target
                    os.replace(tmp, target)
                temps.clear()
                for folder in folders:
                    _sync_folder(Path(folder))
            if on_applied is not None:
                on_applied()
    except OSError as exc:
        raise failure(current, exc) from None
    finally:
        for tmp, _ in temps:
            Path(tmp).unlink(missing_ok=True)


def _text(text: str | Callable[[], str]) -> str:
    return text if isinstance(text, str) else text()


@contextmanager
def _journal(journal: Path | None, paths: Sequence[str]) -> Iterator[None]:
    """The journal written (and flushed) before the block, removed after it; left in place if
    the block fails, since some files may then have changed. Files beside it are named by
    their name alone."""
    if journal is None:
        yield
        return
    here = os.fspath(journal.parent)
    names = []
    for p in paths:
        head, tail = os.path.split(p)
        names.append(tail if head == here else p)
    write_atomic(journal, _JOURNAL_HEAD + "".join(f"{n}\n" for n in names), make_dirs=True)
    yield
    journal.unlink(missing_ok=True)
    _sync_folder(journal.parent)


def interrupted_writes(folder: Path) -> list[str] | None:
    """The files a killed import in `folder` was renaming (from its journal), or None."""
    try:
        text = (folder / JOURNAL_NAME).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def interrupted_warning(folder: Path, *, again: str) -> str | None:
    """What to say when an import into `folder` was killed while renaming its files (here,
    not in survey/writing.py: `score` checks for it and needs nothing else of an import)."""
    names = interrupted_writes(folder)
    if names is None:
        return None
    shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
    return (
        f"an import into {folder} was interrupted while it renamed files into place "
        f"({folder / JOURNAL_NAME} is left); these may hold its new answers or their old ones: "
        f"{shown or 'none'}; {again}"
    )


@contextmanager
def signals_held() -> Iterator[None]:
    """Ctrl-C, SIGTERM and SIGHUP held off while files are written or renamed; they land right
    after (a save or an import is never cut in half by an interruption)."""
    mask = getattr(signal, "pthread_sigmask", None)
    if mask is None:  # pragma: no cover - Windows
        yield
        return
    sigs = {s for s in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s}
    old = mask(signal.SIG_BLOCK, sigs)
    try:
        yield
    finally:
        mask(signal.SIG_SETMASK, old)


def remove_stale_temps(folder: Path, *, older_than: float = STALE_SECONDS) -> int:
    """Remove our temporary files left in `folder` by a run that was killed; their number."""
    removed = 0
    cutoff = time.time() - older_than
    try:
        entries: Iterable[os.DirEntry[str]] = os.scandir(folder)
    except OSError:
        return 0
    with entries as found:  # type: ignore[attr-defined]
        for entry in found:
            if entry.name.startswith(".") and entry.name.endswith(TEMP_SUFFIX):
                try:
                    if entry.stat(follow_symlinks=False).st_mtime < cutoff:
                        os.unlink(entry.path)
                        removed += 1
                except OSError:
                    continue
    return removed


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (where the platform allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _mode_for(path: Path) -> int:
    """The old file's permissions, or what a plain open() would give under the umask."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        return _new_mode()
