//! Cross-source deduplication of sessions: the same run recorded by Strava and Garmin, the
//! same night by WHOOP and Garmin. Two sessions of the same kind from different providers are
//! the same when they overlap by at least half of the shorter one; a group of such sessions
//! shows the one from the source the person prefers (Settings → Data sources, else the default
//! order), the longest on a tie. The others keep their rows and point at it (`duplicate_of`),
//! so lists and counts skip them and changing the order brings them back.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use super::catalogue;
use super::series;
use super::sources::{effective_order, rank};
use crate::platform::db::Db;
use crate::with_db;

/// A session as the matcher sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    pub id: String,
    pub provider: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// The share of the shorter session two must overlap by to be one.
const MIN_OVERLAP: f64 = 0.5;

fn same(a: &Session, b: &Session) -> bool {
    if a.provider == b.provider {
        return false;
    }
    let overlap = (a.end.min(b.end) - a.start.max(b.start)).num_seconds();
    let shorter = (a.end - a.start)
        .num_seconds()
        .min((b.end - b.start).num_seconds());
    overlap > 0 && overlap as f64 >= MIN_OVERLAP * shorter.max(1) as f64
}

/// For each session, the id of the one shown in its place (`None`: it is shown itself).
/// `order` is the source order, best first.
pub fn resolve(sessions: &[Session], order: &[String]) -> Vec<Option<String>> {
    let n = sessions.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    // The providers in each group: a group never holds two sessions of one provider (two
    // runs Strava recorded are two runs, even if one long Garmin session overlaps both).
    let mut members: Vec<Vec<&str>> = sessions.iter().map(|s| vec![s.provider.as_str()]).collect();
    let mut by_start: Vec<usize> = (0..n).collect();
    by_start.sort_by_key(|&i| sessions[i].start);
    for (k, &i) in by_start.iter().enumerate() {
        for &j in &by_start[k + 1..] {
            if sessions[j].start >= sessions[i].end {
                break;
            }
            if same(&sessions[i], &sessions[j]) {
                let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                if a == b || members[a].iter().any(|p| members[b].contains(p)) {
                    continue;
                }
                let moved = std::mem::take(&mut members[a]);
                members[b].extend(moved);
                parent[a] = b;
            }
        }
    }
    let mut best: HashMap<usize, usize> = HashMap::new();
    for i in 0..n {
        let r = root(&mut parent, i);
        let key = |x: usize| {
            let s = &sessions[x];
            (
                rank(order, &s.provider),
                std::cmp::Reverse(s.end - s.start),
                s.id.clone(),
            )
        };
        match best.get(&r) {
            Some(&b) if key(b) <= key(i) => {}
            _ => {
                best.insert(r, i);
            }
        }
    }
    (0..n)
        .map(|i| {
            let winner = best[&root(&mut parent, i)];
            (winner != i).then(|| sessions[winner].id.clone())
        })
        .collect()
}

/// The metric whose source order decides between sessions of `event_type`.
fn order_metric(event_type: &str) -> &'static str {
    match event_type {
        "sleep" => "sleep",
        _ => "workout",
    }
}

type Row = (
    String,
    String,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<i64>,
    Option<String>,
);

