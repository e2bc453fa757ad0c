"""Corrections and model quality: the operators' audit trail and each model version's figures."""

from __future__ import annotations

from typing import Any

from dash import dcc
from sqlalchemy import Engine

from dashboard.figures import metric, quality_figure
from dashboard.filters import Filters
from dashboard.pages.common import section
from dashboard.queries import fetch
from dashboard.tables import data_table


def render(engine: Engine, filters: Filters, _search: str) -> list[Any]:
    history = fetch(engine, "corrections", filters)
    for r in history:
        r["in_force"] = bool(r["in_force"])
    models = fetch(engine, "model_quality")
    for m in models:
        m["is_active"] = bool(m["is_active"])
        m["macro_f1"] = metric(m["metrics"], "macro_f1")
    return [
        section(
            "Corrections: the audit trail",
            data_table(
                "corrections",
                history,
                [
                    "correction_id",
                    "corrected_at",
                    "who",
                    "document_id",
                    "site",
                    "model_label",
                    "label",
                    "in_force",
                    "note",
                ],
                names={
                    "correction_id": "correction",
                    "document_id": "document",
                    "model_label": "classifier said",
                    "label": "corrected to",
                    "in_force": "in force",
                },
                links={"document_id": "doc"},
                wide=("note",),
            ),
            query="corrections",
        ),
        section(
            "Corrections in force: classifier's label against the operator's",
            data_table(
                "relabelled",
                fetch(engine, "relabelled", filters),
                ["model_label", "label", "documents"],
                names={"model_label": "classifier said", "label": "operator says"},
            ),
            query="relabelled",
        ),
        section(
            "Model versions over time",
            dcc.Graph(id="quality-chart", figure=quality_figure(models)),
            data_table(
                "model-quality",
                models,
                [
                    "version",
                    "is_active",
                    "created_at",
                    "macro_f1",
                    "labelled",
                    "corrected",
                    "correction_rate",
                    "metrics",
                ],
                names={"is_active": "active"},
            ),
            query="model_quality",
        ),
    ]
