-- Schema version 2: syndication clusters (one row per article; singletons have cluster_id = article_id).
CREATE TABLE IF NOT EXISTS article_clusters (
    article_id    VARCHAR PRIMARY KEY,
    cluster_id    VARCHAR NOT NULL,
    is_original   BOOLEAN NOT NULL,
    cluster_size  INTEGER NOT NULL,
    minhash       BLOB,              -- 128 little-endian uint32; NULL when the body is too short to compare
    shingle_count INTEGER NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
