-- Schema version 8: entity quality (issue 14 §5, issue 15 §1).
-- A mention may sit in the article's dateline place ("LONDON 1996-08-30" -> LONDON), which is
-- neither title nor body: start_char/end_char are then offsets into articles.dateline_place.
ALTER TABLE mentions ADD COLUMN IF NOT EXISTS in_dateline BOOLEAN DEFAULT false;
-- The id the article's own tagging gave a mention; `entity_id` is the entity it counts for after
-- the cross-document registry (mediamon/entity_registry.py). NULL until the load that wrote it ends.
ALTER TABLE mentions ADD COLUMN IF NOT EXISTS tagged_entity_id VARCHAR;
-- The registry learned from the warehouse: one row per tagged entity that counts for another
-- entity ('type', 'surname') or is an ambiguous surname ('ambiguous', with the candidates).
CREATE TABLE IF NOT EXISTS entity_registry (
    entity_id    VARCHAR PRIMARY KEY,
    resolved_id  VARCHAR NOT NULL,
    status       VARCHAR NOT NULL,
    candidates   VARCHAR[],
    updated_at   TIMESTAMPTZ NOT NULL
);
