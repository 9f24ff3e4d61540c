"""Scoring as a stream: respondents folded in one at a time (engine.Fold) through the pipeline's
batches (pipeline.score_stream) give the very bytes of scoring them all at once; problems are
reported as before (unreadable files first, every file's problems together)."""

from __future__ import annotations

import gc
import random
import shutil
import sys
import weakref
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alignment_cli.errors import InvalidInput
from alignment_cli.files.responses import ResponseFile, find_response_files, load_response_file
from alignment_cli.model.rubric import LoadedRubric, load_rubric
from alignment_cli.scoring import pipeline
from alignment_cli.scoring.card_json import model_json
from alignment_cli.scoring.engine import Fold, score
from tests.conftest import V1_EXAMPLES, copy_engagement
from tests.scoring_helpers import NOW

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from datagen import respondent_document, write_engagement  # noqa: E402

DEFAULT = load_rubric(None)


def _generated(tmp: Path, n: int, seed: int) -> Path:
    return write_engagement(DEFAULT, tmp / f"set-{n}-{seed}", n, seed=seed)


def _files(folder: Path) -> list[ResponseFile]:
    return [load_response_file(p) for p in find_response_files([folder])]


@pytest.mark.parametrize("example", ["halfway", "integrated", "siloed"])
def test_the_pipeline_scores_as_the_engine_does_on_the_examples(
    example: str, tmp_path: Path
) -> None:
    # Without the CRM evidence (halfway has some): the engine is given answers only here, and
    # tests/test_say_do.py checks what the evidence does to the pipeline's card.
    folder = tmp_path / example
    copy_engagement(V1_EXAMPLES / example, folder, ignore=shutil.ignore_patterns("evidence"))
    scored = pipeline.score_inputs([folder], now=NOW)
    whole = score(
        scored.rubric,
        _files(folder),
        now=NOW,
        targets=scored.engagement.config.targets if scored.engagement else None,
        organization=scored.card.organization,
    )
    assert model_json(scored.card) == model_json(whole)


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(n=st.integers(1, 40), batch=st.integers(1, 9), seed=st.integers(0, 10_000))
def test_any_batch_size_and_order_give_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, n: int, batch: int, seed: int
) -> None:
    """Generated sets through batches of any size, and the fold fed in any order, give the
    bytes of the engine scoring the list at once."""
    folder = _generated(tmp_path, n, seed)
    files = _files(folder)
    expected = model_json(pipeline.score_inputs([folder], now=NOW).card)
    monkeypatch.setattr(pipeline, "BATCH", batch)
    assert model_json(pipeline.score_inputs([folder], now=NOW).card) == expected
    fold = Fold(DEFAULT)
    shuffled = files[:]
    random.Random(seed).shuffle(shuffled)
    for rf in shuffled:
        fold.add(rf)
    organization = pipeline.score_inputs([folder], now=NOW).card.organization
    card = fold.finish(now=NOW, organization=organization)
    assert model_json(card) == expected
    shutil.rmtree(folder)


def test_a_generator_of_respondents_is_scored_without_files(tmp_path: Path) -> None:
    """What a survey reader feeds: ResponseFile objects from a generator, read once."""
    folder = _generated(tmp_path, 30, 3)
    expected = pipeline.score_inputs([folder], now=NOW)
    read: list[int] = []

    def rows() -> object:
        for i, rf in enumerate(_files(folder)):
            read.append(i)
            yield rf

    card, rubric = pipeline.score_stream(rows(), engagement=expected.engagement, now=NOW)  # type: ignore[arg-type]
    assert read == list(range(30))
    assert rubric.content_hash == expected.rubric.content_hash
    assert model_json(card) == model_json(expected.card)


