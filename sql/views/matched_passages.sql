-- matched_passages: each matched span of a document's current classification, with the passage
-- cut out of the copy's text and out of the text of the document it derives from.
-- Offsets are 0-based character offsets (end exclusive); SUBSTR is 1-based on both databases.
CREATE VIEW matched_passages AS
SELECT
    cp.document_id       AS document_id,
    cp.locator           AS locator,
    cp.site              AS site,
    cp.label             AS label,
    cp.seen_at           AS seen_at,
    c.derived_from_id    AS source_id,
    src.locator          AS source_locator,
    ms.id                AS span_id,
    ms.kind              AS kind,
    ms.score             AS score,
    ms.copy_start        AS copy_start,
    ms.copy_end          AS copy_end,
    ms.source_start      AS source_start,
    ms.source_end        AS source_end,
    SUBSTR(ct.body, ms.copy_start + 1, ms.copy_end - ms.copy_start)         AS copy_passage,
    SUBSTR(st.body, ms.source_start + 1, ms.source_end - ms.source_start)   AS source_passage
FROM matched_spans AS ms
JOIN classifications AS c ON c.id = ms.classification_id AND c.is_current
JOIN copy_provenance AS cp ON cp.document_id = c.document_id
JOIN documents AS d ON d.id = c.document_id
JOIN texts AS ct ON ct.id = d.text_id
LEFT JOIN documents AS src ON src.id = c.derived_from_id
LEFT JOIN texts AS st ON st.id = src.text_id
