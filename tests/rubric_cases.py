# ruff: noqa: E501 - expected messages stay whole, one line each, as the tool prints them
"""A small valid rubric as text, and mutations of it that each break one rule.

Shared by the validation tests (exact message and location) and the JSON Schema tests (the schema
and the validator agree). Line numbers in CASES refer to BASE after the edit, so BASE is written
out line by line: change it and the expected locations change with it.
"""

from __future__ import annotations

from dataclasses import dataclass

BASE = """\
id: test-rubric
version: 1.0.0
title: Test rubric
scale: {min: 1, max: 5}
levels:
  - {id: low, title: Low, min: 0}
  - {id: high, title: High, min: 50}
phases:
  - {id: assess, title: Assess}
  - {id: align, title: Align}
dimensions:
  - {id: definitions, title: Definitions}
  - {id: service, title: Service}
roles:
  - {id: sales, title: Sales}
  - {id: marketing, title: Marketing}
gap: [sales, marketing]
classifiers:
  - id: lead
    title: Who leads
    outcomes:
      - {id: sales-led, title: Sales-led}
      - {id: marketing-led, title: Marketing-led}
    fallback: sales-led
questions:
  - id: market
    phase: assess
    dimension: definitions
    type: choice
    weight: 0
    text: Market?
    options:
      - {value: new, label: New, signals: {marketing-led: 1}}
      - {value: old, label: Old, signals: {sales-led: 1}}
  - id: lead-definition
    phase: align
    dimension: definitions
    type: scale
    text: Defined?
    anchors:
      1: Nothing.
      5: Agreed.
  - id: sla
    phase: align
    dimension: service
    type: yesno
    text: SLA?
  - id: hours
    phase: align
    dimension: service
    type: number
    roles: [sales]
    when: answers.sla == true
    text: Hours?
    bands:
      - {min: 0, max: 1, score: 1}
      - {min: 1, max: 24, score: 0.5}
      - {min: 24, score: 0}
  - id: channels
    phase: align
    dimension: service
    type: multi
    text: Channels?
    options:
      - {value: crm, label: CRM, score: 0.5}
      - {value: context, label: Context, score: 0.5}
  - id: notes
    phase: align
    dimension: service
    type: text
    text: Anything else?
recommendations:
  - id: agree
    title: Agree
    body: Agree a definition.
    phase: align
    dimension: definitions
    trigger: question.lead_definition < 50
"""


