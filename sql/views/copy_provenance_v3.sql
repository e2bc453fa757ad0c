-- copy_provenance (revision 0006): the public contract for dashboards.
-- Supersedes copy_provenance_v2.sql, which migration 0002 still reads and which must not change.
-- Every column of revision 0002 is kept with its name and position; published_at is appended:
-- the publication date the page itself states (its meta tags, JSON-LD or dateline), when it states
-- one. A date without a time of day is midnight UTC.
-- seen_at is when the copy was seen on the web (fetched_at), else when it was ingested;
-- seen_day is its UTC calendar day as YYYY-MM-DD text.
CREATE VIEW copy_provenance AS
SELECT
    d.id                 AS document_id,
    d.locator            AS locator,
    d.url                AS url,
    d.site               AS site,
    d.title              AS title,
    COALESCE(lc.label, c.label) AS label,
    c.confidence         AS confidence,
    c.derived_from_id    AS derived_from_id,
    src.locator          AS derived_from_locator,
    c.root_id            AS root_id,
    root.locator         AS root_locator,
    d.story_id           AS story_id,
    mv.version           AS model_version,
    c.created_at         AS classified_at,
    c.flow_run_id        AS flow_run_id,
    d.fetched_at         AS fetched_at,
    d.created_at         AS ingested_at,
    c.label              AS model_label,
    lc.label             AS corrected_label,
    lc.who               AS corrected_by,
    lc.corrected_at      AS corrected_at,
    COALESCE(d.fetched_at, d.created_at) AS seen_at,
    strftime('%Y-%m-%d', COALESCE(d.fetched_at, d.created_at)) AS seen_day,
    d.published_at       AS published_at
FROM documents AS d
LEFT JOIN classifications AS c ON c.document_id = d.id AND c.is_current
LEFT JOIN latest_corrections AS lc ON lc.document_id = d.id
LEFT JOIN documents AS src ON src.id = c.derived_from_id
LEFT JOIN documents AS root ON root.id = c.root_id
LEFT JOIN model_versions AS mv ON mv.id = c.model_version_id
