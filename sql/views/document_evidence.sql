-- document_evidence: the evidence behind each document's current classification, as JSON text
-- (its "direction" object says how the source was told from the copy; "reasons" in words).
-- Spans and wrapper segments are not in it: they are the matched_passages and wrapper_lines views.
CREATE VIEW document_evidence AS
SELECT
    c.document_id        AS document_id,
    c.id                 AS classification_id,
    c.pair_class         AS pair_class,
    c.reason             AS reason,
    CAST(c.evidence AS TEXT) AS evidence
FROM classifications AS c
WHERE c.is_current
