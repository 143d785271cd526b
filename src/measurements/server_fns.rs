use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::repo,
    crate::{
        health::{catalogue, ingest, local_time},
        platform::{db::Db, request::RequestCtx},
    },
};

pub const PROVIDER: &str = "manual";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub id: String,
    pub metric: String,
    pub label: String,
    pub value_text: String,
    pub when: String,
    pub date: String,
    pub time: String,
    /// The number as typed in the edit form (blood pressure: systolic).
    pub value: String,
    pub diastolic: String,
    pub pulse: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MeasurementList {
    pub entries: Vec<Entry>,
    pub page: u32,
    pub has_next: bool,
    /// (id, label, unit) of the metrics that can be entered by hand (blood pressure aside).
    pub metrics: Vec<(String, String, String)>,
    pub today: String,
    pub now: String,
}

#[cfg(feature = "ssr")]
const PAGE_SIZE: i64 = 25;

#[server(endpoint = "measurements/list")]
pub async fn list_measurements(page: Option<u32>) -> Result<MeasurementList, AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    let tz = local_time::zone(&auth.user.timezone);
    let page = page.unwrap_or(1).clamp(1, 100_000);
    let rows = repo::page(
        ctx.db(),
        &auth.user.id,
        PAGE_SIZE + 1,
        (page as i64 - 1) * PAGE_SIZE,
    )
    .await?;
    let has_next = rows.len() as i64 > PAGE_SIZE;
    let entries = rows
        .into_iter()
        .take(PAGE_SIZE as usize)
        .filter_map(|row| {
            let repo::EntryRow {
                id,
                metric_type: metric,
                value,
                data,
                recorded_at: at,
            } = row;
            let info = catalogue::metric(&metric)?;
            let local = at.with_timezone(&tz);
            let data = data.map(|d| d.0).unwrap_or_default();
            let num = |k: &str| data.get(k).and_then(|v| v.as_f64());
            let (value_text, value, diastolic, pulse) = if info.id == "blood_pressure" {
                let (s, d) = (
                    num("systolic").unwrap_or(0.0),
                    num("diastolic").unwrap_or(0.0),
                );
                let p = num("pulse");
                (
                    format!(
                        "{s:.0}/{d:.0} mmHg{}",
                        p.map(|p| format!(" · pulse {p:.0}")).unwrap_or_default()
                    ),
                    format!("{s:.0}"),
                    format!("{d:.0}"),
                    p.map(|p| format!("{p:.0}")).unwrap_or_default(),
                )
            } else {
                // Shown and edited in the person's unit; stored in the catalogue's.
                let (shown, conv) = auth.user.units.shown(info);
                let v = conv.shown(value.unwrap_or(0.0));
                (
                    shown.format(v),
                    trim_number(v),
                    String::new(),
                    String::new(),
                )
            };
            Some(Entry {
                id,
                metric: info.id.to_string(),
                label: info.label.to_string(),
                value_text,
                when: local.format("%a %-d %b %Y, %H:%M").to_string(),
                date: local.format("%Y-%m-%d").to_string(),
                time: local.format("%H:%M").to_string(),
                value,
                diastolic,
                pulse,
            })
        })
        .collect();
    let now = chrono::Utc::now().with_timezone(&tz);
    Ok(MeasurementList {
        entries,
        page,
        has_next,
        metrics: catalogue::METRICS
            .iter()
            .filter(|m| m.manual && m.id != "blood_pressure")
            .map(|m| {
                let (shown, _) = auth.user.units.shown(m);
                (
                    m.id.to_string(),
                    m.label.to_string(),
                    shown.symbol.to_string(),
                )
            })
            .collect(),
        today: now.format("%Y-%m-%d").to_string(),
        now: now.format("%H:%M").to_string(),
    })
}

#[cfg(feature = "ssr")]
fn trim_number(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The instant of a local date and time typed into a form ("now" when both are empty).
#[cfg(feature = "ssr")]
fn when(
    date: &str,
    time: &str,
    tz: chrono_tz::Tz,
) -> Result<chrono::DateTime<chrono::Utc>, AppError> {
    use chrono::{NaiveTime, TimeZone};

    use crate::dates::{DateError, Day};
    let now = chrono::Utc::now();
    let (date, time) = (date.trim(), time.trim());
    if date.is_empty() && time.is_empty() {
        return Ok(now);
    }
    // A bounded day: the instant worked out from it is always a real one.
    let d = if date.is_empty() {
        local_time::today(tz)
    } else {
        Day::parse(date)
            .map_err(|e| {
                AppError::invalid(
                    "date",
                    match e {
                        DateError::TooLate => "That moment is in the future.",
                        DateError::TooEarly => "That date is too far in the past.",
                        DateError::Malformed => e.form_message(),
                    },
                )
            })?
            .date()
    };
    let t = if time.is_empty() {
        NaiveTime::from_hms_opt(12, 0, 0).expect("noon")
    } else {
        NaiveTime::parse_from_str(time, "%H:%M")
            .or_else(|_| NaiveTime::parse_from_str(time, "%H:%M:%S"))
            .map_err(|_| AppError::invalid("time", "Use a time like 07:30."))?
    };
    let at = tz
        .from_local_datetime(&d.and_time(t))
        .earliest()
        .ok_or_else(|| {
            AppError::invalid(
                "time",
                "That time does not exist on that day (the clocks changed).",
            )
        })?
        .with_timezone(&chrono::Utc);
    if at > now + chrono::Duration::minutes(5) {
        return Err(AppError::invalid("date", "That moment is in the future."));
    }
    if d.year_ce().1 < 1900 {
        return Err(AppError::invalid(
            "date",
            "That date is too far in the past.",
        ));
    }
    Ok(at)
}

#[cfg(feature = "ssr")]
use chrono::Datelike;

#[cfg(feature = "ssr")]
fn number(field: &str, raw: &str, what: &str) -> Result<f64, AppError> {
    let t = raw.trim().replace(',', ".");
    if t.is_empty() {
        return Err(AppError::invalid(field, format!("Enter {what}.")));
    }
    t.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| AppError::invalid(field, format!("Enter {what} as a number.")))
}

