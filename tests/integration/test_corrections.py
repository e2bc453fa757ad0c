"""Operator corrections: stored with who and why, the latest wins, bad input is refused clearly,
the CLI command works end to end, and the training flow gets the corrected pairs."""

from __future__ import annotations

import pytest
import typer
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from copytrace.cli.provenance import label
from copytrace.db import session_factory
from copytrace.orm import CORRECTION_LABELS, Correction
from copytrace.repo.corrections import CorrectionError, add_correction, corrections_for_training
from tests.provenance_sample import TEXTS, fill, locator
from tests.view_rows import query_rows

pytestmark = pytest.mark.integration


@pytest.fixture
def sample(db_url) -> dict[str, int]:
    with session_factory(db_url)() as session:
        ids = fill(session)
        session.commit()
    return ids


def _effective(url: str, document_id: int) -> tuple:
    columns = "label, model_label, corrected_label, corrected_by"
    row = query_rows(url, f"SELECT {columns} FROM copy_provenance WHERE document_id = {document_id}")[0]
    return row["label"], row["model_label"], row["corrected_label"], row["corrected_by"]


def test_the_correction_labels_are_the_classifier_labels() -> None:
    from models.pairs import LABELS

    assert set(CORRECTION_LABELS) == set(LABELS)


def test_latest_correction_wins_and_who_defaults_to_user(db_url, sample, monkeypatch) -> None:
    monkeypatch.setenv("USER", "carol")
    with session_factory(db_url)() as session:
        row = add_correction(session, locator("A"), "rewrite", note="it is a rewrite of an earlier wire story")
        session.commit()
    assert row.who == "carol" and row.id is not None
    assert _effective(db_url, sample["A"]) == ("rewrite", "original", "rewrite", "carol")
    with session_factory(db_url)() as session:
        add_correction(session, locator("A"), "original", who="dave")
        session.commit()
    assert _effective(db_url, sample["A"]) == ("original", "original", "original", "dave")


def test_add_correction_never_commits(db_url, sample) -> None:
    with session_factory(db_url)() as session:
        before = session.scalar(select(func.count(Correction.id)))
        add_correction(session, locator("F"), "excerpt")
        session.rollback()
        assert session.scalar(select(func.count(Correction.id))) == before


@pytest.mark.parametrize(
    ("where", "what", "message"),
    [
        ("https://nowhere.example/x", "rewrite", "no stored document has locator"),
        (None, "copied", "is not one of: original, rewrite, excerpt, spam-wrapped"),
    ],
)
def test_unknown_locator_or_label_is_a_clear_error(db_url, sample, where, what, message) -> None:
    with session_factory(db_url)() as session, pytest.raises(CorrectionError, match=message):
        add_correction(session, where or locator("A"), what)


def test_the_database_refuses_a_label_outside_the_four(db_url, sample) -> None:
    with session_factory(db_url)() as session, pytest.raises(IntegrityError):
        session.execute(insert(Correction).values(document_id=sample["A"], label="copied", who="x"))
        session.flush()


def test_landing_paths_may_be_given_relative_to_the_current_folder(db_url, tmp_path, monkeypatch) -> None:
    from copytrace.repo.documents import NewCopy, add_document

    copy = tmp_path / "landing" / "page.txt"
    with session_factory(db_url)() as session:
        doc_id = add_document(session, NewCopy(locator=str(copy), text="some text", sha256="f" * 64), flow_run_id=None)
        monkeypatch.chdir(tmp_path)
        assert add_correction(session, "landing/page.txt", "excerpt").document_id == doc_id


def test_corrections_for_training_pairs_the_copy_with_its_source(db_url, sample) -> None:
    with session_factory(db_url)() as session:
        add_correction(session, locator("A"), "rewrite")  # an original: no source, so no pair
        session.commit()
        pairs = corrections_for_training(session)
    assert pairs == [
        {
            "id": sample["B"],
            "source_id": sample["A"],
            "source": TEXTS["A"],
            "copy": TEXTS["B"],
            "label": "excerpt",
            "model_label": "rewrite",
        },
        {
            "id": sample["E"],
            "source_id": sample["C"],
            "source": TEXTS["C"],
            "copy": TEXTS["E"],
            "label": "spam-wrapped",
            "model_label": "rewrite",
        },
    ]


def _cli() -> typer.Typer:
    app = typer.Typer()
    app.command()(label)
    return app


def test_label_command_stores_the_correction_and_says_so(db_url, sample, monkeypatch) -> None:
    monkeypatch.setenv("USER", "erin")
    result = CliRunner().invoke(_cli(), [locator("G"), "spam-wrapped", "--note", "sponsor lines", "--db", db_url])
    assert result.exit_code == 0, result.output
    assert "is now spam-wrapped, corrected by erin" in result.output
    assert _effective(db_url, sample["G"]) == ("spam-wrapped", "excerpt", "spam-wrapped", "erin")
    note = query_rows(db_url, f"SELECT note FROM latest_corrections WHERE document_id = {sample['G']}")
    assert note == [{"note": "sponsor lines"}]


def test_label_command_reports_an_unknown_locator_as_a_user_error(db_url, sample) -> None:
    from copytrace.cli.terminal import UserError

    result = CliRunner().invoke(_cli(), ["https://nowhere.example/x", "rewrite", "--db", db_url])
    assert isinstance(result.exception, UserError)
    assert "no stored document has locator" in str(result.exception)
