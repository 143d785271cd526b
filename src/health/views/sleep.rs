//! The Sleep page: nightly duration and stages, efficiency, bed and wake times, score trend.
//! Nights are read from the stored sleep sessions (about one row per night), dated by the day
//! the person woke up.

use chrono::{DateTime, NaiveDate, Timelike, Utc};
use serde_json::Value;
use sqlx::types::Json;

use super::{axis_label, day_label, hours_minutes};
use crate::error::AppError;
use crate::health::catalogue;
use crate::health::charts::{self, Chart, Kind, Series};
use crate::health::series;
use crate::health::server_fns::{Night, SleepView};
use crate::health::sources::{effective_order, rank, source_name};
use crate::platform::db::Db;
use crate::with_db;

/// Nights listed per page of the table.
pub const NIGHTS_PER_PAGE: usize = 14;

/// (local day, provider, hours asleep, data) as stored.
type SessionRow = (NaiveDate, String, Option<f64>, Option<Json<Value>>);

/// Minutes as "1:35" (hours and minutes), compact enough for a phone's table.
fn clock(minutes: f64) -> String {
    let m = minutes.round() as i64;
    format!("{}:{:02}", m / 60, m % 60)
}

struct Session {
    date: NaiveDate,
    provider: String,
    hours: f64,
    data: Value,
}

