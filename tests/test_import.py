"""`alignment import` end to end, on realistic survey exports (tests/data/import/)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from alignment_cli.files.privacy import pseudonym
from tests.conftest import MINIMAL_RESPONSES, MINIMAL_RUBRIC, ROOT, build_file_tree

Invoke = Callable[..., Any]
DATA = ROOT / "tests" / "data" / "import"
R = str(MINIMAL_RUBRIC)
HEADER = (
    "Timestamp,Name,Role,How mature is the market you sell into?,How is a qualified lead defined?,"
    "Is there a written agreement on how fast sales follows up a qualified lead?,"
    '"How many hours pass, typically, before a qualified lead is first contacted?",'
    "Which of these does the hand-off from marketing to sales include?\n"
)


def _files(folder: Path) -> dict[str, dict[str, Any]]:
    return {p.name: yaml.safe_load(p.read_text("utf-8")) for p in sorted(folder.glob("*.yaml"))}


def _write(tmp_path: Path, text: str, name: str = "survey.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_google_forms_export_gives_the_answer_files_typed_by_hand(
    tmp_path: Path, invoke: Invoke
) -> None:
    result = invoke(
        "import", str(DATA / "google-forms.csv"), "--into", str(tmp_path / "acme"),
        "--rubric", R, "--org", "Example Co",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "2 new" in result.output
    got = _files(tmp_path / "acme")
    assert sorted(got) == ["mia-chen.yaml", "sam-ortiz.yaml"]
    for name, direct in (("sam-ortiz.yaml", "sam.yaml"), ("mia-chen.yaml", "mia.yaml")):
        want = yaml.safe_load((MINIMAL_RESPONSES / direct).read_text("utf-8"))
        assert got[name]["answers"] == want["answers"]
        assert got[name]["respondent"] == want["respondent"]
        assert got[name]["updated"] == want["updated"]  # the survey's timestamp is kept
        assert got[name]["organization"] == "Example Co"

    # Scores exactly like the hand-typed files (whose only extra is a note).
    for f in MINIMAL_RESPONSES.glob("*.yaml"):
        data = yaml.safe_load(f.read_text("utf-8"))
        data.pop("notes", None)
        build_file_tree(tmp_path, {f"direct/{f.name}": data})
    a = invoke("score", str(tmp_path / "acme"), "--rubric", R, "--format", "json")
    b = invoke("score", str(tmp_path / "direct"), "--rubric", R, "--format", "json")
    assert _card(a.output) == _card(b.output)


def _card(text: str) -> dict[str, Any]:
    card: dict[str, Any] = json.loads(text)
    card.pop("generated_at")
    for r in card["respondents"]:
        r.pop("file")
    card["respondents"].sort(key=lambda r: r["name"])
    return card


def test_microsoft_forms_export_saved_by_excel(tmp_path: Path, invoke: Invoke) -> None:
    """Byte-order mark, CRLF, day-first dates, ';'-joined choices with a trailing ';', trailing
    empty columns, a typographic apostrophe in "Don't know", a decimal comma with a unit."""
    result = invoke(
        "import", str(DATA / "microsoft-forms.csv"), "--into", str(tmp_path / "out"), "--rubric", R
    )
    assert result.exit_code == 0, result.output
    got = _files(tmp_path / "out")
    dana, raj, lena = got["dana-lee.yaml"], got["raj-patel.yaml"], got["lena-fischer.yaml"]
    assert dana["respondent"] == {"name": "Dana Lee", "role": "marketing"}
    assert dana["answers"] == {
        "market-maturity": "mature",
        "lead-definition": "unknown",
        "sla-exists": True,
        "handoff-channels": ["crm-task", "reject-reason"],
    }
    assert raj["answers"]["follow-up-hours"] == 1.5
    assert raj["answers"]["handoff-channels"] == ["context"]
    assert lena["answers"]["lead-definition"] == 1  # "1 - <the anchor's text>"
    assert lena["answers"]["sla-exists"] is False
    assert str(dana["updated"]) == "2026-11-13 10:02:00+00:00"  # 13/11: day first
    assert str(raj["updated"]) == "2026-11-02 14:30:00+00:00"  # so 02/11 is 2 November
    # Dana (marketing) answered a sales-only question: left out, with a warning naming the row.
    assert "1 answer to 'follow-up-hours' left out because it is asked of sales only: row 2" in (
        result.output
    )
    assert invoke("score", str(tmp_path / "out"), "--rubric", R).exit_code == 0


def test_typeform_export_with_a_mapping(tmp_path: Path, invoke: Invoke) -> None:
    """Own wording (numbering, a missing '?'), name and team asked as questions, a comment with
    quoted commas and a line break kept as a note."""
    result = invoke(
        "import", str(DATA / "typeform.csv"), "--into", str(tmp_path / "out"), "--rubric", R,
        "--mapping", str(DATA / "typeform-mapping.yaml"),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    got = _files(tmp_path / "out")
    ana = got["ana-gomez.yaml"]
    assert ana["respondent"] == {"name": "Ana Gomez", "role": "sales"}
    assert ana["answers"]["handoff-channels"] == ["crm-task", "context", "reject-reason"]
    assert ana["answers"]["follow-up-hours"] == 0.5
    assert ana["notes"] == {
        "lead-definition": 'We agreed it in March, "finally".\n'
        "Sales still adds its own filter, though."
    }
    assert str(ana["updated"]) == "2026-11-04 09:01:44+00:00"  # Submit Date, not Start Date
    assert got["tom-becker.yaml"]["respondent"]["role"] == "marketing"
    assert got["tom-becker.yaml"]["answers"]["sla-exists"] is False


def test_surveymonkey_export_anonymous_survey(tmp_path: Path, invoke: Invoke) -> None:
    """Second header row skipped; nobody's name or e-mail: stable pseudonyms from the row."""
    args = ["import", str(DATA / "surveymonkey.csv"), "--rubric", R]
    args += ["--role-column", "Which team are you in?"]
    result = invoke(*args, "--into", str(tmp_path / "a"))
    assert result.exit_code == 0, result.output
    got = _files(tmp_path / "a")
    assert len(got) == 3
    assert all(name.startswith("respondent-") for name in got)
    roles = sorted(d["respondent"]["role"] for d in got.values())
    assert roles == ["marketing", "marketing", "sales"]
    times = sorted(str(d["updated"]) for d in got.values())
    assert times[0] == "2026-11-05 09:14:03+00:00"
    assert times[1] == "2026-11-05 13:09:59+00:00"  # 01:09:59 PM
    # The same file imported elsewhere gives the same pseudonyms.
    assert invoke(*args, "--into", str(tmp_path / "b")).exit_code == 0
    assert _files(tmp_path / "b") == got


