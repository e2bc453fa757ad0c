-- correction_history: every operator correction ever stored (the audit trail; rows are never
-- changed), with the classifier's current label of the document and whether it is still in force.
CREATE VIEW correction_history AS
SELECT
    corr.id              AS correction_id,
    corr.document_id     AS document_id,
    d.locator            AS locator,
    d.site               AS site,
    corr.label           AS label,
    c.label              AS model_label,
    corr.note            AS note,
    corr.who             AS who,
    corr.created_at      AS corrected_at,
    CASE WHEN lc.correction_id = corr.id THEN 1 ELSE 0 END AS in_force
FROM corrections AS corr
JOIN documents AS d ON d.id = corr.document_id
LEFT JOIN classifications AS c ON c.document_id = corr.document_id AND c.is_current
LEFT JOIN latest_corrections AS lc ON lc.document_id = corr.document_id
