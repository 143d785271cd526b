//! What other features call: queue a derive after their writes, and read what was derived.

use chrono::NaiveDate;

use super::derive::{self, DeriveReport};
use super::repo::{self, StoredBaseline};
use crate::platform::db::Db;

/// Whether changed figures of `metric` (a catalogue id) change anything derived.
pub fn derives_from(metric: &str) -> bool {
    derive::BASELINE_METRICS.contains(&metric)
}

/// Asks for the person's derived figures to be brought up to date from local day `from` on
/// (coalesced per person; the insights worker runs it shortly). Never fails the caller's write:
/// a failure is logged, and the next request (or `vitasync insights rebuild`) catches up.
pub async fn request_derive(db: &Db, user_id: &str, from: NaiveDate) {
    if let Err(e) = repo::request(db, user_id, from).await {
        tracing::warn!(user_id, %from, error = %e, "could not queue the insights derive");
    }
}

/// The person's baselines on local days `from..=to`, of one metric or all.
pub async fn baselines(
    db: &Db,
    user_id: &str,
    metric: Option<&str>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<StoredBaseline>, sqlx::Error> {
    repo::baselines(db, user_id, metric, from, to).await
}

/// Rebuilds the baselines of everyone (see [`derive::rebuild`]); returns how many people and
/// the summed report.
pub async fn rebuild_everyone(
    db: &Db,
    from: Option<NaiveDate>,
) -> Result<(usize, DeriveReport), sqlx::Error> {
    let people = repo::people(db).await?;
    let mut total = DeriveReport::default();
    for (user_id, tz) in &people {
        let r = derive::rebuild(db, user_id, tz, from).await?;
        total.days += r.days;
        total.metrics += r.metrics;
        total.stored += r.stored;
        total.removed += r.removed;
    }
    Ok((people.len(), total))
}
