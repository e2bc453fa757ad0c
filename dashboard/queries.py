"""Every query the dashboard runs. Each reads views only, never a table
(tests/unit/dashboard/test_dashboard_queries.py checks).

A query's ``{where}`` is filled with the shared filters (``dashboard.filters``) mapped onto that
query's columns by ``FILTERED``: a filter a view has no column for does not apply to it, and the page
says so (``applies``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, text

from dashboard.filters import LOCAL, Filters

# Columns of copy_provenance (aliased cp where joined) the filters map onto.
PROVENANCE = {
    "day": "cp.seen_day",
    "label": "cp.label",
    "site": "cp.site",
    "story": "cp.story_id",
    "confidence": "cp.confidence",
}

QUERIES = {
    "daily": """
        SELECT cp.seen_day AS day, cp.label AS label,
               CASE WHEN cp.derived_from_id IS NULL THEN 1 ELSE 0 END AS is_source, COUNT(*) AS documents
        FROM copy_provenance AS cp
        WHERE cp.label IS NOT NULL AND {where}
        GROUP BY cp.seen_day, cp.label, CASE WHEN cp.derived_from_id IS NULL THEN 1 ELSE 0 END
        ORDER BY cp.seen_day, cp.label""",
    "sites": """
        SELECT cp.site AS site, COUNT(*) AS copies,
               COUNT(CASE WHEN cp.label = 'original' THEN 1 END)     AS full_copies,
               COUNT(CASE WHEN cp.label = 'rewrite' THEN 1 END)      AS rewrites,
               COUNT(CASE WHEN cp.label = 'excerpt' THEN 1 END)      AS excerpts,
               COUNT(CASE WHEN cp.label = 'spam-wrapped' THEN 1 END) AS spam_wrapped,
               COUNT(DISTINCT cp.root_id) AS originals_copied,
               MIN(cp.seen_at) AS first_seen_at, MAX(cp.seen_at) AS last_seen_at
        FROM copy_provenance AS cp
        WHERE cp.derived_from_id IS NOT NULL AND {where}
        GROUP BY cp.site
        ORDER BY COUNT(*) DESC, cp.site""",
    "delays": """
        SELECT tt.document_id AS document_id, tt.label AS label, tt.delay_seconds AS delay_seconds
        FROM time_to_copy AS tt
        ORDER BY tt.delay_seconds, tt.document_id""",
    "delay_documents": """
        SELECT cp.document_id AS document_id FROM copy_provenance AS cp
        WHERE cp.derived_from_id IS NOT NULL AND {where}""",
    "documents": """
        SELECT cp.document_id AS document_id, cp.seen_at AS seen_at, cp.site AS site, cp.label AS label,
               cp.model_label AS model_label, cp.confidence AS confidence, cp.derived_from_id AS derived_from_id,
               cp.root_id AS root_id, cp.story_id AS story_id, cp.title AS title, cp.locator AS locator
        FROM copy_provenance AS cp
        WHERE {where}
        ORDER BY cp.seen_at DESC, cp.document_id DESC
        LIMIT :limit""",
    "count_documents": """
        SELECT COUNT(*) AS documents FROM copy_provenance AS cp WHERE {where}""",
    "site_names": """
        SELECT DISTINCT cp.site AS site FROM copy_provenance AS cp WHERE cp.site IS NOT NULL ORDER BY cp.site""",
    "stories": """
        SELECT s.story_id AS story_id, s.documents AS documents, s.copies AS copies, s.last_seen_at AS last_seen_at,
               h.title AS headline, h.site AS site
        FROM (
            SELECT cp.story_id AS story_id, COUNT(*) AS documents,
                   COUNT(cp.derived_from_id) AS copies, MAX(cp.seen_at) AS last_seen_at,
                   MIN(CASE WHEN cp.derived_from_id IS NULL THEN cp.document_id END) AS first_original
            FROM copy_provenance AS cp
            WHERE cp.story_id IS NOT NULL AND {where}
            GROUP BY cp.story_id
        ) AS s
        LEFT JOIN copy_provenance AS h ON h.document_id = s.first_original
        ORDER BY s.documents DESC, s.story_id""",
    "story": """
        SELECT cp.document_id AS document_id, cp.locator AS locator, cp.site AS site, cp.label AS label,
               cp.model_label AS model_label, cp.corrected_by AS corrected_by, cp.derived_from_id AS derived_from_id,
               cp.seen_at AS seen_at, cp.title AS title
        FROM copy_provenance AS cp
        WHERE cp.story_id = :story AND {where}
        ORDER BY cp.seen_at, cp.document_id""",
    "document": """
        SELECT cp.document_id AS document_id, cp.locator AS locator, cp.url AS url, cp.site AS site, cp.title AS title,
               cp.label AS label, cp.model_label AS model_label, cp.confidence AS confidence,
               cp.derived_from_id AS derived_from_id, cp.root_id AS root_id, cp.story_id AS story_id,
               cp.model_version AS model_version, cp.corrected_label AS corrected_label,
               cp.corrected_by AS corrected_by, cp.corrected_at AS corrected_at, cp.seen_at AS seen_at,
               cp.published_at AS published_at
        FROM copy_provenance AS cp
        WHERE cp.document_id = :document""",
    "search": """
        SELECT cp.document_id AS document_id, cp.title AS title, cp.site AS site, cp.label AS label,
               cp.seen_at AS seen_at, cp.locator AS locator
        FROM copy_provenance AS cp
        WHERE (cp.locator = :exact OR cp.url = :exact
               OR LOWER(cp.title) LIKE :pattern OR LOWER(cp.locator) LIKE :pattern) AND {where}
        ORDER BY cp.seen_at DESC, cp.document_id DESC
        LIMIT :limit""",
    "derived": """
        SELECT cp.document_id AS document_id, cp.site AS site, cp.label AS label, cp.seen_at AS seen_at,
               cp.title AS title
        FROM copy_provenance AS cp
        WHERE cp.derived_from_id = :document
        ORDER BY cp.seen_at, cp.document_id""",
    "text": """
        SELECT dt.body AS body FROM document_texts AS dt WHERE dt.document_id = :document""",
    "evidence": """
        SELECT de.pair_class AS pair_class, de.reason AS reason, de.evidence AS evidence
        FROM document_evidence AS de WHERE de.document_id = :document""",
    "passages": """
        SELECT mp.copy_start AS copy_start, mp.copy_end AS copy_end, mp.source_start AS source_start,
               mp.source_end AS source_end, mp.copy_passage AS copy_passage, mp.source_passage AS source_passage,
               mp.kind AS kind, mp.score AS score
        FROM matched_passages AS mp
        WHERE mp.document_id = :document
        ORDER BY mp.copy_start, mp.span_id""",
    "wrappers": """
        SELECT wl.segment_start AS segment_start, wl.segment_end AS segment_end, wl.segment_text AS segment_text
        FROM wrapper_lines AS wl
        WHERE wl.document_id = :document
        ORDER BY wl.segment_start, wl.segment_id""",
    "sources": """
        SELECT sc.original_id AS original_id, sc.original_title AS original_title, sc.original_site AS original_site,
               sc.story_id AS story_id, sc.original_seen_at AS original_seen_at, sc.copies AS copies,
               sc.full_copies AS full_copies, sc.rewrites AS rewrites, sc.excerpts AS excerpts,
               sc.spam_wrapped AS spam_wrapped, sc.sites AS sites, sc.first_seen_at AS first_seen_at,
               sc.last_seen_at AS last_seen_at
        FROM source_copies AS sc
        WHERE sc.original_id IN (SELECT cp.document_id FROM copy_provenance AS cp WHERE {where})
        ORDER BY sc.copies DESC, sc.original_id""",
    "spread": """
        SELECT cp.site AS site, cp.label AS label, COUNT(*) AS copies, MIN(cp.seen_at) AS first_seen_at
        FROM copy_provenance AS cp
        WHERE cp.root_id = :original AND cp.document_id <> :original AND {where}
        GROUP BY cp.site, cp.label
        ORDER BY COUNT(*) DESC, cp.site, cp.label""",
    "networks": """
        SELECT sn.fingerprint AS fingerprint, sn.network_sites AS network_sites, sn.site AS site, sn.copies AS copies,
               sn.first_seen_at AS first_seen_at, sn.last_seen_at AS last_seen_at, sn.template_text AS template_text
        FROM spam_networks AS sn
        WHERE {where}
        ORDER BY sn.network_sites DESC, sn.fingerprint, sn.site""",
    "corrections": """
        SELECT ch.correction_id AS correction_id, ch.corrected_at AS corrected_at, ch.who AS who,
               ch.document_id AS document_id, ch.site AS site, ch.model_label AS model_label, ch.label AS label,
               ch.in_force AS in_force, ch.note AS note
        FROM correction_history AS ch
        WHERE ch.document_id IN (SELECT cp.document_id FROM copy_provenance AS cp WHERE {where})
        ORDER BY ch.correction_id DESC""",
    "relabelled": """
        SELECT cp.model_label AS model_label, lc.label AS label, COUNT(*) AS documents
        FROM latest_corrections AS lc
        JOIN copy_provenance AS cp ON cp.document_id = lc.document_id
        WHERE {where}
        GROUP BY cp.model_label, lc.label
        ORDER BY COUNT(*) DESC, cp.model_label, lc.label""",
    "model_quality": """
        SELECT mq.version AS version, mq.is_active AS is_active, mq.created_at AS created_at, mq.metrics AS metrics,
               mq.labelled AS labelled, mq.corrected AS corrected, mq.correction_rate AS correction_rate
        FROM model_quality AS mq
        ORDER BY mq.created_at, mq.model_version_id""",
}

# The filters each query's {where} takes, and the column each maps onto.
FILTERED: dict[str, dict[str, str]] = {
    **{
        name: PROVENANCE
        for name in (
            "daily",
            "sites",
            "delay_documents",
            "documents",
            "count_documents",
            "stories",
            "story",
            "search",
            "spread",
            "corrections",
            "relabelled",
        )
    },
    "sources": {"day": "cp.seen_day", "site": "cp.site", "story": "cp.story_id"},
    # a site's use of a template overlaps the dates when it was last seen after the start, first seen before the end
    "networks": {"day": "sn.last_seen_at", "day_end": "sn.first_seen_at", "site": "sn.site"},
}
# Columns holding a timestamp, compared by their UTC day (strftime has the same meaning on both databases).
TIMESTAMPS = {"sn.last_seen_at", "sn.first_seen_at"}


def _day(column: str) -> str:
    return f"strftime('%Y-%m-%d', {column})" if column in TIMESTAMPS else column


def applies(name: str) -> tuple[str, ...]:
    """The filters query ``name`` honours."""
    return tuple(k for k in FILTERED.get(name, {}) if k != "day_end")


def where(name: str, filters: Filters) -> tuple[str, dict[str, Any]]:
    """The ``{where}`` condition of query ``name`` for ``filters``, and its parameters."""
    columns = FILTERED.get(name, {})
    conds: list[str] = []
    params: dict[str, Any] = {}
    if "day" in columns and filters.start:
        conds.append(f"{_day(columns['day'])} >= :f_start")
        params["f_start"] = filters.start
    if "day" in columns and filters.end:
        conds.append(f"{_day(columns.get('day_end', columns['day']))} <= :f_end")
        params["f_end"] = filters.end
    if "label" in columns and filters.labels:
        names = [f":f_label{i}" for i in range(len(filters.labels))]
        conds.append(f"{columns['label']} IN ({', '.join(names)})")
        params.update({n[1:]: v for n, v in zip(names, filters.labels, strict=True)})
    if "site" in columns and filters.sites:
        named = [s for s in filters.sites if s != LOCAL]
        names = [f":f_site{i}" for i in range(len(named))]
        either = [f"{columns['site']} IN ({', '.join(names)})"] if named else []
        if LOCAL in filters.sites:
            either.append(f"{columns['site']} IS NULL")
        conds.append("(" + " OR ".join(either) + ")")
        params.update({n[1:]: v for n, v in zip(names, named, strict=True)})
    if "story" in columns and filters.story is not None:
        conds.append(f"{columns['story']} = :f_story")
        params["f_story"] = filters.story
    if "confidence" in columns and filters.min_confidence is not None:
        conds.append(f"{columns['confidence']} >= :f_confidence")
        params["f_confidence"] = filters.min_confidence
    return (" AND ".join(conds) or "1 = 1"), params


def fetch(engine: Engine, name: str, filters: Filters | None = None, **params: Any) -> list[dict[str, Any]]:
    """Rows of query ``name`` under ``filters`` as dicts, timestamps as UTC datetimes on both databases."""
    condition, filter_params = where(name, filters or Filters())
    sql = QUERIES[name].replace("{where}", condition)
    with engine.connect() as conn:
        return [
            {k: _timestamp(v) if k.endswith("_at") else v for k, v in row._mapping.items()}
            for row in conn.execute(text(sql), {**params, **filter_params})
        ]


def delays(engine: Engine, filters: Filters) -> list[dict[str, Any]]:
    """time_to_copy's rows for the copies the filters pick. The view is read whole and the filtered
    copies picked from copy_provenance apart: joined in one statement, PostgreSQL cannot estimate the
    filters on the views' computed columns and re-reads time_to_copy's own join once per copy."""
    rows = fetch(engine, "delays")
    if not filters.active:
        return rows
    picked = {r["document_id"] for r in fetch(engine, "delay_documents", filters)}
    return [r for r in rows if r["document_id"] in picked]


def _timestamp(value: datetime | str | None) -> datetime | None:
    """SQLite returns the views' timestamps as ISO text in UTC, PostgreSQL as aware datetimes."""
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value.astimezone(UTC) if value is not None else None
