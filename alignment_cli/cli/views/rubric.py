"""Rubrics as people and scripts see them: a rich tree, JSON, and the JSON Schema."""

from __future__ import annotations

import json
from typing import Any

from pydantic.json_schema import GenerateJsonSchema
from rich.markup import escape
from rich.tree import Tree

from alignment_cli.model.models import Question, Rubric
from alignment_cli.model.qtypes import KINDS
from alignment_cli.model.rubric import LoadedRubric

SCHEMA_FILE = "rubric.schema.json"


def valid_answers(q: Question, rubric: Rubric) -> dict[str, Any]:
    """What an answer to `q` may be, in a form scripts can check against."""
    reserved = ["unknown", "n/a"] if q.allow_na else ["unknown"]  # models.RESERVED_ANSWERS
    out: dict[str, Any] = {"type": q.type.value, "reserved": reserved}
    out.update(KINDS[q.type].answers_spec(q, rubric))
    return out


def form_size(loaded: LoadedRubric, role: str) -> dict[str, int]:
    """How many questions `role`'s form has, and how many of them are asked on a condition."""
    asked = loaded.questions_for(role)
    return {"questions": len(asked), "conditional": sum(q.id in loaded.conditions for q in asked)}


def form_text(loaded: LoadedRubric, role: str) -> str:
    """'12 questions (3 conditional), about 20 minutes, in group sales': one role's form."""
    size = form_size(loaded, role)
    n, c = size["questions"], size["conditional"]
    out = f"{n} question{'' if n == 1 else 's'}" + (f" ({c} conditional)" if c else "")
    minutes = next(x.minutes for x in loaded.rubric.roles if x.id == role)
    if minutes is not None:
        out += f", about {minutes} minute{'' if minutes == 1 else 's'}"
    if loaded.group_of(role) != role:
        out += f", in group {loaded.group_of(role)}"
    return out


def rubric_as_json(loaded: LoadedRubric, role: str | None = None) -> dict[str, Any]:
    """The rubric with each question's valid answers and each role's form size; with `role`,
    only the questions that role is asked."""
    r = loaded.rubric
    data = r.model_dump(mode="json", exclude_defaults=False)
    for q, qdata in zip(r.questions, data["questions"], strict=True):
        qdata["answers"] = valid_answers(q, r)
        qdata["scored"] = q.scored
    for x, xdata in zip(r.roles, data["roles"], strict=True):
        xdata.update(form_size(loaded, x.id))
    if role is not None:
        asked = {q.id for q in loaded.questions_for(role)}
        data["questions"] = [q for q in data["questions"] if q["id"] in asked]
        data["form"] = {"role": role, **form_size(loaded, role)}
    data["content_hash"] = loaded.content_hash
    data["source"] = str(loaded.path)
    return data


