-- source_copies: one row per root original, with the copies whose chains lead back to it.
-- An original nobody copied has copies = 0 and NULL first/last seen.
CREATE VIEW source_copies AS
SELECT
    o.document_id        AS original_id,
    o.locator            AS original_locator,
    o.site               AS original_site,
    o.title              AS original_title,
    o.story_id           AS story_id,
    o.seen_at            AS original_seen_at,
    COUNT(cp.document_id) AS copies,
    COUNT(CASE WHEN cp.label = 'original' THEN 1 END)     AS full_copies,
    COUNT(CASE WHEN cp.label = 'rewrite' THEN 1 END)      AS rewrites,
    COUNT(CASE WHEN cp.label = 'excerpt' THEN 1 END)      AS excerpts,
    COUNT(CASE WHEN cp.label = 'spam-wrapped' THEN 1 END) AS spam_wrapped,
    MIN(cp.seen_at)      AS first_seen_at,
    MAX(cp.seen_at)      AS last_seen_at,
    COUNT(DISTINCT cp.site) AS sites
FROM copy_provenance AS o
LEFT JOIN copy_provenance AS cp ON cp.root_id = o.document_id AND cp.document_id <> o.document_id
WHERE o.root_id = o.document_id
GROUP BY o.document_id, o.locator, o.site, o.title, o.story_id, o.seen_at