def test_an_unreadable_file_is_reported_before_the_checks_of_the_others(tmp_path: Path) -> None:
    folder = _generated(tmp_path, 5, 1)
    responses = folder / "responses"
    # A wrong answer in the first file (a check problem), an unreadable last file (a load one).
    first = sorted(responses.iterdir())[0]
    text = first.read_text(encoding="utf-8")
    first.write_text(text.replace("answers:\n", "answers:\n  bogus-question: 3\n", 1), "utf-8")
    (responses / "zz-broken.yaml").write_text("respondent: [unclosed\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        pipeline.score_inputs([folder], now=NOW)
    files = {p.file for p in caught.value.problems}
    assert files == {str(responses / "zz-broken.yaml")}
    (responses / "zz-broken.yaml").unlink()
    with pytest.raises(InvalidInput) as caught:
        pipeline.score_inputs([folder], now=NOW)
    assert {p.file for p in caught.value.problems} == {str(first)}


def _other_rubric(tmp_path: Path) -> LoadedRubric:
    import yaml

    data = yaml.safe_load(DEFAULT.path.read_text(encoding="utf-8"))
    data["id"] = "other-rubric"
    path = tmp_path / "other.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return load_rubric(path)


def test_answers_for_several_rubrics_without_one_named(tmp_path: Path) -> None:
    """From files: the default rubric decides (as before streaming) and refuses the others'
    files, each by name; from a stream that cannot be read twice: one message naming both."""
    folder = tmp_path / "mixed"
    folder.mkdir()
    docs = [respondent_document(DEFAULT, i, 1) for i in range(3)]
    docs[2]["rubric"]["id"] = "other-rubric"
    docs[0]["rubric"]["id"] = "other-rubric"
    from datagen import answer_file_text

    for i, doc in enumerate(docs):
        (folder / f"r{i}.yaml").write_text(answer_file_text(DEFAULT, doc), encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        pipeline.score_inputs([folder], now=NOW)
    refused = {p.file for p in caught.value.problems}
    assert refused == {str(folder / "r0.yaml"), str(folder / "r2.yaml")}
    assert all("other-rubric" in p.message for p in caught.value.problems)
    with pytest.raises(InvalidInput, match="several rubrics"):
        pipeline.score_stream(iter(_files(folder)), now=NOW)


def test_no_more_than_a_batch_of_respondents_is_held_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Memory bounded by the batch, not the set: while the stream is read, the respondents
    already folded in are gone (no list of parsed files is kept anywhere)."""
    monkeypatch.setattr(pipeline, "BATCH", 4)
    folder = _generated(tmp_path, 40, 5)
    refs: list[weakref.ref[ResponseFile]] = []
    most_alive = 0

    def rows() -> object:
        nonlocal most_alive
        for path in find_response_files([folder]):
            rf = load_response_file(path)
            gc.collect()
            most_alive = max(most_alive, sum(r() is not None for r in refs))
            refs.append(weakref.ref(rf))
            yield rf

    card, _ = pipeline.score_stream(rows(), now=NOW)  # type: ignore[arg-type]
    assert card.respondent_count == 40
    assert 4 <= most_alive <= 2 * 4


def test_what_is_kept_of_each_respondent_stays_small(tmp_path: Path) -> None:
    """Each respondent's line is the bulk of what a large set keeps (docs/scoring.md,
    Performance): it holds their own values and nothing built per respondent beside them (the
    names of the fields set are one set shared by every line), and it reads as a line whose
    every field was set."""
    import tracemalloc

    from alignment_cli.scoring.scorecard import RespondentInfo

    files = _files(_generated(tmp_path, 200, 3))
    fold = Fold(DEFAULT)
    for rf in files:  # every distinct answer and score is known: what follows is per person
        fold.add(rf)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for rf in files:
            fold.add(rf)
        held = (tracemalloc.get_traced_memory()[0] - before) / len(files)
    finally:
        tracemalloc.stop()
    line = fold.respondents[-1]
    assert line.model_fields_set == set(RespondentInfo.model_fields)
    assert line.model_dump(exclude_unset=True) == line.model_dump()
    # Measured 1.4 KB a person here (their line, name, path and 1.5 notes each); 2.1 KB when
    # each line had its own set of field names.
    assert held < 1800, f"{held:.0f} bytes kept per respondent"
