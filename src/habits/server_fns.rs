//! Server functions of the habits screens.
// Server functions take a form's fields as arguments; the habit form posts one field per weekday (d0 … d6).
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::wellness::calendar::{Month, YearRow};

#[cfg(feature = "ssr")]
use {
    super::repo::{self, HabitInput},
    super::{weekly, COLORS},
    crate::health::local_time,
    crate::platform::request::RequestCtx,
    crate::wellness::{calendar, form, schedule::Schedule, strength::strength},
    chrono::{Datelike, Duration, NaiveDate},
    std::collections::{BTreeMap, BTreeSet},
};

/// A habit as the lists show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HabitCard {
    pub id: String,
    pub name: String,
    pub icon: String,
    pub color: String,
    /// "Every day", "Mon, Thu", "3× a week".
    pub schedule: String,
    /// Due on its schedule today; for a weekly target: this week is still short of it.
    pub due_today: bool,
    pub done_today: bool,
    /// Days, or weeks for a weekly target.
    pub current_streak: u32,
    pub longest_streak: u32,
    /// Loop-style strength, 0–100.
    pub strength: u8,
    /// The last seven days, oldest first: (weekday initial, date, due, done). No day is due
    /// on its own for a weekly target.
    pub week: Vec<(String, String, bool, bool)>,
    pub archived: bool,
    /// Check-ins a week it asks for, when it has a weekly target instead of due days.
    pub weekly_target: Option<u32>,
    /// Check-ins this week (Monday to Sunday).
    pub done_this_week: u32,
}

