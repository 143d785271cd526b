//! Server functions of the hydration screen.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::wellness::streak::Streaks;

#[cfg(feature = "ssr")]
use {
    super::{
        beverage_label, repo,
        service::{self, check_beverage},
        units, MAX_DRINK_ML, NOTE_MAX,
    },
    crate::health::{charts, local_time, views},
    crate::platform::request::RequestCtx,
    crate::wellness::{form, schedule::Schedule, streak},
    chrono::{Duration, Utc},
};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WaterEntry {
    pub id: String,
    pub amount: String,
    pub beverage: String,
    pub note: Option<String>,
    pub time: String,
}

/// A quick-add button: millilitres and their label in the user's unit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CupSize {
    pub ml: i64,
    pub label: String,
}

/// Today's water: what the ring, the quick-add buttons and the Today section show.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WaterToday {
    pub total_ml: i64,
    pub goal_ml: i64,
    pub percent: f64,
    pub total: String,
    pub goal: String,
    /// "750 ml to go" or "Goal reached".
    pub remaining: String,
    pub sizes: Vec<CupSize>,
    /// `ml` or `fl_oz`.
    pub unit: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HydrationView {
    pub today: WaterToday,
    pub entries: Vec<WaterEntry>,
    /// (beverage, amount) totals for today.
    pub by_beverage: Vec<(String, String)>,
    pub streak: Streaks,
    pub range: String,
    pub chart: String,
    /// (day, total, goal, met) per day of the chart, newest first.
    pub table: Vec<(String, String, String, bool)>,
    /// Average on the days with a drink logged, and how many such days.
    pub average: String,
    pub days_logged: usize,
    pub days_met: usize,
    /// Settings as typed in the form.
    pub goal_input: String,
    pub sizes_input: String,
}

#[cfg(feature = "ssr")]
fn today_figures(total_ml: i64, goal_ml: i64, s: &repo::Settings) -> WaterToday {
    let left = goal_ml - total_ml;
    WaterToday {
        total_ml,
        goal_ml,
        percent: total_ml as f64 * 100.0 / goal_ml.max(1) as f64,
        total: units::format_volume(total_ml, &s.unit),
        goal: units::format_volume(goal_ml, &s.unit),
        remaining: if left > 0 {
            format!("{} to go", units::format_volume(left, &s.unit))
        } else {
            "Goal reached".into()
        },
        sizes: s
            .sizes
            .iter()
            .map(|ml| CupSize {
                ml: *ml,
                label: units::format_volume(*ml, &s.unit),
            })
            .collect(),
        unit: s.unit.clone(),
    }
}

/// Today's total and goal for the Today section.
#[cfg(feature = "ssr")]
pub async fn water_today(
    db: &crate::platform::db::Db,
    user_id: &str,
    tz: chrono_tz::Tz,
) -> Result<WaterToday, AppError> {
    let s = service::settings(db, user_id).await?;
    let today = local_time::today(tz);
    let day = service::daily_totals(db, user_id, tz, today, today).await?;
    let d = day.get(&today).copied();
    Ok(today_figures(
        d.map(|d| d.total_ml).unwrap_or(0),
        d.map(|d| d.goal_ml).unwrap_or(s.goal_ml),
        &s,
    ))
}

