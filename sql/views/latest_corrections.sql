-- latest_corrections: the operator correction in force for each corrected document.
-- Corrections are only ever added; the row with the highest id (the last one stored) wins.
CREATE VIEW latest_corrections AS
SELECT
    corr.document_id     AS document_id,
    corr.label           AS label,
    corr.note            AS note,
    corr.who             AS who,
    corr.created_at      AS corrected_at,
    corr.id              AS correction_id
FROM corrections AS corr
WHERE corr.id = (
    SELECT MAX(newer.id) FROM corrections AS newer WHERE newer.document_id = corr.document_id
)
