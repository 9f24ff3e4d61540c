"""The evidence as lines of text for `alignment evidence show` (the CLI prints them)."""

from __future__ import annotations

from typing import Any

from alignment_cli.model.metrics import METRICS


def value_text(unit: str, value: float) -> str:
    if unit == "share":
        return f"{value * 100:.1f}%"
    return f"{value:.1f} {unit}"


def lines(data: dict[str, Any]) -> list[str]:
    period = data.get("period") or {}
    out = [
        f"CRM evidence, {period.get('from')} to {period.get('to')} "
        f"(imported {data.get('imported')})",
        "sources: "
        + "; ".join(
            f"{s['file']} ({s['kind']}, {s['rows']} rows)" for s in data.get("sources", [])
        ),
        "",
    ]
    metrics = data.get("metrics", {})
    for mid, metric in METRICS.items():
        got = metrics.get(mid)
        if not isinstance(got, dict) or got.get("value") is None:
            continue
        unit = str(got.get("unit", metric.unit))
        text = f"{metric.title}: {value_text(unit, float(got['value']))} (n={got.get('n')})"
        if got.get("p90") is not None:
            text += f", p90 {value_text(unit, float(got['p90']))}"
        business = got.get("business_hours")
        if isinstance(business, dict) and business.get("median") is not None:
            text += (
                f"; in business hours {value_text(unit, float(business['median']))}"
                f", p90 {value_text(unit, float(business['p90']))}"
            )
        if got.get("sla_hours") is not None:
            text += f"; SLA {float(got['sla_hours']):g} hours"
        out.append(text)
        by_source = got.get("by_source")
        if isinstance(by_source, dict):
            for cls, part in by_source.items():
                out.append(f"  {cls}: {value_text(unit, float(part['value']))} (n={part['n']})")
    unmeasured = data.get("unmeasured") or {}
    if unmeasured:
        out.append("")
        out.append("not measured:")
        for mid, why in unmeasured.items():
            out.append(f"  {mid}: {why}")
    return out