def test_importing_twice_changes_nothing(tmp_path: Path, invoke: Invoke) -> None:
    args = (
        "import",
        str(DATA / "microsoft-forms.csv"),
        "--into",
        str(tmp_path / "out"),
        "--rubric",
        R,
    )
    assert invoke(*args).exit_code == 0
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in tmp_path.rglob("*.yaml")}
    second = invoke(*args)
    assert second.exit_code == 0, second.output
    assert "0 new, 0 updated, 3 unchanged" in second.output
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in tmp_path.rglob("*.yaml")}
    assert after == before
    assert not list(tmp_path.rglob("*.tmp"))


def test_problems_are_located_and_nothing_is_written(tmp_path: Path, invoke: Invoke) -> None:
    csv_path = _write(
        tmp_path,
        HEADER
        + "2026-11-01,Sam Ortiz,sales,new,2,yes,30,crm-task\n"
        + "2026-11-01,Kim Park,Sales Team,ancient,7,perhaps,a day,crm-task; telepathy\n"
        + ',"Lee, Jo",,new,3,no,,\n',
    )
    out = tmp_path / "out"
    result = invoke("import", str(csv_path), "--into", str(out), "--rubric", R)
    assert result.exit_code == 2
    lines = result.output.splitlines()
    expect = [
        f"{csv_path}:3:3: row 3, column 'Role': unknown role 'Sales Team'",
        f"{csv_path}:3:4: row 3, column 'How mature is the market you sell into?': "
        "'ancient' is not an option; expected one of: new, mature",
        f"{csv_path}:3:5: row 3, column 'How is a qualified lead defined?': "
        "7 is outside the scale 1..5",
        # A long header keeps its start and its end (issue 16: option columns told apart).
        f"{csv_path}:3:6: row 3, column 'Is there a written agreement on how fast…"
        " a qualified lead?': 'perhaps' is not yes or no",
        f"{csv_path}:3:7: row 3, column 'How many hours pass, typically, before…"
        " is first contacted?': 'a day' is not a number of hours",
        f"{csv_path}:3:8: row 3, column 'Which of these does the hand-off from…"
        " to sales include?': 'telepathy' is not an option",
        f"{csv_path}:4:3: row 4, column 'Role': missing role",
    ]
    for want in expect:
        assert any(line.startswith(want) for line in lines), want
    # An unreadable answer also says how to write "don't know".
    assert lines[1].endswith("; or 'unknown' (don't know) or 'n/a'"), lines[1]
    assert "7 problems in 1 file" in result.output
    assert not out.exists()


def test_partial_writes_the_good_rows_and_reports_the_others(
    tmp_path: Path, invoke: Invoke
) -> None:
    csv_path = _write(
        tmp_path,
        HEADER
        + "2026-11-01,Sam Ortiz,sales,new,2,yes,30,crm-task\n"
        + "2026-11-01,Kim Park,sales,new,9,yes,,\n",
    )
    result = invoke(
        "import", str(csv_path), "--into", str(tmp_path / "out"), "--rubric", R, "--partial"
    )
    assert result.exit_code == 0, result.output
    assert f"skipped: {csv_path}:3:5: row 3" in result.output
    assert "1 new" in result.output and "1 row skipped" in result.output
    assert sorted(_files(tmp_path / "out")) == ["sam-ortiz.yaml"]


