//! Goal operations the REST API and other features (the Today screen) call: the goals with
//! their progress, setting a goal and deleting one.

use chrono::Duration;
use chrono_tz::Tz;

use super::evaluate::evaluate;
use super::form::{self, GoalDraft};
use super::model::GoalCard;
use super::progress::Direction;
use super::repo::{self, GoalRow, NewGoal};
use super::values;
use crate::error::AppError;
use crate::health::local_time;
use crate::platform::db::Db;
use crate::units::Units;

/// Every goal of the person with its progress evaluated as of today; the rows are read after
/// the evaluation, so their stored figures (current value, streaks, completion) are current.
pub async fn evaluated(
    db: &Db,
    user_id: &str,
    tz: Tz,
    units: &Units,
) -> Result<Vec<(GoalRow, GoalCard)>, AppError> {
    let today = local_time::today(tz);
    let mut cards = std::collections::HashMap::new();
    for g in repo::list(db, user_id).await? {
        cards.insert(
            g.id.clone(),
            evaluate(db, user_id, tz, today, &g, units).await?.0,
        );
    }
    Ok(repo::list(db, user_id)
        .await?
        .into_iter()
        .filter_map(|g| cards.remove(&g.id).map(|c| (g, c)))
        .collect())
}

/// Active goals' progress, for the Today screen.
pub async fn active_goal_cards(
    db: &Db,
    user_id: &str,
    tz: Tz,
    units: &Units,
) -> Result<Vec<GoalCard>, AppError> {
    let today = local_time::today(tz);
    let mut out = Vec::new();
    for g in repo::list(db, user_id)
        .await?
        .iter()
        .filter(|g| g.is_active && g.completed_at.is_none())
    {
        out.push(evaluate(db, user_id, tz, today, g, units).await?.0);
    }
    Ok(out)
}

/// Checks and stores a new goal (at most 100 per person); returns its id.
pub async fn create(
    db: &Db,
    user_id: &str,
    tz: Tz,
    draft: GoalDraft<'_>,
) -> Result<String, AppError> {
    let today = local_time::today(tz);
    let r = form::parse_rule(&draft)?;
    let m = r.metric;
    let habit_id = match draft.habit.filter(|h| !h.is_empty()) {
        Some(h) if m.id == "habit_completions" => Some(
            crate::habits::service::get(db, user_id, h)
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
    if r.direction == Direction::Reach {
        // Progress towards a figure is measured from the latest one logged.
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
    let name = form::name_or_default(draft.name, &r, &draft.units)?;
    if repo::count(db, user_id).await? >= 100 {
        return Err(AppError::invalid(
            "metric",
            "You have 100 goals; delete an old one first.",
        ));
    }
    let goal = NewGoal {
        name: &name,
        metric: m,
        target: r.target,
        cadence: r.cadence,
        direction: r.direction,
        start_date: today,
        config,
    };
    let id = repo::insert(db, user_id, goal).await?;
    Ok(id)
}

/// Deletes one of the person's goals ("not found" when it is not theirs).
pub async fn delete(db: &Db, user_id: &str, id: &str) -> Result<(), AppError> {
    let g = repo::get(db, user_id, id).await?;
    repo::delete(db, user_id, &g.id).await?;
    Ok(())
}
