//! Server functions of the goals screen.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::{goal_metric, progress, values, GoalMetric, GOAL_METRICS},
    crate::health::{catalogue::format_number, charts, local_time, views},
    crate::platform::{db::Db, ids::new_id, request::RequestCtx},
    crate::wellness::{form, period::Cadence},
    crate::with_db,
    chrono::{DateTime, Duration, NaiveDate, Utc},
    progress::Direction,
};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GoalCard {
    pub id: String,
    pub name: String,
    /// "At least 10,000 steps a day".
    pub rule: String,
    /// "Today", "This week", "This month" or, for reach goals, "Latest".
    pub period: String,
    pub value: String,
    pub percent: f64,
    pub met: bool,
    /// "2,500 steps to go", "Goal met", "No data yet".
    pub status: String,
    pub current_streak: u32,
    pub longest_streak: u32,
    pub cadence_noun: String,
    pub completed: bool,
    pub archived: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GoalsView {
    pub active: Vec<GoalCard>,
    pub completed: Vec<GoalCard>,
    pub archived: Vec<GoalCard>,
    /// (id, label, unit) for the form.
    pub metrics: Vec<(String, String, String)>,
    /// (id, name) of active habits (for a habit goal).
    pub habits: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GoalDetail {
    pub card: GoalCard,
    pub chart: String,
    /// (period, value, met), newest first.
    pub history: Vec<(String, String, bool)>,
}

#[cfg(feature = "ssr")]
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct GoalRow {
    pub id: String,
    pub name: String,
    pub metric_type: Option<String>,
    pub target_value: f64,
    pub cadence: String,
    pub direction: String,
    pub current_value: Option<f64>,
    pub best_value: Option<f64>,
    pub current_streak: i32,
    pub longest_streak: i32,
    pub is_active: bool,
    pub start_date: Option<NaiveDate>,
    pub config: Option<sqlx::types::Json<serde_json::Value>>,
    pub completed_at: Option<DateTime<Utc>>,
}

#[cfg(feature = "ssr")]
const COLUMNS: &str =
    "id, name, metric_type, target_value, cadence, direction, current_value, best_value, \
     current_streak, longest_streak, is_active, start_date, config, completed_at";

#[cfg(feature = "ssr")]
impl GoalRow {
    pub fn metric(&self) -> &'static GoalMetric {
        self.metric_type
            .as_deref()
            .and_then(goal_metric)
            .unwrap_or(&GOAL_METRICS[0])
    }
    pub fn cadence(&self) -> Cadence {
        Cadence::parse(&self.cadence).unwrap_or(Cadence::Daily)
    }
    pub fn direction(&self) -> Direction {
        Direction::parse(&self.direction).unwrap_or(Direction::AtLeast)
    }
    fn config(&self, key: &str) -> Option<serde_json::Value> {
        self.config.as_ref().and_then(|c| c.0.get(key).cloned())
    }
    fn start_value(&self) -> Option<f64> {
        self.config("startValue").and_then(|v| v.as_f64())
    }
    fn habit_id(&self) -> Option<String> {
        self.config("habitId")
            .and_then(|v| v.as_str().map(str::to_string))
    }
}

#[cfg(feature = "ssr")]
fn amount(m: &GoalMetric, v: f64) -> String {
    let n = format_number(v, m.decimals);
    match m.unit {
        "" => n,
        "/ 5" => format!("{n} / 5"),
        u => format!("{n} {u}"),
    }
}

#[cfg(feature = "ssr")]
fn rule(m: &GoalMetric, dir: Direction, cadence: Cadence, target: f64) -> String {
    let each = match cadence {
        Cadence::Daily => "a day",
        Cadence::Weekly => "a week",
        Cadence::Monthly => "a month",
    };
    let per = match m.combine {
        super::Combine::Sum => format!(" {each}"),
        super::Combine::Mean => format!(" on average, {each}"),
        super::Combine::Last => String::new(),
    };
    match dir {
        Direction::AtLeast => format!("At least {}{per}", amount(m, target)),
        Direction::AtMost => format!("At most {}{per}", amount(m, target)),
        Direction::Reach => format!("Reach {}", amount(m, target)),
    }
}

/// How many periods of history the page shows.
#[cfg(feature = "ssr")]
fn history_len(c: Cadence) -> usize {
    match c {
        Cadence::Daily => 14,
        Cadence::Weekly => 12,
        Cadence::Monthly => 12,
    }
}

/// Evaluates a goal as of `today`: its card and the per-period figures of the history.
#[cfg(feature = "ssr")]
async fn evaluate(
    db: &Db,
    user_id: &str,
    tz: chrono_tz::Tz,
    today: NaiveDate,
    g: &GoalRow,
) -> Result<(GoalCard, Vec<(NaiveDate, Option<f64>)>), AppError> {
    let (m, cadence, dir, target) = (g.metric(), g.cadence(), g.direction(), g.target_value);
    let goal_start = cadence.start(g.start_date.unwrap_or(today).min(today));
    let history = cadence.recent(today, history_len(cadence));
    let start_value = g.start_value();
    // The streak looks back only as far as it must: a window of recent periods, widened while
    // the streak fills all of it (a year of daily data is read only for a year-long streak).
    let mut window = if cadence == Cadence::Daily { 32 } else { 16 };
    let (days, streaks) = loop {
        let periods: Vec<NaiveDate> = cadence
            .recent(today, window)
            .into_iter()
            .filter(|p| *p >= goal_start)
            .collect();
        let first = periods.first().copied().unwrap_or(today).min(history[0]);
        let days = values::daily(db, user_id, tz, m, g.habit_id().as_deref(), first, today).await?;
        let mets: Vec<bool> = values::per_period(m, cadence, &days, &periods)
            .iter()
            .map(|v| progress::met(dir, *v, target, start_value))
            .collect();
        let s = progress::period_streaks(&mets);
        let closed = mets.len() as u32 - u32::from(mets.last() == Some(&false));
        let whole_window = s.current >= closed && closed > 0;
        if !whole_window || periods.len() < window || window >= 2048 {
            break (days, s);
        }
        window *= 4;
    };
    // The longest streak is a record: the window's, or the best one seen before.
    let streaks = crate::wellness::streak::Streaks {
        current: streaks.current,
        longest: streaks.longest.max(g.longest_streak.max(0) as u32),
    };
    let (value, period) = if dir == Direction::Reach {
        // The latest figure, however long ago (within a year) it was logged.
        let latest =
            values::daily(db, user_id, tz, m, None, today - Duration::days(365), today).await?;
        (latest.values().last().copied(), "Latest".to_string())
    } else {
        let v = values::per_period(m, cadence, &days, &[cadence.start(today)])[0];
        let label = match cadence {
            Cadence::Daily => "Today",
            Cadence::Weekly => "This week",
            Cadence::Monthly => "This month",
        };
        (v, label.to_string())
    };
    let met = progress::met(dir, value, target, start_value) || g.completed_at.is_some();
    let status = match (value, dir) {
        (None, _) => "No data yet".to_string(),
        (Some(_), _) if met => "Goal met".to_string(),
        (Some(v), Direction::AtLeast) => format!("{} to go", amount(m, target - v)),
        (Some(v), Direction::AtMost) => format!("{} over", amount(m, v - target)),
        (Some(v), Direction::Reach) => format!("{} to go", amount(m, (v - target).abs())),
    };
    let card = GoalCard {
        id: g.id.clone(),
        name: g.name.clone(),
        rule: rule(m, dir, cadence, target),
        period,
        value: value.map(|v| amount(m, v)).unwrap_or_else(|| "—".into()),
        percent: if g.completed_at.is_some() {
            100.0
        } else {
            progress::percent(dir, value, target, start_value)
        },
        met,
        status,
        current_streak: if dir == Direction::Reach {
            0
        } else {
            streaks.current
        },
        longest_streak: if dir == Direction::Reach {
            0
        } else {
            streaks.longest
        },
        cadence_noun: cadence.noun().to_string(),
        completed: g.completed_at.is_some(),
        archived: !g.is_active,
    };
    // Keep the stored figures true for API readers.
    let best = match (g.best_value, value) {
        (Some(b), Some(v)) => {
            let higher_is_better = match dir {
                Direction::AtLeast => true,
                Direction::AtMost => false,
                Direction::Reach => start_value.is_some_and(|s| s < target),
            };
            Some(if higher_is_better { b.max(v) } else { b.min(v) })
        }
        (b, v) => b.or(v),
    };
    let complete_now = dir == Direction::Reach && met && g.completed_at.is_none();
    if g.current_value != value
        || g.best_value != best
        || (g.current_streak as u32, g.longest_streak as u32)
            != (card.current_streak, card.longest_streak)
        || complete_now
    {
        with_db!(db, pool => sqlx::query(
            "UPDATE goals SET current_value = $1, best_value = $2, current_streak = $3, longest_streak = $4, \
             completed_at = COALESCE(completed_at, $5), updated_at = $6 WHERE id = $7 AND user_id = $8")
            .bind(value)
            .bind(best)
            .bind(card.current_streak as i32)
            .bind(card.longest_streak as i32)
            .bind(complete_now.then(Utc::now))
            .bind(Utc::now())
            .bind(&g.id)
            .bind(user_id)
            .execute(pool)
            .await.map(|r| r.rows_affected()))?;
    }
    let hist = values::per_period(m, cadence, &days, &history);
    Ok((
        GoalCard {
            completed: card.completed || complete_now,
            ..card
        },
        history.into_iter().zip(hist).collect(),
    ))
}

#[cfg(feature = "ssr")]
async fn rows(db: &Db, user_id: &str) -> Result<Vec<GoalRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM goals WHERE user_id = $1 ORDER BY created_at, id");
    with_db!(db, pool => sqlx::query_as(&sql).bind(user_id).fetch_all(pool).await)
}