/// Re-decides the sessions of `event_type` starting within a day of `from..=to` for a person
/// (their possible partners are read from a day further).
pub async fn refresh(
    db: &Db,
    user_id: &str,
    event_type: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<usize, sqlx::Error> {
    let rows: Vec<Row> = with_db!(db, pool => sqlx::query_as(
        "SELECT id, provider_id, started_at, ended_at, CAST(duration_seconds AS BIGINT), duplicate_of \
         FROM events WHERE user_id = $1 AND event_type = $2 AND started_at BETWEEN $3 AND $4 \
         ORDER BY started_at, id")
        .bind(user_id)
        .bind(event_type)
        .bind(from - Duration::days(2))
        .bind(to + Duration::days(2))
        .fetch_all(pool)
        .await)?;
    let sessions: Vec<Session> = rows
        .iter()
        .map(|(id, provider, start, end, secs, _)| Session {
            id: id.clone(),
            provider: provider.clone(),
            start: *start,
            end: end
                .or_else(|| secs.map(|s| *start + Duration::seconds(s)))
                .unwrap_or(*start)
                .max(*start),
        })
        .collect();
    let orders = series::user_orders(db, user_id).await?;
    let metric = order_metric(event_type);
    let order = catalogue::metric(metric)
        .map(|m| effective_order(m, orders.get(metric).map(Vec::as_slice)))
        .unwrap_or_default();
    let decided = resolve(&sessions, &order);
    let mut changed = 0;
    // Sessions near the edges were loaded with their partners but are decided by the refresh
    // of their own span.
    let (first, last) = (from - Duration::days(1), to + Duration::days(1));
    for ((id, _, start, _, _, current), wanted) in rows.iter().zip(decided) {
        if *current == wanted || *start < first || *start > last {
            continue;
        }
        with_db!(db, pool => sqlx::query("UPDATE events SET duplicate_of = $1 WHERE id = $2")
            .bind(&wanted)
            .bind(id)
            .execute(pool)
            .await
            .map(|_| ()))?;
        changed += 1;
    }
    Ok(changed)
}

/// Re-decides all of a person's sessions (after they change their source order).
pub async fn refresh_all(db: &Db, user_id: &str) -> Result<usize, sqlx::Error> {
    type Span = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);
    let span: Option<Span> = with_db!(db, pool => sqlx::query_as(
        "SELECT MIN(started_at), MAX(started_at) FROM events WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(pool)
        .await)?;
    let Some((Some(from), Some(to))) = span else {
        return Ok(0);
    };
    let mut changed = 0;
    for kind in ["workout", "sleep"] {
        changed += refresh(db, user_id, kind, from, to).await?;
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(id: &str, provider: &str, start: &str, minutes: i64) -> Session {
        let start = DateTime::parse_from_rfc3339(start)
            .unwrap()
            .with_timezone(&Utc);
        Session {
            id: id.into(),
            provider: provider.into(),
            start,
            end: start + Duration::minutes(minutes),
        }
    }

    fn order(p: &[&str]) -> Vec<String> {
        p.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn overlapping_sessions_from_two_sources_are_one() {
        let sessions = vec![
            s("strava-run", "strava", "2026-11-20T18:00:00Z", 40),
            s("garmin-run", "garmin", "2026-11-20T17:59:00Z", 42),
            // The same evening, a walk only Garmin recorded.
            s("garmin-walk", "garmin", "2026-11-20T20:00:00Z", 30),
        ];
        assert_eq!(
            resolve(&sessions, &order(&["garmin", "strava"])),
            vec![Some("garmin-run".into()), None, None]
        );
        assert_eq!(
            resolve(&sessions, &order(&["strava", "garmin"])),
            vec![None, Some("strava-run".into()), None]
        );
    }

    #[test]
    fn small_overlaps_and_the_same_source_stay_apart() {
        let sessions = vec![
            s("a", "whoop", "2026-11-20T06:00:00Z", 60),
            // Overlaps a by 20 of its 60 minutes: a different session.
            s("b", "garmin", "2026-11-20T06:40:00Z", 60),
            // Two sessions of one provider are never merged.
            s("c", "whoop", "2026-11-20T06:10:00Z", 30),
        ];
        assert_eq!(
            resolve(&sessions, &order(&["garmin", "whoop"])),
            vec![None, None, None]
        );
    }

    #[test]
    fn one_long_session_does_not_merge_two_of_another_source() {
        let sessions = vec![
            s("run-1", "strava", "2026-11-20T18:00:00Z", 55),
            s("long", "garmin", "2026-11-20T18:00:00Z", 120),
            s("run-2", "strava", "2026-11-20T19:05:00Z", 55),
        ];
        let out = resolve(&sessions, &order(&["strava", "garmin"]));
        assert_eq!(out[0], None);
        assert_eq!(out[2], None, "the second run stays its own");
    }

    #[test]
    fn a_group_of_three_shows_the_preferred_source() {
        let sessions = vec![
            s("w", "whoop", "2026-11-19T22:30:00Z", 480),
            s("g", "garmin", "2026-11-19T22:45:00Z", 460),
            s("o", "oura", "2026-11-19T22:40:00Z", 470),
        ];
        let out = resolve(&sessions, &order(&["oura", "whoop", "garmin"]));
        assert_eq!(out, vec![Some("o".into()), Some("o".into()), None]);
    }
}