#[server(endpoint = "water/view")]
pub async fn get_hydration(range: Option<String>) -> Result<HydrationView, AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    let db = ctx.db();
    let span = views::span(&auth.user.timezone, range.as_deref(), 7)?;
    if span.key == "365" || span.key == "90" {
        return Err(AppError::invalid("range", "Choose 7 or 30 days."));
    }
    let s = service::settings(db, &auth.user.id).await?;
    let today = span.today;
    // One read of a year back: the streak, the chart's days and today's drinks all come from it.
    let year = repo::rows(
        db,
        &auth.user.id,
        span.tz,
        today - Duration::days(365),
        today,
    )
    .await?;
    let totals = repo::totals_of(&year, span.tz);
    let met: std::collections::BTreeSet<_> = totals
        .iter()
        .filter(|(_, t)| t.met())
        .map(|(d, _)| *d)
        .collect();
    let streak = streak::recompute(&met, Schedule::DAILY, today);
    let t = totals.get(&today).copied();
    let today_view = today_figures(
        t.map(|d| d.total_ml).unwrap_or(0),
        t.map(|d| d.goal_ml).unwrap_or(s.goal_ml),
        &s,
    );

    let rows: Vec<&repo::Row> = year
        .iter()
        .filter(|r| local_time::local_date(r.logged_at, span.tz) == today)
        .collect();
    let mut by_bev: Vec<(String, i64)> = Vec::new();
    for r in &rows {
        match by_bev.iter_mut().find(|(b, _)| *b == r.beverage_type) {
            Some((_, n)) => *n += i64::from(r.amount_ml),
            None => by_bev.push((r.beverage_type.clone(), i64::from(r.amount_ml))),
        }
    }
    let entries = rows
        .iter()
        .rev()
        .map(|r| WaterEntry {
            id: r.id.clone(),
            amount: units::format_volume(r.amount_ml.into(), &s.unit),
            beverage: beverage_label(&r.beverage_type).into(),
            note: r.note.clone(),
            time: r
                .logged_at
                .with_timezone(&span.tz)
                .format("%H:%M")
                .to_string(),
        })
        .collect();

    // The chart: one bar per day, the goal as a dashed line.
    let days: Vec<_> = span
        .from
        .iter_days()
        .take_while(|d| *d <= span.to)
        .collect();
    let n = days.len() as i64;
    let values: Vec<Option<f64>> = days
        .iter()
        .map(|d| totals.get(d).map(|t| to_unit(t.total_ml, &s.unit)))
        .collect();
    let mut chart = charts::Chart::new(
        format!("Water, last {n} days"),
        charts::Kind::Bars,
        days.iter().map(|d| views::axis_label(*d, n)).collect(),
    );
    chart.series.push(charts::Series {
        name: "Water".into(),
        color: charts::family_color("hydration"),
        values,
    });
    chart.goal = Some(to_unit(s.goal_ml, &s.unit));
    chart.y_unit = if s.unit == "fl_oz" { "fl oz" } else { "ml" }.to_string();
    let logged: Vec<_> = days.iter().filter_map(|d| totals.get(d)).collect();
    let days_met = logged.iter().filter(|t| t.met()).count();
    // Averaged over the days with any drink logged (a new user's empty month is not "19 ml a day").
    let avg = if logged.is_empty() {
        0
    } else {
        logged.iter().map(|t| t.total_ml).sum::<i64>() / logged.len() as i64
    };
    chart.desc = format!(
        "Daily water over the last {n} days against a goal of {}; goal met on {days_met} of {n} days, average {} on the {} days with drinks.",
        units::format_volume(s.goal_ml, &s.unit),
        units::format_volume(avg, &s.unit),
        logged.len()
    );
    let table = days
        .iter()
        .rev()
        .map(|d| {
            let t = totals.get(d).copied();
            (
                views::when_label(*d, today),
                t.map(|t| units::format_volume(t.total_ml, &s.unit))
                    .unwrap_or_else(|| "—".into()),
                units::format_volume(t.map(|t| t.goal_ml).unwrap_or(s.goal_ml), &s.unit),
                t.is_some_and(|t| t.met()),
            )
        })
        .collect();
    Ok(HydrationView {
        today: today_view,
        entries,
        by_beverage: by_bev
            .into_iter()
            .map(|(b, ml)| {
                (
                    beverage_label(&b).to_string(),
                    units::format_volume(ml, &s.unit),
                )
            })
            .collect(),
        streak,
        range: span.key,
        chart: if logged.is_empty() {
            String::new()
        } else {
            chart.render()
        },
        table,
        average: units::format_volume(avg, &s.unit),
        days_logged: logged.len(),
        days_met,
        goal_input: display_amount(s.goal_ml, &s.unit),
        sizes_input: s
            .sizes
            .iter()
            .map(|ml| display_amount(*ml, &s.unit))
            .collect::<Vec<_>>()
            .join(", "),
    })
}

#[cfg(feature = "ssr")]
fn to_unit(ml: i64, unit: &str) -> f64 {
    if unit == "fl_oz" {
        ml as f64 / units::ML_PER_FL_OZ
    } else {
        ml as f64
    }
}

/// An amount as a form shows it in `unit` ("250" or "8.5").
#[cfg(feature = "ssr")]
fn display_amount(ml: i64, unit: &str) -> String {
    let v = to_unit(ml, unit);
    let s = format!("{v:.1}");
    s.trim_end_matches(".0").to_string()
}