#[cfg(feature = "ssr")]
async fn own_goal(db: &Db, user_id: &str, id: &str) -> Result<GoalRow, AppError> {
    let sql = format!("SELECT {COLUMNS} FROM goals WHERE id = $1 AND user_id = $2");
    let row: Option<GoalRow> = with_db!(db, pool => sqlx::query_as(&sql)
        .bind(id)
        .bind(user_id)
        .fetch_optional(pool)
        .await)?;
    row.ok_or_else(|| AppError::NotFound("That goal does not exist (any more).".into()))
}

/// Every goal of the person with its progress evaluated as of today; the rows are read after
/// the evaluation, so their stored figures (current value, streaks, completion) are current.
#[cfg(feature = "ssr")]
pub async fn evaluated(
    db: &Db,
    user_id: &str,
    tz: chrono_tz::Tz,
) -> Result<Vec<(GoalRow, GoalCard)>, AppError> {
    let today = local_time::today(tz);
    let mut cards = std::collections::HashMap::new();
    for g in rows(db, user_id).await? {
        cards.insert(g.id.clone(), evaluate(db, user_id, tz, today, &g).await?.0);
    }
    Ok(rows(db, user_id)
        .await?
        .into_iter()
        .filter_map(|g| cards.remove(&g.id).map(|c| (g, c)))
        .collect())
}

