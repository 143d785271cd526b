//! `/v1/users`: the workspace's people. Create, read, change and delete, and look up by the
//! caller's own id (`externalId`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::ApiCaller;
use super::error::{ApiError, Detail, ErrorEnvelope};
use super::extract::{ApiJson, ApiQuery};
use super::pagination::{Page, PageParams};
use crate::accounts::directory::{self, UserFields, UserRecord};
use crate::api_keys::Scope;
use crate::platform::state::AppState;
use crate::webhooks::EventType;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user, update_user, delete_user))
        .routes(routes!(get_user_by_external_id))
}

/// A person of the workspace.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: String,
    /// Your system's id for this person; unique in the workspace.
    pub external_id: Option<String>,
    pub email: Option<String>,
    pub display_name: Option<String>,
    /// IANA time zone: days, streaks and daily totals are counted in it.
    pub timezone: String,
    /// Whatever you want to keep with the person (a JSON object).
    #[schema(value_type = Object)]
    pub metadata: serde_json::Value,
    /// `member` or `admin`.
    pub role: String,
    /// True for people who sign in to VitaSync with a password.
    pub can_sign_in: bool,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<UserRecord> for User {
    fn from(r: UserRecord) -> Self {
        User {
            id: r.id.into(),
            external_id: r.external_id,
            email: r.email,
            display_name: r.display_name,
            timezone: r.timezone,
            metadata: r.metadata.0,
            role: r.role.as_str().to_string(),
            can_sign_in: r.can_sign_in,
            disabled: r.disabled_at.is_some(),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewUser {
    /// Your system's id for this person (1–255 characters); unique in the workspace.
    pub external_id: Option<String>,
    pub email: Option<String>,
    /// Up to 100 characters.
    pub display_name: Option<String>,
    /// IANA time zone such as `Europe/Paris`; default `UTC`.
    pub timezone: Option<String>,
    /// A JSON object, at most 16 KB.
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<serde_json::Value>,
}

/// Only the fields present change; `null` clears `externalId`, `email` and `displayName`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserChanges {
    #[serde(default, deserialize_with = "super::extract::present")]
    #[schema(value_type = Option<String>)]
    pub external_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::extract::present")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::extract::present")]
    #[schema(value_type = Option<String>)]
    pub display_name: Option<Option<String>>,
    pub timezone: Option<String>,
    /// Replaces the whole object.
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<serde_json::Value>,
}

/// Checks every field and reports every problem at once.
fn validate_fields(
    external_id: Option<String>,
    email: Option<String>,
    display_name: Option<String>,
    timezone: Option<String>,
    metadata: Option<serde_json::Value>,
) -> Result<UserFields, ApiError> {
    directory::check_fields(external_id, email, display_name, timezone, metadata).map_err(
        |problems| {
            ApiError::validation(
                problems
                    .into_iter()
                    .map(|(field, message)| Detail::field(field, message))
                    .collect(),
            )
        },
    )
}

fn duplicate_external_id(err: sqlx::Error) -> ApiError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            ApiError::conflict("Another user of this workspace already has this externalId.")
                .with_details(vec![Detail::field("externalId", "Already in use.")])
        }
        _ => err.into(),
    }
}

async fn emit(state: &AppState, row: &UserRecord, event: EventType) {
    crate::webhooks::events::emit(
        &state.db,
        &row.workspace_id,
        event,
        crate::webhooks::events::user_data(&row.id, row.external_id.as_deref()),
    )
    .await;
}

/// The user with this id in the caller's workspace, or 404 (another workspace's user is
/// indistinguishable from none).
pub(super) async fn owned_user(
    state: &AppState,
    caller: &ApiCaller,
    id: &str,
) -> Result<UserRecord, ApiError> {
    directory::get(&state.db, &caller.workspace_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("user"))
}

/// List the workspace's users, oldest first.
#[utoipa::path(get, path = "/users", tag = "Users",
    params(PageParams),
    responses(
        (status = 200, description = "A page of users", body = Page<User>),
        (status = 400, description = "Bad limit or cursor", body = ErrorEnvelope),
        (status = 401, description = "Missing, wrong, expired or revoked key", body = ErrorEnvelope),
    ))]
pub async fn list_users(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Page<User>>, ApiError> {
    caller.require(Scope::Read)?;
    let limit = page.limit()?;
    let after: Option<String> = page.cursor()?;
    let rows =
        directory::list(&state.db, &caller.workspace_id, after.as_deref(), limit + 1).await?;
    Ok(Json(Page::from_rows(
        rows,
        limit,
        |r| r.id.clone(),
        User::from,
    )))
}

/// Create a user.
#[utoipa::path(post, path = "/users", tag = "Users",
    request_body = NewUser,
    responses(
        (status = 201, description = "Created", body = User),
        (status = 403, description = "The key lacks the write scope", body = ErrorEnvelope),
        (status = 409, description = "The externalId is taken", body = ErrorEnvelope),
        (status = 422, description = "Invalid fields, each listed in details", body = ErrorEnvelope),
    ))]
