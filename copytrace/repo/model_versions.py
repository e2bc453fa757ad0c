"""The pair classifier's model files, registered by sha256, and which one is active."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from copytrace.orm import ModelVersion, utcnow
from copytrace.repo.sql import insert_ignore


def register_model_version(
    session: Session,
    *,
    version: str,
    sha256: str,
    path: str,
    sklearn_version: str,
    params: dict[str, Any],
    metrics: dict[str, Any],
    training_data: dict[str, Any],
    activate: bool,
) -> int:
    """The model_versions row for this file (found by sha256, or created)."""
    insert_ignore(
        session,
        ModelVersion.__table__,
        [
            {
                "version": version,
                "sha256": sha256,
                "path": path,
                "sklearn_version": sklearn_version,
                "params": params,
                "metrics": metrics,
                "training_data": training_data,
                "is_active": False,
                "created_at": utcnow(),
            }
        ],
        ["sha256"],
    )
    mv_id = session.scalar(select(ModelVersion.id).where(ModelVersion.sha256 == sha256))
    if activate:
        session.execute(update(ModelVersion).where(ModelVersion.id != mv_id).values(is_active=False))
        session.execute(update(ModelVersion).where(ModelVersion.id == mv_id).values(is_active=True))
    return mv_id


def active_model_version(session: Session) -> ModelVersion | None:
    return session.scalar(select(ModelVersion).where(ModelVersion.is_active).order_by(ModelVersion.id.desc()))
