//! A goal's evaluation as of a day: this period's figure, progress, the streak of periods met
//! and the recent history, from the stored data; the figures are written back to its row.

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;

use super::model::GoalCard;
use super::progress::{self, Direction};
use super::repo::{self, Figures, GoalRow};
use super::values;
use super::wording::{amount, rule};
use crate::error::AppError;
use crate::platform::db::Db;
use crate::units::Units;
use crate::wellness::period::Cadence;

/// How many periods of history the page shows.
fn history_len(c: Cadence) -> usize {
    match c {
        Cadence::Daily => 14,
        Cadence::Weekly => 12,
        Cadence::Monthly => 12,
    }
}

/// Evaluates a goal as of `today`: its card and the per-period figures of the history.
pub async fn evaluate(
    db: &Db,
    user_id: &str,
    tz: Tz,
    today: NaiveDate,
    g: &GoalRow,
    units: &Units,
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
    // Words and figures in the person's unit (lb, fl oz …); the checks above stay in stored units.
    let (shown, conv) = m.shown(units);
    let gap = |d: f64| amount(&shown, conv.shown_delta(d));
    let status = match (value, dir) {
        (None, _) => "No data yet".to_string(),
        (Some(_), _) if met => "Goal met".to_string(),
        (Some(v), Direction::AtLeast) => format!("{} to go", gap(target - v)),
        (Some(v), Direction::AtMost) => format!("{} over", gap(v - target)),
        (Some(v), Direction::Reach) => format!("{} to go", gap((v - target).abs())),
    };
    let card = GoalCard {
        id: g.id.clone(),
        name: g.name.clone(),
        rule: rule(&shown, dir, cadence, conv.shown(target)),
        period,
        value: value
            .map(|v| amount(&shown, conv.shown(v)))
            .unwrap_or_else(|| "—".into()),
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
        let figures = Figures {
            current_value: value,
            best_value: best,
            current_streak: card.current_streak,
            longest_streak: card.longest_streak,
            complete: complete_now,
        };
        repo::update_figures(db, user_id, &g.id, &figures).await?;
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