def test_partial_with_no_good_row_fails(tmp_path: Path, invoke: Invoke) -> None:
    csv_path = _write(tmp_path, HEADER + "2026-11-01,Kim Park,sales,new,9,yes,,\n")
    result = invoke(
        "import", str(csv_path), "--into", str(tmp_path / "out"), "--rubric", R, "--partial"
    )
    assert result.exit_code == 2
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Name,Role,Colour\n", "1:3: unknown column 'Colour'"),
        ("Name,Role,lead-definition,How is a qualified lead defined?\n", "duplicate column"),
        ("Name,Department,Role,lead-definition\n", "1:2: unknown column 'Department'"),
        ("Name,lead-definition\n", "no role column"),
        ("Name,Role,Email Address\n", "no column matches a question"),
    ],
)
def test_header_problems(tmp_path: Path, invoke: Invoke, header: str, message: str) -> None:
    csv_path = _write(tmp_path, header + "Sam," * header.count(",") + "x\n")
    result = invoke(
        "import", str(csv_path), "--into", str(tmp_path / "out"), "--rubric", R, "--partial"
    )
    assert result.exit_code == 2
    assert message in result.output


def test_cells_outside_the_header_are_problems(tmp_path: Path, invoke: Invoke) -> None:
    csv_path = _write(tmp_path, "Name,Role,lead-definition,,\nSam,sales,2,,oops\nKim,sales,3,,,x\n")
    result = invoke("import", str(csv_path), "--into", str(tmp_path / "out"), "--rubric", R)
    assert result.exit_code == 2
    assert ":2:5: row 2, column 5 has no header but holds 'oops'" in result.output
    assert ":3:6: row 3, column 6: a value beyond the last column" in result.output


def test_an_existing_file_with_other_answers_needs_overwrite(
    tmp_path: Path, invoke: Invoke
) -> None:
    build_file_tree(tmp_path, {"out/responses/sam-ortiz.yaml": "typed: by hand\n"})
    args = (
        "import",
        str(DATA / "google-forms.csv"),
        "--into",
        str(tmp_path / "out"),
        "--rubric",
        R,
    )
    result = invoke(*args)
    assert result.exit_code == 2
    assert "sam-ortiz.yaml:1:1: already holds other answers than row 2" in result.output
    assert "--overwrite" in result.output
    assert (tmp_path / "out" / "responses" / "sam-ortiz.yaml").read_text() == "typed: by hand\n"
    assert not (tmp_path / "out" / "responses" / "mia-chen.yaml").exists()  # all or nothing
    result = invoke(*args, "--overwrite")
    assert result.exit_code == 0
    assert "1 new, 1 updated" in result.output


def test_an_existing_file_with_the_same_answers_is_left_alone(
    tmp_path: Path, invoke: Invoke
) -> None:
    """Same answers, other formatting (say, the hand-typed file): unchanged, not a conflict."""
    args = (
        "import",
        str(DATA / "google-forms.csv"),
        "--into",
        str(tmp_path / "out"),
        "--rubric",
        R,
    )
    assert invoke(*args).exit_code == 0
    path = tmp_path / "out" / "sam-ortiz.yaml"
    reformatted = "# checked with Sam\n" + yaml.safe_dump(yaml.safe_load(path.read_text()))
    path.write_text(reformatted)
    result = invoke(*args)
    assert result.exit_code == 0
    assert "2 unchanged" in result.output
    assert path.read_text() == reformatted


def test_an_existing_file_that_score_would_reject_is_not_the_same_answers(
    tmp_path: Path, invoke: Invoke
) -> None:
    """The existing file is read as `alignment score` reads it: a duplicated key (which plain
    PyYAML would silently resolve to the last value) makes it a conflict, not "unchanged"."""
    args = (
        "import",
        str(DATA / "google-forms.csv"),
        "--into",
        str(tmp_path / "out"),
        "--rubric",
        R,
    )
    assert invoke(*args).exit_code == 0
    path = tmp_path / "out" / "sam-ortiz.yaml"
    doubled = "updated: 2020-01-01T00:00:00Z\n" + path.read_text()
    assert yaml.safe_load(doubled) == yaml.safe_load(path.read_text())
    path.write_text(doubled)
    result = invoke(*args)
    assert result.exit_code == 2
    assert "already holds other answers" in result.output
    assert path.read_text() == doubled


def test_dry_run_writes_nothing(tmp_path: Path, invoke: Invoke) -> None:
    args = ("import", str(DATA / "google-forms.csv"), "--into", str(tmp_path / "x"), "--rubric", R)
    result = invoke(*args, "--dry-run")
    assert result.exit_code == 0
    assert "would import 2 respondents" in result.output
    assert not (tmp_path / "x").exists()


