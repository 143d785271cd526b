//! `/v1/users/{userId}/units`: how the person reads measurements in VitaSync's own pages (and
//! CSV downloads). The API itself always speaks metric (SI) units whatever is chosen here.

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::ApiCaller;
use super::error::{ApiError, ErrorEnvelope};
use super::extract::ApiJson;
use super::users::owned_user;
use crate::api_keys::Scope;
use crate::platform::state::AppState;
use crate::units::{server_fns::parse, service, Quantity, System, Units};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_units, put_units))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnitPreferences {
    /// `metric` or `imperial`.
    pub system: String,
    /// `km` or `mi`; null follows the system.
    pub distance: Option<String>,
    /// `kg` or `lb`; null follows the system.
    pub weight: Option<String>,
    /// `c` or `f`; null follows the system.
    pub temperature: Option<String>,
    /// `ml` or `fl_oz`; null follows the system.
    pub volume: Option<String>,
    /// The unit each quantity is shown in after the overrides (read-only).
    #[serde(default)]
    pub effective: Option<EffectiveUnits>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EffectiveUnits {
    pub distance: String,
    pub weight: String,
    pub temperature: String,
    pub volume: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewUnitPreferences {
    /// `metric` or `imperial`.
    pub system: String,
    /// `km` or `mi`; absent or null follows the system.
    pub distance: Option<String>,
    /// `kg` or `lb`.
    pub weight: Option<String>,
    /// `c` or `f`.
    pub temperature: Option<String>,
    /// `ml` or `fl_oz`.
    pub volume: Option<String>,
}

impl From<Units> for UnitPreferences {
    fn from(u: Units) -> Self {
        let word = |q: Quantity| u.override_for(q).map(|u| u.as_str().to_string());
        let shown = |q: Quantity| u.unit(q).as_str().to_string();
        UnitPreferences {
            system: match u.system {
                System::Metric => "metric",
                System::Imperial => "imperial",
            }
            .into(),
            distance: word(Quantity::Distance),
            weight: word(Quantity::Weight),
            temperature: word(Quantity::Temperature),
            volume: word(Quantity::Volume),
            effective: Some(EffectiveUnits {
                distance: shown(Quantity::Distance),
                weight: shown(Quantity::Weight),
                temperature: shown(Quantity::Temperature),
                volume: shown(Quantity::Volume),
            }),
        }
    }
}

/// The person's display units.
#[utoipa::path(get, path = "/users/{userId}/units", tag = "Users",
    params(("userId" = String, Path, description = "The user's id")),
    responses(
        (status = 200, description = "The units the person's pages use", body = UnitPreferences),
        (status = 404, description = "No such user in this workspace", body = ErrorEnvelope),
    ))]
pub async fn get_units(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(user_id): Path<String>,
) -> Result<Json<UnitPreferences>, ApiError> {
    caller.require(Scope::Read)?;
    let user = owned_user(&state, &caller, &user_id).await?;
    Ok(Json(service::load(&state.db, &user.id).await?.into()))
}

/// Set the person's display units (API answers stay metric).
#[utoipa::path(put, path = "/users/{userId}/units", tag = "Users",
    params(("userId" = String, Path, description = "The user's id")),
    request_body = NewUnitPreferences,
    responses(
        (status = 200, description = "The units now in use", body = UnitPreferences),
        (status = 404, description = "No such user in this workspace", body = ErrorEnvelope),
        (status = 422, description = "A field is not acceptable", body = ErrorEnvelope),
    ))]
pub async fn put_units(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(user_id): Path<String>,
    ApiJson(input): ApiJson<NewUnitPreferences>,
) -> Result<Json<UnitPreferences>, ApiError> {
    caller.require(Scope::Write)?;
    let user = owned_user(&state, &caller, &user_id).await?;
    let units = parse(
        &input.system,
        [
            input.distance.as_deref(),
            input.weight.as_deref(),
            input.temperature.as_deref(),
            input.volume.as_deref(),
        ],
    )?;
    service::save(&state.db, &user.id, &units).await?;
    Ok(Json(units.into()))
}
