//! The goal form (or the API's new goal): its fields as typed, and the checks that need no
//! stored data. The checks run in the form's order, so the first field at fault is reported.

use super::progress::Direction;
use super::wording::amount;
use super::{goal_metric, Combine, GoalMetric};
use crate::error::AppError;
use crate::wellness::{form, period::Cadence};

/// A goal as typed in the form (or sent to the API).
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
    /// The units the target is typed in (the API's are metric).
    pub units: crate::units::Units,
}

/// A draft's rule, checked: what it measures, how often, which way and to what target.
pub struct CheckedRule {
    pub metric: &'static GoalMetric,
    pub cadence: Cadence,
    pub direction: Direction,
    pub target: f64,
}

/// Checks the metric, cadence, direction and target of a draft, in that order.
pub fn parse_rule(draft: &GoalDraft<'_>) -> Result<CheckedRule, AppError> {
    let m = goal_metric(draft.metric)
        .ok_or_else(|| AppError::invalid("metric", "Choose what the goal is about."))?;
    let cadence = Cadence::parse(draft.cadence.unwrap_or("daily"))
        .ok_or_else(|| AppError::invalid("cadence", "Choose daily, weekly or monthly."))?;
    let dir = Direction::parse(draft.direction.unwrap_or("at_least"))
        .ok_or_else(|| AppError::invalid("direction", "Choose at least, at most or reach."))?;
    if dir == Direction::Reach && m.combine != Combine::Last {
        return Err(AppError::invalid(
            "direction",
            format!(
                "“Reach” suits a figure like weight; for {} choose at least or at most.",
                m.label.to_lowercase()
            ),
        ));
    }
    // Typed in the person's unit (lb, fl oz …), checked there, kept in the stored unit.
    let (m_stored, conv) = (m, m.shown(&draft.units).1);
    let shown = m.shown(&draft.units).0;
    let m = &shown;
    let t = draft.target.trim().replace(',', ".");
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
    let target = if conv == crate::units::Conversion::SAME {
        target
    } else {
        (conv.stored(target) * 10_000.0).round() / 10_000.0
    };
    if target <= 0.0 {
        // A few thousandths of an ounce: nothing once stored.
        return Err(AppError::invalid(
            "target",
            format!("Enter a target between 0 and {}.", amount(m, m.max)),
        ));
    }
    Ok(CheckedRule {
        metric: m_stored,
        cadence,
        direction: dir,
        target,
    })
}

/// The name as typed (up to 100 characters), or one made from the rule when left empty
/// ("Daily steps", "Weight of 70 kg").
pub fn name_or_default(
    typed: Option<&str>,
    r: &CheckedRule,
    units: &crate::units::Units,
) -> Result<String, AppError> {
    let (m, conv) = r.metric.shown(units);
    let m = &m;
    let name = match form::optional_text("name", typed.unwrap_or(""), 100)? {
        Some(n) => n,
        None if r.direction == Direction::Reach => {
            format!("{} of {}", m.label, amount(m, conv.shown(r.target)))
        }
        None => format!(
            "{} {}",
            match r.cadence {
                Cadence::Daily => "Daily",
                Cadence::Weekly => "Weekly",
                Cadence::Monthly => "Monthly",
            },
            m.label.to_lowercase()
        ),
    };
    Ok(name)
}