def test_the_latest_of_two_rows_from_one_person_wins(tmp_path: Path, invoke: Invoke) -> None:
    csv_path = _write(
        tmp_path,
        "Timestamp,Name,Role,lead-definition\n"
        "2026-11-03 10:00,Sam Ortiz,sales,4\n"
        "2026-11-01 10:00,Sam Ortiz,sales,2\n"
        "2026-11-02 10:00,sam ortiz,sales,3\n",
    )
    result = invoke("import", str(csv_path), "--into", str(tmp_path / "out"), "--rubric", R)
    assert result.exit_code == 0, result.output
    assert "rows 3, 4, 2 are all from 'Sam Ortiz' / 'sam ortiz'; kept row 2, the latest" in (
        result.output
    )
    got = _files(tmp_path / "out")
    assert got["sam-ortiz.yaml"]["answers"] == {"lead-definition": 4}


def test_anonymous_import_replaces_names_with_stable_pseudonyms(
    tmp_path: Path, invoke: Invoke
) -> None:
    args = ["import", str(DATA / "google-forms.csv"), "--rubric", R, "--anonymous"]
    result = invoke(*args, "--org", "Example Co", "--into", str(tmp_path / "a"))
    assert result.exit_code == 0, result.output
    folder = tmp_path / "a"
    names = {d["respondent"]["name"] for d in _files(folder).values()}
    assert names == {pseudonym("Sam Ortiz", "Example Co"), pseudonym("Mia Chen", "Example Co")}
    text = "".join(p.read_text() for p in folder.iterdir())
    assert "Ortiz" not in text and "Chen" not in text and "@example.com" not in text
    assert invoke(*args, "--org", "Example Co", "--into", str(tmp_path / "b")).exit_code == 0
    assert _files(tmp_path / "b") == _files(folder)
    # Another organisation (the salt): other pseudonyms.
    assert invoke(*args, "--org", "Other Co", "--into", str(tmp_path / "c")).exit_code == 0
    assert not set(_files(tmp_path / "c")) & set(_files(folder))


def test_colliding_pseudonyms_get_longer_ones(tmp_path: Path, invoke: Invoke) -> None:
    seen: dict[str, str] = {}
    for i in range(200_000):
        name = f"Person {i}"
        p = pseudonym(name, "")
        if p in seen:
            first, second = seen[p], name
            break
        seen[p] = name
    else:  # pragma: no cover - 200,000 names always collide in 16.7 million pseudonyms
        pytest.fail("no collision found")
    csv_path = _write(tmp_path, f"Name,Role,lead-definition\n{first},sales,2\n{second},sales,4\n")
    result = invoke(
        "import", str(csv_path), "--into", str(tmp_path / "out"), "--rubric", R, "--anonymous"
    )
    assert result.exit_code == 0, result.output
    got = _files(tmp_path / "out")
    assert sorted(d["respondent"]["name"] for d in got.values()) == sorted(
        [pseudonym(first, "", digits=12), pseudonym(second, "", digits=12)]
    )


def test_missing_names(tmp_path: Path, invoke: Invoke) -> None:
    csv_path = _write(tmp_path, "Name,Role,lead-definition\nSam,sales,2\n,sales,4\n")
    result = invoke("import", str(csv_path), "--into", str(tmp_path / "out"), "--rubric", R)
    assert result.exit_code == 2
    assert ":3:1: row 3, column 'Name': no respondent name (or import with --anonymous)" in (
        result.output
    )
    result = invoke(
        "import", str(csv_path), "--into", str(tmp_path / "out"), "--rubric", R, "--anonymous"
    )
    assert result.exit_code == 0


def test_an_answer_whose_condition_is_false_is_left_out(tmp_path: Path, invoke: Invoke) -> None:
    csv_path = _write(tmp_path, HEADER + "2026-11-01,Sam Ortiz,sales,new,2,no,30,\n")
    result = invoke("import", str(csv_path), "--into", str(tmp_path / "out"), "--rubric", R)
    assert result.exit_code == 0, result.output
    assert "'follow-up-hours' left out because its condition is false" in result.output
    assert "follow-up-hours" not in _files(tmp_path / "out")["sam-ortiz.yaml"]["answers"]
    assert invoke("score", str(tmp_path / "out"), "--rubric", R).exit_code == 0


def test_role_option_and_engagement_defaults(tmp_path: Path, invoke: Invoke) -> None:
    build_file_tree(
        tmp_path,
        {"acme/alignment.yaml": {"organization": "Acme", "rubric": {"path": str(MINIMAL_RUBRIC)}}},
    )
    csv_path = _write(tmp_path, "Name,lead-definition\nSam,2\n")
    result = invoke("import", str(csv_path), "--into", str(tmp_path / "acme"), "--role", "sales")
    assert result.exit_code == 0, result.output
    data = _files(tmp_path / "acme" / "responses")["sam.yaml"]
    assert data["respondent"]["role"] == "sales"
    assert data["organization"] == "Acme"
    assert data["rubric"]["id"] == "minimal-alignment"
    bad = invoke("import", str(csv_path), "--into", str(tmp_path / "acme"), "--role", "finance")
    assert bad.exit_code == 2 and "unknown role 'finance'" in bad.output