/// Deletes one of the person's goals.
#[cfg(feature = "ssr")]
pub async fn delete(db: &Db, user_id: &str, id: &str) -> Result<(), AppError> {
    let g = own_goal(db, user_id, id).await?;
    with_db!(db, pool => sqlx::query("DELETE FROM goals WHERE id = $1 AND user_id = $2")
        .bind(&g.id)
        .bind(user_id)
        .execute(pool)
        .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Active goals' progress, for the Today screen.
#[cfg(feature = "ssr")]
pub async fn active_goal_cards(
    db: &Db,
    user_id: &str,
    tz: chrono_tz::Tz,
) -> Result<Vec<GoalCard>, AppError> {
    let today = local_time::today(tz);
    let mut out = Vec::new();
    for g in rows(db, user_id)
        .await?
        .iter()
        .filter(|g| g.is_active && g.completed_at.is_none())
    {
        out.push(evaluate(db, user_id, tz, today, g).await?.0);
    }
    Ok(out)
}

#[server(endpoint = "goals/list")]
pub async fn list_goals() -> Result<GoalsView, AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    let tz = local_time::zone(&auth.user.timezone);
    let today = local_time::today(tz);
    let mut view = GoalsView {
        active: vec![],
        completed: vec![],
        archived: vec![],
        metrics: GOAL_METRICS
            .iter()
            .map(|m| (m.id.into(), m.label.into(), m.unit.into()))
            .collect(),
        habits: crate::habits::repo::list(ctx.db(), &auth.user.id)
            .await?
            .into_iter()
            .filter(|h| h.active)
            .map(|h| (h.id, h.name))
            .collect(),
    };
    for g in rows(ctx.db(), &auth.user.id).await? {
        let (card, _) = evaluate(ctx.db(), &auth.user.id, tz, today, &g).await?;
        if card.archived {
            view.archived.push(card);
        } else if card.completed {
            view.completed.push(card);
        } else {
            view.active.push(card);
        }
    }
    Ok(view)
}

#[server(endpoint = "goals/detail")]
pub async fn get_goal(id: String) -> Result<GoalDetail, AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    let tz = local_time::zone(&auth.user.timezone);
    let today = local_time::today(tz);
    let g = own_goal(ctx.db(), &auth.user.id, &id).await?;
    let (card, history) = evaluate(ctx.db(), &auth.user.id, tz, today, &g).await?;
    let (m, cadence, dir) = (g.metric(), g.cadence(), g.direction());
    let mut chart = charts::Chart::new(
        format!("{} per {}", m.label, cadence.noun()),
        if m.combine == super::Combine::Last {
            charts::Kind::Line
        } else {
            charts::Kind::Bars
        },
        history
            .iter()
            .map(|(d, _)| match cadence {
                Cadence::Daily => views::axis_label(*d, 14),
                Cadence::Weekly => d.format("%-d %b").to_string(),
                Cadence::Monthly => d.format("%b").to_string(),
            })
            .collect(),
    );
    chart.series.push(charts::Series {
        name: m.label.into(),
        color: charts::family_color(match m.category {
            "activity" => "activity",
            "sleep" => "sleep",
            "body" => "body",
            "hydration" => "hydration",
            "mental_health" => "mood",
            _ => "",
        }),
        values: history.iter().map(|(_, v)| *v).collect(),
    });
    chart.goal = Some(g.target_value);
    chart.y_decimals = m.decimals.into();
    if m.combine == super::Combine::Last {
        chart.from_zero = false;
    }
    let met_count = history
        .iter()
        .filter(|(_, v)| progress::met(dir, *v, g.target_value, g.start_value()))
        .count();
    chart.desc = format!(
        "{}: goal met in {met_count} of the last {} {}s.",
        card.rule,
        history.len(),
        cadence.noun()
    );
    let has_data = history.iter().any(|(_, v)| v.is_some());
    Ok(GoalDetail {
        chart: if has_data {
            chart.render()
        } else {
            String::new()
        },
        history: history
            .iter()
            .rev()
            .map(|(d, v)| {
                (
                    if *d == cadence.start(today) {
                        card.period.clone()
                    } else {
                        cadence.label(*d)
                    },
                    v.map(|v| amount(m, v)).unwrap_or_else(|| "—".into()),
                    progress::met(dir, *v, g.target_value, g.start_value()),
                )
            })
            .collect(),
        card,
    })
}

