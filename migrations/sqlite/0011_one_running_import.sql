-- One running import per person, kept by the database: the upload reserves its `queued` row
-- before the file is read, and this index refuses a second running row even when two uploads
-- race (on PostgreSQL as on SQLite). A row left `queued` by a stopped server is failed at
-- start-up like the others (`repo::interrupted`).
-- Earlier races may have left a person with more than one running row: all but the newest fail.
UPDATE health_imports
SET status = 'failed',
    error = 'Another import of yours was running. Upload the file again.',
    finished_at = COALESCE(finished_at, started_at, created_at)
WHERE status IN ('queued', 'checking', 'importing')
  AND EXISTS (
    SELECT 1 FROM health_imports AS newer
    WHERE newer.user_id = health_imports.user_id
      AND newer.status IN ('queued', 'checking', 'importing')
      AND (newer.created_at > health_imports.created_at
           OR (newer.created_at = health_imports.created_at AND newer.id > health_imports.id))
  );
CREATE UNIQUE INDEX health_imports_one_running ON health_imports (user_id)
    WHERE status IN ('queued', 'checking', 'importing');
