-- copying_sites: one row per site publishing copies (documents deriving from another document).
CREATE VIEW copying_sites AS
SELECT
    cp.site              AS site,
    COUNT(*)             AS copies,
    COUNT(CASE WHEN cp.label = 'original' THEN 1 END)     AS full_copies,
    COUNT(CASE WHEN cp.label = 'rewrite' THEN 1 END)      AS rewrites,
    COUNT(CASE WHEN cp.label = 'excerpt' THEN 1 END)      AS excerpts,
    COUNT(CASE WHEN cp.label = 'spam-wrapped' THEN 1 END) AS spam_wrapped,
    CAST(COUNT(CASE WHEN cp.label = 'spam-wrapped' THEN 1 END) AS DOUBLE PRECISION) / COUNT(*) AS share_spam_wrapped,
    COUNT(DISTINCT cp.root_id) AS originals_copied,
    MIN(cp.seen_at)      AS first_seen_at,
    MAX(cp.seen_at)      AS last_seen_at
FROM copy_provenance AS cp
WHERE cp.derived_from_id IS NOT NULL
GROUP BY cp.site
