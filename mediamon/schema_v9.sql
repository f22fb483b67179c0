-- Schema version 9: topics, re-tagging history when definitions change, and the search index.

-- One row per article and matching [[topics]] entry (transforms/monitoring/retag.py, match_topics).
CREATE TABLE IF NOT EXISTS article_topics (
    article_id        VARCHAR NOT NULL,
    topic             VARCHAR NOT NULL,   -- [[topics]] name
    matched_terms     VARCHAR[] NOT NULL, -- the query's terms found (outside NOT), as written
    query_fingerprint VARCHAR NOT NULL,   -- the topic's query when it matched (tag_definitions)
    run_id            VARCHAR NOT NULL,   -- the run that matched it (last)
    matched_at        TIMESTAMPTZ NOT NULL
);

-- The watchlist entries and topics last applied to the stored articles, by fingerprint: a run or
-- `mediamon reprocess --tags-only` re-matches history for those added, changed or removed.
CREATE TABLE IF NOT EXISTS tag_definitions (
    kind        VARCHAR NOT NULL,   -- 'watchlist' | 'topic'
    key         VARCHAR NOT NULL,   -- watchlist: the entry's id, else its name; topic: its name
    fingerprint VARCHAR NOT NULL,
    definition  VARCHAR,            -- the topic's query, the entry's canonical name
    applied_at  TIMESTAMPTZ NOT NULL,  -- when this fingerprint was first applied to history
    checked_at  TIMESTAMPTZ NOT NULL,  -- the last check: articles loaded later get topics next time
    run_id      VARCHAR NOT NULL,
    PRIMARY KEY (kind, key)
);

-- `mediamon search`: an inverted index of article words (mediamon/search.py), kept up to date by
-- every run. Body and title words are stored as themselves, title words also as 'title:word',
-- publisher words as 'publisher:word'. Postings are append-only lists, one row per term and
-- indexing batch: a re-indexed article gets a new doc_no, and doc_nos no longer in search_docs
-- are ignored by queries.
CREATE TABLE IF NOT EXISTS search_terms (
    term    VARCHAR NOT NULL,
    term_id INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS search_docs (
    article_id   VARCHAR NOT NULL,
    doc_no       INTEGER NOT NULL,
    content_hash VARCHAR            -- hash of what was indexed (content_hash, title, publisher)
);
CREATE TABLE IF NOT EXISTS search_postings (
    term_id INTEGER NOT NULL,
    doc_nos INTEGER[] NOT NULL      -- the articles of one indexing batch that hold the term
);
