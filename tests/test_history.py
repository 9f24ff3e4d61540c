"""History: saving scorecards, reading them back (and refusing bad ones), the trend, sparklines.

`make_engagement` and `edit_answers` are shared with the other progress-tracking tests.
"""

from __future__ import annotations

import itertools
import json
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import MINIMAL_RESPONSES, MINIMAL_RUBRIC
from hypothesis import given
from hypothesis import strategies as st

from alignment_cli.clock import NOW_ENV
from alignment_cli.clock import now as current_time
from alignment_cli.errors import InvalidInput, UsageError
from alignment_cli.scoring.history import (
    BLOCKS,
    file_name,
    history_dir_for,
    latest,
    load_runs,
    load_scorecard,
    save,
    sparkline,
    trend,
)
from alignment_cli.scoring.pipeline import score_inputs
from alignment_cli.scoring.scorecard import SCHEMA_VERSION, Scorecard

Invoke = Callable[..., Any]


def make_engagement(
    root: Path,
    *,
    targets: dict[str, Any] | None = None,
    gates: dict[str, Any] | None = None,
    rubric: Path = MINIMAL_RUBRIC,
) -> Path:
    """An engagement on the five-question minimal rubric, with the two minimal answer files."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(rubric, root / "rubric.yaml")
    config: dict[str, Any] = {"organization": "Example Co", "rubric": {"path": "rubric.yaml"}}
    if targets:
        config["targets"] = targets
    if gates:
        config["gates"] = gates
    (root / "alignment.yaml").write_text(yaml.safe_dump(config, sort_keys=False), "utf-8")
    shutil.copytree(MINIMAL_RESPONSES, root / "responses")
    return root


def edit_answers(root: Path, who: str, **answers: Any) -> None:
    """Change some answers of responses/<who>.yaml (keys with underscores for hyphens);
    None removes an answer."""
    path = root / "responses" / f"{who}.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    for key, value in answers.items():
        qid = key.replace("_", "-")
        if value is None:
            data["answers"].pop(qid, None)
        else:
            data["answers"][qid] = value
    path.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")


def card_for(root: Path, when: str = "2026-01-15T09:00:00Z") -> Scorecard:
    now = datetime.fromisoformat(when.replace("Z", "+00:00"))
    return score_inputs([root], now=now).card


# --- saving and naming ---------------------------------------------------------------------


def test_file_name_is_sortable_utc_without_colons() -> None:
    from datetime import timedelta, timezone

    local = datetime(2026, 11, 22, 11, 15, 0, tzinfo=timezone(timedelta(hours=1)))
    assert file_name(local) == "2026-11-22T101500Z.json"


def test_save_never_overwrites_a_run(tmp_path: Path) -> None:
    eng = make_engagement(tmp_path / "eng")
    card = card_for(eng)
    first = save(card, eng / "history")
    second = save(card, eng / "history")
    assert first.name == "2026-01-15T090000Z.json"
    assert second.name == "2026-01-15T090000Z-2.json"
    assert load_scorecard(first) == card
    assert [r.path for r in load_runs(eng / "history")] == [first, second]
    assert not list((eng / "history").glob(".*"))  # no temporary files left behind


def test_runs_are_ordered_by_when_they_were_scored(tmp_path: Path) -> None:
    eng = make_engagement(tmp_path / "eng")
    hist = eng / "history"
    later = save(card_for(eng, "2026-04-01T00:00:00Z"), hist)
    earlier = save(card_for(eng, "2026-01-01T00:00:00Z"), hist)
    renamed = earlier.rename(hist / "zzz-q1.json")  # a name that sorts last
    assert [r.path for r in load_runs(hist)] == [renamed, later]
    assert latest(hist).path == later


def test_latest_without_runs_is_a_clear_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no saved scorecards"):
        latest(tmp_path / "history")


def test_now_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(NOW_ENV, "2026-03-31T23:59:58.75+02:00")
    assert current_time() == datetime(2026, 3, 31, 21, 59, 58, tzinfo=UTC)
    monkeypatch.setenv(NOW_ENV, "last tuesday")
    with pytest.raises(UsageError, match="ISO 8601"):
        current_time()
    monkeypatch.delenv(NOW_ENV)
    assert abs((current_time() - datetime.now(UTC)).total_seconds()) < 5


# --- reading saved scorecards --------------------------------------------------------------


def test_malformed_json_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "overall": 3,\n  oops\n}\n', "utf-8")
    with pytest.raises(InvalidInput) as info:
        load_scorecard(bad)
    problem = info.value.problems[0]
    assert (problem.file, problem.line) == (str(bad), 3)
    assert "not a scorecard: invalid JSON" in problem.message


def test_an_answer_file_given_as_scorecard_gets_a_hint(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="looks like an answer file"):
        load_scorecard(MINIMAL_RESPONSES / "mia.yaml")


def test_newer_schema_is_refused_with_upgrade_advice(tmp_path: Path) -> None:
    eng = make_engagement(tmp_path / "eng")
    data = card_for(eng).model_dump(mode="json")
    data["schema_version"] = SCHEMA_VERSION + 1
    path = tmp_path / "future.json"
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(InvalidInput, match=r"newer alignment.*upgrade"):
        load_scorecard(path)


def test_json_that_is_not_a_scorecard_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text('{"name": "package.json, perhaps"}', "utf-8")
    with pytest.raises(InvalidInput, match="not a valid scorecard"):
        load_scorecard(path)
    path.write_text("[1, 2]", "utf-8")
    with pytest.raises(InvalidInput, match="expected a JSON object"):
        load_scorecard(path)


def test_history_dir_for_accepts_engagement_its_history_or_a_folder(tmp_path: Path) -> None:
    eng = make_engagement(tmp_path / "eng")
    assert history_dir_for(eng) == eng / "history"
    (eng / "history").mkdir()
    assert history_dir_for(eng / "history") == eng / "history"
    loose = tmp_path / "cards"
    save(card_for(eng), loose)
    assert history_dir_for(loose) == loose
    with pytest.raises(UsageError, match="not an engagement folder"):
        history_dir_for(MINIMAL_RESPONSES)


# --- sparklines and the trend --------------------------------------------------------------

scores = st.lists(st.none() | st.floats(0, 100), max_size=30)


@given(scores)
def test_sparkline_has_one_block_per_run(values: list[float | None]) -> None:
    line = sparkline(values)
    assert len(line) == len(values)
    for v, ch in zip(values, line, strict=True):
        assert (ch == " ") == (v is None)
        assert ch in BLOCKS or ch == " "


@given(st.lists(st.floats(0, 100), min_size=2, max_size=30))
def test_sparkline_is_monotone_and_spans_the_range(values: list[float]) -> None:
    line = sparkline(list(values))
    rank = {b: i for i, b in enumerate(BLOCKS)}
    for a, b in itertools.pairwise(values):
        ia, ib = rank[line[values.index(a)]], rank[line[values.index(b)]]
        assert (a < b and ia <= ib) or (a > b and ia >= ib) or a == b
    if max(values) - min(values) >= 10:
        assert {line[values.index(min(values))], line[values.index(max(values))]} == {
            BLOCKS[0],
            BLOCKS[-1],
        }


def test_small_changes_do_not_look_like_swings() -> None:
    assert sparkline([50.0, 52.0, 50.0]) == "▄▅▄"
    assert sparkline([20.0, 60.0, 100.0]) == "▁▅█"
    assert sparkline([]) == ""


def test_trend_follows_each_dimension_over_the_runs(tmp_path: Path) -> None:
    eng = make_engagement(
        tmp_path / "eng", targets={"overall": 70, "dimensions": {"definitions": 80}}
    )
    hist = eng / "history"
    save(card_for(eng, "2026-01-01T00:00:00Z"), hist)
    edit_answers(eng, "sam", lead_definition=4)
    save(card_for(eng, "2026-04-01T00:00:00Z"), hist)
    edit_answers(eng, "sam", lead_definition=5)
    edit_answers(eng, "mia", lead_definition=5)
    save(card_for(eng, "2026-07-01T00:00:00Z"), hist)
    t = trend(load_runs(hist))
    defs = next(s for s in t.dimensions if s.id == "definitions")
    assert defs.scores == [50.0, 75.0, 100.0]
    assert (defs.first, defs.last, defs.change, defs.since_first) == (50.0, 100.0, 25.0, 50.0)
    assert defs.target == 80
    assert t.overall.target == 70
    service = next(s for s in t.dimensions if s.id == "service-levels")
    assert service.change == 0.0
    assert t.runs[0].file == "2026-01-01T000000Z.json"
    assert not t.rubric_changed


def test_trend_leaves_gaps_where_a_run_lacked_a_dimension(tmp_path: Path) -> None:
    eng = make_engagement(tmp_path / "eng")
    old = card_for(eng, "2026-01-01T00:00:00Z")
    old = old.model_copy(
        update={
            "dimensions": [d for d in old.dimensions if d.id != "service-levels"],
            "rubric": old.rubric.model_copy(update={"hash": "sha256:older"}),
        }
    )
    hist = eng / "history"
    save(old, hist)
    save(card_for(eng, "2026-04-01T00:00:00Z"), hist)
    t = trend(load_runs(hist))
    service = next(s for s in t.dimensions if s.id == "service-levels")
    assert service.scores[0] is None and service.change is None
    assert t.rubric_changed


# --- the CLI -------------------------------------------------------------------------------


def test_score_save_writes_the_scorecard_it_prints(
    tmp_path: Path, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    eng = make_engagement(tmp_path / "eng")
    monkeypatch.setenv(NOW_ENV, "2026-11-22T10:15:00Z")
    result = invoke("score", str(eng), "--save", "--format", "json")
    assert result.exit_code == 0, result.output
    saved = eng / "history" / "2026-11-22T101500Z.json"
    assert f"saved {saved}" in result.stderr
    printed = Scorecard.model_validate_json(result.stdout)
    assert load_scorecard(saved) == printed
    assert printed.generated_at == datetime(2026, 11, 22, 10, 15, tzinfo=UTC)


def test_score_save_needs_an_engagement(invoke: Invoke) -> None:
    result = invoke("score", str(MINIMAL_RESPONSES), "--rubric", str(MINIMAL_RUBRIC), "--save")
    assert result.exit_code == 2
    assert "--save writes to an engagement's history/" in result.stderr
    assert result.stdout == ""  # nothing printed as if it had worked


def test_bad_clock_setting_is_exit_2(invoke: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(NOW_ENV, "soon")
    result = invoke("score", str(MINIMAL_RESPONSES), "--rubric", str(MINIMAL_RUBRIC))
    assert result.exit_code == 2
    assert "ALIGNMENT_NOW='soon' is not an ISO 8601 time" in result.stderr


def test_baseline_latest_without_history_is_exit_2(tmp_path: Path, invoke: Invoke) -> None:
    eng = make_engagement(tmp_path / "eng")
    result = invoke("score", str(eng), "--baseline", "latest")
    assert result.exit_code == 2
    assert "no saved scorecards in" in result.stderr
    assert "alignment score --save" in result.stderr
    loose = invoke(
        "score", str(MINIMAL_RESPONSES), "--rubric", str(MINIMAL_RUBRIC), "--baseline", "latest"
    )
    assert loose.exit_code == 2
    assert "needs an engagement folder" in loose.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{ not json", "invalid JSON"),
        ('{"schema_version": 99}', "newer alignment"),
        (None, "no such file or folder"),
    ],
)
def test_bad_baseline_file_is_exit_2_naming_it(
    tmp_path: Path, invoke: Invoke, content: str | None, message: str
) -> None:
    eng = make_engagement(tmp_path / "eng")
    baseline = tmp_path / "base.json"
    if content is not None:
        baseline.write_text(content, "utf-8")
    result = invoke("score", str(eng), "--baseline", str(baseline))
    assert result.exit_code == 2
    assert message in result.stderr
    assert str(baseline) in result.stderr
    assert "Traceback" not in result.output


def test_history_command_text_json_markdown(
    tmp_path: Path, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    eng = make_engagement(tmp_path / "eng", targets={"dimensions": {"definitions": 80}})
    for when, answer in (
        ("2026-01-15T09:00:00Z", 1),
        ("2026-04-15T09:00:00Z", 3),
        ("2026-07-15T09:00:00Z", 5),
    ):
        edit_answers(eng, "sam", lead_definition=answer)
        monkeypatch.setenv(NOW_ENV, when)
        assert invoke("score", str(eng), "--save").exit_code == 0
    text = invoke("history", str(eng))
    assert text.exit_code == 0, text.output
    assert "3 runs, 2026-01-15 to 2026-07-15" in text.stdout
    defs = next(line for line in text.stdout.splitlines() if "Shared definitions" in line)
    assert "▁▅█" in defs
    assert "+25.0" in defs and "+50.0" in defs and "80" in defs
    data = json.loads(invoke("history", str(eng), "--format", "json").stdout)
    assert [r["file"] for r in data["runs"]] == [
        "2026-01-15T090000Z.json",
        "2026-04-15T090000Z.json",
        "2026-07-15T090000Z.json",
    ]
    defs_json = next(d for d in data["dimensions"] if d["id"] == "definitions")
    assert defs_json["scores"] == [37.5, 62.5, 87.5]
    # Scripts get the phase id; people get its title.
    run = data["runs"][0]
    assert run["current_phase"] == "alignment" and run["current_phase_title"] == "Alignment"
    assert "Alignment" in text.stdout.split("Runs")[1]
    md = invoke("history", str(eng / "history"), "--format", "markdown").stdout
    assert md.startswith("|  | Trend | First |")
    assert "| Shared definitions | ▁▅█ | 38 | 88 | +25.0 | +50.0 | 80 |" in md


def test_history_of_an_engagement_without_runs(tmp_path: Path, invoke: Invoke) -> None:
    eng = make_engagement(tmp_path / "eng")
    result = invoke("history", str(eng))
    assert result.exit_code == 0
    assert "no saved runs" in result.stderr
    data = json.loads(invoke("history", str(eng), "--format", "json").stdout)
    assert data["runs"] == []


def test_history_reports_a_broken_saved_file(tmp_path: Path, invoke: Invoke) -> None:
    eng = make_engagement(tmp_path / "eng")
    (eng / "history").mkdir()
    (eng / "history" / "2026-01-01T000000Z.json").write_text("{", "utf-8")
    result = invoke("history", str(eng))
    assert result.exit_code == 2
    assert "2026-01-01T000000Z.json:1:2: not a scorecard: invalid JSON" in result.stderr
