-- Cross-source deduplication: when two providers recorded the same workout or night, the one
-- the person's source order prefers is shown and the others point at it. Every provider's row
-- stays stored; removing the preferred one shows the next again.
ALTER TABLE events ADD COLUMN duplicate_of TEXT REFERENCES events(id) ON DELETE SET NULL;
-- Deleting a shown session finds its copies by this (ON DELETE SET NULL).
CREATE INDEX events_duplicate_of_idx ON events (duplicate_of) WHERE duplicate_of IS NOT NULL;