def rubric_tree(loaded: LoadedRubric, role: str | None = None) -> Tree:
    """The rubric as a tree; with `role`, only the questions that role's form has."""
    r = loaded.rubric
    asked = {q.id for q in loaded.questions_for(role)}
    size = f"{len(r.questions)} questions"
    if role is not None:
        size = f"form of {role}: {form_text(loaded, role)}"
    root = Tree(f"[bold]{escape(r.title)}[/bold]  {r.id} {r.version}  ({size})")
    dims = {d.id: d for d in r.dimensions}
    dim_node = root.add("[bold]Dimensions[/bold]")
    for d in r.dimensions:
        dim_node.add(f"{escape(d.title)} [dim]({d.id}, weight {d.weight:g})[/dim]")
    roles = ", ".join(f"{escape(x.title)} [dim]({x.id})[/dim]" for x in r.roles)
    gap = f"  [dim]gap: {r.gap[0]} minus {r.gap[1]}[/dim]" if r.gap else ""
    role_node = root.add(f"[bold]Roles[/bold] {roles}{gap}")
    for x in r.roles:  # each role's form: what a respondent of it is asked
        role_node.add(f"{x.id}: {form_text(loaded, x.id)}")
    lv = root.add("[bold]Levels[/bold]")
    for level in r.levels:
        lv.add(f"{level.min:g}+  {escape(level.title)}")
    for p in r.phases:
        pn = root.add(f"[bold]Phase: {escape(p.title)}[/bold] [dim]({p.id})[/dim]")
        for q in (q for q in r.questions if q.phase == p.id and q.id in asked):
            roles = ", ".join(q.roles) if q.roles else "all roles"
            flags = [q.type.value, dims[q.dimension].title if q.dimension in dims else q.dimension]
            flags.append(roles)
            if not q.scored:
                flags.append("unscored")
            elif q.weight != 1:
                flags.append(f"weight {q.weight:g}")
            qn = pn.add(f"[cyan]{q.id}[/cyan] {escape(q.text)} [dim]({'; '.join(flags)})[/dim]")
            if q.when:
                counted = "; skipped counts as 0" if q.skipped == "lowest" else ""
                qn.add(f"[dim]asked when {escape(q.when)}{counted}[/dim]")
            for key, text in sorted(q.anchors.items()):
                qn.add(f"{key}: {escape(text)}")
            for o in q.options:
                score = "" if o.score is None else f" = {o.score:g}"
                qn.add(f"{escape(o.value)}: {escape(o.label)}{score}")
            for b in q.bands:
                lo = "" if b.min is None else f"{b.min:g}"
                hi = "" if b.max is None else f"{b.max:g}"
                qn.add(f"[{lo}, {hi}) {escape(q.unit)} = {b.score:g} {escape(b.label)}")
            if q.curve is not None:
                c = q.curve
                lo = "" if c.min is None else f"{c.min:g}"
                hi = "" if c.max is None else f"{c.max:g}"
                points = ", ".join(f"{p.at:g} → {p.score:g}" for p in c.points)
                qn.add(f"{c.axis} curve {escape(q.unit)}: {points} (accepts {lo}..{hi})")
            for t in q.targets:
                cond = f"when {escape(t.when)}" if t.when else "otherwise"
                away = {"both": "±", "at_least": "−", "at_most": "+"}[q.target_side]
                side = "" if q.target_side == "both" else f"{q.target_side.replace('_', ' ')}; "
                qn.add(f"target {escape(str(t.value))} {cond} ({side}0 at {away}{q.tolerance:g})")
    for clf in r.classifiers:
        settings = [f"margin {clf.margin:g}"]
        if clf.fallback:
            settings.append(f"fallback {clf.fallback}")
        if clf.current:
            settings.append(f"today from {clf.current}")
        cn = root.add(
            f"[bold]Classifier: {escape(clf.title)}[/bold] [dim]({clf.id}; "
            f"{'; '.join(settings)})[/dim]"
        )
        for outcome in clf.outcomes:
            cn.add(f"{outcome.id}: {escape(outcome.title)}")
    if r.recommendations:
        rn = root.add(f"[bold]Recommendations[/bold] ({len(r.recommendations)})")
        for rec in r.recommendations:
            rn.add(
                f"[cyan]{rec.id}[/cyan] {escape(rec.title)} [dim]when {escape(rec.trigger)}[/dim]"
            )
    return root


class _Schema(GenerateJsonSchema):
    """pydantic's generator without the per-field titles ('Id', 'Phase'), which only repeat the
    field name in an editor's hover; models keep their titles, fields their descriptions."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def rubric_json_schema() -> dict[str, Any]:
    """The JSON Schema of the rubric format (draft 2020-12), for editors and other tools.

    It holds every rule that can be said about one field or one question; rules that need the
    whole rubric (references between ids, order, band coverage, conditions) are checked by
    `alignment rubric validate` only.
    """
    schema = Rubric.model_json_schema(schema_generator=_Schema)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "alignment rubric",
        "description": (
            "A rubric of the alignment tool (docs/rubric-format.md). References between ids, "
            "order and conditions are checked by `alignment rubric validate`."
        ),
        **{k: v for k, v in schema.items() if k not in ("title", "description")},
    }


ENGAGEMENT_SCHEMA_FILE = "alignment.schema.json"


def engagement_json_schema() -> dict[str, Any]:
    """The JSON Schema of an engagement's alignment.yaml (organisation, rubric, targets, gates
    and the consultant's `report:` layer). Recommendation ids are checked against the rubric
    by `alignment report` and `alignment score` only."""
    from alignment_cli.files.engagement import EngagementConfig

    schema = EngagementConfig.model_json_schema(schema_generator=_Schema)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "alignment engagement (alignment.yaml)",
        "description": (
            "An engagement's settings (docs/templates.md for `report:`). Whether the "
            "recommendations `report:` corrects exist is checked against the rubric when scoring."
        ),
        **{k: v for k, v in schema.items() if k not in ("title", "description")},
    }


def engagement_schema_text() -> str:
    """As committed in rubrics/alignment.schema.json (a test keeps the two equal)."""
    return json.dumps(engagement_json_schema(), indent=2, ensure_ascii=False) + "\n"


def schema_text() -> str:
    """The schema as committed in rubrics/rubric.schema.json (a test keeps the two equal)."""
    return json.dumps(rubric_json_schema(), indent=2, ensure_ascii=False) + "\n"
