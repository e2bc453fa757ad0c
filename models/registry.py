"""Saving and loading trained pipelines with a metadata sidecar that pins their exact bytes.

``model.joblib`` is accompanied by ``model.json`` (sklearn version, training data,
params, metrics, sha256 of the joblib file, created_at). ``load_model`` checks the
hash before unpickling: a joblib file is executable code, so one that is not the file
the metadata describes is refused rather than loaded.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import sklearn

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
DEFAULT_MODEL_NAME = "copytrace-pair.joblib"
# models.style.MachineStyle: the pair model's features read it (a copy is frozen inside the pair model,
# ``models.classifier.with_style``) and so does direction, which orients rewrites without dates.
STYLE_MODEL_NAME = "copytrace-style.joblib"


class ModelIntegrityError(RuntimeError):
    """The model file's sha256 does not match the one recorded for it (or there is no record)."""


def default_model_path() -> Path:
    """The shipped model (package data)."""
    return ARTIFACTS / DEFAULT_MODEL_NAME


def style_model_path() -> Path:
    """The shipped machine-style model (``models.style``), beside the pair model."""
    return ARTIFACTS / STYLE_MODEL_NAME


def metadata_path(path: str | Path) -> Path:
    return Path(path).with_suffix(".json")


def sha256_of(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_model(pipeline: Any, path: str | Path, metadata: dict[str, Any]) -> dict[str, Any]:
    """Write ``path`` (joblib, compressed) and its ``.json`` sidecar; return the metadata written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(pipeline, path, compress=3)
    meta = {
        "version": path.stem,
        "sklearn_version": sklearn.__version__,
        "training_data": {},
        "params": {},
        "metrics": {},
        **metadata,
        "path": path.name,
        "sha256": sha256_of(path),
        "size_bytes": path.stat().st_size,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    metadata_path(path).write_text(json.dumps(meta, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
    return meta


def read_metadata(path: str | Path) -> dict[str, Any]:
    """The sidecar metadata of ``path``; ``ModelIntegrityError`` when it is missing or unreadable."""
    meta_file = metadata_path(path)
    try:
        return json.loads(meta_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelIntegrityError(f"{meta_file}: no readable model metadata ({exc})") from exc


def load_model(path: str | Path, expected_sha256: str | None = None) -> Any:
    """Load a pipeline after checking its sha256 against ``expected_sha256`` or else its metadata."""
    path = Path(path)
    expected = expected_sha256 or read_metadata(path).get("sha256")
    if not expected:
        raise ModelIntegrityError(f"{path}: metadata records no sha256")
    actual = sha256_of(path)
    if actual != expected:
        raise ModelIntegrityError(f"{path}: sha256 {actual} does not match the expected {expected}; refusing to load")
    return joblib.load(path)


def load_default() -> Any:
    """The shipped pipeline (verified)."""
    return load_model(default_model_path())
