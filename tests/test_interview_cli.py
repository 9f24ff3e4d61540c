"""`alignment audit` end to end with scripted input: every key, quitting, resuming, reruns."""

from __future__ import annotations

import builtins
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import MINIMAL_RUBRIC, ROOT

from alignment_cli.files.responses import NA, UNKNOWN, load_response_file
from alignment_cli.interview.flow import Interview, default_input
from alignment_cli.model.models import QuestionType
from alignment_cli.model.rubric import load_rubric

Invoke = Callable[..., Any]
DANA = ("--respondent", "Dana Lee", "--role", "marketing")
SAM = ("--respondent", "Sam Ortiz", "--role", "sales")


@pytest.fixture
def eng(invoke: Invoke, tmp_path: Path) -> Path:
    folder = tmp_path / "acme"
    result = invoke("init", str(folder), "--org", "Acme Corp", "--rubric", str(MINIMAL_RUBRIC))
    assert result.exit_code == 0, result.output
    return folder


def audit(invoke: Invoke, eng: Path, *args: str, lines: list[str]) -> Any:
    text = "".join(f"{line}\n" for line in lines)
    return invoke("audit", str(eng), *args, input=text)


def answers(eng: Path, slug: str = "dana-lee") -> dict[str, Any]:
    return dict(load_response_file(eng / "responses" / f"{slug}.yaml").responses.answers)


def saved(eng: Path, slug: str = "dana-lee") -> Any:
    return load_response_file(eng / "responses" / f"{slug}.yaml").responses