pub async fn build(
    db: &Db,
    user_id: &str,
    timezone: &str,
    range: Option<&str>,
    before: Option<NaiveDate>,
) -> Result<SleepView, AppError> {
    let super::Span {
        tz,
        today,
        from,
        to,
        key: range,
    } = super::span(timezone, range, 30)?;
    let rows: Vec<SessionRow> = with_db!(db, pool => sqlx::query_as(
        "SELECT local_date, provider_id, derived, data FROM health_metrics \
         WHERE user_id = $1 AND metric_type = 'sleep' AND local_date BETWEEN $2 AND $3 \
         ORDER BY local_date, recorded_at")
        .bind(user_id)
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await)?;
    let metric = catalogue::metric("sleep").expect("catalogue");
    let orders = series::user_orders(db, user_id).await?;
    let order = effective_order(metric, orders.get("sleep").map(Vec::as_slice));
    // Per night: the preferred source, and its longest session (naps aside).
    let mut nights: Vec<Session> = Vec::new();
    for (date, provider, hours, data) in rows {
        let s = Session {
            date,
            hours: hours.unwrap_or(0.0),
            data: data.map(|d| d.0).unwrap_or(Value::Null),
            provider,
        };
        match nights.last_mut() {
            Some(last) if last.date == s.date => {
                let better_source = rank(&order, &s.provider) < rank(&order, &last.provider);
                let same_source_longer = s.provider == last.provider && s.hours > last.hours;
                if better_source || same_source_longer {
                    *last = s;
                }
            }
            _ => nights.push(s),
        }
    }
    let scores = series::daily_with(
        db,
        user_id,
        &[catalogue::metric("sleep_score").expect("catalogue")],
        from,
        to,
        &orders,
    )
    .await?;
    let score_days = scores.get("sleep_score").cloned().unwrap_or_default();

    let local_clock = |v: &Value| -> Option<(String, f64)> {
        let t = DateTime::parse_from_rfc3339(v.as_str()?)
            .ok()?
            .with_timezone(&Utc)
            .with_timezone(&tz);
        // Minutes after noon of the previous day, so 23:30 and 00:30 average sensibly.
        let mins = ((t.hour() as f64 * 60.0 + t.minute() as f64) + 720.0) % 1440.0;
        Some((t.format("%H:%M").to_string(), mins))
    };
    let fmt_clock = |mins: f64| {
        let m = ((mins - 720.0).rem_euclid(1440.0)).round() as i64;
        format!("{:02}:{:02}", m / 60, m % 60)
    };
    let stage = |d: &Value, k: &str| {
        d.get("stages")
            .and_then(|s| s.get(k))
            .and_then(Value::as_f64)
    };
    let mut out = Vec::new();
    let mut older = None;
    let (mut beds, mut wakes, mut effs) = (Vec::new(), Vec::new(), Vec::new());
    for n in nights.iter().rev() {
        let bed = n.data.get("startTime").and_then(local_clock);
        let wake = n.data.get("endTime").and_then(local_clock);
        if let Some((_, m)) = &bed {
            beds.push(*m);
        }
        if let Some((_, m)) = &wake {
            wakes.push(*m);
        }
        let eff = n.data.get("efficiency").and_then(Value::as_f64);
        if let Some(e) = eff {
            effs.push(e);
        }
        let stages = match (
            stage(&n.data, "deep"),
            stage(&n.data, "light"),
            stage(&n.data, "rem"),
        ) {
            (None, None, None) => None,
            (d, l, r) => Some([d, l, r, stage(&n.data, "awake")].map(|m| clock(m.unwrap_or(0.0)))),
        };
        let score = score_days
            .iter()
            .find(|s| s.date == n.date)
            .map(|s| s.value)
            .or_else(|| n.data.get("score").and_then(Value::as_f64));
        // The averages cover the whole range; the table shows one page of it, keyed by date.
        if before.is_some_and(|b| n.date >= b) {
            continue;
        }
        if out.len() == NIGHTS_PER_PAGE {
            older = out.last().map(|last: &Night| last.date.clone());
            continue;
        }
        out.push(Night {
            date: n.date.to_string(),
            label: day_label(n.date, today),
            asleep: hours_minutes(n.hours),
            stages,
            efficiency: eff.map(|e| format!("{e:.0}%")),
            bed: bed.map(|b| b.0),
            wake: wake.map(|w| w.0),
            score: score.map(|s| format!("{s:.0}")),
            source: source_name(&n.provider),
        });
    }
    let mean = |v: &[f64]| (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);

    // Stacked stage bars per night (hours), blank nights left blank.
    let span = (to - from).num_days();
    let days: Vec<NaiveDate> = from.iter_days().take_while(|d| *d <= to).collect();
    let labels: Vec<String> = days.iter().map(|d| axis_label(*d, span)).collect();
    let per_day = |k: &str| -> Vec<Option<f64>> {
        days.iter()
            .map(|d| {
                nights
                    .iter()
                    .find(|n| n.date == *d)
                    .and_then(|n| stage(&n.data, k))
                    .map(|m| m / 60.0)
            })
            .collect()
    };
    let stages_svg = if nights.is_empty() {
        String::new()
    } else {
        let mut c = Chart::new("Sleep stages per night", Kind::Stacked, labels.clone());
        c.desc = "Hours of deep, light and REM sleep and time awake for each night; the table below lists every night.".into();
        c.y_decimals = 0;
        c.y_unit = "h".into();
        for (name, color, key) in [
            ("Deep", charts::SLEEP_DEEP, "deep"),
            ("Light", charts::SLEEP_LIGHT, "light"),
            ("REM", charts::SLEEP_REM, "rem"),
            ("Awake", charts::SLEEP_AWAKE, "awake"),
        ] {
            c.series.push(Series {
                name: name.into(),
                color,
                values: per_day(key),
            });
        }
        if c.summarise(&days) == charts::Summary::Weekly {
            c.title = "Sleep stages, weekly average".into();
            c.desc = "Average hours of deep, light and REM sleep and time awake per night, week by week.".into();
        }
        c.render()
    };
    let score_svg = if score_days.is_empty() {
        String::new()
    } else {
        let mut c = Chart::new("Sleep score", Kind::Line, labels);
        c.desc = "Sleep score (0–100) per night.".into();
        let laid = series::by_day(&score_days, from, to);
        c.series.push(Series {
            name: "Score".into(),
            color: charts::family_color("sleep"),
            values: laid.iter().map(|(_, d)| d.map(|d| d.value)).collect(),
        });
        c.y_unit = "score".into();
        c.summarise(&days);
        c.render()
    };
    Ok(SleepView {
        range,
        avg_asleep: mean(&nights.iter().map(|n| n.hours).collect::<Vec<_>>()).map(hours_minutes),
        avg_efficiency: mean(&effs).map(|e| format!("{e:.0}%")),
        avg_bed: mean(&beds).map(fmt_clock),
        avg_wake: mean(&wakes).map(fmt_clock),
        avg_score: mean(&score_days.iter().map(|d| d.value).collect::<Vec<_>>())
            .map(|s| format!("{s:.0}")),
        nights: out,
        older,
        paged: before.is_some(),
        stages_svg,
        score_svg,
    })
}