def test_into_a_plain_folder_of_answer_files(tmp_path: Path, invoke: Invoke) -> None:
    build_file_tree(tmp_path, {"answers/old.yaml": (MINIMAL_RESPONSES / "sam.yaml").read_text()})
    csv_path = _write(tmp_path, "Name,Role,lead-definition\nKim,sales,2\n")
    result = invoke("import", str(csv_path), "--into", str(tmp_path / "answers"), "--rubric", R)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "answers" / "kim.yaml").exists()


def test_timestamps_that_mix_day_first_and_month_first_are_refused(
    tmp_path: Path, invoke: Invoke
) -> None:
    text = "Timestamp,Name,Role,lead-definition\n13/01/2026,A,sales,2\n01/13/2026,B,sales,2\n"
    csv_path = _write(tmp_path, text)
    result = invoke("import", str(csv_path), "--into", str(tmp_path / "out"), "--rubric", R)
    assert result.exit_code == 2
    assert "mixes day-first and month-first dates" in result.output
    result = invoke(
        "import", str(csv_path), "--into", str(tmp_path / "out"), "--rubric", R,
        "--timestamp-format", "%d/%m/%Y",
    )  # fmt: skip
    assert result.exit_code == 2
    assert ":3:1: row 3, column 'Timestamp'" in result.output


@pytest.mark.parametrize(
    ("encoding", "delimiter"), [("utf-16", "\t"), ("utf-8", ";"), ("utf-8-sig", ",")]
)
def test_encodings_and_delimiters_excel_writes(
    tmp_path: Path, invoke: Invoke, encoding: str, delimiter: str
) -> None:
    rows = [["Name", "Role", "How is a qualified lead defined?", "Comments"]]
    rows.append(["Zoë Ångström", "sales", "2", ""])
    text = "\r\n".join(delimiter.join(r) for r in rows) + "\r\n"
    path = tmp_path / "x.csv"
    path.write_bytes(text.encode(encoding))
    mapping = tmp_path / "m.yaml"
    mapping.write_text("ignore: [Comments]\n")
    result = invoke(
        "import",
        str(path),
        "--into",
        str(tmp_path / "out"),
        "--rubric",
        R,
        "--mapping",
        str(mapping),
    )
    assert result.exit_code == 0, result.output
    data = _files(tmp_path / "out")["zoe-angstrom.yaml"]
    assert data["respondent"]["name"] == "Zoë Ångström"


def test_a_file_that_is_not_utf8_is_refused_with_a_hint(tmp_path: Path, invoke: Invoke) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes("Name,Role,lead-definition\nZoë,sales,2\n".encode("cp1252"))
    result = invoke("import", str(path), "--into", str(tmp_path / "out"), "--rubric", R)
    assert result.exit_code == 2
    assert f"{path}:2:3: not UTF-8 text; export the survey (or save the sheet) as CSV UTF-8" in (
        result.output
    )


def test_empty_missing_and_binary_files(tmp_path: Path, invoke: Invoke) -> None:
    empty = _write(tmp_path, "\n\n", "empty.csv")
    binary = tmp_path / "b.csv"
    binary.write_bytes(b"Name,Role\nA\x00,sales\n")
    for path, message in (
        (empty, "the file is empty"),
        (tmp_path / "none.csv", f"{tmp_path / 'none.csv'}: no such file"),  # no line: no file
        (binary, "2:2: binary data"),
    ):
        result = invoke("import", str(path), "--into", str(tmp_path / "out"), "--rubric", R)
        assert result.exit_code == 2, path
        assert message in result.output
        assert "Traceback" not in result.output


# -- the mapping file ---------------------------------------------------------------------------


def test_mapping_values_roles_and_columns(tmp_path: Path, invoke: Invoke) -> None:
    csv_path = _write(
        tmp_path,
        "Who,Team,Lead quality (1-5),Do you have an SLA?\n"
        "Sam,Vertrieb,Strongly agree,Ja\n"
        "Mia,Marketing,Disagree,Nein\n",
    )
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "name_column: Who\n"
        "role_column: Team\n"
        "columns:\n"
        "  Lead quality (1-5): lead-definition\n"
        "  Do you have an SLA?: sla-exists\n"
        "roles: {Vertrieb: sales}\n"
        "values:\n"
        "  lead-definition: {Strongly agree: 5, Disagree: 2}\n"
        "  sla-exists: {'Ja': true, 'Nein': false}\n"
    )
    result = invoke(
        "import",
        str(csv_path),
        "--into",
        str(tmp_path / "out"),
        "--rubric",
        R,
        "--mapping",
        str(mapping),
    )
    assert result.exit_code == 0, result.output
    got = _files(tmp_path / "out")
    assert got["sam.yaml"]["respondent"]["role"] == "sales"
    assert got["sam.yaml"]["answers"] == {"lead-definition": 5, "sla-exists": True}
    assert got["mia.yaml"]["answers"] == {"lead-definition": 2, "sla-exists": False}


