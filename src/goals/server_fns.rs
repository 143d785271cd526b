//! Server functions of the goals screen.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::model::GoalCard;
use crate::error::AppError;

#[cfg(feature = "ssr")]
use {
    super::evaluate::evaluate,
    super::form::GoalDraft,
    super::wording::amount,
    super::{progress, repo, service, Combine, GOAL_METRICS},
    crate::health::{charts, local_time, views},
    crate::platform::request::RequestCtx,
    crate::wellness::period::Cadence,
};

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
            .map(|m| {
                let (shown, _) = m.shown(&auth.user.units);
                (m.id.into(), m.label.into(), shown.unit.into())
            })
            .collect(),
        habits: crate::habits::service::list(ctx.db(), &auth.user.id)
            .await?
            .into_iter()
            .filter(|h| h.active)
            .map(|h| (h.id, h.name))
            .collect(),
    };
    for g in repo::list(ctx.db(), &auth.user.id).await? {
        let (card, _) = evaluate(ctx.db(), &auth.user.id, tz, today, &g, &auth.user.units).await?;
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
    let g = repo::get(ctx.db(), &auth.user.id, &id).await?;
    let (card, history) =
        evaluate(ctx.db(), &auth.user.id, tz, today, &g, &auth.user.units).await?;
    let (cadence, dir) = (g.cadence(), g.direction());
    // Chart and table in the person's unit (lb, fl oz …).
    let (shown, conv) = g.metric().shown(&auth.user.units);
    let m = &shown;
    let mut chart = charts::Chart::new(
        format!("{} per {}", m.label, cadence.noun()),
        if m.combine == Combine::Last {
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
        values: history
            .iter()
            .map(|(_, v)| v.map(|v| conv.shown(v)))
            .collect(),
    });
    chart.goal = Some(conv.shown(g.target_value));
    chart.y_decimals = m.decimals.into();
    chart.y_unit = m.unit.to_string();
    if m.combine == Combine::Last {
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
                    v.map(|v| amount(m, conv.shown(v)))
                        .unwrap_or_else(|| "—".into()),
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
        units: auth.user.units,
    };
    service::create(ctx.db(), &auth.user.id, tz, draft).await
}

/// Archives (`archived` = "true") or restores a goal.
#[server(endpoint = "goals/archive")]
pub async fn archive_goal(id: String, archived: String) -> Result<(), AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    let g = repo::get(ctx.db(), &auth.user.id, &id).await?;
    repo::set_active(ctx.db(), &auth.user.id, &g.id, archived != "true").await?;
    Ok(())
}

#[server(endpoint = "goals/delete")]
pub async fn delete_goal(id: String, confirm: Option<String>) -> Result<(), AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    let g = repo::get(ctx.db(), &auth.user.id, &id).await?;
    if confirm.as_deref() != Some("delete") {
        return Err(AppError::invalid(
            "confirm",
            "Tick the box to confirm deleting this goal.",
        ));
    }
    service::delete(ctx.db(), &auth.user.id, &g.id).await?;
    ctx.redirect("/goals");
    Ok(())
}