pub async fn create_user(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<NewUser>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    caller.require(Scope::Write)?;
    let fields = validate_fields(
        body.external_id,
        body.email,
        body.display_name,
        body.timezone,
        body.metadata,
    )?;
    let row = directory::create(&state.db, &caller.workspace_id, &fields)
        .await
        .map_err(duplicate_external_id)?;
    emit(&state, &row, EventType::UserCreated).await;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// Get one user.
#[utoipa::path(get, path = "/users/{userId}", tag = "Users",
    params(("userId" = String, Path, description = "The user's id")),
    responses(
        (status = 200, description = "The user", body = User),
        (status = 404, description = "No such user in this workspace", body = ErrorEnvelope),
    ))]
pub async fn get_user(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<User>, ApiError> {
    caller.require(Scope::Read)?;
    Ok(Json(owned_user(&state, &caller, &id).await?.into()))
}

/// Find a user by your system's id.
#[utoipa::path(get, path = "/users/by-external-id/{externalId}", tag = "Users",
    params(("externalId" = String, Path, description = "Your system's id for the user")),
    responses(
        (status = 200, description = "The user", body = User),
        (status = 404, description = "No user has this externalId", body = ErrorEnvelope),
    ))]
pub async fn get_user_by_external_id(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(external_id): Path<String>,
) -> Result<Json<User>, ApiError> {
    caller.require(Scope::Read)?;
    directory::by_external_id(&state.db, &caller.workspace_id, &external_id)
        .await?
        .map(|r| Json(r.into()))
        .ok_or_else(|| ApiError::not_found("user"))
}

/// Change a user.
#[utoipa::path(patch, path = "/users/{userId}", tag = "Users",
    params(("userId" = String, Path, description = "The user's id")),
    request_body = UserChanges,
    responses(
        (status = 200, description = "The changed user", body = User),
        (status = 404, description = "No such user in this workspace", body = ErrorEnvelope),
        (status = 409, description = "The externalId is taken, or the email is the one a person signs in with", body = ErrorEnvelope),
        (status = 422, description = "Invalid fields", body = ErrorEnvelope),
    ))]
pub async fn update_user(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UserChanges>,
) -> Result<Json<User>, ApiError> {
    caller.require(Scope::Write)?;
    let current = owned_user(&state, &caller, &id).await?;
    let email = match body.email {
        Some(new) => {
            current
                .email_changeable_by(directory::Actor::ApiKey, new.as_deref())
                .map_err(ApiError::conflict)?;
            // The address someone signs in with keeps its spelling.
            if current.can_sign_in {
                current.email
            } else {
                new
            }
        }
        None => current.email,
    };
    let fields = validate_fields(
        body.external_id.unwrap_or(current.external_id),
        email,
        body.display_name.unwrap_or(current.display_name),
        Some(body.timezone.unwrap_or(current.timezone)),
        Some(body.metadata.unwrap_or(current.metadata.0)),
    )?;
    let row = directory::update(&state.db, &caller.workspace_id, &id, &fields)
        .await
        .map_err(duplicate_external_id)?
        .ok_or_else(|| ApiError::not_found("user"))?;
    emit(&state, &row, EventType::UserUpdated).await;
    Ok(Json(row.into()))
}

/// Delete a user and all of their data.
#[utoipa::path(delete, path = "/users/{userId}", tag = "Users",
    params(("userId" = String, Path, description = "The user's id")),
    responses(
        (status = 204, description = "Deleted, with every row of their data"),
        (status = 404, description = "No such user in this workspace", body = ErrorEnvelope),
        (status = 409, description = "Admins are removed by an admin in VitaSync itself", body = ErrorEnvelope),
    ))]
pub async fn delete_user(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require(Scope::Write)?;
    let user = owned_user(&state, &caller, &id).await?;
    user.manageable_by(directory::Actor::ApiKey)
        .map_err(ApiError::conflict)?;
    directory::delete(&state.db, &caller.workspace_id, &id).await?;
    emit(&state, &user, EventType::UserDeleted).await;
    tracing::info!(user = %id, key = %caller.key_id, "user deleted through the API");
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let err = validate_fields(
            Some(" ".into()),
            Some("not-an-email".into()),
            Some("x".repeat(101)),
            Some("Mars/Olympus".into()),
            Some(serde_json::json!([1])),
        )
        .unwrap_err();
        let fields: Vec<_> = err.details.iter().filter_map(|d| d.field.clone()).collect();
        assert_eq!(
            fields,
            ["externalId", "email", "displayName", "timezone", "metadata"]
        );
        assert_eq!(err.status, StatusCode::UNPROCESSABLE_ENTITY);
    }

    #[test]
    fn defaults_fill_what_is_missing() {
        let f = validate_fields(Some("u-1".into()), None, None, None, None).unwrap();
        assert_eq!(f.timezone, "UTC");
        assert_eq!(f.metadata, serde_json::json!({}));
        let tz = validate_fields(None, None, None, Some(" Asia/Tokyo ".into()), None).unwrap();
        assert_eq!(tz.timezone, "Asia/Tokyo");
        // IANA names are case-sensitive; a wrong case is reported, not guessed.
        assert!(validate_fields(None, None, None, Some("europe/paris".into()), None).is_err());
    }

    #[test]
    fn null_and_absent_differ_in_changes() {
        let c: UserChanges = serde_json::from_str(r#"{"email": null}"#).unwrap();
        assert_eq!(c.email, Some(None));
        assert_eq!(c.display_name, None);
        assert!(serde_json::from_str::<UserChanges>(r#"{"nickname": "x"}"#).is_err());
    }
}
