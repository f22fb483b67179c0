-- Schema version 11: the entity registry is refreshed per load for the names the load touched,
-- not the whole warehouse (mediamon/entity_registry.py). It finds the entities a name decides by
-- these keys, computed in Python (transforms.entities.registry.name_key: Unicode case folding,
-- which SQL's lower() is not). Filled by the refresh itself for entities that have no row yet.
CREATE TABLE IF NOT EXISTS entity_name_keys (
    entity_id    VARCHAR PRIMARY KEY,
    name_key     VARCHAR NOT NULL,   -- the whole name, folded
    surname_key  VARCHAR NOT NULL    -- its last word, folded (the name itself when it is one word)
);
