"""Saving a model writes a verifiable sidecar; a model file that does not match it is refused."""

from __future__ import annotations

import json

import pytest
import sklearn
from sklearn.linear_model import LogisticRegression

from models import registry


def test_save_writes_metadata_and_load_verifies(tmp_path) -> None:
    path = tmp_path / "m.joblib"
    meta = registry.save_model(LogisticRegression(C=3.0), path, {"metrics": {"macro_f1": 0.9}})
    on_disk = json.loads(path.with_suffix(".json").read_text())
    assert on_disk == meta
    assert meta["sha256"] == registry.sha256_of(path)
    assert meta["sklearn_version"] == sklearn.__version__
    assert meta["metrics"] == {"macro_f1": 0.9}
    assert {"created_at", "params", "training_data"} <= set(meta)
    assert registry.load_model(path).C == 3.0
    assert registry.load_model(path, expected_sha256=meta["sha256"]).C == 3.0


def test_tampered_model_is_refused(tmp_path) -> None:
    path = tmp_path / "m.joblib"
    registry.save_model(LogisticRegression(), path, {})
    path.write_bytes(path.read_bytes() + b"\0")
    with pytest.raises(registry.ModelIntegrityError, match="sha256"):
        registry.load_model(path)
    with pytest.raises(registry.ModelIntegrityError):
        registry.load_model(path, expected_sha256="0" * 64)


def test_model_without_metadata_is_refused(tmp_path) -> None:
    path = tmp_path / "m.joblib"
    registry.save_model(LogisticRegression(), path, {})
    path.with_suffix(".json").unlink()
    with pytest.raises(registry.ModelIntegrityError, match="metadata"):
        registry.load_model(path)


def test_default_model_path_is_package_data() -> None:
    path = registry.default_model_path()
    assert path.name == "copytrace-pair.joblib"
    assert path.parent.name == "artifacts" and path.parent.parent.name == "models"