/// One reading, ready for ingest; field errors use the form's names.
#[cfg(feature = "ssr")]
fn reading(
    units: &crate::units::Units,
    metric: &str,
    value: &str,
    diastolic: &str,
    pulse: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<ingest::PointInput, AppError> {
    let info = catalogue::metric(metric)
        .filter(|m| m.manual)
        .ok_or_else(|| AppError::invalid("metric", "Choose what you measured."))?;
    if info.id == "blood_pressure" {
        let s = number("value", value, "the systolic pressure")?;
        let d = number("diastolic", diastolic, "the diastolic pressure")?;
        let mut data = serde_json::json!({ "systolic": s, "diastolic": d });
        if !pulse.trim().is_empty() {
            data["pulse"] = serde_json::json!(number("pulse", pulse, "the pulse")?);
        }
        return Ok(ingest::PointInput {
            metric_type: info.id.into(),
            value: None,
            unit: None,
            data: Some(data),
            recorded_at: at,
        });
    }
    // Typed in the person's unit (°F, lb …), checked there, stored in the catalogue's.
    let (shown, conv) = units.shown(info);
    let info = &shown;
    let v = number("value", value, "a value")?;
    if !(info.min..=info.max).contains(&v) {
        let bound = |b: f64| catalogue::format_number(b, if b.fract() == 0.0 { 0 } else { 1 });
        return Err(AppError::invalid(
            "value",
            format!(
                "Enter a {} between {} and {} {}.",
                info.label.to_lowercase(),
                bound(info.min),
                bound(info.max),
                info.symbol
            )
            .replace("  ", " ")
            .replace(" .", "."),
        ));
    }
    let v = if conv == crate::units::Conversion::SAME {
        v
    } else {
        (conv.stored(v) * 10_000.0).round() / 10_000.0
    };
    Ok(ingest::PointInput {
        metric_type: info.id.into(),
        value: Some(v),
        unit: None,
        data: None,
        recorded_at: at,
    })
}

#[cfg(feature = "ssr")]
async fn write(
    db: &Db,
    user_id: &str,
    point: ingest::PointInput,
    replace: Option<String>,
) -> Result<(), AppError> {
    let mut batch = ingest::Batch::new(PROVIDER, ingest::Source::Manual);
    batch.points.push(point);
    let delete: Vec<String> = replace.into_iter().collect();
    ingest::apply(db, user_id, batch, &delete)
        .await
        .map_err(|e| {
            AppError::from(e).rename_field(&[
                ("data.systolic", "value"),
                ("data.diastolic", "diastolic"),
                ("data.pulse", "pulse"),
                ("recordedAt", "date"),
            ])
        })?;
    Ok(())
}

#[server(endpoint = "measurements/add")]
pub async fn add_measurement(
    metric: String,
    value: String,
    date: String,
    time: String,
) -> Result<(), AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    let at = when(&date, &time, local_time::zone(&auth.user.timezone))?;
    let point = reading(&auth.user.units, &metric, &value, "", "", at)?;
    write(ctx.db(), &auth.user.id, point, None).await
}

#[server(endpoint = "measurements/add-blood-pressure")]
pub async fn add_blood_pressure(
    systolic: String,
    diastolic: String,
    pulse: String,
    bp_date: String,
    bp_time: String,
) -> Result<(), AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    let at = when(&bp_date, &bp_time, local_time::zone(&auth.user.timezone))
        .map_err(|e| e.rename_field(&[("date", "bp_date"), ("time", "bp_time")]))?;
    let point = reading(
        &auth.user.units,
        "blood_pressure",
        &systolic,
        &diastolic,
        &pulse,
        at,
    )
    .map_err(|e| e.rename_field(&[("value", "systolic")]))?;
    write(ctx.db(), &auth.user.id, point, None)
        .await
        .map_err(|e| e.rename_field(&[("value", "systolic"), ("date", "bp_date")]))
}

/// Looks up one of the caller's own manual entries (another person's id is "not found").
#[cfg(feature = "ssr")]
async fn own_entry(db: &Db, user_id: &str, id: &str) -> Result<String, AppError> {
    let metric = repo::manual_metric(db, user_id, id).await?;
    metric.ok_or_else(|| AppError::NotFound("That measurement no longer exists.".into()))
}

#[server(endpoint = "measurements/update")]
pub async fn update_measurement(
    id: String,
    value: String,
    diastolic: Option<String>,
    pulse: Option<String>,
    date: String,
    time: String,
) -> Result<(), AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    let metric = own_entry(ctx.db(), &auth.user.id, &id).await?;
    let at = when(&date, &time, local_time::zone(&auth.user.timezone))?;
    let point = reading(
        &auth.user.units,
        &metric,
        &value,
        diastolic.as_deref().unwrap_or(""),
        pulse.as_deref().unwrap_or(""),
        at,
    )?;
    write(ctx.db(), &auth.user.id, point, Some(id)).await
}

#[server(endpoint = "measurements/delete")]
pub async fn delete_measurement(id: String) -> Result<(), AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    own_entry(ctx.db(), &auth.user.id, &id).await?;
    ingest::apply(
        ctx.db(),
        &auth.user.id,
        ingest::Batch::new(PROVIDER, ingest::Source::Manual),
        &[id],
    )
    .await?;
    Ok(())
}
