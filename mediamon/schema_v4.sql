-- Schema version 4: per-publisher field health (transforms/monitoring/field_health.py), refreshed every run.
-- Daily fill rate of each field per publisher (the registered domain, `site`) and day first seen.
CREATE TABLE IF NOT EXISTS field_health (
    publisher   VARCHAR NOT NULL,   -- articles.site (else publisher, else '(unknown)')
    day         DATE NOT NULL,      -- articles.seen_date: the day the articles came in
    field       VARCHAR NOT NULL,   -- published_at, authors, publisher, body (>= min_words), title
    articles    INTEGER NOT NULL,
    filled      INTEGER NOT NULL,
    rate        DOUBLE NOT NULL,    -- filled / articles
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (publisher, day, field)
);
-- A publisher's field whose fill rate fell sharply on a day against its own previous 28 days.
CREATE TABLE IF NOT EXISTS field_health_drops (
    publisher     VARCHAR NOT NULL,
    field         VARCHAR NOT NULL,
    day           DATE NOT NULL,
    rate          DOUBLE NOT NULL,
    baseline_rate DOUBLE NOT NULL,  -- median daily rate of the previous 28 days with articles
    articles      INTEGER NOT NULL,
    message       VARCHAR NOT NULL,
    run_id        VARCHAR NOT NULL, -- the run that detected it (last)
    detected_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (publisher, field, day)
);