#[server(endpoint = "goals/create")]
pub async fn create_goal(
    metric: String,
    cadence: Option<String>,
    direction: Option<String>,
    target: String,
    name: Option<String>,
    habit: Option<String>,
) -> Result<String, AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    let tz = local_time::zone(&auth.user.timezone);
    let draft = GoalDraft {
        metric: &metric,
        cadence: cadence.as_deref(),
        direction: direction.as_deref(),
        target: &target,
        name: name.as_deref(),
        habit: habit.as_deref(),
    };
    create(ctx.db(), &auth.user.id, tz, draft).await
}

/// A goal as typed in the form (or sent to the API).
#[cfg(feature = "ssr")]
pub struct GoalDraft<'a> {
    pub metric: &'a str,
    /// `daily` (when absent), `weekly` or `monthly`.
    pub cadence: Option<&'a str>,
    /// `at_least` (when absent), `at_most` or `reach`.
    pub direction: Option<&'a str>,
    pub target: &'a str,
    pub name: Option<&'a str>,
    /// For a `habit_completions` goal: the habit's id.
    pub habit: Option<&'a str>,
}

/// Checks and stores a new goal (at most 100 per person); returns its id.
#[cfg(feature = "ssr")]
pub async fn create(
    db: &Db,
    user_id: &str,
    tz: chrono_tz::Tz,
    draft: GoalDraft<'_>,
) -> Result<String, AppError> {
    let GoalDraft {
        metric,
        cadence,
        direction,
        target,
        name,
        habit,
    } = draft;
    let today = local_time::today(tz);
    let m = goal_metric(metric)
        .ok_or_else(|| AppError::invalid("metric", "Choose what the goal is about."))?;
    let cadence = Cadence::parse(cadence.unwrap_or("daily"))
        .ok_or_else(|| AppError::invalid("cadence", "Choose daily, weekly or monthly."))?;
    let dir = Direction::parse(direction.unwrap_or("at_least"))
        .ok_or_else(|| AppError::invalid("direction", "Choose at least, at most or reach."))?;
    if dir == Direction::Reach && m.combine != super::Combine::Last {
        return Err(AppError::invalid(
            "direction",
            format!(
                "“Reach” suits a figure like weight; for {} choose at least or at most.",
                m.label.to_lowercase()
            ),
        ));
    }
    let t = target.trim().replace(',', ".");
    let target: f64 = t
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or_else(|| AppError::invalid("target", "Enter the target as a number."))?;
    let min = if m.id == "mood_avg" { 1.0 } else { 0.0 };
    if target <= min - f64::EPSILON || target <= 0.0 || target > m.max {
        return Err(AppError::invalid(
            "target",
            format!(
                "Enter a target between {} and {}.",
                if m.id == "mood_avg" {
                    "1".to_string()
                } else {
                    "0".to_string()
                },
                amount(m, m.max)
            ),
        ));
    }
    let habit_id = match habit.filter(|h| !h.is_empty()) {
        Some(h) if m.id == "habit_completions" => Some(
            crate::habits::repo::get(db, user_id, h)
                .await
                .map_err(|_| AppError::invalid("habit", "Choose one of your habits."))?
                .id,
        ),
        _ => None,
    };
    let mut config = serde_json::Map::new();
    if let Some(h) = &habit_id {
        config.insert("habitId".into(), h.clone().into());
    }
    if dir == Direction::Reach {
        let latest =
            values::daily(db, user_id, tz, m, None, today - Duration::days(365), today).await?;
        let start = latest.values().last().copied().ok_or_else(|| {
            AppError::invalid(
                "target",
                format!(
                    "Log your {} first (under Log), so progress can be measured from it.",
                    m.label.to_lowercase()
                ),
            )
        })?;
        config.insert("startValue".into(), start.into());
    }
    let name = match form::optional_text("name", name.unwrap_or(""), 100)? {
        Some(n) => n,
        None if dir == Direction::Reach => format!("{} of {}", m.label, amount(m, target)),
        None => format!(
            "{} {}",
            match cadence {
                Cadence::Daily => "Daily",
                Cadence::Weekly => "Weekly",
                Cadence::Monthly => "Monthly",
            },
            m.label.to_lowercase()
        ),
    };
    let count: i64 = with_db!(db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM goals WHERE user_id = $1")
        .bind(user_id).fetch_one(pool).await)?;
    if count >= 100 {
        return Err(AppError::invalid(
            "metric",
            "You have 100 goals; delete an old one first.",
        ));
    }
    let id = new_id();
    let now = Utc::now();
    with_db!(db, pool => sqlx::query(
        "INSERT INTO goals (id, user_id, name, category, metric_type, target_value, unit, cadence, direction, \
         is_active, start_date, config, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)")
        .bind(&id)
        .bind(user_id)
        .bind(&name)
        .bind(m.category)
        .bind(m.id)
        .bind(target)
        .bind(m.unit)
        .bind(cadence.as_str())
        .bind(dir.as_str())
        .bind(true)
        .bind(today)
        .bind(sqlx::types::Json(serde_json::Value::Object(config)))
        .bind(now)
        .execute(pool)
        .await.map(|r| r.rows_affected()))?;
    Ok(id)
}

/// Archives (`archived` = "true") or restores a goal.
#[server(endpoint = "goals/archive")]
pub async fn archive_goal(id: String, archived: String) -> Result<(), AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    let g = own_goal(ctx.db(), &auth.user.id, &id).await?;
    with_db!(ctx.db(), pool => sqlx::query("UPDATE goals SET is_active = $1, updated_at = $2 WHERE id = $3 AND user_id = $4")
        .bind(archived != "true")
        .bind(Utc::now())
        .bind(&g.id)
        .bind(&auth.user.id)
        .execute(pool)
        .await.map(|r| r.rows_affected()))?;
    Ok(())
}

#[server(endpoint = "goals/delete")]
pub async fn delete_goal(id: String, confirm: Option<String>) -> Result<(), AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    let g = own_goal(ctx.db(), &auth.user.id, &id).await?;
    if confirm.as_deref() != Some("delete") {
        return Err(AppError::invalid(
            "confirm",
            "Tick the box to confirm deleting this goal.",
        ));
    }
    delete(ctx.db(), &auth.user.id, &g.id).await?;
    ctx.redirect("/goals");
    Ok(())
}
