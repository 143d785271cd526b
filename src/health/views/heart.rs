//! The Heart page: resting heart rate and HRV trends, and one day's heart rate minute by minute
//! with time in zones.

use chrono::{DateTime, Timelike, Utc};
use plotters::style::RGBColor;

use super::day_label;
use crate::dates::Day;
use crate::error::AppError;
use crate::health::catalogue;
use crate::health::charts::{self, Band, Chart, Kind, Series};
use crate::health::series;
use crate::health::server_fns::{HeartView, Stats, ZoneRow};
use crate::health::sources::{effective_order, rank, source_name};
use crate::platform::db::Db;
use crate::with_db;

/// Without a birth date we assume a maximum heart rate of 190 bpm (220 − 30) and say so.
pub const ASSUMED_MAX_HR: u32 = 190;

/// Zones as shares of the maximum heart rate (Fitbit's bands): below 50% is at rest.
pub const ZONES: [(&str, f64, f64); 4] = [
    ("Below zones", 0.0, 0.5),
    ("Fat burn", 0.5, 0.7),
    ("Cardio", 0.7, 0.85),
    ("Peak", 0.85, 10.0),
];

pub async fn build(
    db: &Db,
    user_id: &str,
    timezone: &str,
    range: Option<&str>,
    day: Option<&str>,
) -> Result<HeartView, AppError> {
    let super::Span {
        tz,
        today,
        from,
        to,
        key: range,
    } = super::span(timezone, range, 30)?;
    let rhr = catalogue::metric("resting_heart_rate").expect("catalogue");
    let hrv = catalogue::metric("heart_rate_variability").expect("catalogue");
    let orders = series::user_orders(db, user_id).await?;
    let data = series::daily_with(db, user_id, &[rhr, hrv], from, to, &orders).await?;
    let trend = |m: &catalogue::MetricInfo| -> (String, Option<String>) {
        let days = data.get(m.id).cloned().unwrap_or_default();
        if days.is_empty() {
            return (String::new(), None);
        }
        let latest = days.last().map(|d| m.format(d.value));
        (super::trends::chart_for(m, &days, from, to, "line"), latest)
    };
    let (rhr_svg, rhr_latest) = trend(rhr);
    let (hrv_svg, hrv_latest) = trend(hrv);

    // A bounded day, so the day before and after it (the page's links) are real dates.
    let day = match day.map(str::trim).filter(|d| !d.is_empty()) {
        None => Day::clamped(today),
        Some(d) => Day::parse(d).map_err(|e| AppError::invalid("day", e.form_message()))?,
    };
    let samples: Vec<(DateTime<Utc>, Option<f64>, String)> = with_db!(db, pool => sqlx::query_as(
        "SELECT recorded_at, value, provider_id FROM health_metrics \
         WHERE user_id = $1 AND metric_type = 'heart_rate' AND local_date = $2 ORDER BY recorded_at")
        .bind(user_id)
        .bind(day.date())
        .fetch_all(pool)
        .await)?;
    // One source for the day: the preferred one among those that reported.
    let hr = catalogue::metric("heart_rate").expect("catalogue");
    let order = effective_order(hr, orders.get("heart_rate").map(Vec::as_slice));
    let source = samples
        .iter()
        .map(|s| &s.2)
        .min_by_key(|p| rank(&order, p))
        .cloned();
    let points: Vec<(DateTime<Utc>, f64)> = samples
        .iter()
        .filter(|s| Some(&s.2) == source.as_ref())
        .filter_map(|s| s.1.map(|v| (s.0, v)))
        .collect();

    let max_hr = ASSUMED_MAX_HR as f64;
    let mut zone_minutes = [0.0f64; 4];
    for (i, (at, bpm)) in points.iter().enumerate() {
        // Each sample stands for the time until the next one (at most 5 minutes).
        let span = points
            .get(i + 1)
            .map(|(next, _)| (*next - *at).num_seconds() as f64 / 60.0)
            .unwrap_or(1.0)
            .clamp(0.0, 5.0);
        let share = bpm / max_hr;
        if let Some(z) = ZONES
            .iter()
            .position(|(_, lo, hi)| share >= *lo && share < *hi)
        {
            zone_minutes[z] += span;
        }
    }
    let zones = ZONES
        .iter()
        .zip(zone_minutes)
        .map(|((name, lo, hi), minutes)| ZoneRow {
            name: name.to_string(),
            bounds: if *hi > 1.0 {
                format!("≥ {:.0} bpm", lo * max_hr)
            } else if *lo == 0.0 {
                format!("< {:.0} bpm", hi * max_hr)
            } else {
                format!("{:.0}–{:.0} bpm", lo * max_hr, hi * max_hr - 1.0)
            },
            minutes: format!("{} min", minutes.round()),
        })
        .collect();

    let intraday_svg = if points.is_empty() {
        String::new()
    } else {
        // One x position per minute of the local day, labelled every six hours.
        let mut values = vec![None; 1440];
        for (at, bpm) in &points {
            let t = at.with_timezone(&tz);
            let minute = (t.hour() * 60 + t.minute()) as usize;
            values[minute.min(1439)] = Some(*bpm);
        }
        let labels: Vec<String> = (0..1440)
            .map(|m| {
                if m % 360 == 0 {
                    format!("{:02}:00", m / 60)
                } else {
                    String::new()
                }
            })
            .collect();
        let mut c = Chart::new(
            format!("Heart rate on {}", day.date().format("%-d %B %Y")),
            Kind::Line,
            labels,
        );
        c.desc = format!(
            "{} readings from {} to {} bpm. Shaded bands are the heart-rate zones; the table lists minutes per zone.",
            points.len(),
            points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min),
            points.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max)
        );
        c.bands = ZONES[1..]
            .iter()
            .zip([
                RGBColor(0xf5, 0x9e, 0x0b),
                RGBColor(0xea, 0x58, 0x0c),
                RGBColor(0xdc, 0x26, 0x26),
            ])
            .map(|((_, lo, hi), color)| Band {
                from: lo * max_hr,
                to: (hi * max_hr).min(230.0),
                color,
            })
            .collect();
        c.from_zero = false;
        c.y_unit = "bpm".into();
        c.series.push(Series {
            name: "Heart rate".into(),
            color: charts::family_color("heart"),
            values,
        });
        c.render()
    };
    let intraday_stats = (!points.is_empty()).then(|| {
        let vals: Vec<f64> = points.iter().map(|p| p.1).collect();
        Stats {
            min: hr.format(vals.iter().copied().fold(f64::INFINITY, f64::min)),
            avg: hr.format(vals.iter().sum::<f64>() / vals.len() as f64),
            max: hr.format(vals.iter().copied().fold(f64::NEG_INFINITY, f64::max)),
            days: vals.len(),
        }
    });
    Ok(HeartView {
        range,
        rhr_svg,
        hrv_svg,
        rhr_latest,
        hrv_latest,
        day: day.to_string(),
        day_label: day_label(day.date(), today),
        prev_day: day.previous().to_string(),
        next_day: (day.date() < today).then(|| day.next().to_string()),
        intraday_svg,
        intraday_stats,
        zones,
        max_hr: ASSUMED_MAX_HR,
        source: source.map(|s| source_name(&s)),
    })
}
