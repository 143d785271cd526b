//! Server functions of the admin's Users screens: the workspace's people (those who sign in
//! and those who exist only through the API), searched and paged; creating a person; one
//! person's page with connections, last syncs and data counts; switching a person off and on;
//! deleting a person with everything of theirs. Changes emit the `user.*` webhooks. Inviting a
//! person and changing their role live in `access.rs`.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::identity::Role;

#[cfg(feature = "ssr")]
use {
    crate::accounts::directory::{self, UserRecord},
    crate::platform::request::RequestCtx,
    crate::webhooks::{events, EventType},
    crate::with_db,
};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonInfo {
    pub id: String,
    /// Display name, else email, else external id.
    pub name: String,
    pub email: Option<String>,
    pub external_id: Option<String>,
    pub role: Role,
    /// "Active", "Disabled" or "API only" (no password).
    pub status: String,
    pub created: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeopleOverview {
    pub people: Vec<PersonInfo>,
    /// The `after` value of the next page.
    pub next: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonDetail {
    pub person: PersonInfo,
    pub timezone: String,
    pub metadata: String,
    /// (provider, status, last sync) of each connection.
    pub connections: Vec<(String, String, String)>,
    /// (provider, status, queued) of the latest sync jobs.
    pub syncs: Vec<(String, String, String)>,
    /// (what, how many) of the person's stored data.
    pub counts: Vec<(String, i64)>,
    pub disabled: bool,
    /// False for yourself and the instance owner.
    pub can_change: bool,
    /// True when they sign in with a password (a member or an admin).
    pub can_sign_in: bool,
    /// When their open invitation link ends, if they have one.
    pub invitation_expires: Option<String>,
    /// The public address of this server, for the invitation link.
    pub base_url: String,
    /// The token of the invitation just created, when `?invited=` names it (shown once).
    pub fresh_invite: Option<String>,
}

#[cfg(feature = "ssr")]
const PAGE: i64 = 25;

#[cfg(feature = "ssr")]
fn info(u: &UserRecord, tz: &str) -> PersonInfo {
    PersonInfo {
        id: u.id.to_string(),
        name: u
            .display_name
            .clone()
            .or(u.email.clone())
            .or(u.external_id.clone())
            .unwrap_or_else(|| u.id.to_string()),
        email: u.email.clone(),
        external_id: u.external_id.clone(),
        role: u.role,
        status: if u.disabled_at.is_some() {
            "Disabled"
        } else if u.can_sign_in {
            "Active"
        } else {
            "API only"
        }
        .into(),
        created: crate::ui::time::local_datetime(u.created_at, tz),
    }
}

#[server(endpoint = "admin/users")]
pub async fn list_people(
    q: Option<String>,
    after: Option<String>,
) -> Result<PeopleOverview, AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_admin()?;
    let q = q.unwrap_or_default();
    if q.chars().count() > 200 {
        return Err(AppError::invalid(
            "q",
            "Search with at most 200 characters.",
        ));
    }
    let mut rows = directory::search(
        ctx.db(),
        &auth.user.workspace_id,
        &q,
        after.as_deref().filter(|a| !a.is_empty()),
        PAGE + 1,
    )
    .await?;
    let more = rows.len() as i64 > PAGE;
    rows.truncate(PAGE as usize);
    Ok(PeopleOverview {
        next: more
            .then(|| rows.last().map(|r| r.id.to_string()))
            .flatten(),
        people: rows.iter().map(|u| info(u, &auth.user.timezone)).collect(),
    })
}

/// Creates a person who exists through the API (they can be invited to sign in later).
#[server(endpoint = "admin/users/create")]
pub async fn create_person(
    external_id: Option<String>,
    email: Option<String>,
    display_name: Option<String>,
    timezone: Option<String>,
    metadata: Option<String>,
) -> Result<String, AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_admin()?;
    let blank = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let metadata = match blank(metadata) {
        None => None,
        Some(raw) => Some(
            serde_json::from_str::<serde_json::Value>(&raw).map_err(|_| {
                AppError::invalid(
                    "metadata",
                    "Write metadata as a JSON object, like {\"plan\": \"pro\"}.",
                )
            })?,
        ),
    };
    let fields = directory::check_fields(
        blank(external_id),
        blank(email),
        blank(display_name),
        blank(timezone),
        metadata,
    )
    .map_err(|problems| {
        let (field, message) = problems.into_iter().next().expect("a problem");
        let field = match field {
            "externalId" => "external_id",
            "displayName" => "display_name",
            other => other,
        };
        AppError::invalid(field, message)
    })?;
    let row = directory::create(ctx.db(), &auth.user.workspace_id, &fields)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => AppError::invalid(
                "external_id",
                "Another person of this workspace already has this external id.",
            ),
            _ => e.into(),
        })?;
    emit(ctx.db(), &row, EventType::UserCreated).await;
    tracing::info!(admin = %auth.user.id, user = %row.id, "person created by an admin");
    ctx.redirect(&format!("/admin/users/{}", row.id));
    Ok(row.id.into())
}

