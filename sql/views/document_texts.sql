-- document_texts: the stored (normalised) text of each document, so a copy can be read beside its
-- source; matched_passages and wrapper_lines give offsets into these texts.
CREATE VIEW document_texts AS
SELECT
    d.id                 AS document_id,
    d.locator            AS locator,
    t.n_chars            AS n_chars,
    t.body               AS body
FROM documents AS d
JOIN texts AS t ON t.id = d.text_id