def test_mapping_problems_are_located_in_the_mapping_file(tmp_path: Path, invoke: Invoke) -> None:
    csv_path = _write(tmp_path, "Name,Role,Q1\nSam,sales,2\n")
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "columns:\n"
        "  Q1: lead-defintion\n"
        "  Q9: sla-exists\n"
        "roles:\n"
        "  Sales Team: sellers\n"
        "values:\n"
        "  lead-definition: {Top: 9}\n"
        "  sla-exists: {Yes: true}\n"
        "colour: blue\n"
    )
    result = invoke(
        "import",
        str(csv_path),
        "--into",
        str(tmp_path / "out"),
        "--rubric",
        R,
        "--mapping",
        str(mapping),
    )
    assert result.exit_code == 2
    out = result.output
    assert f"{mapping}:8:" in out and "put this key in quotes" in out
    # Fixed the quoting: the rest is reported together, each at its line.
    mapping.write_text(mapping.read_text().replace("{Yes: true}", "{'Yes': true}"))
    out = invoke(
        "import",
        str(csv_path),
        "--into",
        str(tmp_path / "out"),
        "--rubric",
        R,
        "--mapping",
        str(mapping),
    ).output
    assert f"{mapping}:9:1: colour: unknown field 'colour'" in out
    mapping.write_text(mapping.read_text().replace("colour: blue\n", ""))
    out = invoke(
        "import",
        str(csv_path),
        "--into",
        str(tmp_path / "out"),
        "--rubric",
        R,
        "--mapping",
        str(mapping),
    ).output
    assert f"{mapping}:2:7: columns.Q1: unknown question 'lead-defintion'" in out
    assert "did you mean 'lead-definition'" in out
    assert f"{mapping}:5:15: roles.Sales Team: unknown role 'sellers'" in out
    assert f"{mapping}:7:26: values.lead-definition.Top: 9 is outside the scale 1..5" in out
    mapping.write_text(mapping.read_text().replace("lead-defintion", "lead-definition"))
    mapping.write_text(mapping.read_text().replace("sellers", "sales").replace("Top: 9", "Top: 5"))
    out = invoke(
        "import",
        str(csv_path),
        "--into",
        str(tmp_path / "out"),
        "--rubric",
        R,
        "--mapping",
        str(mapping),
    ).output
    assert f"{mapping}:3:7: columns.Q9: no column 'Q9' in {csv_path}" in out
    assert not (tmp_path / "out").exists()


def test_into_a_file_or_an_unwritable_place_is_a_clean_error(
    tmp_path: Path, invoke: Invoke
) -> None:
    (tmp_path / "afile").write_text("x")
    args = ("import", str(DATA / "google-forms.csv"), "--rubric", R, "--into")
    result = invoke(*args, str(tmp_path / "afile"))
    assert result.exit_code == 2
    assert "is a file" in result.output
    build_file_tree(tmp_path, {"eng/alignment.yaml": "organization: X\n", "eng/responses": "x"})
    result = invoke(*args, str(tmp_path / "eng"))
    assert result.exit_code == 2
    assert "cannot write" in result.output and "Traceback" not in result.output


# -- broken quotes and big inputs ----------------------------------------------------------------


def test_a_quote_that_never_closes_stops_even_a_partial_import(
    tmp_path: Path, invoke: Invoke
) -> None:
    csv_path = _write(
        tmp_path,
        HEADER
        + "2026-11-01,Sam Ortiz,sales,new,2,yes,30,crm-task\n"
        + '2026-11-01,Kim Park,sales,"new,2,yes,30,crm-task\n'
        + "2026-11-01,Lee Jo,sales,new,3,no,,\n"
        + "2026-11-01,Ann Bo,sales,new,3,no,,\n",
    )
    out = tmp_path / "out"
    result = invoke("import", str(csv_path), "--into", str(out), "--rubric", R, "--partial")
    assert result.exit_code == 2, result.output
    assert f"{csv_path}:3:4: row 3, column 4: the quote that opens this cell never closes" in (
        result.output
    )
    assert "skipped" not in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_a_quote_that_runs_on_over_other_rows_stops_the_import(
    tmp_path: Path, invoke: Invoke
) -> None:
    csv_path = _write(
        tmp_path,
        HEADER
        + "2026-11-01,Sam Ortiz,sales,new,2,yes,30,crm-task\n"
        + '2026-11-01,Kim Park,sales,"new,2,yes,30,crm-task\n'  # the quote opens here ...
        + "2026-11-01,Lee Jo,sales,new,3,no,,\n"
        + "2026-11-01,Mo Li,sales,new,3,no,,\n"
        + '2026-11-01,"Ann, Bo",sales,new,3,no,,\n'  # ... and closes here
        + "2026-11-01,Bo Ek,sales,new,3,no,,\n",
    )
    out = tmp_path / "out"
    out.mkdir()
    result = invoke("import", str(csv_path), str(out), "--rubric", R, "--partial")
    assert result.exit_code == 2, result.output
    assert (
        f"{csv_path}:3:4: row 3, column 4: the quote that opens this cell runs on over 2 lines "
        "that look like rows of their own; a closing quote is missing"
    ) in result.output
    assert list(out.iterdir()) == []


