"""One file per person: names in any script get files of their own, and a file that holds
another person is never resumed or overwritten (issue: names without Latin letters)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from conftest import MINIMAL_RUBRIC
from hypothesis import given
from hypothesis import strategies as st

from alignment_cli.files.names import file_stem, name_hash, name_key, shown_path, slug

Invoke = Callable[..., Any]


def test_latin_names_read_as_they_did_and_others_carry_a_hash() -> None:
    assert slug("Dana Lee") == "dana-lee"
    assert slug("José Álvarez-Núñez") == "jose-alvarez-nunez"
    assert slug("Jürgen Strauß") == "jurgen-strauss"
    assert slug("Łukasz Øberg") == "lukasz-oberg"
    assert slug("王芳") == f"respondent-{name_hash('王芳')}"
    assert slug("Иван Петров") == f"respondent-{name_hash('Иван Петров')}"
    assert slug("Li 李伟") == f"li-{name_hash('Li 李伟')}"  # part of the name was lost
    assert slug("王芳") != slug("李伟")
    assert name_key("  DANA   lee ") == name_key("Dana Lee")


def test_a_file_held_by_another_person_gives_the_newcomer_the_hash() -> None:
    files = {"dana-lee": "Dana Lee"}
    assert file_stem("dana lee", files.get) == "dana-lee"  # the same person: her file
    assert file_stem("Dana-Lee", files.get) == f"dana-lee-{name_hash('Dana-Lee')}"


NAMES = st.text(
    alphabet=st.sampled_from("abAB -李王芳ИвнПетрأحمدéß"), min_size=1, max_size=8
).filter(lambda s: s.strip())


@given(st.lists(NAMES, max_size=12))
def test_different_names_never_share_a_file(names: list[str]) -> None:
    taken: dict[str, str] = {}
    for name in names:
        stem = file_stem(name, taken.get)
        if stem in taken:
            assert name_key(taken[stem]) == name_key(name)
        taken[stem] = name
    people = {name_key(n) for n in names}
    assert len({s for s in taken}) == len(people)


def _audit(invoke: Invoke, eng: Path, name: str, role: str) -> Any:
    return invoke("audit", str(eng), "--respondent", name, "--role", role, input="2\n3\nq\n")


def test_interviewing_wang_fang_after_li_wei_keeps_both(invoke: Invoke, tmp_path: Path) -> None:
    eng = tmp_path / "acme"
    assert invoke("init", str(eng), "--rubric", str(MINIMAL_RUBRIC)).exit_code == 0
    first = _audit(invoke, eng, "李伟", "sales")
    assert first.exit_code == 0, first.output
    second = _audit(invoke, eng, "王芳", "marketing")
    assert second.exit_code == 0, second.output
    people = {
        yaml.safe_load(p.read_text("utf-8"))["respondent"]["name"]: p.name
        for p in (eng / "responses").glob("*.yaml")
    }
    assert set(people) == {"李伟", "王芳"}
    assert len(set(people.values())) == 2
    # Coming back to 李伟 resumes his own file, not hers.
    again = _audit(invoke, eng, "李伟", "sales")
    assert again.exit_code == 0, again.output
    assert "王芳" not in again.output
    assert len(list((eng / "responses").glob("*.yaml"))) == 2


def test_same_file_name_different_person_is_never_a_resume(invoke: Invoke, tmp_path: Path) -> None:
    eng = tmp_path / "acme"
    assert invoke("init", str(eng), "--rubric", str(MINIMAL_RUBRIC)).exit_code == 0
    assert _audit(invoke, eng, "Dana Lee", "marketing").exit_code == 0
    before = (eng / "responses" / "dana-lee.yaml").read_bytes()
    other = _audit(invoke, eng, "Dana-Lee", "sales")
    assert other.exit_code == 0, other.output
    assert (eng / "responses" / "dana-lee.yaml").read_bytes() == before
    theirs = eng / "responses" / f"dana-lee-{name_hash('Dana-Lee')}.yaml"
    assert yaml.safe_load(theirs.read_text("utf-8"))["respondent"] == {
        "name": "Dana-Lee",
        "role": "sales",
    }


def test_an_import_of_cyrillic_and_arabic_names_keeps_every_person(
    invoke: Invoke, tmp_path: Path
) -> None:
    csv_path = tmp_path / "survey.csv"
    csv_path.write_text(
        "Timestamp,Name,Role,lead-definition\n"
        "2026-11-03 10:00,Иван Петров,sales,4\n"
        "2026-11-03 11:00,Мария Иванова,marketing,2\n"
        "2026-11-03 12:00,أحمد علي,sales,3\n"
        "2026-11-03 13:00,Dana Lee,marketing,5\n"
        "2026-11-03 14:00,Dana-Lee,sales,1\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = invoke("import", str(csv_path), "--into", str(out), "--rubric", str(MINIMAL_RUBRIC))
    assert result.exit_code == 0, result.output
    assert "are all from" not in result.output
    files = {
        yaml.safe_load(p.read_text("utf-8"))["respondent"]["name"]: p.name
        for p in out.glob("*.yaml")
    }
    assert set(files) == {"Иван Петров", "Мария Иванова", "أحمد علي", "Dana Lee", "Dana-Lee"}
    assert len(set(files.values())) == 5
    assert files["Dana Lee"] == "dana-lee.yaml"
    # The same export again changes nothing and finds every person's own file.
    again = invoke("import", str(csv_path), "--into", str(out), "--rubric", str(MINIMAL_RUBRIC))
    assert again.exit_code == 0, again.output
    assert len(list(out.glob("*.yaml"))) == 5


LONG = "ß" * 150  # 150 characters that spell out as 300


def test_a_name_that_spells_out_longer_keeps_a_short_file_name(
    invoke: Invoke, tmp_path: Path
) -> None:
    assert len(slug(LONG).encode()) < 120
    eng = tmp_path / "acme"
    assert invoke("init", str(eng), "--rubric", str(MINIMAL_RUBRIC)).exit_code == 0
    result = _audit(invoke, eng, LONG, "sales")
    assert result.exit_code == 0, result.output
    csv_path = tmp_path / "survey.csv"
    csv_path.write_text(
        f"Timestamp,Name,Role,lead-definition\n2026-11-03 10:00,{'⒇' * 190},sales,4\n",
        encoding="utf-8",
    )
    imported = invoke(
        "import", str(csv_path), str(tmp_path / "out"), "--rubric", str(MINIMAL_RUBRIC)
    )
    assert imported.exit_code == 0, imported.output


def test_a_name_over_the_limit_is_refused_before_the_first_question(
    invoke: Invoke, tmp_path: Path
) -> None:
    eng = tmp_path / "acme"
    assert invoke("init", str(eng), "--rubric", str(MINIMAL_RUBRIC)).exit_code == 0
    result = _audit(invoke, eng, "x" * 201, "sales")
    assert result.exit_code == 2
    assert "at most 200" in result.stderr
    assert "question 1" not in result.output


@given(st.binary(min_size=1, max_size=40).filter(lambda b: not {47, 0} & set(b) and b != b"."))
def test_a_shown_path_is_always_utf8_and_unchanged_when_it_was(raw: bytes) -> None:
    name = os.fsdecode(raw)
    shown = shown_path(Path("responses") / name)
    shown.encode("utf-8")  # strict: any output can hold it
    try:
        assert shown == f"responses/{raw.decode('utf-8')}"
    except UnicodeDecodeError:
        assert "\ufffd" in shown
