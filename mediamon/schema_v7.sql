-- Schema version 7: the publication day as the outlet printed it (issue 14).
-- published_at stays the UTC instant; published_date is the calendar day in the page's own offset
-- or zone (a day written without a time is kept as written); published_tz is the UTC offset the
-- page wrote with the chosen date (NULL for a local time or a bare day); published_date_conflicts
-- lists other publication claims on the page that name another day ("url:2019-10-17").
ALTER TABLE articles ADD COLUMN IF NOT EXISTS published_date DATE;
ALTER TABLE articles ADD COLUMN IF NOT EXISTS published_tz VARCHAR;
ALTER TABLE articles ADD COLUMN IF NOT EXISTS published_date_conflicts VARCHAR[];
-- Rows stored before this version: their UTC day, the best that is known without re-extracting.
UPDATE articles SET published_date = CAST(timezone('UTC', published_at) AS DATE)
WHERE published_date IS NULL AND published_at IS NOT NULL;
