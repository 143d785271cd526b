//! Server-side view models of the workout pages.

use chrono::{DateTime, Datelike, Duration, Utc};
use serde_json::Value;
use sqlx::types::Json;
use sqlx::FromRow;

use super::server_fns::{Lap, WorkoutDetail, WorkoutList, WorkoutRow};
use crate::dates::Day;
use crate::error::AppError;
use crate::health::catalogue::format_number;
use crate::health::charts::{self, Chart, Kind, Series};
use crate::health::local_time;
use crate::health::sources::source_name;
use crate::health::views::hours_minutes;
use crate::identity::SessionUser;
use crate::platform::db::Db;
use crate::units::Units;
use crate::with_db;

const PAGE_SIZE: i64 = 20;

#[derive(Debug, Clone, FromRow)]
struct EventRow {
    id: String,
    provider_id: String,
    activity_type: Option<String>,
    title: Option<String>,
    started_at: DateTime<Utc>,
    duration_seconds: Option<i32>,
    distance_meters: Option<f64>,
    calories_kcal: Option<f64>,
    avg_heart_rate: Option<i32>,
    max_heart_rate: Option<i32>,
}

/// "Running" from "running", "Strength training" from "strength_training".
pub fn activity_name(a: &str) -> String {
    let mut s = a.replace('_', " ");
    if let Some(first) = s.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    s
}

/// `<µs since epoch>_<id>` back to the row's (started_at, id).
fn parse_cursor(c: &str) -> Option<(DateTime<Utc>, String)> {
    let (micros, id) = c.split_once('_')?;
    let at = DateTime::from_timestamp_micros(micros.parse().ok()?)?;
    (!id.is_empty() && id.len() <= 64).then(|| (at, id.to_string()))
}

/// A bounded day from the query (so the instants it spans are safe to work out).
fn date_param(field: &str, v: Option<String>) -> Result<Option<Day>, AppError> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Day::parse(s)
            .map(Some)
            .map_err(|e| AppError::invalid(field, e.form_message())),
    }
}

