"""The terminal side of `alignment audit`: prompts, saving, signals.
Decisions live in interview/flow.py.

Imported by `audit_cmd.audit` when the command runs, so `alignment --help` stays fast.

What survives what (docs/interview.md has the long form):
- every answer and note is written to `responses/<slug>.yaml` with an atomic rename before the
  next question shows, with SIGINT, SIGTERM and SIGHUP held off while it is written;
- `responses/.<slug>.progress` remembers the question at hand, so a rerun continues there; it is
  removed when the interview is finished, which is how a rerun knows to offer the previous answers
  as defaults instead.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import shlex
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import typer
from rich.console import RenderableType
from rich.text import Text

from alignment_cli.cli import console
from alignment_cli.cli.console import strip_controls
from alignment_cli.cli.signals import Terminated, terminate_as_interrupt
from alignment_cli.cli.views.interview import help_view, phase_intro, question_view, summary_view
from alignment_cli.clock import now
from alignment_cli.errors import Interrupted, InvalidInput, UsageError
from alignment_cli.files.engagement import CONFIG_NAME, Engagement, find_engagement
from alignment_cli.files.locks import InterviewLock
from alignment_cli.files.names import file_stem
from alignment_cli.files.responses import MAX_NAME, ResponseFile, Responses, load_response_file
from alignment_cli.files.rubric_cache import load_rubric
from alignment_cli.files.writes import remove_stale_temps, signals_held, write_atomic
from alignment_cli.files.yamlio import MAX_BYTES, load_data_fast
from alignment_cli.interview.flow import Interview, Kind, interpret, responses_text
from alignment_cli.model.roles import find_role, resolve_role
from alignment_cli.model.rubric import LoadedRubric

PROGRESS_SUFFIX = ".progress"
# A typed character takes at most this many bytes in the answer file (UTF-8, YAML's escapes).
_WORST_GROWTH = 8
PROMPT = "> "


def run(
    directory: Path | None,
    *,
    respondent: str | None,
    role: str | None,
    rubric_ref: str | None,
    resume: bool,
) -> None:
    folder = directory if directory is not None else Path.cwd()
    engagement = find_engagement(folder) if folder.exists() else None
    if engagement is None:
        shown = shlex.quote(str(folder))
        raise UsageError(
            f"{folder} is not an engagement folder (no {CONFIG_NAME}); "
            f"create one with: alignment init {shown}"
        )
    loaded = load_rubric(rubric_ref or engagement.rubric_ref())
    tty = sys.stdin.isatty()
    if tty:
        with contextlib.suppress(ImportError):  # line editing and history for input()
            import readline  # noqa: F401
    session = Session(engagement, loaded, directory=directory, rubric_flag=rubric_ref, tty=tty)
    with terminate_as_interrupt(), _undecodable_kept():
        try:
            session.start(respondent, role, resume)
            session.loop()
        except KeyboardInterrupt as exc:
            if isinstance(exc, Terminated) and exc.signum == getattr(signal, "SIGHUP", None):
                raise typer.Exit(129) from None  # the terminal is gone: nobody to tell
            _quietly(lambda: console.out.print())
            raise Interrupted(session.stopped("interrupted")) from None
        finally:
            session.release()


class Session:
    """One run of `alignment audit`: who, which file, and the loop over questions."""

    def __init__(
        self,
        engagement: Engagement,
        loaded: LoadedRubric,
        *,
        directory: Path | None,
        rubric_flag: str | None,
        tty: bool,
    ) -> None:
        self.engagement = engagement
        self.loaded = loaded
        self.directory = directory
        self.rubric_flag = rubric_flag
        self.tty = tty
        self.iv: Interview | None = None
        self.lock: InterviewLock | None = None
        self.path: Path | None = None
        self.saved = False
        self.saved_size = 0  # bytes of the answer file as last written (or read)
        self.phases_shown: set[str] = set()

    # --- starting ---------------------------------------------------------------------------

    def start(self, respondent: str | None, role: str | None, resume: bool) -> None:
        eng, loaded = self.engagement, self.loaded
        self._warn_rubric_mismatch()
        if role is not None:
            role = resolve_role(loaded.rubric, role)  # "Marketing" is marketing
        if respondent is None and resume:
            latest = _unfinished(eng)
            if not latest:
                raise UsageError(
                    f"nothing to resume in {eng.root}: no unfinished interview; start one with "
                    f"{self._command('--respondent NAME')}"
                )
            respondent = latest[0][1].respondent.name
        if respondent is None:
            respondent = self._ask_name()
        name = strip_controls(respondent).strip()
        if not name:
            raise UsageError("--respondent: the name is empty")
        if len(name) > MAX_NAME:  # refused before the first question, not at the first save
            raise UsageError(
                f"--respondent: the name is {len(name)} characters; at most {MAX_NAME}"
            )
        path = self._answer_file(name)
        self.lock = InterviewLock(path, name)
        self.lock.acquire()  # before reading: a second session must not read, then overwrite
        remove_stale_temps(path.parent)  # a killed session's half-written saves
        previous: Responses | None = None
        if path.exists():
            previous = load_response_file(path).responses
            self._check_previous(path, previous, role)
            name, role = previous.respondent.name, previous.respondent.role
        elif resume:
            raise UsageError(
                f"no interview of {name} to resume: {path} does not exist; "
                f"start it with {self._command(f'--respondent {shlex.quote(name)}')}"
            )
        if role is None:
            role = self._ask_role()
        self.path = path
        self.saved = previous is not None
        with contextlib.suppress(OSError):
            self.saved_size = path.stat().st_size if previous is not None else 0
        organization = eng.config.organization or (previous.organization if previous else None)
        self.iv = Interview.begin(
            loaded,
            role,
            name,
            organization=organization,
            previous=previous,
            cursor=_read_progress(self._progress_path()),
        )
        self._welcome(previous)

    def _answer_file(self, name: str) -> Path:
        """This person's file: never another person's, whatever the two names read as."""
        folder = self.engagement.responses_dir

        def holder(stem: str) -> str | None:
            path = folder / f"{stem}.yaml"
            return load_response_file(path).responses.respondent.name if path.exists() else None

        try:
            return folder / f"{file_stem(name, holder)}.yaml"
        except ValueError as exc:
            raise UsageError(f"{exc}; interview {name} in another engagement folder") from None

    def release(self) -> None:
        if self.lock is not None:
            self.lock.release()

    def _warn_rubric_mismatch(self) -> None:
        configured = self.engagement.config.rubric.id
        if self.rubric_flag and configured and configured != self.loaded.rubric.id:
            self._say(
                f"note: this engagement uses rubric '{configured}'; `alignment score` will use it "
                f"unless given --rubric {self.loaded.rubric.id}",
                style="yellow",
            )

    def _check_previous(self, path: Path, previous: Responses, role: str | None) -> None:
        loaded = self.loaded.rubric
        if previous.rubric.id != loaded.id:
            raise UsageError(
                f"{path} holds answers for rubric '{previous.rubric.id}', not '{loaded.id}'; "
                f"pass --rubric {previous.rubric.id}"
            )
        if role is not None and role != previous.respondent.role:
            raise UsageError(
                f"{previous.respondent.name} answered as {previous.respondent.role} in {path}; "
                f"leave out --role, or pass --role {previous.respondent.role} "
                "(to change the role, edit respondent.role in that file)"
            )

    def _ask_name(self) -> str:
        unfinished = _unfinished(self.engagement)
        if unfinished:
            names = ", ".join(
                f"{r.respondent.name} ({r.respondent.role})" for _, r in unfinished[:5]
            )
            self._say(f"Unfinished interviews: {names}. Type a name to continue one.", "dim")
        while True:
            line = self._read("Respondent's name: ", asking="the respondent's name").strip()
            if line:
                return line
            self._say("Type the name of the person you are interviewing.", "yellow")

    def _ask_role(self) -> str:
        roles = self.loaded.rubric.roles
        listing = "   ".join(f"{i} {r.title} ({r.id})" for i, r in enumerate(roles, 1))
        self._say(f"Roles: {listing}")
        while True:
            line = self._read(f"Role (1-{len(roles)}): ", asking="the respondent's role").strip()
            for i, r in enumerate(roles, 1):
                if line == str(i):
                    return r.id
            if line and (found := find_role(self.loaded.rubric, line)) is not None:
                return found
            self._say(
                f"Type a role number from 1 to {len(roles)}, or one of: "
                + ", ".join(r.id for r in roles),
                "yellow",
            )

    def _welcome(self, previous: Responses | None) -> None:
        iv = self._iv()
        r = self.loaded.rubric
        org = f" · {iv.organization}" if iv.organization else ""
        n, total = iv.position()
        head = Text(f"Interview of {iv.name} ({iv.role}){org}", style="bold")
        self._print(head)
        self._say(
            f"{r.title} ({r.id} {r.version}), {total} questions for this role. "
            f"Every answer is saved to {self.path} as soon as it is given."
        )
        for qid, why in iv.dropped:
            if qid in iv.held:
                self._say(
                    f"the saved answer to '{qid}' ({iv.held[qid]!r}) does not fit: {why}. It stays "
                    "in the file until you answer that question again.",
                    "yellow",
                )
            else:
                self._say(f"the saved answer to '{qid}' is left out: {why}", "yellow")
        if iv.finished and not iv.answers:
            raise UsageError(f"the rubric asks nothing of role '{iv.role}'")
        if iv.rerun:
            when = _date(previous.updated) if previous and previous.updated else "before"
            self._say(
                f"Every question has an answer from {when}. Press Enter to keep an answer, "
                "or type a new one.",
                "green",
            )
        if previous is not None and (n > 1 or not iv.rerun):
            self._say(f"Continuing at question {n} of {total} ({iv.answered()} answered).", "green")

    # --- the loop ---------------------------------------------------------------------------

    def loop(self) -> None:
        iv = self._iv()
        while not iv.finished:
            q = iv.current()
            assert q is not None
            if q.phase not in self.phases_shown:
                self.phases_shown.add(q.phase)
                self._print(Text(""))
                self._print(phase_intro(self.loaded, q.phase, iv.plan()))
            self._print(question_view(iv))
            if not self._ask_current():
                return
        self._finish()

    def _ask_current(self) -> bool:
        """Read lines until one moves the interview; False when the person quits."""
        iv = self._iv()
        q = iv.current()
        assert q is not None
        while True:
            has_default, _ = iv.default()
            line = self._read(PROMPT, asking="an answer")
            action = interpret(line, q, self.loaded, has_default=has_default)
            if action.kind is Kind.INVALID:
                self._say(action.text, "yellow")
            elif action.kind is Kind.HELP:
                self._print(help_view(q, self.loaded))
            elif action.kind is Kind.NOTE:
                text = action.text or self._read("note> ", asking="a note").strip()
                too_big = text and self._too_big(len(text), partial(Interview.add_note, text=text))
                if too_big:
                    self._say(f"That note is not saved: {too_big}.", "yellow")
                elif text:
                    iv.add_note(text)
                    self._save()
                    self._say("Note saved.", "green")
                else:
                    self._say("No note added.", "dim")
            elif action.kind is Kind.QUIT:
                self._quit()
                return False
            elif action.kind is Kind.BACK:
                if iv.back():
                    self._save_progress()
                    return True
                self._say("This is the first question.", "yellow")
            elif action.kind is Kind.KEEP:
                iv.keep()
                self._save_progress()
                return True
            else:
                value = action.value
                size = len(value) if isinstance(value, str) else 0
                too_big = self._too_big(size, partial(Interview.answer, value=value))
                if too_big:
                    self._say(f"That answer is not saved: {too_big}.", "yellow")
                    continue
                dropped = iv.answer(value)
                self._save()
                for qid, why in dropped:
                    self._say(f"Removed the answer to '{qid}': {why}.", "yellow")
                return True

    def _quit(self) -> None:
        iv = self._iv()
        if not self.saved:
            self._say("Nothing was answered; nothing saved.")
            return
        self._save_progress()
        total = len(iv.plan())
        self._say(f"Saved {iv.answered()} of {total} answers in {self.path}.", "green")
        self._say(f"Continue with: {self._resume_command()}", "green", wrap=False)

    def _finish(self) -> None:
        from alignment_cli.scoring.engine import score

        iv = self._iv()
        responses = self._save()
        assert self.path is not None
        card = score(
            self.loaded,
            [ResponseFile(self.path, responses)],
            now=responses.updated or now(),
            targets=self.engagement.config.targets,
            organization=iv.organization,
        )
        self._print(Text(""))
        self._print(Text("Interview finished.", style="bold green"))
        self._print(summary_view(card))
        self._say(f"Answers saved to {self.path}")
        steps = [
            (self._command(""), "interview the next person"),
            (self._command("", verb="score"), "score everyone interviewed so far"),
            (self._command("", verb="report"), "write the report"),
        ]
        width = max(len(cmd) for cmd, _ in steps)
        self._say("Next:")
        for cmd, what in steps:
            self._say(f"  {cmd.ljust(width)}   {what}", wrap=False)

    # --- saving -----------------------------------------------------------------------------

    def _save(self) -> Responses:
        iv = self._iv()
        assert self.path is not None
        responses = iv.responses(now())
        text = responses_text(responses, self.loaded)
        _check_reads_back(self.path, text, responses)
        with signals_held():
            write_atomic(self.path, text, make_dirs=True)  # the engagement's responses/
            self._write_progress()
        self.saved = True
        self.saved_size = len(text.encode("utf-8"))
        return responses

    def _too_big(self, typed: int, change: Callable[[Interview], object]) -> str | None:
        """Why the answer file would be too large for `alignment score` to read back after
        `change` (what is wrong), or None. Measured on a copy, and only when `typed` characters
        could push the last saved file past the limit: a short answer costs nothing."""
        if self.saved_size + _WORST_GROWTH * typed + 4096 <= MAX_BYTES:
            return None
        iv = self._iv()
        trial = dataclasses.replace(
            iv,
            answers=dict(iv.answers),
            notes=dict(iv.notes),
            held=dict(iv.held),
            dropped=list(iv.dropped),
        )
        change(trial)
        size = len(responses_text(trial.responses(now()), self.loaded).encode("utf-8"))
        if size <= MAX_BYTES:
            return None
        return (
            f"the answer file would be {size:,} bytes, and an answer file may hold at most "
            f"{MAX_BYTES:,} (larger ones are refused when read); shorten it, or keep the long "
            "text in a document and note where it is"
        )

    def _save_progress(self) -> None:
        if self.saved:
            with signals_held():
                self._write_progress()

    def _write_progress(self) -> None:
        at = self._iv().at
        progress = self._progress_path()
        if at is None:
            progress.unlink(missing_ok=True)
        else:
            write_atomic(progress, f"at: {at}\n", make_dirs=True)

    def _progress_path(self) -> Path:
        assert self.path is not None
        return self.path.with_name(f".{self.path.stem}{PROGRESS_SUFFIX}")

    # --- reading and printing ---------------------------------------------------------------

    def _read(self, prompt: str, *, asking: str) -> str:
        """One line typed, without control characters or escape sequences (a pasted colour
        code, an arrow key without line editing); a line that is not UTF-8 is asked again."""
        try:
            while True:
                line = input(prompt)
                if not _UNDECODED.search(line):
                    return strip_controls(line)
                self._say(
                    "That line is not UTF-8 text (the terminal sent bytes in another encoding), "
                    "so it is not an answer; nothing was changed. Type it again (set the "
                    "terminal to UTF-8 for letters outside ASCII).",
                    "yellow",
                )
        except EOFError:
            _quietly(lambda: console.out.print())
            if self.tty:  # Ctrl-D: the person chose to stop
                if self.iv is not None:
                    self._quit()
                raise typer.Exit(0) from None
            raise UsageError(self._no_terminal(asking)) from None

    def _no_terminal(self, asking: str) -> str:
        where = self.engagement.responses_dir
        score = self._command("", verb="score")
        if self.iv is None:
            return (
                f"stdin is not a terminal and ended, so there is no way to ask for {asking}: "
                f"run `{self._command('--respondent NAME --role ROLE')}` in a terminal, or hand "
                f"out an answer file (`alignment form --role ROLE --respondent NAME -o "
                f"{where}/NAME.yaml`), have it filled in, and run `{score}`"
            )
        return (
            f"stdin is not a terminal and ended while waiting for {asking}; "
            + self.stopped("input ended")
            + f" (in a terminal); or fill in the rest of {self.path} by hand and run `{score}`"
        )

    def stopped(self, why: str) -> str:
        """What was saved and how to go on, after an interruption."""
        if self.iv is None or not self.saved:
            return f"{why}; nothing was answered, nothing saved"
        n, total = self.iv.position()
        return (
            f"{why} at question {n} of {total}; {_answers(self.iv.answered())} saved in "
            f"{self.path}; continue with: {self._resume_command()}"
        )

    def _resume_command(self) -> str:
        return self._command(f"--respondent {shlex.quote(self._iv().name)}")

    def _command(self, extra: str, *, verb: str = "audit") -> str:
        parts = ["alignment", verb]
        if self.directory is not None:
            parts.append(shlex.quote(str(self.directory)))
        if extra:
            parts.append(extra)
        if self.rubric_flag and verb != "report":
            parts.append(f"--rubric {shlex.quote(self.rubric_flag)}")
        return " ".join(parts)

    def _print(self, renderable: RenderableType) -> None:
        console.out.print(renderable)

    def _say(self, message: str, style: str = "", *, wrap: bool = True) -> None:
        """Print a message; commands to copy are never wrapped (wrap=False)."""
        console.out.print(Text(message, style=style), soft_wrap=not wrap)

    def _iv(self) -> Interview:
        assert self.iv is not None
        return self.iv


_UNDECODED = re.compile("[\udc80-\udcff]")


@contextmanager
def _undecodable_kept() -> Iterator[None]:
    """Read stdin with `surrogateescape`, so that a line of bytes that are not UTF-8 arrives
    as text `_read` can refuse, instead of a UnicodeDecodeError that ends the interview."""
    stdin = sys.stdin
    old = getattr(stdin, "errors", None)
    reconfigure = getattr(stdin, "reconfigure", None)
    if reconfigure is None or old is None:
        yield
        return
    try:
        reconfigure(errors="surrogateescape")
    except (ValueError, OSError):
        yield
        return
    try:
        yield
    finally:
        with contextlib.suppress(ValueError, OSError):
            reconfigure(errors=old)


def _check_reads_back(path: Path, text: str, responses: Responses) -> None:
    """Never replace a good file with one that would not read back as what was typed: the
    writer's own guarantee, checked where a person's answers are at stake."""
    from alignment_cli.files.yamlio import parse_yaml

    back = Responses.model_validate(parse_yaml(str(path), text).data)
    if back != responses:
        raise RuntimeError(f"the answer file for {path} would not read back as written")


def _answers(n: int) -> str:
    return "1 answer is" if n == 1 else f"{n} answers are"


def _date(value: datetime) -> str:
    return value.strftime("%Y-%m-%d")


def _quietly(action: Any) -> None:
    with contextlib.suppress(OSError):  # the terminal may be gone
        action()


def _read_progress(path: Path) -> str | None:
    """The question an unfinished interview stopped at; None when unknown or unreadable."""
    if not path.is_file():
        return None
    try:
        data = load_data_fast(path)
    except InvalidInput:
        return None
    at = data.get("at") if isinstance(data, dict) else None
    return at if isinstance(at, str) else None


def _unfinished(engagement: Engagement) -> list[tuple[Path, Responses]]:
    """Interviews with a progress marker, the most recently touched first."""
    folder = engagement.responses_dir
    if not folder.is_dir():
        return []
    found: list[tuple[float, Path, Responses]] = []
    for marker in folder.glob(f".*{PROGRESS_SUFFIX}"):
        path = marker.with_name(marker.name[1 : -len(PROGRESS_SUFFIX)] + ".yaml")
        if not path.is_file():
            continue
        try:
            responses = load_response_file(path).responses
        except InvalidInput:
            continue
        found.append((marker.stat().st_mtime, path, responses))
    found.sort(key=lambda item: item[0], reverse=True)
    return [(p, r) for _, p, r in found]