def mutate(old: str, new: str, text: str = BASE) -> str:
    """BASE with one unique snippet replaced; fails loudly when the snippet is not unique."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


@dataclass(frozen=True)
class Case:
    """One broken rule: the edit, and the problem `rubric validate` reports for it."""

    name: str
    old: str
    new: str
    expected: str | tuple[str, ...]  # every problem, "LINE:COLUMN: path: message"
    schema: bool  # whether the JSON Schema alone can see this error

    @property
    def problems(self) -> list[str]:
        return [self.expected] if isinstance(self.expected, str) else list(self.expected)

    @property
    def text(self) -> str:
        return mutate(self.old, self.new)


CASES = [
    # Structure (pydantic models): the JSON Schema sees these too.
    Case(
        "unknown field",
        "    text: SLA?\n",
        "    text: SLA?\n    anchor: {1: x}\n",
        "48:5: questions[2].anchor: unknown field 'anchor' (did you mean 'anchors'?)",
        True,
    ),
    Case(
        "unknown top-level field",
        "gap: [sales",
        "questons: []\ngap: [sales",
        "17:1: questons: unknown field 'questons' (did you mean 'questions'?)",
        True,
    ),
    Case(
        "missing field",
        "    text: SLA?\n",
        "",
        "43:5: questions[2]: required field 'text' is missing",
        True,
    ),
    Case(
        "bad id",
        "  - id: sla\n",
        "  - id: SLA_exists\n",
        "43:9: questions[2].id: 'SLA_exists' is not a valid id: use lower-case letters, digits and single hyphens, starting with a letter",
        True,
    ),
    Case(
        "version read as a number",
        "version: 1.0.0",
        "version: 1.0",
        '2:10: version: expected text; YAML reads 1.0 as a number: write "1.0" in quotes',
        True,
    ),
    Case(
        "version not semantic",
        "version: 1.0.0",
        "version: v1",
        "2:10: version: 'v1' is not a version like 1.0.0",
        True,
    ),
    Case(
        "option value read as true/false",
        "{value: old, label: Old",
        "{value: no, label: Old",
        '34:17: questions[0].options[1].value: expected text; YAML reads no as false: write "no" in quotes',
        True,
    ),
    Case(
        "option score above 1",
        "{value: crm, label: CRM, score: 0.5}",
        "{value: crm, label: CRM, score: 1.5}",
        "65:41: questions[4].options[0].score: must be at most 1, got 1.5",
        True,
    ),
    Case(
        "option score below 0",
        "{value: crm, label: CRM, score: 0.5}",
        "{value: crm, label: CRM, score: -0.5}",
        "65:41: questions[4].options[0].score: must be at least 0, got -0.5",
        True,
    ),
    Case(
        "weight not a number",
        "    weight: 0\n",
        "    weight: heavy\n",
        "30:13: questions[0].weight: expected a number, got 'heavy'",
        True,
    ),
    Case(
        "negative weight",
        "    weight: 0\n",
        "    weight: -1\n",
        "30:13: questions[0].weight: must be at least 0, got -1",
        True,
    ),
    Case(
        "infinite dimension weight",
        "{id: service, title: Service}",
        "{id: service, title: Service, weight: .inf}",
        "13:43: dimensions[1].weight: must be a finite number, got inf",
        False,  # JSON has no infinity, so JSON Schema cannot say "finite"
    ),
    Case(
        "unknown question type",
        "    type: yesno\n",
        "    type: boolean\n",
        "46:11: questions[2].type: must be one of scale, choice, multi, yesno, number, text; got 'boolean'",
        True,
    ),
    Case(
        "unknown priority",
        "    trigger: question",
        "    priority: urgent\n    trigger: question",
        "78:15: recommendations[0].priority: must be one of high, medium, low; got 'urgent'",
        True,
    ),
    Case(
        "empty text",
        "    text: SLA?\n",
        "    text: ''\n",
        "47:11: questions[2].text: must not be empty",
        True,
    ),
    Case(
        "null text",
        "    text: SLA?\n",
        "    text:\n",
        "47:10: questions[2].text: expected text, got nothing (null)",
        True,
    ),
    Case(
        "anchor key not a number",
        "      5: Agreed.\n",
        "      high: Agreed.\n",
        "42:7: questions[1].anchors.high: expected a whole number, got 'high'",
        True,
    ),
    Case(
        "a question that is not a mapping",
        "  - id: notes\n    phase: align\n    dimension: service\n    type: text\n    text: Anything else?\n",
        "  - notes\n",
        "67:5: questions[5]: expected a mapping of fields, got 'notes'",
        True,
    ),
    Case(
        "questions not a list",
        "questions:\n  - id: market",
        "questions: {}\nold_questions:\n  - id: market",
        (
            "25:1: questions: expected a list, got a mapping",
            "26:1: old_questions: unknown field 'old_questions' (did you mean 'questions'?)",
        ),
        True,
    ),
    Case(
        "too few outcomes",
        "      - {id: marketing-led, title: Marketing-led}\n",
        "",
        "21:5: classifiers[0].outcomes: needs at least 2 items, found 1",
        True,
    ),
    Case(
        "gap of three roles",
        "gap: [sales, marketing]",
        "gap: [sales, marketing, sales]",
        "17:1: gap: takes at most 2 items, found 3",
        True,
    ),
    Case(
        "a role weight of 0",
        "gap: [sales, marketing]",
        "gap: [sales, marketing]\nrole_weights: {sales: 0}",
        "18:23: role_weights.sales: must be above 0, got 0",
        True,
    ),
    Case(
        "a negative role weight",
        "gap: [sales, marketing]",
        "gap: [sales, marketing]\nrole_weights: {marketing: -1}",
        "18:27: role_weights.marketing: must be above 0, got -1",
        True,
    ),
    Case(
        "a minimum group size of 0",
        "gap: [sales, marketing]",
        "gap: [sales, marketing]\nmin_group_size: 0",
        "18:17: min_group_size: must be at least 1, got 0",
        True,
    ),
    Case(
        "an unknown don't-know policy",
        "gap: [sales, marketing]",
        "gap: [sales, marketing]\nunknown: ignore",
        "18:10: unknown: must be one of lowest, exclude; got 'ignore'",
        True,
    ),
    Case(
        "margin above 1",
        "    fallback: sales-led\n",
        "    fallback: sales-led\n    margin: 2\n",
        "25:13: classifiers[0].margin: must be at most 1, got 2",
        True,
    ),
    Case(
        "level min above 100",
        "{id: high, title: High, min: 50}",
        "{id: high, title: High, min: 150}",
        "7:34: levels[1].min: must be at most 100, got 150",
        True,
    ),
    # Rules for one question's type: the JSON Schema sees these too (allOf / if / then).
    Case(
        "anchors on a yesno question",
        "    text: SLA?\n",
        "    text: SLA?\n    anchors: {1: Never.}\n",
        "48:5: questions[2].anchors: anchors are for scale questions, not yesno",
        True,
    ),
    Case(
        "options on a yesno question",
        "    text: SLA?\n",
        "    text: SLA?\n    options: [{value: a, label: A}, {value: b, label: B}]\n",
        "48:5: questions[2].options: options are for choice and multi questions, not yesno",
        True,
    ),
    Case(
        "bands on a scale question",
        "    text: Defined?\n",
        "    text: Defined?\n    bands: [{score: 1}]\n",
        "40:5: questions[1].bands: bands are for number questions, not scale",
        True,
    ),
    Case(
        "invert on a scale question",
        "    text: Defined?\n",
        "    text: Defined?\n    invert: true\n",
        "40:13: questions[1].invert: invert is for yesno questions, not scale",
        True,
    ),
    Case(
        "unit on a scale question",
        "    text: Defined?\n",
        "    text: Defined?\n    unit: hours\n",
        "40:11: questions[1].unit: unit is for number questions, not scale",
        True,
    ),
    Case(
        "evidence on a scale question",
        "    text: Defined?\n",
        "    text: Defined?\n    evidence: speed_to_lead_hours\n",
        "40:15: questions[1].evidence: evidence is for number questions, not scale",
        True,
    ),
    Case(
        "an unknown metric as evidence",
        "    text: Hours?\n",
        "    text: Hours?\n    unit: hours\n    evidence: speed_to_lead\n",
        "56:15: questions[3].evidence: unknown metric 'speed_to_lead' (did you mean "
        "'speed_to_lead_hours'?)",
        True,
    ),
    Case(
        "a metric whose unit the question cannot read",
        "    text: Hours?\n",
        "    text: Hours?\n    unit: percent\n    evidence: speed_to_lead_hours\n",
        "56:15: questions[3].evidence: metric 'speed_to_lead_hours' is in hours; the "
        "question's unit 'percent' cannot read it (use one of 'hours', 'hour', 'h', "
        "'minutes', 'days')",
        False,
    ),
    Case(
        "scale on a number question",
        "    text: Hours?\n",
        "    text: Hours?\n    scale: {min: 0, max: 10}\n",
        "55:5: questions[3].scale: scale is for scale questions, not number",
        True,
    ),
    Case(
        "one option",
        "      - {value: context, label: Context, score: 0.5}\n",
        "",
        "64:5: questions[4].options: a multi question needs at least two options",
        True,
    ),
    Case(
        "number question without bands",
        "    bands:\n      - {min: 0, max: 1, score: 1}\n      - {min: 1, max: 24, score: 0.5}\n      - {min: 24, score: 0}\n",
        "",
        "48:5: questions[3]: a number question needs bands, a curve or targets that score its answers",
        True,
    ),
    Case(
        "reserved option value",
        "{value: context, label: Context",
        "{value: unknown, label: Context",
        "66:17: questions[4].options[1].value: 'unknown' is reserved for every question",
        True,
    ),
    # Rules over the whole rubric: only `alignment rubric validate` sees these.
    Case(
        "unknown phase",
        "    phase: assess\n",
        "    phase: asess\n",
        "27:12: questions[0].phase: unknown phase 'asess' (did you mean 'assess'?)",
        False,
    ),
    Case(
        "unknown dimension",
        "    dimension: definitions\n    type: scale",
        "    dimension: culture\n    type: scale",
        "37:16: questions[1].dimension: unknown dimension 'culture'",
        False,
    ),
    Case(
        "unknown role",
        "    roles: [sales]\n",
        "    roles: [sale]\n",
        "52:13: questions[3].roles[0]: unknown role 'sale' (did you mean 'sales'?)",
        False,
    ),
    Case(
        "duplicate question id",
        "  - id: notes\n",
        "  - id: channels\n",
        "67:9: questions[5].id: duplicate id 'channels' (first at questions[4])",
        False,
    ),
    Case(
        "duplicate phase id",
        "  - {id: align, title: Align}\n",
        "  - {id: align, title: Align}\n  - {id: assess, title: Again}\n",
        "11:10: phases[2].id: duplicate id 'assess' (first at phases[0])",
        False,
    ),
    Case(
        "duplicate option value",
        "{value: context, label: Context",
        "{value: crm, label: Context",
        "66:17: questions[4].options[1].value: duplicate value 'crm' (first at questions[4].options[0])",
        False,
    ),
    Case(
        "condition that does not compile",
        "    when: answers.sla == true\n",
        "    when: answers.sla ==\n",
        "53:11: questions[3].when: condition does not compile: unexpected ')'",
        False,
    ),
    Case(
        "condition naming an unknown question",
        "    when: answers.sla == true\n",
        "    when: answers.sl == true\n",
        "53:11: questions[3].when: condition names unknown question 'sl' (did you mean 'sla'?)",
        False,
    ),
    Case(
        "condition naming a later question",
        "    when: answers.sla == true\n",
        "    when: answers.channels == ['crm']\n",
        "53:11: questions[3].when: condition names 'channels', a later question",
        False,
    ),
    Case(
        "condition naming its own question",
        "    when: answers.sla == true\n",
        "    when: answers.hours > 1\n",
        "53:11: questions[3].when: condition names the question itself",
        False,
    ),
    Case(
        "condition calling a function",
        "    when: answers.sla == true\n",
        "    when: answers.sla.upper() == 'YES'\n",
        "53:11: questions[3].when: condition may not call functions or methods",
        False,
    ),
    Case(
        "condition naming something other than answers",
        "    when: answers.sla == true\n",
        "    when: dimension.service < 50\n",
        "53:11: questions[3].when: condition names unknown variable 'dimension' (known: answers)",
        False,
    ),
    Case(
        "bands with a gap",
        "{min: 1, max: 24, score: 0.5}",
        "{min: 2, max: 24, score: 0.5}",
        "57:15: questions[3].bands[1].min: gap between bands: nothing scores values from 1 to 2",
        False,
    ),
    Case(
        "bands that overlap",
        "{min: 24, score: 0}",
        "{min: 12, score: 0}",
        "58:15: questions[3].bands[2].min: bands overlap: 12 is below the previous band's max 24",
        False,
    ),
    Case(
        "band with min above max",
        "{min: 0, max: 1, score: 1}",
        "{min: 1, max: 0, score: 1}",
        (
            "56:23: questions[3].bands[0].max: must be above min (1), got 0",
            "57:15: questions[3].bands[1].min: gap between bands: nothing scores values from 0 to 1",
        ),
        False,
    ),
    Case(
        "a middle band without min",
        "{min: 1, max: 24, score: 0.5}",
        "{max: 24, score: 0.5}",
        "57:9: questions[3].bands[1]: only the first band may leave out min",
        False,
    ),
    Case(
        "levels not ascending",
        "{id: high, title: High, min: 50}",
        "{id: high, title: High, min: 0}",
        "7:34: levels[1].min: levels must ascend: 0 is not above 0 of 'low'",
        False,
    ),
    Case(
        "first level not at 0",
        "{id: low, title: Low, min: 0}",
        "{id: low, title: Low, min: 10}",
        "6:32: levels[0].min: the first level must start at 0, not 10",
        False,
    ),
    Case(
        "anchor outside the scale",
        "      5: Agreed.\n",
        "      6: Agreed.\n",
        "42:7: questions[1].anchors[6]: anchor 6 is outside the scale 1..5",
        False,
    ),
    Case(
        "rubric scale upside down",
        "scale: {min: 1, max: 5}",
        "scale: {min: 5, max: 1}",
        "4:22: scale.max: must be above min (5), got 1",
        False,
    ),
    Case(
        "gap naming an unknown role",
        "gap: [sales, marketing]",
        "gap: [sales, marketeers]",
        "17:14: gap[1]: unknown role 'marketeers' (did you mean 'marketing'?)",
        False,
    ),
    Case(
        "role weights naming an unknown role",
        "gap: [sales, marketing]",
        "gap: [sales, marketing]\nrole_weights: {sales: 2, cfo: 1}",
        "18:26: role_weights.cfo: unknown role 'cfo'",
        False,
    ),
    Case(
        "leadership naming an unknown role",
        "gap: [sales, marketing]",
        "gap: [sales, marketing]\nleadership: ceo",
        "18:13: leadership: unknown role 'ceo'",
        False,
    ),
    Case(
        "gap naming one role twice",
        "gap: [sales, marketing]",
        "gap: [sales, sales]",
        "17:1: gap: must name two different roles",
        False,
    ),
    Case(
        "some options scored, some not",
        "{value: context, label: Context, score: 0.5}",
        "{value: context, label: Context}",
        "66:9: questions[4].options[1]: missing score: score every option or none",
        False,
    ),
    Case(
        "scored question with nothing to score",
        "{value: crm, label: CRM, score: 0.5}\n      - {value: context, label: Context, score: 0.5}",
        "{value: crm, label: CRM}\n      - {value: context, label: Context}",
        "64:5: questions[4].options: no option has a score or signals: set weight 0 for context",
        False,
    ),
    Case(
        "signal naming an unknown outcome",
        "signals: {sales-led: 1}",
        "signals: {sale-led: 1}",
        "34:44: questions[0].options[1].signals.sale-led: unknown outcome 'sale-led' (did you mean 'sales-led'?)",
        False,
    ),
    Case(
        "unknown fallback outcome",
        "    fallback: sales-led\n",
        "    fallback: balanced\n",
        "24:15: classifiers[0].fallback: unknown outcome 'balanced'",
        False,
    ),
    Case(
        "trigger naming an unknown dimension",
        "    trigger: question.lead_definition < 50\n",
        "    trigger: dimension.definition < 50\n",
        "78:14: recommendations[0].trigger: trigger names unknown dimension 'definition' (did you mean 'definitions'?)",
        False,
    ),
    Case(
        "trigger naming an unscored question",
        "    trigger: question.lead_definition < 50\n",
        "    trigger: question.market < 50\n",
        "78:14: recommendations[0].trigger: trigger names unknown scored question 'market'",
        False,
    ),
    Case(
        "trigger using a filter that is not allowed",
        "    trigger: question.lead_definition < 50\n",
        "    trigger: question.lead_definition | attr('x')\n",
        "78:14: recommendations[0].trigger: trigger may not use the filter 'attr'",
        False,
    ),
    Case(
        "recommendation in an unknown phase",
        "    phase: align\n    dimension: definitions\n    trigger",
        "    phase: aligned\n    dimension: definitions\n    trigger",
        "76:12: recommendations[0].phase: unknown phase 'aligned' (did you mean 'align'?)",
        False,
    ),
]
