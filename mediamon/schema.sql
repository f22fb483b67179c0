-- mediamon warehouse, schema version 1. docs/data-model.md is the contract.
CREATE TABLE IF NOT EXISTS articles (
    article_id          VARCHAR PRIMARY KEY,
    url                 VARCHAR NOT NULL,
    canonical_url       VARCHAR NOT NULL,
    source              VARCHAR,
    site                VARCHAR,
    publisher           VARCHAR,
    publisher_source    VARCHAR,
    title               VARCHAR,
    published_at        TIMESTAMPTZ,
    published_at_source VARCHAR,
    modified_at         TIMESTAMPTZ,
    authors             VARCHAR[],
    agency              VARCHAR,
    language            VARCHAR,
    body                VARCHAR,
    word_count          INTEGER,
    image_credit        VARCHAR,
    tags                VARCHAR[],
    fetched_at          TIMESTAMPTZ,
    first_seen_at       TIMESTAMPTZ NOT NULL,
    seen_date           DATE NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    content_hash        VARCHAR NOT NULL,
    raw_hash            VARCHAR,
    duplicate_of        VARCHAR,
    dq_status           VARCHAR NOT NULL,
    dq_failures         VARCHAR[],
    run_id              VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS article_versions (
    article_id    VARCHAR NOT NULL,
    content_hash  VARCHAR NOT NULL,
    title         VARCHAR,
    body          VARCHAR,
    valid_from    TIMESTAMPTZ,
    replaced_at   TIMESTAMPTZ NOT NULL,
    replaced_by_run VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS mentions (
    article_id   VARCHAR NOT NULL,
    entity_id    VARCHAR NOT NULL,
    surface      VARCHAR NOT NULL,
    entity_type  VARCHAR NOT NULL,
    start_char   INTEGER NOT NULL,
    end_char     INTEGER NOT NULL,
    in_title     BOOLEAN NOT NULL,
    source       VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS entities (
    entity_id      VARCHAR PRIMARY KEY,
    canonical_name VARCHAR NOT NULL,
    entity_type    VARCHAR NOT NULL,
    aliases        VARCHAR[],
    external_id    VARCHAR,
    first_seen_at  TIMESTAMPTZ NOT NULL,
    seen_date      DATE NOT NULL
);

CREATE TABLE IF NOT EXISTS quarantine (
    doc_key        VARCHAR NOT NULL,   -- the file path for local files, else the URL
    url            VARCHAR NOT NULL,
    path           VARCHAR,
    source         VARCHAR,
    stage          VARCHAR NOT NULL,
    reasons        VARCHAR[] NOT NULL,
    detail         VARCHAR,
    run_id         VARCHAR NOT NULL,
    quarantined_at TIMESTAMPTZ NOT NULL,
    first_quarantined_at TIMESTAMPTZ NOT NULL,
    attempts       INTEGER NOT NULL,
    PRIMARY KEY (doc_key)
);

CREATE TABLE IF NOT EXISTS dq_results (
    run_id           VARCHAR NOT NULL,
    suite            VARCHAR NOT NULL,
    expectation      VARCHAR NOT NULL,
    column_name      VARCHAR,
    severity         VARCHAR,
    success          BOOLEAN NOT NULL,
    unexpected_count BIGINT,
    element_count    BIGINT,
    details          JSON,
    checked_at       TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS runs (
    run_id             VARCHAR PRIMARY KEY,
    started_at         TIMESTAMPTZ NOT NULL,
    finished_at        TIMESTAMPTZ,
    status             VARCHAR NOT NULL,
    documents_in       INTEGER,
    articles_new       INTEGER,
    articles_updated   INTEGER,
    articles_unchanged INTEGER,
    duplicates         INTEGER,
    quarantined        INTEGER,
    dq_warnings        INTEGER,
    counts             JSON,
    problems           VARCHAR[],
    sources            VARCHAR[]
);

CREATE TABLE IF NOT EXISTS raw_documents (
    url            VARCHAR PRIMARY KEY,
    source         VARCHAR,
    path           VARCHAR,
    kind           VARCHAR,
    fetched_at     TIMESTAMPTZ,
    content_type   VARCHAR,
    http_status    INTEGER,
    etag           VARCHAR,
    last_modified  VARCHAR,
    final_url      VARCHAR,
    publisher_hint VARCHAR,
    title_hint     VARCHAR,
    published_hint TIMESTAMPTZ,
    published_hint_source VARCHAR,
    language_hint  VARCHAR,
    raw_hash       VARCHAR,
    raw_size       BIGINT,
    raw_zlib       BLOB,
    run_id         VARCHAR
);

CREATE TABLE IF NOT EXISTS template_lines (
    site        VARCHAR NOT NULL,
    fingerprint VARCHAR NOT NULL,
    article_id  VARCHAR NOT NULL,
    PRIMARY KEY (site, fingerprint, article_id)
);

-- What the last successful fetch of each web URL left behind, for conditional requests
-- (If-None-Match / If-Modified-Since) and content-hash "unchanged" detection on the next run.
CREATE TABLE IF NOT EXISTS fetch_state (
    url             VARCHAR PRIMARY KEY,  -- normalised requested URL
    etag            VARCHAR,
    last_modified   VARCHAR,
    content_hash    VARCHAR,              -- sha256 hex of the body
    last_status     INTEGER,
    last_error      VARCHAR,
    last_fetched_at TIMESTAMPTZ,
    source          VARCHAR
);