impl HabitCard {
    /// What its streaks count: "day" or "week".
    pub fn streak_unit(&self) -> &'static str {
        if self.weekly_target.is_some() {
            "week"
        } else {
            "day"
        }
    }

    /// "4-week streak", "1-day streak".
    pub fn streak_label(&self) -> String {
        format!("{}-{} streak", self.current_streak, self.streak_unit())
    }

    /// "weeks", "day": the unit of a streak of `n`.
    pub fn units(&self, n: u32) -> String {
        format!("{}{}", self.streak_unit(), if n == 1 { "" } else { "s" })
    }

    /// Whether today's lists show it: due today, or a weekly target met by today's check-in
    /// (it stays, ticked, where it was checked).
    pub fn listed_today(&self) -> bool {
        self.due_today || (self.weekly_target.is_some() && self.done_today)
    }

    /// "2 of 3 this week", for a weekly target.
    pub fn week_progress(&self) -> Option<String> {
        self.weekly_target
            .map(|n| format!("{} of {n} this week", self.done_this_week))
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HabitsView {
    pub today: String,
    pub due: Vec<HabitCard>,
    pub other: Vec<HabitCard>,
    pub archived: Vec<HabitCard>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HabitDetail {
    pub card: HabitCard,
    /// The form's choice: `daily`, `weekdays`, `custom` or `weekly` (a weekly target).
    pub frequency: String,
    pub target_days: Vec<u8>,
    pub times_per_week: Option<u32>,
    pub month: Month,
    pub year: i32,
    pub year_rows: Vec<YearRow>,
    pub year_done: usize,
    pub total_done: usize,
    /// (day, note) of recent check-ins with a note, newest first.
    pub notes: Vec<(String, String)>,
}

#[cfg(feature = "ssr")]
pub fn card(
    h: &repo::HabitRow,
    done: &BTreeMap<NaiveDate, Option<String>>,
    today: NaiveDate,
    tz: chrono_tz::Tz,
) -> HabitCard {
    let dates: BTreeSet<NaiveDate> = done.keys().copied().collect();
    let schedule = h.schedule();
    let target = h.weekly_target();
    let streaks = repo::streaks_of(h, &dates, today);
    let created = local_time::local_date(h.created_at, tz);
    let start = dates.first().copied().map_or(created, |f| f.min(created));
    let done_this_week = weekly::done_in_week(&dates, today);
    let week = (0..7)
        .rev()
        .map(|i| {
            let d = today - Duration::days(i);
            (
                d.format("%a").to_string(),
                d.to_string(),
                target.is_none() && schedule.is_due(d),
                dates.contains(&d),
            )
        })
        .collect();
    // Strength weighs how many days a week the habit asks for.
    let weighed = target.map_or(schedule, weekly::strength_schedule);
    HabitCard {
        id: h.id.clone(),
        name: h.name.clone(),
        icon: h.icon.clone(),
        color: h.color.clone(),
        schedule: target.map_or_else(|| schedule.describe(), weekly::describe),
        due_today: match target {
            Some(n) => done_this_week < n,
            None => schedule.is_due(today),
        },
        done_today: dates.contains(&today),
        current_streak: streaks.current,
        longest_streak: streaks.longest,
        strength: (strength(&dates, weighed, start, today) * 100.0).round() as u8,
        week,
        archived: !h.active,
        weekly_target: target,
        done_this_week,
    }
}

#[server(endpoint = "habits/list")]
pub async fn list_habits() -> Result<HabitsView, AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    let tz = local_time::zone(&auth.user.timezone);
    let today = local_time::today(tz);
    let habits = repo::list(ctx.db(), &auth.user.id).await?;
    let logs = repo::logs(ctx.db(), &auth.user.id).await?;
    let empty = BTreeMap::new();
    let mut view = HabitsView {
        today: today.format("%A %-d %B").to_string(),
        due: vec![],
        other: vec![],
        archived: vec![],
    };
    for h in &habits {
        let c = card(h, logs.get(&h.id).unwrap_or(&empty), today, tz);
        repo::refresh_streaks(
            ctx.db(),
            &auth.user.id,
            h,
            crate::wellness::streak::Streaks {
                current: c.current_streak,
                longest: c.longest_streak,
            },
        )
        .await?;
        if c.archived {
            view.archived.push(c);
        } else if c.listed_today() {
            view.due.push(c);
        } else {
            view.other.push(c);
        }
    }
    Ok(view)
}

#[server(endpoint = "habits/detail")]
pub async fn get_habit(
    id: String,
    month: Option<String>,
    year: Option<i32>,
) -> Result<HabitDetail, AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    let tz = local_time::zone(&auth.user.timezone);
    let today = local_time::today(tz);
    let h = repo::get(ctx.db(), &auth.user.id, &id).await?;
    let logs = repo::logs(ctx.db(), &auth.user.id).await?;
    let done = logs.get(&h.id).cloned().unwrap_or_default();
    let schedule = h.schedule();
    let weekly_target = h.weekly_target();
    let created = local_time::local_date(h.created_at, tz);
    let started = done
        .keys()
        .next()
        .copied()
        .map_or(created, |f| f.min(created));
    let describe = |d: NaiveDate| -> (u8, String) {
        let when = d.format("%-d %B").to_string();
        if done.contains_key(&d) {
            (4, format!("{when}: done"))
        } else if d > today {
            (0, format!("{when}: still to come"))
        } else if d < started {
            (0, format!("{when}: before the habit started"))
        } else if weekly_target.is_some() {
            // A weekly target asks for check-ins in a week, not on given days: no day is missed.
            (0, format!("{when}: no check-in"))
        } else if !schedule.is_due(d) {
            (0, format!("{when}: not scheduled"))
        } else if d == today {
            (0, format!("{when}: not done yet"))
        } else {
            (1, format!("{when}: missed"))
        }
    };
    // A month from the query (bounded, so its grid's arithmetic is safe); a later one than
    // today's shows today's.
    let this_month = crate::dates::Day::clamped(today).month();
    let shown = form::query_month(month.as_deref())
        .unwrap_or(this_month)
        .min(this_month);
    let year = year
        .filter(|y| (1900..=today.year()).contains(y))
        .unwrap_or(today.year());
    let year_rows = calendar::year(year, today, describe);
    let year_done = done.keys().filter(|d| d.year() == year).count();
    Ok(HabitDetail {
        card: card(&h, &done, today, tz),
        frequency: if h.is_weekly() {
            "weekly".to_string()
        } else {
            h.frequency.clone()
        },
        target_days: h.target_days.0.clone(),
        times_per_week: weekly_target,
        month: calendar::month(shown, today, describe),
        year,
        year_rows,
        year_done,
        total_done: done.len(),
        notes: done
            .iter()
            .rev()
            .filter_map(|(d, n)| {
                n.clone()
                    .map(|n| (crate::health::views::when_label(*d, today), n))
            })
            .take(10)
            .collect(),
    })
}

