-- Schema version 10: field health is kept per site (the registered domain), and its key column
-- says so. It held articles.site all along, under the name `publisher`.
ALTER TABLE field_health RENAME COLUMN publisher TO site;
ALTER TABLE field_health_drops RENAME COLUMN publisher TO site;
