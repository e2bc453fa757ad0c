"""One typed settings object, read from ``COPYTRACE_*`` at the edge and passed down."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from copytrace.reports.links import dashboard_base

DEFAULT_DATABASE_URL = "sqlite:///./copytrace.db"
BUNDLED_SEEDS = Path(__file__).resolve().parent / "samples"


# Documents per batch task. Larger batches meet more of their copies' sources inside the batch, so
# fewer pairs are classified again across batches, at the cost of a somewhat higher memory peak
# (figures in docs/performance.md, "Figures behind rules in the code").
DEFAULT_BATCH_SIZE = 500


class Settings(BaseSettings):
    """Runtime configuration. Every field can be set as ``COPYTRACE_<NAME>``."""

    # A rejected value is never quoted in the error: a URL in it may carry a password.
    model_config = SettingsConfigDict(env_prefix="COPYTRACE_", extra="ignore", hide_input_in_errors=True)

    database_url: str = Field(DEFAULT_DATABASE_URL, description="SQLAlchemy URL of the provenance database")
    database_secret: str | None = Field(
        None,
        description="name of a Prefect Secret block holding the database URL; a flow run reads it when no URL is "
        "given to the run (tasks/database.py)",
    )
    landing_dir: Path = Field(Path("./landing"), description="folder the scrapers drop copies into")
    batch_size: int = Field(DEFAULT_BATCH_SIZE, ge=1, le=100_000, description="documents per batch task")
    max_file_bytes: int = Field(20 * 1024 * 1024, ge=1, description="larger files are recorded as errors")
    model_path: Path | None = Field(None, description="pair classifier joblib; default: the shipped model")
    data_dir: Path = Field(Path("../shared/data"), description="public corpora used by `copytrace train`")
    seeds_dir: Path = Field(BUNDLED_SEEDS, description="the user's example copies, checked by every training run")
    candidate_limit: int = Field(10, ge=1, le=200, description="candidate sources re-ranked per document")
    story_threshold: float = Field(
        0.30, ge=0.0, le=1.0, description="TF-IDF cosine above which underived documents share a story"
    )
    spam_spike_share: float = Field(
        0.5, ge=0.0, le=1.0, description="share of spam-wrapped copies in a run that emits a spike event"
    )
    dashboard_url: str | None = Field(
        None,
        description="the analysts' dashboard as the readers of Prefect artifacts reach it (http(s)://host[:port]); "
        "when set, each finding links to its document's page there; unset or empty: no links",
    )

    @field_validator("dashboard_url", mode="before")
    @classmethod
    def _dashboard_base(cls, value: object) -> str | None:
        """Empty is unset; otherwise an http(s) URL, kept without credentials (copytrace/reports/links.py)."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return dashboard_base(str(value))


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit (non-None) overrides on top."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
