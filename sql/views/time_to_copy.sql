-- time_to_copy: one row per copy, with the delay between its root original and the copy.
-- Both ends use seen_at (fetched_at, else ingested_at); timed_by says which clocks were compared.
-- delay_seconds is whole seconds and may be negative when a copy was fetched before its
-- original was (for example an original known only by its ingestion time).
CREATE VIEW time_to_copy AS
SELECT
    cp.document_id       AS document_id,
    cp.locator           AS locator,
    cp.site              AS site,
    cp.label             AS label,
    cp.story_id          AS story_id,
    cp.derived_from_id   AS derived_from_id,
    o.document_id        AS original_id,
    o.locator            AS original_locator,
    o.seen_at            AS original_seen_at,
    cp.seen_at           AS seen_at,
    CAST(strftime('%s', cp.seen_at) AS BIGINT) - CAST(strftime('%s', o.seen_at) AS BIGINT) AS delay_seconds,
    CASE
        WHEN cp.fetched_at IS NOT NULL AND o.fetched_at IS NOT NULL THEN 'fetched_at'
        WHEN cp.fetched_at IS NULL AND o.fetched_at IS NULL THEN 'ingested_at'
        ELSE 'mixed'
    END                  AS timed_by
FROM copy_provenance AS cp
JOIN copy_provenance AS o ON o.document_id = cp.root_id
WHERE cp.derived_from_id IS NOT NULL