#[cfg(feature = "ssr")]
pub(super) async fn emit(db: &crate::platform::db::Db, row: &UserRecord, event: EventType) {
    events::emit(
        db,
        &row.workspace_id,
        event,
        events::user_data(&row.id, row.external_id.as_deref()),
    )
    .await;
}

#[cfg(feature = "ssr")]
pub(super) async fn person(ctx: &RequestCtx, ws: &str, id: &str) -> Result<UserRecord, AppError> {
    directory::get(ctx.db(), ws, id)
        .await?
        .ok_or_else(|| AppError::NotFound("No such person in this workspace.".into()))
}

#[server(endpoint = "admin/users/detail")]
pub async fn get_person(id: String, invited: Option<String>) -> Result<PersonDetail, AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_admin()?;
    let tz = auth.user.timezone.clone();
    let u = person(&ctx, &auth.user.workspace_id, &id).await?;
    let db = ctx.db();
    let local = |t| crate::ui::time::local_datetime(t, &tz);
    let registry = &ctx.state.engine().registry;
    let name_of = |p: &str| {
        registry
            .all()
            .iter()
            .find(|x| x.info().id == p)
            .map(|x| x.info().name.to_string())
            .unwrap_or_else(|| p.to_string())
    };
    let connections = crate::connections::service::for_user(db, &u.id)
        .await?
        .into_iter()
        .map(|c| {
            (
                name_of(&c.provider_id),
                c.status.as_str().to_string(),
                c.last_synced_at
                    .map(local)
                    .unwrap_or_else(|| "never".into()),
            )
        })
        .collect();
    let jobs = crate::connections::monitor::list(
        db,
        &auth.user.workspace_id,
        &crate::connections::monitor::JobFilter {
            user_id: Some(u.id.to_string()),
            ..Default::default()
        },
        5,
    )
    .await?;
    let syncs = jobs
        .into_iter()
        .map(|j| {
            (
                name_of(&j.provider_id),
                j.status.as_str().to_string(),
                local(j.created_at),
            )
        })
        .collect();
    let mut counts = Vec::new();
    for (label, table) in [
        ("Health readings", "health_metrics"),
        ("Sessions", "events"),
        ("Journal entries", "journal_entries"),
        ("Drinks", "water_intake"),
        ("Mood check-ins", "mood_logs"),
        ("Habits", "habits"),
        ("Goals", "goals"),
    ] {
        let sql = format!("SELECT COUNT(*) FROM {table} WHERE user_id = $1");
        let n: i64 =
            with_db!(db, pool => sqlx::query_scalar(&sql).bind(&u.id).fetch_one(pool).await)?;
        counts.push((label.to_string(), n));
    }
    Ok(PersonDetail {
        timezone: u.timezone.clone(),
        metadata: serde_json::to_string_pretty(&u.metadata.0).unwrap_or_default(),
        connections,
        syncs,
        counts,
        disabled: u.disabled_at.is_some(),
        can_change: u
            .manageable_by(directory::Actor::Admin(&auth.user.id))
            .is_ok(),
        can_sign_in: u.can_sign_in,
        invitation_expires: crate::accounts::service::invitation_expiry(
            db,
            &auth.user.workspace_id,
            &u.id,
        )
        .await?
        .map(local),
        base_url: ctx.base_url(),
        fresh_invite: super::fresh_invite::shown(&ctx, invited.as_deref()).await?,
        person: info(&u, &tz),
    })
}

#[server(endpoint = "admin/users/set-disabled")]
pub async fn set_person_disabled(id: String, disabled: String) -> Result<(), AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_admin()?;
    let u = person(&ctx, &auth.user.workspace_id, &id).await?;
    u.manageable_by(directory::Actor::Admin(&auth.user.id))
        .map_err(|m| AppError::invalid("disabled", m))?;
    let disabled = disabled == "true";
    directory::set_disabled(ctx.db(), &auth.user.workspace_id, &u.id, disabled).await?;
    emit(ctx.db(), &u, EventType::UserUpdated).await;
    tracing::info!(admin = %auth.user.id, user = %u.id, disabled, "person switched by an admin");
    Ok(())
}

/// Deletes a person and everything of theirs; `confirm` must be "delete".
#[server(endpoint = "admin/users/delete")]
pub async fn delete_person(id: String, confirm: Option<String>) -> Result<(), AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_admin()?;
    let u = person(&ctx, &auth.user.workspace_id, &id).await?;
    u.manageable_by(directory::Actor::Admin(&auth.user.id))
        .map_err(|m| AppError::invalid("confirm", m))?;
    if confirm.as_deref() != Some("delete") {
        return Err(AppError::invalid(
            "confirm",
            "Tick the box to confirm: this deletes the person and all their data.",
        ));
    }
    directory::delete(ctx.db(), &auth.user.workspace_id, &u.id).await?;
    emit(ctx.db(), &u, EventType::UserDeleted).await;
    tracing::info!(admin = %auth.user.id, user = %u.id, "person deleted by an admin");
    ctx.redirect("/admin/users");
    Ok(())
}
