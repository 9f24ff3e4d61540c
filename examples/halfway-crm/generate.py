"""Writes the halfway engagement's CRM exports (Salesforce Data Loader CSVs), deterministically.

Brightwater Components, April to June 2026 (the quarter the halfway respondents answer about):
inside sales calls web leads within hours, field reps batch their calls on Fridays, some leads
are never logged. Names, e-mails and ids are made up. Run from the repository root:

    python examples/halfway-crm/generate.py
    ALIGNMENT_NOW=2026-09-24T12:00:00Z alignment evidence import examples/halfway-crm/*.csv \\
        --into examples/halfway --mapping examples/halfway-crm/mapping.yaml
"""

from __future__ import annotations

import csv
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
START = datetime(2026, 4, 1, tzinfo=UTC)
DAYS = 91
LEADS = 400
SOURCES = [  # (LeadSource, weight, marketing?)
    ("Web", 30, True),
    ("Trade Show", 14, True),
    ("Webinar", 10, True),
    ("Content", 6, True),
    ("Cold Call", 16, False),
    ("Outbound", 9, False),
    ("Partner Referral", 8, None),
    ("", 7, None),
]


def sf_time(t: datetime) -> str:
    """As Data Loader writes it: 2026-07-01T09:00:00.000+0000."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def ident(prefix: str, n: int) -> str:
    return f"{prefix}5g00000{n:08d}"


def working_time(rng: random.Random) -> datetime:
    day = START + timedelta(days=rng.randrange(DAYS))
    if day.weekday() >= 5 and rng.random() < 0.7:
        day += timedelta(days=7 - day.weekday())
    return day + timedelta(hours=rng.uniform(6, 17))  # UTC; Oslo is UTC+2 in summer


def first_touch(rng: random.Random, created: datetime, source: str) -> datetime | None:
    if rng.random() < 0.16:
        return None  # never logged
    inside = source in ("Web", "Webinar", "Content") and rng.random() < 0.8
    if inside:
        return created + timedelta(hours=rng.lognormvariate(0.8, 1.0))
    if rng.random() < 0.6:  # a field rep calls the same or next day
        return created + timedelta(hours=rng.uniform(1, 26))
    friday = created + timedelta(days=(4 - created.weekday()) % 7 or 7)
    return friday.replace(hour=8, minute=0) + timedelta(hours=rng.uniform(0, 6))


def main(out: Path = HERE) -> None:
    rng = random.Random(14)
    leads, tasks, opps = [], [], []
    task_n = opp_n = 0
    weights = [w for _, w, _ in SOURCES]
    for i in range(1, LEADS + 1):
        source, _, marketing = rng.choices(SOURCES, weights)[0]
        created = working_time(rng)
        touch = first_touch(rng, created, source)
        converted = touch is not None and rng.random() < 0.22
        opp_id = ""
        if converted:
            opp_n += 1
            opp_id = ident("006", opp_n)
            won_or_lost = rng.random()
            close = (touch or created) + timedelta(days=rng.uniform(20, 120))
            closed = close < datetime(2026, 9, 15, tzinfo=UTC)
            stage = (
                ("Closed Won" if won_or_lost < 0.3 else "Closed Lost")
                if closed
                else rng.choice(["Qualification", "Needs Analysis", "Proposal/Price Quote"])
            )
            big = rng.random() < (0.3 if marketing else 0.45)
            amount = round(rng.uniform(60_000, 240_000) if big else rng.uniform(6_000, 40_000), -2)
            opps.append(
                {
                    "Id": opp_id,
                    "Name": f"Brightwater - deal {opp_n:03d}",
                    "Amount": "" if rng.random() < 0.06 else f"{amount:.2f}",
                    "StageName": stage,
                    "IsClosed": str(closed).lower(),
                    "IsWon": str(stage == "Closed Won").lower(),
                    "CloseDate": close.date().isoformat(),
                    "LeadSource": source,
                    "CreatedDate": sf_time((touch or created) + timedelta(days=3)),
                }
            )
        leads.append(
            {
                "Id": ident("00Q", i),
                "FirstName": f"Lead{i:03d}",
                "LastName": "Example",
                "Email": f"lead{i:03d}@example.com",
                "Company": f"Prospect {i:03d} GmbH",
                "CreatedDate": sf_time(created),
                "Status": "Converted" if converted else rng.choice(["Open", "Working", "Nurture"]),
                "LeadSource": source,
                "IsConverted": str(converted).lower(),
                "ConvertedDate": ((touch or created) + timedelta(days=3)).date().isoformat()
                if converted
                else "",
                "ConvertedOpportunityId": opp_id,
                "OwnerId": ident("005", rng.randrange(1, 9)),
            }
        )
        if touch is not None:
            at = touch
            for _ in range(rng.randint(1, 4)):
                task_n += 1
                tasks.append(
                    {
                        "Id": ident("00T", task_n),
                        "WhoId": ident("00Q", i),
                        "Subject": "Call" if rng.random() < 0.6 else "Email",
                        "TaskSubtype": rng.choice(["Call", "Email", "Task"]),
                        "CreatedDate": sf_time(at),
                        "Status": "Completed",
                    }
                )
                at += timedelta(hours=rng.uniform(20, 100))
    for _ in range(60):  # opportunities sales opened without a lead: renewals, key accounts
        opp_n += 1
        source = rng.choice(["Cold Call", "Outbound", "Partner Referral", ""])
        created = working_time(rng)
        close = created + timedelta(days=rng.uniform(30, 150))
        closed = close < datetime(2026, 9, 15, tzinfo=UTC)
        stage = (
            rng.choice(["Closed Won", "Closed Lost"])
            if closed
            else rng.choice(["Qualification", "Proposal/Price Quote", "Negotiation/Review"])
        )
        opps.append(
            {
                "Id": ident("006", opp_n),
                "Name": f"Brightwater - deal {opp_n:03d}",
                "Amount": f"{round(rng.uniform(20_000, 180_000), -2):.2f}",
                "StageName": stage,
                "IsClosed": str(closed).lower(),
                "IsWon": str(stage == "Closed Won").lower(),
                "CloseDate": close.date().isoformat(),
                "LeadSource": source,
                "CreatedDate": sf_time(created),
            }
        )
    for name, rows in (("Lead.csv", leads), ("Task.csv", tasks), ("Opportunity.csv", opps)):
        with (out / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)


if __name__ == "__main__":
    import sys

    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