pub async fn list(
    db: &Db,
    user: &SessionUser,
    activity: Option<String>,
    from: Option<String>,
    to: Option<String>,
    before: Option<String>,
) -> Result<WorkoutList, AppError> {
    let (user_id, timezone, units) = (user.id.as_str(), user.timezone.as_str(), &user.units);
    let tz = local_time::zone(timezone);
    let today = local_time::today(tz);
    let from_d = date_param("from", from)?;
    let to_d = date_param("to", to)?;
    if let (Some(f), Some(t)) = (from_d, to_d) {
        if f > t {
            return Err(AppError::invalid(
                "to",
                "The end date is before the start date.",
            ));
        }
    }
    // Keyset pages: `before` is the last row of the previous page (`<µs since epoch>_<id>`).
    let cursor = match before.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(c) => Some(parse_cursor(c).ok_or_else(|| {
            AppError::invalid(
                "before",
                "That page does not exist: start from the newest workouts.",
            )
        })?),
    };
    let activity = activity
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty() && a != "all");
    let start = from_d
        .map(|d| local_time::start_of_day(d.date(), tz))
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    let end = to_d
        .map(|d| local_time::start_of_day(d.next(), tz))
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    let (start, end) = (
        start.max(DateTime::from_timestamp(0, 0).expect("epoch")),
        end.min(Utc::now() + Duration::days(3650)),
    );
    let filter =
        "user_id = $1 AND event_type = 'workout' AND duplicate_of IS NULL AND started_at >= $2 \
                  AND started_at < $3 AND ($4 = '' OR activity_type = $4)";
    let act = activity.clone().unwrap_or_default();
    let rows: Vec<EventRow> = with_db!(db, pool => sqlx::query_as(&format!(
        "SELECT id, provider_id, activity_type, title, started_at, duration_seconds, distance_meters, \
                calories_kcal, avg_heart_rate, max_heart_rate \
         FROM events WHERE {filter} AND (started_at < $5 OR (started_at = $5 AND id < $6)) \
         ORDER BY started_at DESC, id DESC LIMIT $7"))
        .bind(user_id)
        .bind(start)
        .bind(end)
        .bind(&act)
        .bind(cursor.as_ref().map(|c| c.0).unwrap_or(end))
        .bind(cursor.as_ref().map(|c| c.1.as_str()).unwrap_or(""))
        .bind(PAGE_SIZE + 1)
        .fetch_all(pool)
        .await)?;
    let total: i64 = with_db!(db, pool => sqlx::query_scalar(&format!("SELECT COUNT(*) FROM events WHERE {filter}"))
        .bind(user_id)
        .bind(start)
        .bind(end)
        .bind(&act)
        .fetch_one(pool)
        .await)?;
    let activities: Vec<Option<String>> = with_db!(db, pool => sqlx::query_scalar(
        "SELECT DISTINCT activity_type FROM events WHERE user_id = $1 AND event_type = 'workout' ORDER BY activity_type")
        .bind(user_id)
        .fetch_all(pool)
        .await)?;
    let has_next = rows.len() as i64 > PAGE_SIZE;
    let next = has_next
        .then(|| rows.get(PAGE_SIZE as usize - 1))
        .flatten()
        .map(|r| format!("{}_{}", r.started_at.timestamp_micros(), r.id));
    let items = rows
        .into_iter()
        .take(PAGE_SIZE as usize)
        .map(|r| {
            let a = r.activity_type.clone().unwrap_or_else(|| "workout".into());
            let secs = r.duration_seconds.unwrap_or(0) as f64;
            WorkoutRow {
                title: r.title.clone().unwrap_or_else(|| activity_name(&a)),
                when: r
                    .started_at
                    .with_timezone(&tz)
                    .format("%a %-d %b %Y, %H:%M")
                    .to_string(),
                duration: hours_minutes(secs / 3600.0),
                distance: r.distance_meters.map(|m| units.distance_text(m)),
                pace: r.distance_meters.and_then(|m| units.pace_text(&a, secs, m)),
                calories: r
                    .calories_kcal
                    .map(|c| format!("{} kcal", format_number(c, 0))),
                avg_hr: r.avg_heart_rate.map(|h| format!("{h} bpm")),
                source: source_name(&r.provider_id),
                activity: activity_name(&a),
                id: r.id,
            }
        })
        .collect();

    // Weekly training volume: the last 12 ISO weeks (Monday first), in the user's zone.
    let this_monday = today - Duration::days(today.weekday().num_days_from_monday() as i64);
    let first_monday = this_monday - Duration::weeks(11);
    let since = local_time::start_of_day(first_monday, tz);
    let recent: Vec<(DateTime<Utc>, Option<i32>)> = with_db!(db, pool => sqlx::query_as(
        "SELECT started_at, duration_seconds FROM events WHERE user_id = $1 AND event_type = 'workout' \
         AND duplicate_of IS NULL AND started_at >= $2 AND ($3 = '' OR activity_type = $3)")
        .bind(user_id)
        .bind(since)
        .bind(&act)
        .fetch_all(pool)
        .await)?;
    let mut weeks = [0.0f64; 12];
    for (at, secs) in recent {
        let d = local_time::local_date(at, tz);
        let idx = (d - first_monday).num_days() / 7;
        if (0..12).contains(&idx) {
            weeks[idx as usize] += secs.unwrap_or(0) as f64 / 3600.0;
        }
    }
    let labels: Vec<String> = (0..12)
        .map(|i| {
            (first_monday + Duration::weeks(i))
                .format("%-d %b")
                .to_string()
        })
        .collect();
    let volume_weeks: Vec<(String, String)> = labels
        .iter()
        .zip(weeks)
        .map(|(l, h)| (format!("Week of {l}"), hours_minutes(h)))
        .collect();
    let volume_svg = if weeks.iter().all(|h| *h == 0.0) {
        String::new()
    } else {
        let mut c = Chart::new("Training hours per week", Kind::Bars, labels);
        c.desc = "Hours of workouts in each of the last 12 weeks (Monday to Sunday).".into();
        c.y_decimals = 1;
        c.y_unit = "h".into();
        c.series.push(Series {
            name: "Hours".into(),
            color: charts::family_color("activity"),
            values: weeks.iter().map(|h| Some(*h)).collect(),
        });
        c.render()
    };
    Ok(WorkoutList {
        items,
        activities: activities
            .into_iter()
            .flatten()
            .map(|a| (activity_name(&a), a))
            .collect(),
        activity: activity.unwrap_or_default(),
        from: from_d.map(|d| d.to_string()).unwrap_or_default(),
        to: to_d.map(|d| d.to_string()).unwrap_or_default(),
        paged: cursor.is_some(),
        next,
        total,
        volume_svg,
        volume_weeks,
    })
}

