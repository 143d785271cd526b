-- Cross-source deduplication: when two providers recorded the same workout or night, the one
-- the person's source order prefers is shown and the others point at it. Every provider's row
-- stays stored; removing the preferred one shows the next again.
ALTER TABLE events ADD COLUMN duplicate_of TEXT REFERENCES events(id) ON DELETE SET NULL;