def test_a_whole_interview(invoke: Invoke, eng: Path) -> None:
    result = audit(invoke, eng, *DANA, lines=["2", "4", "y", "1 3"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Interview of Dana Lee (marketing) · Acme Corp" in out
    assert "Phase 1 of 2: Assessment" in out and "Phase 2 of 2: Alignment" in out
    assert "Assessment › Shared definitions" in out
    assert "question 1 of 4" in out and "question 4 of 4" in out
    assert "Both teams agreed it, wrote it down" in out  # the anchors
    assert "An established market with known buying habits" in out  # the options
    assert "? help  u don't know  - n/a  + note  b back  q save & quit  Enter keep answer" in out
    assert "Interview finished." in out
    assert "Dana Lee (marketing): Overall" in out and "By phase" in out and "By dimension" in out
    assert f"alignment score {eng}" in out and f"alignment report {eng}" in out
    resp = saved(eng)
    assert resp.answers == {
        "market-maturity": "mature",
        "lead-definition": 4,
        "sla-exists": True,
        "handoff-channels": ["crm-task", "reject-reason"],
    }
    assert resp.organization == "Acme Corp"
    assert resp.rubric.hash == load_rubric(MINIMAL_RUBRIC).content_hash
    assert resp.started is not None and resp.updated is not None
    assert not (eng / "responses" / ".dana-lee.progress").exists()
    scored = invoke("score", str(eng), "--format", "json")
    assert scored.exit_code == 0, scored.output
    assert [r["name"] for r in json.loads(scored.output)["respondents"]] == ["Dana Lee"]


def test_dont_know_not_applicable_notes_and_help(invoke: Invoke, eng: Path) -> None:
    lines = ["u", "+ We never wrote it down.", "+", "Marketing owns it", "?", "-", "n", "0"]
    result = audit(invoke, eng, *DANA, lines=lines)
    assert result.exit_code == 0, result.output
    assert result.output.count("Note saved.") == 2
    assert "help: lead-definition" in result.output
    assert "Without one definition, the two teams argue" in result.output
    resp = saved(eng)
    assert resp.answers == {
        "market-maturity": UNKNOWN,
        "lead-definition": NA,
        "sla-exists": False,
        "handoff-channels": [],
    }
    assert resp.notes == {"lead-definition": "We never wrote it down.\nMarketing owns it"}
    assert "4 questions: 2 answered, 1 don't know, 1 not applicable" in result.output


def test_bad_input_asks_again_with_a_hint(invoke: Invoke, eng: Path) -> None:
    lines = ["7", "", "new", "nine", "9", "3", "perhaps", "yes", "1 9", "2"]
    result = audit(invoke, eng, *DANA, lines=lines)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "there is no option 7; type an option number from 1 to 2" in out
    assert "type an option number from 1 to 2; or u for don't know" in out
    assert "'nine' is not a whole number; type a whole number from 1 to 5" in out
    assert "9 is outside 1..5" in out
    assert "'perhaps' is neither yes nor no; type y or n" in out
    assert "there is no option 9" in out
    assert answers(eng) == {
        "market-maturity": "new",
        "lead-definition": 3,
        "sla-exists": True,
        "handoff-channels": ["context"],
    }


def test_back_shows_the_answer_and_changes_it(invoke: Invoke, eng: Path) -> None:
    result = audit(invoke, eng, *DANA, lines=["b", "1", "3", "b", "b", "2", "", "y", "1"])
    assert result.exit_code == 0, result.output
    assert "This is the first question." in result.output
    assert "answer so far: 1. A new category" in result.output
    assert answers(eng)["market-maturity"] == "mature"
    assert answers(eng)["lead-definition"] == 3


def test_changing_an_answer_drops_one_that_no_longer_applies(invoke: Invoke, eng: Path) -> None:
    lines = ["1", "3", "y", "12", "b", "b", "n", "1"]
    result = audit(invoke, eng, *SAM, lines=lines)
    assert result.exit_code == 0, result.output
    assert "question 4 of 5" in result.output  # the yes brought in the follow-up question
    assert "Removed the answer to 'follow-up-hours'" in result.output
    assert "follow-up-hours" not in answers(eng, "sam-ortiz")
    assert invoke("score", str(eng)).exit_code == 0


def test_quit_then_a_plain_rerun_continues(invoke: Invoke, eng: Path) -> None:
    first = audit(invoke, eng, *DANA, lines=["1", "+ a quote", "3", "q"])
    assert first.exit_code == 0, first.output
    assert "Saved 2 of 4 answers" in first.output
    assert (
        "Continue with: alignment audit" in first.output
        and "--respondent 'Dana Lee'" in first.output
    )
    assert answers(eng) == {"market-maturity": "new", "lead-definition": 3}
    assert (eng / "responses" / ".dana-lee.progress").exists()
    # the role comes from the file; no --role needed
    second = audit(invoke, eng, "--respondent", "Dana Lee", lines=["n", "2"])
    assert second.exit_code == 0, second.output
    assert "Continuing at question 3 of 4 (2 answered)" in second.output
    assert "question 1 of 4" not in second.output
    resp = saved(eng)
    assert resp.answers == {
        "market-maturity": "new",
        "lead-definition": 3,
        "sla-exists": False,
        "handoff-channels": ["context"],
    }
    assert resp.notes == {"lead-definition": "a quote"}  # a note is on the question at hand


def test_resume_picks_the_unfinished_interview(invoke: Invoke, eng: Path) -> None:
    assert audit(invoke, eng, *DANA, lines=["1", "q"]).exit_code == 0
    result = audit(invoke, eng, "--resume", lines=["2", "y", "0"])
    assert result.exit_code == 0, result.output
    assert "Interview of Dana Lee (marketing)" in result.output
    assert answers(eng)["lead-definition"] == 2
    nothing = audit(invoke, eng, "--resume", lines=[])
    assert nothing.exit_code == 2
    assert "no unfinished interview" in nothing.output


def test_resume_after_going_back_returns_to_the_same_question(invoke: Invoke, eng: Path) -> None:
    assert audit(invoke, eng, *DANA, lines=["1", "3", "b", "q"]).exit_code == 0
    result = audit(invoke, eng, "--respondent", "Dana Lee", lines=["q"])
    assert "Continuing at question 2 of 4" in result.output


def test_a_rerun_offers_the_previous_answers(invoke: Invoke, eng: Path) -> None:
    assert audit(invoke, eng, *DANA, lines=["2", "4", "y", "1 3"]).exit_code == 0
    before = saved(eng)
    result = audit(invoke, eng, "--respondent", "Dana Lee", lines=["", "5", "", ""])
    assert result.exit_code == 0, result.output
    assert "Every question has an answer from" in result.output
    assert "answer so far: 4" in result.output and "(Enter keeps it)" in result.output
    after = saved(eng)
    assert after.answers == {**before.answers, "lead-definition": 5}
    assert after.started == before.started


def test_an_interrupted_rerun_resumes_where_it_stopped(invoke: Invoke, eng: Path) -> None:
    assert audit(invoke, eng, *DANA, lines=["2", "4", "y", "1 3"]).exit_code == 0
    assert audit(invoke, eng, "--respondent", "Dana Lee", lines=["", "", "q"]).exit_code == 0
    result = audit(invoke, eng, "--respondent", "Dana Lee", lines=["n", ""])
    assert result.exit_code == 0, result.output
    assert "Continuing at question 3 of 4" in result.output
    assert answers(eng)["sla-exists"] is False


def test_name_and_role_are_asked_when_missing(invoke: Invoke, eng: Path) -> None:
    result = audit(invoke, eng, lines=["", "Dana Lee", "boss", "2", "1", "q"])
    assert result.exit_code == 0, result.output
    assert "Type the name of the person you are interviewing." in result.output
    assert "Roles: 1 Sales (sales)   2 Marketing (marketing)" in result.output
    assert "Type a role number from 1 to 2, or one of: sales, marketing" in result.output
    assert saved(eng).respondent.role == "marketing"


def test_unfinished_interviews_are_listed_when_asking_the_name(invoke: Invoke, eng: Path) -> None:
    assert audit(invoke, eng, *DANA, lines=["1", "q"]).exit_code == 0
    result = audit(invoke, eng, lines=["Dana Lee", "q"])
    assert "Unfinished interviews: Dana Lee (marketing)." in result.output
    assert "Continuing at question 2 of 4" in result.output


def test_end_of_input_saves_and_exits_2(invoke: Invoke, eng: Path) -> None:
    result = audit(invoke, eng, *DANA, lines=["1", "3"])
    assert result.exit_code == 2
    assert "stdin is not a terminal and ended while waiting for an answer" in result.output
    assert "2 answers are saved in" in result.output
    assert "continue with: alignment audit" in result.output
    assert "fill in the rest of" in result.output and "alignment score" in result.output
    assert answers(eng) == {"market-maturity": "new", "lead-definition": 3}


def test_no_input_at_all_names_the_flags(invoke: Invoke, eng: Path) -> None:
    result = audit(invoke, eng, lines=[])
    assert result.exit_code == 2
    assert "--respondent NAME --role ROLE" in result.output
    assert "alignment form --role ROLE --respondent NAME" in result.output
    assert not list((eng / "responses").iterdir())


def test_ctrl_c_keeps_what_was_saved(
    invoke: Invoke, eng: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    typed: Iterator[str] = iter(["1", "4"])

    def fake_input(prompt: str = "") -> str:
        try:
            return next(typed)
        except StopIteration:
            raise KeyboardInterrupt from None

    monkeypatch.setattr(builtins, "input", fake_input)
    result = invoke("audit", str(eng), *DANA)
    assert result.exit_code == 130
    assert "error:" not in result.output  # an interruption is not an error: nothing is lost
    assert "interrupted at question 3 of 4; 2 answers are saved in" in result.output
    assert "continue with: alignment audit" in result.output
    assert answers(eng) == {"market-maturity": "new", "lead-definition": 4}


def test_refusals(invoke: Invoke, eng: Path, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    r = invoke("audit", str(plain), *DANA)
    assert r.exit_code == 2 and "not an engagement folder" in r.output
    assert f"alignment init {plain}" in r.output
    r = audit(invoke, eng, "--respondent", "X", "--role", "ceo", lines=[])
    assert r.exit_code == 2 and "unknown role 'ceo'; this rubric has: sales, marketing" in r.output
    assert audit(invoke, eng, *DANA, lines=["1", "q"]).exit_code == 0
    r = audit(invoke, eng, "--respondent", "Dana Lee", "--role", "sales", lines=[])
    assert r.exit_code == 2 and "Dana Lee answered as marketing" in r.output
    r = audit(invoke, eng, "--respondent", "Nobody", "--resume", lines=[])
    assert r.exit_code == 2 and "no interview of Nobody to resume" in r.output


def test_answers_for_another_rubric_version_are_carried_over(
    invoke: Invoke, eng: Path, tmp_path: Path, minimal_rubric_data: dict[str, Any]
) -> None:
    assert audit(invoke, eng, *DANA, lines=["1", "3", "q"]).exit_code == 0
    minimal_rubric_data["version"] = "0.2.0"
    questions = minimal_rubric_data["questions"]
    questions[1]["scale"] = {"min": 1, "max": 2}  # the old answer 3 no longer fits
    questions[1]["anchors"] = {1: "No", 2: "Yes"}
    newer = tmp_path / "newer.yaml"
    newer.write_text(yaml.safe_dump(minimal_rubric_data), encoding="utf-8")
    result = audit(
        invoke, eng, "--respondent", "Dana Lee", "--rubric", str(newer), lines=["2", "q"]
    )
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    assert "the saved answer to 'lead-definition' (3) does not fit: 3 is outside" in flat
    assert "It stays in the file until you answer that question again." in flat
    resp = saved(eng)
    assert resp.rubric.version == "0.2.0"
    assert resp.answers == {"market-maturity": "new", "lead-definition": 2}


def test_three_people_in_one_engagement_are_scored_together(invoke: Invoke, eng: Path) -> None:
    assert audit(invoke, eng, *DANA, lines=["1", "4", "y", "1 2"]).exit_code == 0
    assert audit(invoke, eng, *SAM, lines=["1", "2", "y", "30", "3"]).exit_code == 0
    people = ("--respondent", "Ana Björk", "--role", "sales")
    assert audit(invoke, eng, *people, lines=["2", "3", "n", "1"]).exit_code == 0
    assert sorted(p.name for p in (eng / "responses").iterdir()) == [
        "ana-bjork.yaml",
        "dana-lee.yaml",
        "sam-ortiz.yaml",
    ]
    result = invoke("score", str(eng), "--format", "json")
    assert result.exit_code == 0, result.output
    card = json.loads(result.output)
    assert sorted(r["name"] for r in card["respondents"]) == ["Ana Björk", "Dana Lee", "Sam Ortiz"]
    assert card["by_role"] == {"sales": 2, "marketing": 1}


def typed_answers(rubric_ref: str | Path | None, role: str) -> list[str]:
    """A valid line for every question the role is asked, following the conditions."""
    loaded = load_rubric(rubric_ref)
    iv = Interview.begin(loaded, role, "Lee")
    lines: list[str] = []
    i = 0
    while not iv.finished:
        q = iv.current()
        assert q is not None
        i += 1
        if q.type is QuestionType.SCALE:
            scale = q.scale or loaded.rubric.scale
            value: Any = scale.min + i % (scale.max - scale.min + 1)
        elif q.type is QuestionType.CHOICE:
            value = q.options[i % len(q.options)].value
        elif q.type is QuestionType.MULTI:
            value = [q.options[0].value]
        elif q.type is QuestionType.YESNO:
            value = True
        elif q.type is QuestionType.NUMBER:
            value = UNKNOWN
        else:
            value = "text"
        lines.append(default_input(q, value))
        iv.answer(value)
    return lines


def test_the_default_rubric(invoke: Invoke, tmp_path: Path) -> None:
    folder = tmp_path / "default"
    assert invoke("init", str(folder), "--org", "Globex").exit_code == 0
    lines = typed_answers(None, "revops")
    result = invoke(
        "audit",
        str(folder),
        "--respondent",
        "Wei",
        "--role",
        "revops",
        input="\n".join(lines) + "\n",
    )
    assert result.exit_code == 0, result.output[-2000:]
    assert f"question {len(lines)} of {len(lines)}" in result.output
    assert "Phase 4 of 4: Optimization" in result.output
    assert len(answers(folder, "wei")) == len(lines)
    assert invoke("score", str(folder)).exit_code == 0


def test_no_terminal_exits_quickly(tmp_path: Path) -> None:
    folder = tmp_path / "acme"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "alignment_cli",
            "init",
            str(folder),
            "--rubric",
            str(MINIMAL_RUBRIC),
        ],
        check=True,
        capture_output=True,
    )
    start = time.monotonic()
    with open("/dev/null", "rb") as devnull:
        proc = subprocess.run(
            [sys.executable, "-m", "alignment_cli", "audit", str(folder)],
            stdin=devnull,
            capture_output=True,
            text=True,
            timeout=20,
            cwd=ROOT,
        )
    assert proc.returncode == 2, proc.stderr
    assert "--respondent NAME --role ROLE" in proc.stderr
    assert time.monotonic() - start < 10


def test_long_phase_descriptions_and_help_are_shown_whole(invoke: Invoke, tmp_path: Path) -> None:
    """Panels wrap their text: nothing of a phase introduction or a question's help is cut."""
    folder = tmp_path / "wrap"
    assert invoke("init", str(folder), "--org", "Globex").exit_code == 0
    loaded = load_rubric(None)
    result = invoke("audit", str(folder), "--respondent", "Wei", "--role", "sales", input="?\nq\n")
    flat = " ".join(result.output.replace("│", " ").split())
    for text in (loaded.rubric.phases[0].description, loaded.rubric.questions[0].help):
        assert " ".join(text.split()) in flat


def test_enter_is_offered_only_with_an_answer_to_keep(invoke: Invoke, eng: Path) -> None:
    first = audit(invoke, eng, *DANA, lines=["q"]).output
    assert "Enter keep answer (none yet)" in first
    again = audit(invoke, eng, *DANA, lines=["2", "b", "q"]).output
    after_back = again[again.index("answer so far:") :]
    keys = next(line for line in after_back.splitlines() if "save & quit" in line)
    assert "Enter keep answer" in keys and "(none yet)" not in keys


def test_a_hand_edited_answer_that_does_not_fit_is_kept_until_asked_again(
    invoke: Invoke, eng: Path
) -> None:
    """A typo in a saved answer must not cost that answer, nor the answers that depend on it."""
    assert audit(invoke, eng, *SAM, lines=["1", "2", "y", "30", "3"]).exit_code == 0
    path = eng / "responses" / "sam-ortiz.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("sla-exists: true", "sla-exists: maybe"), encoding="utf-8")
    quit_at_once = audit(invoke, eng, "--respondent", "Sam Ortiz", lines=["q"])
    assert "the saved answer to 'sla-exists' ('maybe') does not fit" in " ".join(
        quit_at_once.output.split()
    )
    kept = answers(eng, "sam-ortiz")
    assert kept["sla-exists"] == "maybe" and kept["follow-up-hours"] == 30
    # Answering the question again replaces the typo; the answer that depends on it stays.
    fixed = audit(invoke, eng, "--respondent", "Sam Ortiz", lines=["y", "", "", "q"])
    assert fixed.exit_code == 0, fixed.output
    now = answers(eng, "sam-ortiz")
    assert now["sla-exists"] is True and now["follow-up-hours"] == 30
    assert invoke("score", str(eng)).exit_code == 0
