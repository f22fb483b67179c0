-- mediamon analyst views. Run after the migrations; every statement is idempotent.
-- Needs the tables of schema.sql plus `article_clusters` (one row per article: cluster_id,
-- is_original, cluster_size; singletons have cluster_id = article_id and cluster_size 1).
-- A story's day is its published_date (the day in the page's own offset or zone, see
-- docs/data-model.md), or the UTC day mediamon first saw it when the page gave no date. Exact copies (`duplicate_of` set) are left out of counts that
-- would otherwise count one story twice, and kept where they are the point (clusters).

-- Mentions per entity per day and publisher. day = the story's publication day, or the day
-- mediamon first saw it when the page gave no date.
CREATE OR REPLACE VIEW v_entity_daily AS
SELECT
    coalesce(a.published_date, CAST(timezone('UTC', a.first_seen_at) AS DATE)) AS day,
    coalesce(a.publisher, a.site) AS publisher,
    m.entity_id,
    coalesce(e.canonical_name, m.entity_id) AS canonical_name,
    coalesce(e.entity_type, m.entity_type) AS entity_type,
    count(*) AS mentions,
    count(DISTINCT m.article_id) AS articles
FROM mentions AS m
JOIN articles AS a USING (article_id)
LEFT JOIN entities AS e USING (entity_id)
WHERE a.duplicate_of IS NULL
GROUP BY ALL;

-- Articles per publisher per day (the day mediamon first saw them: seen_date), with the fill
-- rates of date, author and body (>= 50 words, as in transforms.monitoring.field_health) and data-quality
-- warnings. Rates are over every stored row, exact copies included: they measure extraction.
CREATE OR REPLACE VIEW v_publisher_daily AS
SELECT
    a.seen_date AS day,
    coalesce(a.publisher, a.site, '(unknown)') AS publisher,
    count(*) AS articles,
    count(*) FILTER (WHERE a.duplicate_of IS NOT NULL) AS duplicates,
    count(a.published_at) AS with_date,
    count(*) FILTER (WHERE len(coalesce(a.authors, [])) > 0) AS with_authors,
    count(*) FILTER (WHERE coalesce(a.word_count, 0) >= 50) AS with_body,
    round(count(a.published_at) / count(*), 3) AS date_fill_rate,
    round(count(*) FILTER (WHERE len(coalesce(a.authors, [])) > 0) / count(*), 3) AS author_fill_rate,
    round(count(*) FILTER (WHERE coalesce(a.word_count, 0) >= 50) / count(*), 3) AS body_fill_rate,
    count(*) FILTER (WHERE a.dq_status = 'warn') AS dq_warn_articles,
    coalesce(sum(len(coalesce(a.dq_failures, []))), 0) AS dq_warnings
FROM articles AS a
GROUP BY ALL;

-- Every member of every cluster (singletons included), ranked by publication time within
-- its cluster: rank 1 carried the story first.
CREATE OR REPLACE VIEW v_cluster_members AS
SELECT
    c.cluster_id,
    c.article_id,
    c.is_original,
    row_number() OVER (
        PARTITION BY c.cluster_id
        ORDER BY a.published_at NULLS LAST, a.first_seen_at, c.article_id) AS rank,
    count(*) OVER (PARTITION BY c.cluster_id) AS cluster_size,
    a.publisher,
    a.agency,
    a.title,
    a.url,
    a.published_at,
    a.first_seen_at,
    a.duplicate_of
FROM article_clusters AS c
JOIN articles AS a USING (article_id);

-- Syndicated stories: clusters with more than one article. "original" is the member marked
-- is_original (the wire source when it is in the warehouse, else the earliest published).
CREATE OR REPLACE VIEW v_clusters AS
SELECT
    cluster_id,
    arg_min(article_id, (CASE WHEN is_original THEN 0 ELSE 1 END) * 1000000000 + rank) AS original_article_id,
    arg_min(publisher, (CASE WHEN is_original THEN 0 ELSE 1 END) * 1000000000 + rank) AS original_publisher,
    arg_min(title, (CASE WHEN is_original THEN 0 ELSE 1 END) * 1000000000 + rank) AS original_title,
    arg_min(published_at, (CASE WHEN is_original THEN 0 ELSE 1 END) * 1000000000 + rank)
        AS original_published_at,
    count(*) AS articles,
    count(*) - 1 AS copies,
    count(DISTINCT publisher) AS publisher_count,
    list_sort(list_distinct(list(publisher))) AS publishers,
    min(published_at) AS first_published_at,
    max(published_at) AS last_published_at,
    min(first_seen_at) AS first_seen_at,
    max(first_seen_at) AS last_seen_at
FROM v_cluster_members
GROUP BY cluster_id
HAVING count(*) > 1;

-- The latest stories for dashboards: no exact copies, first seen within the 7 days before the
-- newest article in the warehouse (not before now(), so a paused warehouse still shows its
-- last week), newest first.
CREATE OR REPLACE VIEW v_latest AS
SELECT
    a.article_id,
    coalesce(a.published_at, a.first_seen_at) AS published_or_seen_at,
    a.published_at,
    coalesce(a.published_date, CAST(timezone('UTC', a.first_seen_at) AS DATE)) AS day,
    a.publisher,
    a.title,
    left(a.body, 280) AS snippet,
    a.url,
    a.language,
    a.word_count,
    a.authors,
    a.agency,
    a.dq_status,
    c.cluster_id,
    coalesce(c.cluster_size, 1) AS cluster_size,
    coalesce(c.is_original, true) AS is_original
FROM articles AS a
LEFT JOIN article_clusters AS c USING (article_id)
WHERE a.duplicate_of IS NULL
  AND a.first_seen_at >= (SELECT max(first_seen_at) FROM articles) - INTERVAL 7 DAY
ORDER BY published_or_seen_at DESC, a.article_id;

-- Articles per [[topics]] entry per day and publisher (article_topics). day = the story's
-- publication day, or the day mediamon first saw it when the page gave no date (as v_entity_daily).
CREATE OR REPLACE VIEW v_topic_daily AS
SELECT
    coalesce(a.published_date, CAST(timezone('UTC', a.first_seen_at) AS DATE)) AS day,
    t.topic,
    coalesce(a.publisher, a.site) AS publisher,
    count(*) AS articles
FROM article_topics AS t
JOIN articles AS a USING (article_id)
WHERE a.duplicate_of IS NULL
GROUP BY ALL;
