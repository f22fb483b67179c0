-- Schema version 6: plain text (issue 14). A .txt document is read as clean copy ('text', every
-- line kept) or as a page dump with chrome ('page-text'); the source may say which
-- (raw_documents.text_kind, from a manifest entry or a [[sources]] table), else mediamon judges.
-- Agency copy's header is metadata, not body: the dateline's place, correction notices, the slug.
ALTER TABLE articles ADD COLUMN IF NOT EXISTS text_kind VARCHAR;
ALTER TABLE articles ADD COLUMN IF NOT EXISTS text_kind_source VARCHAR;
ALTER TABLE articles ADD COLUMN IF NOT EXISTS dateline_place VARCHAR;
ALTER TABLE articles ADD COLUMN IF NOT EXISTS correction VARCHAR;
ALTER TABLE articles ADD COLUMN IF NOT EXISTS slug_line VARCHAR;
ALTER TABLE raw_documents ADD COLUMN IF NOT EXISTS text_kind VARCHAR;
ALTER TABLE raw_documents ADD COLUMN IF NOT EXISTS text_kind_source VARCHAR;