/// Checks a habit's fields; `days` are the weekdays (0 = Sunday … 6 = Saturday) of a custom
/// schedule. A weekly target (`times_per_week`, 1–6) replaces the schedule: `frequency` and
/// `days` are then ignored and the habit is stored as `custom` on all seven days.
#[cfg(feature = "ssr")]
pub fn habit_input(
    name: &str,
    icon: &str,
    color: &str,
    frequency: &str,
    days: &[u8],
    times_per_week: Option<i64>,
) -> Result<HabitInput, AppError> {
    let name = form::required_text("name", name, 100, "a name for the habit")?;
    let icon = icon.trim();
    let icon = if icon.is_empty() { "✅" } else { icon };
    if icon.chars().count() > 8 || icon.chars().any(|c| c.is_ascii_alphanumeric()) {
        return Err(AppError::invalid("icon", "Use one emoji as the icon."));
    }
    if !COLORS.contains(&color) {
        return Err(AppError::invalid("color", "Choose one of the colours."));
    }
    if let Some(n) = times_per_week {
        if !weekly::TARGETS.contains(&n) {
            return Err(AppError::invalid("times_per_week", weekly::TARGET_MESSAGE));
        }
        return Ok(HabitInput {
            name,
            icon: icon.to_string(),
            color: color.to_string(),
            frequency: "custom".to_string(),
            days: Schedule::DAILY.days(),
            times_per_week: Some(n as i32),
        });
    }
    if days.iter().any(|d| *d > 6) {
        return Err(AppError::invalid(
            "target_days",
            "Weekdays are numbered 0 (Sunday) to 6 (Saturday).",
        ));
    }
    let schedule = Schedule::for_frequency(frequency, days).ok_or_else(|| {
        if frequency == "custom" {
            AppError::invalid("frequency", "Pick at least one day of the week.")
        } else {
            AppError::invalid("frequency", "Choose every day, weekdays or custom days.")
        }
    })?;
    Ok(HabitInput {
        name,
        icon: icon.to_string(),
        color: color.to_string(),
        frequency: frequency.to_string(),
        days: schedule.days(),
        times_per_week: None,
    })
}

/// The form's weekly target: read only when "Times a week" (`weekly`) is chosen, as the number
/// field is always posted. Empty or not a number reads as 0, which `habit_input` refuses on the
/// field (after the name, icon and colour, like any other field).
#[cfg(feature = "ssr")]
fn form_target(frequency: &str, times_per_week: Option<&str>) -> Option<i64> {
    (frequency == "weekly").then(|| {
        times_per_week
            .unwrap_or("")
            .trim()
            .parse::<i64>()
            .unwrap_or(0)
    })
}

#[server(endpoint = "habits/create")]
pub async fn create_habit(
    name: String,
    icon: Option<String>,
    color: Option<String>,
    frequency: Option<String>,
    d0: Option<String>,
    d1: Option<String>,
    d2: Option<String>,
    d3: Option<String>,
    d4: Option<String>,
    d5: Option<String>,
    d6: Option<String>,
    times_per_week: Option<String>,
) -> Result<String, AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    let frequency = frequency.as_deref().unwrap_or("daily");
    let input = habit_input(
        &name,
        icon.as_deref().unwrap_or(""),
        color.as_deref().unwrap_or("blue"),
        frequency,
        &ticked_days([&d0, &d1, &d2, &d3, &d4, &d5, &d6]),
        form_target(frequency, times_per_week.as_deref()),
    )?;
    create(ctx.db(), &auth.user.id, &input).await
}

/// The weekdays ticked in the form (fields d0 … d6).
#[cfg(feature = "ssr")]
fn ticked_days(days: [&Option<String>; 7]) -> Vec<u8> {
    (0u8..7).filter(|d| days[*d as usize].is_some()).collect()
}

/// Stores a new active habit (at most 50 active ones) and returns its id.
#[cfg(feature = "ssr")]
pub async fn create(
    db: &crate::platform::db::Db,
    user_id: &str,
    input: &HabitInput,
) -> Result<String, AppError> {
    if repo::count_active(db, user_id).await? >= 50 {
        return Err(AppError::invalid(
            "name",
            "You have 50 active habits; archive one first.",
        ));
    }
    let id = repo::insert(db, user_id, input).await?;
    Ok(id)
}

