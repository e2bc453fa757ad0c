-- spam_networks: wrapper templates (wrapper_segments.fingerprint) used by spam-wrapped copies on
-- two or more sites; one row per template and site using it.
CREATE VIEW spam_networks AS
WITH template_use AS (
    SELECT
        ws.fingerprint   AS fingerprint,
        ws.id            AS segment_id,
        cp.site          AS site,
        cp.document_id   AS document_id,
        cp.seen_at       AS seen_at
    FROM wrapper_segments AS ws
    JOIN classifications AS c ON c.id = ws.classification_id AND c.is_current
    JOIN copy_provenance AS cp ON cp.document_id = c.document_id
    WHERE cp.label = 'spam-wrapped' AND cp.site IS NOT NULL
),
shared AS (
    SELECT
        fingerprint,
        COUNT(DISTINCT site) AS network_sites,
        MIN(segment_id)      AS first_segment_id
    FROM template_use
    GROUP BY fingerprint
    HAVING COUNT(DISTINCT site) >= 2
)
SELECT
    tu.fingerprint       AS fingerprint,
    s.network_sites      AS network_sites,
    tu.site              AS site,
    COUNT(DISTINCT tu.document_id) AS copies,
    MIN(tu.seen_at)      AS first_seen_at,
    MAX(tu.seen_at)      AS last_seen_at,
    tpl.text             AS template_text
FROM template_use AS tu
JOIN shared AS s ON s.fingerprint = tu.fingerprint
JOIN wrapper_segments AS tpl ON tpl.id = s.first_segment_id
GROUP BY tu.fingerprint, s.network_sites, tu.site, tpl.text
