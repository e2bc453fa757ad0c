"""The daily report's figures, read from the ``daily_label_counts`` view (the dashboards' contract)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from copytrace.reports.formatting import md_escape
from models.pairs import LABELS

BAR = "█"


def counts_by_day(session: Session, first: date, last: date) -> dict[str, dict[str, int]]:
    """{day: {label: copies}} for every day from ``first`` to ``last`` (days without copies included)."""
    rows = session.execute(
        text(
            "SELECT day, label, SUM(copies) AS n FROM daily_label_counts "
            "WHERE day >= :first AND day <= :last GROUP BY day, label"
        ),
        {"first": first.isoformat(), "last": last.isoformat()},
    )
    out: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(LABELS, 0))
    for day, label, n in rows:
        out[str(day)][label] = int(n)
    return {
        (first + timedelta(d)).isoformat(): dict(out[(first + timedelta(d)).isoformat()])
        for d in range((last - first).days + 1)
    }


def daily_report_markdown(session: Session, day: date, history_days: int = 14) -> tuple[str, dict]:
    """Markdown for the day against the previous week, with an inline chart of copies per day by label."""
    days = counts_by_day(session, day - timedelta(days=history_days - 1), day)
    today = days[day.isoformat()]
    week = [days[(day - timedelta(d)).isoformat()] for d in range(1, 8) if (day - timedelta(d)).isoformat() in days]
    lines = [
        f"# copytrace daily report · {day.isoformat()}",
        "",
        "| label | today | previous 7-day mean | change |",
        "|---|---:|---:|---:|",
    ]
    figures = {}
    for label in LABELS:
        mean = sum(w[label] for w in week) / len(week) if week else 0.0
        change = "new" if mean == 0 and today[label] else (f"{(today[label] - mean) / mean:+.0%}" if mean else "–")
        lines.append(f"| {md_escape(label)} | {today[label]} | {mean:.1f} | {change} |")
        figures[label] = {"today": today[label], "week_mean": round(mean, 2)}
    peak = max((sum(c.values()) for c in days.values()), default=0) or 1
    lines += ["", f"## Copies per day by label (last {history_days} days)", "", "```"]
    for d, counts in days.items():
        total = sum(counts.values())
        parts = " ".join(f"{label[0].upper()}{counts[label]}" for label in LABELS if counts[label])
        lines.append(f"{d} {BAR * round(30 * total / peak):<30} {total:>5}  {parts}")
    lines += ["```", "", "O = original, R = rewrite, E = excerpt, S = spam-wrapped"]
    return "\n".join(lines) + "\n", figures