def test_a_quoted_line_break_in_a_note_is_still_fine(tmp_path: Path, invoke: Invoke) -> None:
    build_file_tree(tmp_path, {"m.yaml": "notes:\n  Note: lead-definition\n"})
    csv_path = _write(
        tmp_path, 'Name,Role,lead-definition,Note\r\nSam,sales,2,"one, two\r\nthree, four"\r\n'
    )
    out = tmp_path / "out"
    result = invoke(
        "import", str(csv_path), str(out), "--rubric", R, "--mapping", str(tmp_path / "m.yaml")
    )
    assert result.exit_code == 0, result.output
    assert _files(out)["sam.yaml"]["notes"] == {"lead-definition": "one, two\nthree, four"}


def test_a_huge_cell_is_refused_where_it_is(tmp_path: Path, invoke: Invoke) -> None:
    csv_path = _write(
        tmp_path,
        HEADER
        + "2026-11-01,Sam Ortiz,sales,new,2,yes,30,crm-task\n"
        + "2026-11-01,Kim Park,sales,new,2,yes,30,"
        + "x" * 1_100_000
        + "\n",
    )
    out = tmp_path / "out"
    result = invoke("import", str(csv_path), "--into", str(out), "--rubric", R, "--partial")
    assert result.exit_code == 2, result.output
    assert f"{csv_path}:3:8: row 3, column 8: a cell longer than 1,048,576 characters" in (
        result.output
    )
    assert not out.exists()


def test_a_runaway_quote_in_a_big_file_is_named_as_such(tmp_path: Path, invoke: Invoke) -> None:
    rows = "".join(f"2026-11-01,P{i},sales,new,2,yes,30,crm-task\n" for i in range(40_000))
    csv_path = _write(tmp_path, HEADER + '2026-11-01,Kim,sales,new,2,yes,30,"crm-task\n' + rows)
    result = invoke("import", str(csv_path), "--into", str(tmp_path / "out"), "--rubric", R)
    assert result.exit_code == 2, result.output
    assert f"{csv_path}:2:8: row 2, column 8: the quote that opens this cell runs on over " in (
        result.output
    )
    assert not (tmp_path / "out").exists()


