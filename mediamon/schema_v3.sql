-- Schema version 3: alerts raised by `mediamon alerts`. One row per (entity, day, kind): an alert fires once.
CREATE TABLE IF NOT EXISTS alerts (
    entity_id       VARCHAR NOT NULL,
    day             DATE NOT NULL,       -- the UTC day judged (publication day, as in v_entity_daily)
    kind            VARCHAR NOT NULL,    -- 'spike' (watchlist entity) or 'new_entity'
    canonical_name  VARCHAR,
    entity_type     VARCHAR,
    mentions        INTEGER,             -- mentions that day
    outlets         INTEGER,             -- distinct publishers that day
    baseline_median DOUBLE,              -- spike: the baseline's median, MAD and the threshold crossed
    baseline_mad    DOUBLE,
    threshold       DOUBLE,
    detail          VARCHAR,             -- one line for people
    created_at      TIMESTAMPTZ NOT NULL,
    webhook_status  VARCHAR NOT NULL,    -- 'none' (no webhook), 'pending', 'sent' or 'failed' (pending/failed: sent again)
    webhook_error   VARCHAR,
    delivered_at    TIMESTAMPTZ,
    PRIMARY KEY (entity_id, day, kind)
);
