"""The artifacts an operator reads: findings sorted and narrow, titles of the article, paths relative."""

from __future__ import annotations

from copytrace.reports.artifacts import errors_table, findings_markdown
from copytrace.reports.run_summary import RunSummary
from copytrace.reports.titles import core_headline, display_title

LANDING = "/srv/landing"


def _finding(label: str, confidence: float, n: int, **extra) -> dict:
    return {
        "label": label,
        "locator": f"{LANDING}/feeds/site-{n}/a-very-long-file-name-for-copy-number-{n}-of-the-day.txt",
        "site": "",
        "title": f"Title {n} " + "word " * 40,
        "source": f"https://www.publisher.example/news/2026/12/06/an-article-slug-that-goes-on-and-on-{n}",
        "confidence": confidence,
        "reasons": [f"reason {n}: " + "because " * 40, "a second reason"],
        **extra,
    }


def test_findings_are_sorted_by_label_then_confidence_in_narrow_columns():
    findings = [
        _finding("rewrite", 0.71, 1),
        _finding("spam-wrapped", 0.62, 2, site="spam.example"),
        _finding("rewrite", 0.93, 3),
        _finding("spam-wrapped", 0.97, 4, site="spam.example"),
    ]
    markdown = findings_markdown(RunSummary(findings=findings, landing=LANDING))
    lines = markdown.splitlines()
    sections = [line for line in lines if line.startswith("## ")]
    assert sections == ["## spam\\-wrapped (2)", "## rewrite (2)"]  # the label acted on first, first
    rows = [line for line in lines if line.startswith("| ") and "---" not in line and not line.startswith("| site")]
    assert [row.split(" | ")[3] for row in rows] == ["0.97", "0.62", "0.93", "0.71"]  # then by confidence
    assert all(row.count(" | ") == 4 for row in rows)
    assert max(len(row.replace("\\", "")) for row in rows) < 140  # cells capped: a row fits the artifact page
    assert "a second reason" not in markdown  # one reason a row
    assert "srv" not in markdown and "| feeds\\/s…" in markdown  # paths relative to the landing folder
    assert "https" not in markdown  # a source URL without its scheme
    assert "Copying sites: spam\\.example (2)" in markdown


def test_a_long_list_is_cut_with_a_note_before_the_table():
    findings = [_finding("rewrite", 0.5 + i / 1000, i) for i in range(80)]
    markdown = findings_markdown(RunSummary(findings=findings, landing=LANDING), limit=60)
    assert "First 60 of 80 shown" in markdown
    assert sum(1 for line in markdown.splitlines() if line.startswith("| feeds")) == 60


def test_the_title_is_the_pages_own_else_the_first_line_of_the_matched_core():
    wrapped = "Log in\nSharing\nJane Doe\n\nThe harbour bridge closes for repairs\nThe council said on Tuesday ..."
    core = wrapped.index("The harbour")
    byline = wrapped.index("Jane Doe")
    spans = [(byline, byline + 8), (core, core + 200)]  # a short match on the byline does not start the core
    assert core_headline(wrapped, spans) == "The harbour bridge closes for repairs"
    assert display_title("  Harbour bridge to close  ", wrapped, spans) == "Harbour bridge to close"
    assert display_title(None, wrapped, []) == "Log in"  # nothing matched: the text's first line
    assert display_title(None, "x " * 200, [(0, 400)]).endswith("…")


def test_error_rows_show_paths_relative_to_the_landing_folder_and_the_whole_detail():
    detail = f"The path resolves to {LANDING}/../etc/passwd, outside the landing folder. " + "More words. " * 10
    errors = [
        {"path": f"{LANDING}/feeds/bad.txt", "locator": "", "reason": "outside-landing", "detail": detail},
        {
            "path": f"{LANDING}/feeds/x.jsonl",
            "locator": "https://news.example/story",
            "reason": "no-text",
            "detail": "d",
        },
    ]
    rows = errors_table(errors, LANDING)
    assert rows[0]["file"] == "feeds\\/bad\\.txt" and rows[0]["record"] == ""
    assert rows[0]["detail"].endswith("More words\\.")  # not cut
    assert rows[1]["record"] == "news\\.example\\/story"
    assert "record" not in errors_table(errors[:1], LANDING)[0]  # no error has a record: no empty column
