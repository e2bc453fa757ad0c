"""Training: corrections join the training pairs, `copytrace evaluate` reports per label, and the
`train-classifier` flow trains a (small) candidate, records it and promotes it only if it is not worse."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from copytrace.cli.app import app
from copytrace.db import session_factory
from copytrace.modelling.training import export_corrections, labelled_pairs, not_worse
from copytrace.orm import ModelVersion
from copytrace.repo.corrections import add_correction
from models import registry
from models.corpora import DEFAULT_DATA_DIR
from models.pairs import from_label
from tests.provenance_sample import TEXTS, fill, locator

SEED_PAIRS = [("000", "001", "rewrite"), ("000", "002", "spam-wrapped"), ("000", "004", "original")]


def test_an_operator_original_means_not_derived_from_that_source() -> None:
    assert from_label("original") == "independent"
    assert from_label("spam-wrapped") == "spam-wrapped"
    assert from_label("full-copy") == "full-copy"
    with pytest.raises(ValueError, match="unknown label"):
        from_label("plagiarism")


def test_not_worse_needs_the_frozen_comparison_and_the_seeds() -> None:
    def result(reasons, c_seeds, a_seeds):
        comparison = {"reasons": reasons, "eval_pairs": 80, "metrics": {"macro_f1": {"candidate": 0.9, "active": 0.9}}}
        return {
            "report": {"seeds": {"passed": c_seeds}},
            "active": {"seeds": {"passed": a_seeds}},
            "comparison": comparison,
        }

    ok, verdict = not_worse(result([], 5, 5))
    assert ok and verdict.startswith("promoted: not worse anywhere")
    ok, verdict = not_worse(result(["llm:GPT-4o macro_f1: 0.90 vs active 0.93"], 5, 5))
    assert not ok and "llm:GPT-4o" in verdict and verdict.startswith("kept the active model")
    assert not not_worse(result([], 4, 5))[0]
    assert not_worse({**result([], 0, 0), "active": None}) == (True, "promoted: no active model to compare with")


@pytest.mark.integration
def test_corrections_are_exported_as_labelled_pairs(db_url, tmp_path) -> None:
    with session_factory(db_url).begin() as session:
        fill(session)
    with session_factory(db_url).begin() as session:
        add_correction(session, locator("E"), "original", note="independent coverage")
        path = tmp_path / "corrections.jsonl"
        count = export_corrections(session, path)
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert count == len(lines) == 2  # the sample corrected B and E; this later correction of E is in force
    by_copy = {rec["copy"]: rec for rec in lines}
    assert by_copy[TEXTS["E"]]["label"] == "original" and by_copy[TEXTS["E"]]["source"] == TEXTS["C"]
    assert (TEXTS["C"], TEXTS["E"], "independent") in labelled_pairs(path)


def test_evaluate_prints_per_label_scores_and_counts_malformed_lines(seeds, tmp_path) -> None:
    texts = {name: path.read_text(encoding="utf-8") for name, path in seeds.items()}
    path = tmp_path / "labelled.jsonl"
    lines = [
        json.dumps({"id": f"{s}-{c}", "source": texts[s], "copy": texts[c], "label": lab}) for s, c, lab in SEED_PAIRS
    ]
    path.write_text("\n".join([*lines, "{not json", json.dumps({"id": "x", "label": "rewrite"})]) + "\n")
    result = CliRunner().invoke(app, ["evaluate", str(path)])
    assert result.exit_code == 0, result.output
    assert "3 pairs, macro-F1 1.000" in result.output
    assert "2 malformed lines skipped" in result.output
    for label in ("original", "rewrite", "spam-wrapped"):
        assert label in result.output


@pytest.mark.integration
@pytest.mark.skipif(
    not DEFAULT_DATA_DIR.is_dir(), reason="../shared/data (the training corpora) is not beside the repo"
)
def test_train_flow_records_a_small_candidate_and_keeps_the_better_active_model(
    db_url, tmp_path, prefect_harness
) -> None:
    from flows.train_classifier import train_classifier

    with session_factory(db_url).begin() as session:
        fill(session)
    result = train_classifier(
        data_dir=str(DEFAULT_DATA_DIR),
        database_url=db_url,
        model_dir=str(tmp_path / "store"),
        scale=0.04,
        eval_scale=0.05,
    )
    # A model fitted on 4% of the pairs is measured on the same frozen pairs as the shipped model and loses.
    assert result["promoted"] is False and result["verdict"].startswith("kept the active model")
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:  # the run is named for what it decided
        assert "train: kept the active model" in {run.name for run in client.read_flow_runs()}
    corrections = list((tmp_path / "store").glob("*.corrections.jsonl"))
    assert len(corrections) == 1 and len(corrections[0].read_text().splitlines()) == 2
    metadata = registry.read_metadata(result["path"])
    assert metadata["training_data"]["extra_train_pairs"] == 2
    with session_factory(db_url)() as session:
        row = session.scalars(select(ModelVersion).where(ModelVersion.sha256 == metadata["sha256"])).one()
    assert row.is_active is False
    assert set(row.metrics["held_out"]["labels"]["per_class"]) == {"original", "rewrite", "excerpt", "spam-wrapped"}
