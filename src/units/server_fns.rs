//! Reading and saving a person's units from the Settings page.

use leptos::prelude::*;

use super::Units;
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::platform::request::RequestCtx;

#[server(endpoint = "settings/units")]
pub async fn get_units() -> Result<Units, AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    Ok(super::service::load(ctx.db(), &auth.user.id).await?)
}

/// `system` is `metric` or `imperial`; each quantity is a unit word or empty to follow the system.
#[server(endpoint = "settings/save-units")]
pub async fn save_units(
    system: String,
    distance: Option<String>,
    weight: Option<String>,
    temperature: Option<String>,
    volume: Option<String>,
) -> Result<(), AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    let units = parse(
        &system,
        [
            distance.as_deref(),
            weight.as_deref(),
            temperature.as_deref(),
            volume.as_deref(),
        ],
    )?;
    super::service::save(ctx.db(), &auth.user.id, &units).await?;
    Ok(())
}

/// Checks the submitted words: every one must name a unit of its own quantity.
#[cfg(feature = "ssr")]
pub fn parse(system: &str, overrides: [Option<&str>; 4]) -> Result<Units, AppError> {
    use super::{Quantity, System, Unit};
    let system = match system.trim() {
        "metric" => System::Metric,
        "imperial" => System::Imperial,
        _ => return Err(AppError::invalid("system", "Choose metric or imperial.")),
    };
    let mut u = Units {
        system,
        ..Units::default()
    };
    for (q, word) in Quantity::ALL.into_iter().zip(overrides) {
        let word = word.map(str::trim).unwrap_or("");
        if word.is_empty() {
            continue;
        }
        let unit = Unit::parse(word)
            .filter(|u| u.quantity() == q)
            .ok_or_else(|| {
                let choices: Vec<&str> = [System::Metric, System::Imperial]
                    .map(|s| q.unit_in(s).as_str())
                    .to_vec();
                AppError::invalid(
                    q.key(),
                    format!(
                        "Choose {} or leave it to follow the system.",
                        choices.join(" or ")
                    ),
                )
            })?;
        // The system's own unit is no override: a later change of system carries it along.
        let choice = (q.unit_in(system) != unit).then_some(unit);
        match q {
            Quantity::Distance => u.distance = choice,
            Quantity::Weight => u.weight = choice,
            Quantity::Temperature => u.temperature = choice,
            Quantity::Volume => u.volume = choice,
        }
    }
    Ok(u)
}
