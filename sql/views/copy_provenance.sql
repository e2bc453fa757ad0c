-- copy_provenance: the public contract for dashboards.
-- One row per stored document with its current classification and provenance.
-- derived_from_* is the document this one was made from (NULL for an original),
-- root_* the first original of its chain (the document itself for an original).
CREATE VIEW copy_provenance AS
SELECT
    d.id                 AS document_id,
    d.locator            AS locator,
    d.url                AS url,
    d.site               AS site,
    d.title              AS title,
    c.label              AS label,
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
    d.created_at         AS ingested_at
FROM documents AS d
LEFT JOIN classifications AS c ON c.document_id = d.id AND c.is_current
LEFT JOIN documents AS src ON src.id = c.derived_from_id
LEFT JOIN documents AS root ON root.id = c.root_id
LEFT JOIN model_versions AS mv ON mv.id = c.model_version_id