pub async fn detail(
    db: &Db,
    user_id: &str,
    timezone: &str,
    units: &Units,
    id: &str,
) -> Result<WorkoutDetail, AppError> {
    let tz = local_time::zone(timezone);
    let row: Option<(EventRow, Option<Json<Value>>)> = with_db!(db, pool => sqlx::query_as::<_, (String, String, Option<String>, Option<String>, DateTime<Utc>, Option<i32>, Option<f64>, Option<f64>, Option<i32>, Option<i32>, Option<Json<Value>>)>(
        "SELECT id, provider_id, activity_type, title, started_at, duration_seconds, distance_meters, \
                calories_kcal, avg_heart_rate, max_heart_rate, data \
         FROM events WHERE id = $1 AND user_id = $2 AND event_type = 'workout'")
        .bind(id)
        .bind(user_id)
        .fetch_optional(pool)
        .await)?
    .map(|t| {
        (
            EventRow {
                id: t.0,
                provider_id: t.1,
                activity_type: t.2,
                title: t.3,
                started_at: t.4,
                duration_seconds: t.5,
                distance_meters: t.6,
                calories_kcal: t.7,
                avg_heart_rate: t.8,
                max_heart_rate: t.9,
            },
            t.10,
        )
    });
    let Some((r, data)) = row else {
        return Err(AppError::NotFound("This workout does not exist.".into()));
    };
    let data = data.map(|d| d.0).unwrap_or(Value::Null);
    let a = r.activity_type.clone().unwrap_or_else(|| "workout".into());
    let secs = r.duration_seconds.unwrap_or(0) as f64;
    let mut stats: Vec<(String, String)> = vec![("Duration".into(), hours_minutes(secs / 3600.0))];
    if let Some(m) = r.distance_meters {
        stats.push(("Distance".into(), units.distance_text(m)));
        if let Some(p) = units.pace_text(&a, secs, m) {
            stats.push((if a == "cycling" { "Speed" } else { "Pace" }.into(), p));
        }
    }
    if let Some(c) = r.calories_kcal {
        stats.push(("Calories".into(), format!("{} kcal", format_number(c, 0))));
    }
    if let Some(h) = r.avg_heart_rate {
        stats.push(("Average heart rate".into(), format!("{h} bpm")));
    }
    if let Some(h) = r.max_heart_rate {
        stats.push(("Max heart rate".into(), format!("{h} bpm")));
    }
    let num = |k: &str| data.get(k).and_then(Value::as_f64);
    if let Some(g) = num("elevationGain") {
        stats.push(("Elevation gain".into(), units.elevation_text(g)));
    }
    if let Some(l) = num("elevationLoss") {
        stats.push(("Elevation loss".into(), units.elevation_text(l)));
    }
    if let Some(c) = num("avgCadence") {
        stats.push(("Cadence".into(), format!("{c:.0} spm")));
    }
    if let Some(p) = num("avgPower") {
        stats.push(("Average power".into(), format!("{p:.0} W")));
    }
    let laps = data
        .get("laps")
        .and_then(Value::as_array)
        .map(|laps| {
            laps.iter()
                .map(|l| {
                    let d = l.get("distance").and_then(Value::as_f64).unwrap_or(0.0);
                    let t = l.get("time").and_then(Value::as_f64).unwrap_or(0.0);
                    Lap {
                        number: l
                            .get("lapNumber")
                            .and_then(Value::as_i64)
                            .map(|n| n.to_string())
                            .unwrap_or_default(),
                        distance: units.distance_text(d),
                        time: format!("{}:{:02}", (t / 60.0) as u32, (t % 60.0) as u32),
                        pace: units.pace_text(&a, t, d).unwrap_or_else(|| "–".into()),
                        avg_hr: l
                            .get("avgHR")
                            .and_then(Value::as_f64)
                            .map(|h| format!("{h:.0} bpm"))
                            .unwrap_or_else(|| "–".into()),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let zone_values: Vec<(String, f64)> = (1..=5)
        .filter_map(|z| {
            data.get("hrZones")
                .and_then(|h| h.get(format!("zone{z}")))
                .and_then(Value::as_f64)
                .map(|s| (format!("Zone {z}"), s / 60.0))
        })
        .collect();
    let zones_svg = if zone_values.is_empty() {
        String::new()
    } else {
        let mut c = Chart::new(
            "Minutes in each heart-rate zone",
            Kind::Bars,
            zone_values
                .iter()
                .map(|z| z.0.replace("Zone ", "Z"))
                .collect(),
        );
        c.desc = "Minutes spent in heart-rate zones 1 (easiest) to 5 (hardest).".into();
        c.y_unit = "min".into();
        c.series.push(Series {
            name: "Minutes".into(),
            color: charts::family_color("heart"),
            values: zone_values.iter().map(|z| Some(z.1)).collect(),
        });
        c.compact = true;
        c.render()
    };
    Ok(WorkoutDetail {
        title: r.title.clone().unwrap_or_else(|| activity_name(&a)),
        activity: activity_name(&a),
        when: r
            .started_at
            .with_timezone(&tz)
            .format("%A %-d %B %Y, %H:%M")
            .to_string(),
        source: source_name(&r.provider_id),
        stats,
        laps,
        zones_svg,
        zones: zone_values
            .into_iter()
            .map(|(n, m)| (n, format!("{m:.0} min")))
            .collect(),
    })
}
