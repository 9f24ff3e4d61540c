"""One interview of a person at a time: a lock file beside their answer file.

Two `alignment audit` sessions on one person would each save after every answer and each lose
the other's answers. The first session holds `responses/.<name>.lock` (created exclusively)
until it ends; a second one is told who holds it. A lock whose process is gone (a kill, a
crash) is taken over; a lock from another machine is never guessed about (docs/guarantees.md).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from alignment_cli.clock import now, timestamp
from alignment_cli.errors import UsageError
from alignment_cli.files.writes import write_new

LOCK_SUFFIX = ".lock"
UNREADABLE_STALE_SECONDS = 60


def lock_path(answer_file: Path) -> Path:
    return answer_file.with_name(f".{answer_file.stem}{LOCK_SUFFIX}")


@dataclass
class Holder:
    pid: int
    host: str
    since: str

    def alive(self) -> bool:
        if self.host != socket.gethostname():
            return True  # another machine's process: we cannot tell, so it holds
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True  # someone else's process, alive
        return True


def holder_of(answer_file: Path) -> Holder | None:
    """Who holds this person's interview now; None when nobody does."""
    path = lock_path(answer_file)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        holder = Holder(int(data["pid"]), str(data["host"]), str(data["since"]))
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, ValueError, KeyError, TypeError):
        # Unreadable: a lock this tool writes whole (see acquire) would not be, so it is
        # someone else's or a leftover; held while it is fresh, stale once it is old.
        try:
            age = time.time() - path.stat().st_mtime
        except OSError:
            return None
        return None if age > UNREADABLE_STALE_SECONDS else Holder(0, "an unknown process", "?")
    return holder if holder.alive() else None


class InterviewLock:
    """Held from the first question to the end of the session; released on any exit."""

    def __init__(self, answer_file: Path, who: str) -> None:
        self.answer_file = answer_file
        self.path = lock_path(answer_file)
        self.who = who
        self.held = False

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        me = {"pid": os.getpid(), "host": socket.gethostname(), "since": timestamp(now())}
        # The lock appears whole or not at all (write_new: written beside, linked into place,
        # refused when the name exists), so a kill never leaves an empty lock behind.
        for _ in range(2):
            if write_new(self.path, json.dumps(me)):
                self.held = True
                return
            holder = holder_of(self.answer_file)
            if holder is not None:
                raise UsageError(
                    f"{self.who} is being interviewed in another session (process "
                    f"{holder.pid} on {holder.host}, since {holder.since}); finish or quit "
                    f"that one first, or delete {self.path} if it is gone"
                )
            self.path.unlink(missing_ok=True)  # left by a session that was killed
        raise UsageError(f"cannot take {self.path}: another session took it just now; try again")

    def release(self) -> None:
        if self.held:
            with contextlib.suppress(OSError):
                self.path.unlink()
            self.held = False