/// Millilitres from an amount typed in `unit`, within `range` ml.
#[cfg(feature = "ssr")]
fn parse_amount(
    field: &str,
    raw: &str,
    unit: &str,
    range: std::ops::RangeInclusive<i64>,
) -> Result<i64, AppError> {
    let t = raw.trim().replace(',', ".");
    if t.is_empty() {
        return Err(AppError::invalid(field, "Enter an amount."));
    }
    let v: f64 = t
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or_else(|| AppError::invalid(field, "Enter the amount as a number."))?;
    let ml = units::to_ml(v, unit).round() as i64;
    if !range.contains(&ml) {
        return Err(AppError::invalid(
            field,
            format!(
                "Enter between {} and {}.",
                units::format_volume(*range.start(), unit),
                units::format_volume(*range.end(), unit)
            ),
        ));
    }
    Ok(ml)
}

/// Logs a drink now. `unit` is what `amount` is typed in (`ml` when absent: the quick-add
/// buttons send millilitres).
#[server(endpoint = "water/add")]
pub async fn add_water(
    amount: String,
    unit: Option<String>,
    beverage: Option<String>,
    note: Option<String>,
) -> Result<(), AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    let unit = match unit.as_deref() {
        None | Some("") | Some("ml") => "ml",
        Some("fl_oz") => "fl_oz",
        Some(_) => return Err(AppError::invalid("amount", "Choose ml or fl oz.")),
    };
    let ml = parse_amount("amount", &amount, unit, 1..=MAX_DRINK_ML)?;
    let beverage = check_beverage("beverage", beverage.as_deref())?;
    let note = form::optional_text("note", note.as_deref().unwrap_or(""), NOTE_MAX)?;
    repo::insert(ctx.db(), &auth.user.id, ml, &beverage, note, Utc::now()).await?;
    Ok(())
}

/// Removes the latest drink logged today (the "oops" button).
#[server(endpoint = "water/undo")]
pub async fn undo_water() -> Result<(), AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    let tz = local_time::zone(&auth.user.timezone);
    let today = local_time::today(tz);
    let (start, _) = local_time::day_range(today, today, tz);
    let id = repo::latest_since(ctx.db(), &auth.user.id, start).await?;
    let id = id.ok_or_else(|| AppError::NotFound("Nothing logged today to undo.".into()))?;
    repo::delete(ctx.db(), &auth.user.id, &id).await
}

#[server(endpoint = "water/delete")]
pub async fn delete_water(id: String) -> Result<(), AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    repo::delete(ctx.db(), &auth.user.id, &id).await
}

/// Daily goal, quick-add sizes (comma-separated, in `unit`) and the display unit.
#[server(endpoint = "water/settings")]
pub async fn save_water_settings(
    goal: String,
    sizes: String,
    unit: String,
) -> Result<(), AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    if unit != "ml" && unit != "fl_oz" {
        return Err(AppError::invalid("unit", "Choose ml or fl oz."));
    }
    // Amounts are typed in the unit shown so far, then stored in ml.
    let current = service::settings(ctx.db(), &auth.user.id).await?;
    let goal_ml = parse_amount("goal", &goal, &current.unit, 500..=10_000)?;
    let mut list = Vec::new();
    for part in sizes.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let ml = parse_amount("sizes", part, &current.unit, 10..=2000).map_err(|_| {
            AppError::invalid(
                "sizes",
                format!(
                    "“{part}” is not a cup size between {} and {}.",
                    units::format_volume(10, &current.unit),
                    units::format_volume(2000, &current.unit)
                ),
            )
        })?;
        if !list.contains(&ml) {
            list.push(ml);
        }
    }
    if list.is_empty() {
        return Err(AppError::invalid(
            "sizes",
            "Enter at least one cup size, e.g. 250, 500.",
        ));
    }
    if list.len() > 6 {
        return Err(AppError::invalid("sizes", "Use at most 6 cup sizes."));
    }
    list.sort_unstable();
    let tz = local_time::zone(&auth.user.timezone);
    let today_start = local_time::start_of_day(local_time::today(tz), tz);
    repo::save_settings(
        ctx.db(),
        &auth.user.id,
        &repo::Settings {
            goal_ml,
            sizes: list,
            unit: unit.clone(),
        },
        today_start,
    )
    .await?;
    if let Some(unit) = crate::units::Unit::parse(&unit) {
        crate::units::service::set(ctx.db(), &auth.user.id, unit).await?;
    }
    Ok(())
}
