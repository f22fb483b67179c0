-- Schema version 8: entity quality (issue 14 §5, issue 15 §1).
-- A mention may sit in the article's dateline place ("LONDON 1996-08-30" -> LONDON), which is
-- neither title nor body: start_char/end_char are then offsets into articles.dateline_place.
ALTER TABLE mentions ADD COLUMN IF NOT EXISTS in_dateline BOOLEAN DEFAULT false;