#[server(endpoint = "habits/update")]
pub async fn update_habit(
    id: String,
    name: String,
    icon: Option<String>,
    color: Option<String>,
    frequency: Option<String>,
    d0: Option<String>,
    d1: Option<String>,
    d2: Option<String>,
    d3: Option<String>,
    d4: Option<String>,
    d5: Option<String>,
    d6: Option<String>,
    times_per_week: Option<String>,
) -> Result<(), AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    let habit = repo::get(ctx.db(), &auth.user.id, &id).await?;
    let frequency = frequency.as_deref().unwrap_or("daily");
    let input = habit_input(
        &name,
        icon.as_deref().unwrap_or(""),
        color.as_deref().unwrap_or("blue"),
        frequency,
        &ticked_days([&d0, &d1, &d2, &d3, &d4, &d5, &d6]),
        form_target(frequency, times_per_week.as_deref()),
    )?;
    // The new schedule (or weekly target) changes what counts: the streaks are recomputed and
    // stored in the same statement as the schedule.
    let logs = repo::logs(ctx.db(), &auth.user.id).await?;
    let dates: BTreeSet<NaiveDate> = logs
        .get(&habit.id)
        .map(|m| m.keys().copied().collect())
        .unwrap_or_default();
    let today = local_time::today(local_time::zone(&auth.user.timezone));
    let s = repo::streaks_for(input.schedule(), input.weekly_target(), &dates, today);
    repo::update(ctx.db(), &auth.user.id, &habit.id, &input, s).await?;
    Ok(())
}

/// Archives (`archived` = "true") or restores a habit; its history is kept either way.
#[server(endpoint = "habits/archive")]
pub async fn archive_habit(id: String, archived: String) -> Result<(), AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    let habit = repo::get(ctx.db(), &auth.user.id, &id).await?;
    repo::set_active(ctx.db(), &auth.user.id, &habit.id, archived != "true").await?;
    Ok(())
}

/// Deletes a habit and all its check-ins; `confirm` must be "delete".
#[server(endpoint = "habits/delete")]
pub async fn delete_habit(id: String, confirm: Option<String>) -> Result<(), AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    if confirm.as_deref() != Some("delete") {
        return Err(AppError::invalid(
            "confirm",
            "Tick the box to confirm: this removes every check-in of the habit.",
        ));
    }
    let habit = repo::get(ctx.db(), &auth.user.id, &id).await?;
    repo::delete(ctx.db(), &auth.user.id, &habit.id).await?;
    ctx.redirect("/habits");
    Ok(())
}

/// Marks a day done (`done` = "true") or not done; `date` defaults to today. Idempotent.
#[server(endpoint = "habits/check")]
pub async fn check_habit(
    id: String,
    done: String,
    date: Option<String>,
    note: Option<String>,
) -> Result<(), AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    let tz = local_time::zone(&auth.user.timezone);
    let habit = repo::get(ctx.db(), &auth.user.id, &id).await?;
    if !habit.active {
        return Err(AppError::invalid(
            "date",
            "Restore this habit before checking it.",
        ));
    }
    let date = form::local_date("date", date.as_deref().unwrap_or(""), tz)?;
    let note = form::optional_text("note", note.as_deref().unwrap_or(""), 500)?;
    let done = match done.as_str() {
        "true" => true,
        "false" => false,
        _ => return Err(AppError::invalid("done", "Say whether the day is done.")),
    };
    repo::set_done(
        ctx.db(),
        &habit,
        &auth.user.id,
        date,
        done,
        note,
        local_time::today(tz),
    )
    .await?;
    Ok(())
}

/// Active habits due today (a weekly target: while this week is short of it), for the Today
/// screen, and whether there is any active habit.
#[cfg(feature = "ssr")]
pub async fn due_today(
    db: &crate::platform::db::Db,
    user_id: &str,
    tz: chrono_tz::Tz,
) -> Result<(Vec<HabitCard>, bool), AppError> {
    let today = local_time::today(tz);
    let logs = repo::logs(db, user_id).await?;
    let empty = BTreeMap::new();
    let active: Vec<_> = repo::list(db, user_id)
        .await?
        .into_iter()
        .filter(|h| h.active)
        .collect();
    let due = active
        .iter()
        .map(|h| card(h, logs.get(&h.id).unwrap_or(&empty), today, tz))
        .filter(HabitCard::listed_today)
        .collect();
    Ok((due, !active.is_empty()))
}
