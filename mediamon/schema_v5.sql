-- Schema version 5: the LSH buckets of stored syndication signatures (transforms/syndication/minhash.py,
-- lsh_bands), so clustering a new article reads only the stored clusters it may join.
-- Kept for clusters that saw a new member within the last 14 days (mediamon/clusters.py).
CREATE TABLE IF NOT EXISTS article_lsh_bands (
    article_id  VARCHAR NOT NULL,
    band        SMALLINT NOT NULL,
    band_hash   UBIGINT NOT NULL
);
