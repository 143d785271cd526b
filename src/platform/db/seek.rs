//! Keyset pages: which rows a page of a newest-first list holds. The edges (REST cursors,
//! paged screens) build these; repositories turn them into `WHERE … ORDER BY … LIMIT`.

use chrono::{DateTime, NaiveDate, Utc};

/// Rows with their instant in `[from, to)`, strictly older than `(before_at, before_id)`,
/// newest first, at most `fetch` of them (a page plus one, to tell whether more follow).
#[derive(Clone, Debug)]
pub struct TimeSeek {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub before_at: DateTime<Utc>,
    pub before_id: String,
    pub fetch: i64,
}

/// Rows with their local date in `from..=to`, strictly older than `(before_day, before_id)`,
/// newest first, at most `fetch` of them.
#[derive(Clone, Debug)]
pub struct DaySeek {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub before_day: NaiveDate,
    pub before_id: String,
    pub fetch: i64,
}
