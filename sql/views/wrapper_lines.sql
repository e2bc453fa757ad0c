-- wrapper_lines: the stretches of a copy's text that match nothing in its source (the injected
-- wrapper material), per document's current classification. Offsets are 0-based character offsets
-- into document_texts.body, end exclusive.
CREATE VIEW wrapper_lines AS
SELECT
    c.document_id        AS document_id,
    ws.id                AS segment_id,
    ws.start             AS segment_start,
    ws."end"             AS segment_end,
    ws.text              AS segment_text,
    ws.fingerprint       AS fingerprint
FROM wrapper_segments AS ws
JOIN classifications AS c ON c.id = ws.classification_id AND c.is_current
