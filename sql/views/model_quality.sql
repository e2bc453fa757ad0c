-- model_quality: one row per registered model version, with its stored metrics (JSON text),
-- how many documents currently carry its label, and how many of those an operator relabelled.
CREATE VIEW model_quality AS
SELECT
    q.model_version_id   AS model_version_id,
    q.version            AS version,
    q.sha256             AS sha256,
    q.is_active          AS is_active,
    q.created_at         AS created_at,
    q.metrics            AS metrics,
    q.labelled           AS labelled,
    q.corrected          AS corrected,
    CASE WHEN q.labelled > 0 THEN CAST(q.corrected AS DOUBLE PRECISION) / q.labelled END AS correction_rate
FROM (
    SELECT
        mv.id            AS model_version_id,
        mv.version       AS version,
        mv.sha256        AS sha256,
        mv.is_active     AS is_active,
        mv.created_at    AS created_at,
        CAST(mv.metrics AS TEXT) AS metrics,
        (SELECT COUNT(*) FROM classifications AS c
          WHERE c.model_version_id = mv.id AND c.is_current) AS labelled,
        (SELECT COUNT(*) FROM classifications AS c
           JOIN latest_corrections AS lc ON lc.document_id = c.document_id
          WHERE c.model_version_id = mv.id AND c.is_current AND lc.label <> c.label) AS corrected
    FROM model_versions AS mv
) AS q
