-- daily_label_counts: labelled documents per UTC day seen, site and effective label.
CREATE VIEW daily_label_counts AS
SELECT
    cp.seen_day          AS day,
    cp.site              AS site,
    cp.label             AS label,
    COUNT(*)             AS copies
FROM copy_provenance AS cp
WHERE cp.label IS NOT NULL
GROUP BY cp.seen_day, cp.site, cp.label