def test_reads_are_bounded_whatever_the_file_claims(
    tmp_path: Path, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A FIFO (or /dev/zero) has no size to check: the bytes read are counted instead."""
    import os
    import threading

    from alignment_cli.survey import csvfile

    monkeypatch.setattr(csvfile, "MAX_CSV_BYTES", 200_000)
    fifo = tmp_path / "endless.csv"
    os.mkfifo(fifo)

    def endless() -> None:
        try:
            with open(fifo, "w", encoding="utf-8") as f:
                f.write("Name,Role,lead-definition\n")
                while True:
                    f.write("Sam,sales,2\n" * 1000)
        except (BrokenPipeError, OSError):
            pass

    writer = threading.Thread(target=endless, daemon=True)
    writer.start()
    out = tmp_path / "out"
    result = invoke("import", str(fifo), "--into", str(out), "--rubric", R)
    writer.join(timeout=10)
    assert result.exit_code == 2, result.output
    assert f"{fifo}: holds more than 200,000 bytes; the limit is 200,000 bytes" in result.output
    assert not out.exists()

    result = invoke("import", "/dev/zero", "--into", str(out), "--rubric", R)
    assert result.exit_code == 2, result.output
    assert "/dev/zero: holds more than 200,000 bytes" in result.output  # not read on and on
    assert not out.exists()


# -- interruptions -------------------------------------------------------------------------------


def _no_leftovers(folder: Path) -> None:
    from alignment_cli.files.writes import JOURNAL_NAME, TEMP_SUFFIX

    assert not list(folder.glob(f"*{TEMP_SUFFIX}"))
    assert not (folder / JOURNAL_NAME).exists()


def test_sigterm_while_files_are_written_imports_nothing(
    tmp_path: Path, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import signal

    from alignment_cli.files import writes

    real = writes._write_all
    calls: list[int] = []

    def write_then_terminated(fd: int, data: bytes) -> None:
        calls.append(fd)
        if len(calls) == 2:  # CI cancels the job half-way through the temporary files
            os.kill(os.getpid(), signal.SIGTERM)
        real(fd, data)

    monkeypatch.setattr(writes, "_write_all", write_then_terminated)
    out = tmp_path / "out"
    result = invoke("import", str(DATA / "google-forms.csv"), str(out), "--rubric", R)
    assert result.exit_code == 143, result.output
    assert "interrupted (SIGTERM); nothing was imported" in result.output
    assert "Traceback" not in result.output
    assert not list(out.glob("*.yaml"))
    _no_leftovers(out)


def test_sigterm_during_the_renames_lands_once_all_are_done(
    tmp_path: Path, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import signal

    real = os.replace
    calls: list[object] = []

    def replace_then_terminated(src: Any, dst: Any) -> None:
        calls.append(dst)
        if len(calls) == 1:
            os.kill(os.getpid(), signal.SIGTERM)
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace_then_terminated)
    out = tmp_path / "out"
    result = invoke("import", str(DATA / "google-forms.csv"), str(out), "--rubric", R)
    assert result.exit_code == 143, result.output
    assert "interrupted (SIGTERM); the import was complete: 2 files written" in result.output
    assert sorted(_files(out)) == ["mia-chen.yaml", "sam-ortiz.yaml"]
    _no_leftovers(out)


class _Killed(BaseException):
    """SIGKILL, as far as a test can have one: no handler, no message, no clean-up of ours."""


def test_a_kill_during_the_renames_is_reported_by_the_next_import_and_score(
    tmp_path: Path, invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from alignment_cli.files.writes import JOURNAL_NAME

    real = os.replace
    calls: list[object] = []

    def killed_after_one_file(src: Any, dst: Any) -> None:
        calls.append(dst)
        if len(calls) == 3:  # the journal, one answer file, then the kill
            raise _Killed
        real(src, dst)

    out = tmp_path / "out"
    csv_file = str(DATA / "google-forms.csv")
    with monkeypatch.context() as m:
        m.setattr(os, "replace", killed_after_one_file)
        with pytest.raises(_Killed):
            invoke("import", csv_file, str(out), "--rubric", R)
    journal = out / JOURNAL_NAME
    assert journal.read_text("utf-8").splitlines()[1:] == ["sam-ortiz.yaml", "mia-chen.yaml"]
    assert sorted(_files(out)) == ["sam-ortiz.yaml"]  # half applied: one file of two

    said = f"an import into {out} was interrupted while it renamed files into place"
    scored = invoke("score", str(out), "--rubric", R)
    assert scored.exit_code == 0, scored.output
    assert f"warning: {said}" in scored.output
    assert "sam-ortiz.yaml, mia-chen.yaml; run that import again" in scored.output

    again = invoke("import", csv_file, str(out), "--rubric", R)
    assert again.exit_code == 0, again.output
    assert f"warning: {said} ({journal} is left)" in again.output
    assert "1 new, 0 updated, 1 unchanged" in again.output
    assert sorted(_files(out)) == ["mia-chen.yaml", "sam-ortiz.yaml"]
    _no_leftovers(out)
    assert "interrupted" not in invoke("score", str(out), "--rubric", R).output


def test_a_csv_with_carriage_returns_only_imports(tmp_path: Path, invoke: Invoke) -> None:
    """Old Mac line endings (CR alone): each CR ends a row (exit 70 before)."""
    csv_path = tmp_path / "cr.csv"
    csv_path.write_bytes(
        b"Timestamp,Name,Role,lead-definition\r2026-11-03 10:00,Dana Lee,marketing,4\r"
        b"2026-11-03 11:00,Sam Ortiz,sales,2\r"
    )
    result = invoke("import", str(csv_path), str(tmp_path / "out"), "--rubric", R)
    assert result.exit_code == 0, result.output
    got = _files(tmp_path / "out")
    assert got["dana-lee.yaml"]["answers"] == {"lead-definition": 4}
    assert got["sam-ortiz.yaml"]["answers"] == {"lead-definition": 2}


@pytest.mark.parametrize("chunk", [5, 7, 1024 * 1024])
def test_only_cr_and_lf_end_lines_whatever_else_a_cell_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    # Python's str.splitlines also breaks at \v, \f, \x1c-\x1e, \x85, \u2028 and \u2029; a CSV
    # does not, and each record keeps the physical line it starts on, in any chunk size.
    from alignment_cli.survey import csvfile

    monkeypatch.setattr(csvfile, "CHUNK_BYTES", chunk)
    text = 'a,b\r\n"x\u2028y",z\x0c\n"p\nq",r\rs\x85,t\x1c\n\x0b,"\u2029"\n'
    path = _write(tmp_path, text)
    assert list(csvfile.CsvStream(path)) == [
        (1, ["a", "b"]),
        (2, ["x\u2028y", "z\x0c"]),
        (3, ["p\nq", "r"]),
        (5, ["s\x85", "t\x1c"]),
        (6, ["\x0b", "\u2029"]),
    ]
