use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::{
    accounts::{provisioning, provisioning::NewAccount, service},
    platform::request::RequestCtx,
};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkspaceInfo {
    pub name: String,
    pub slug: String,
    pub members: i64,
    pub created: String,
    pub is_yours: bool,
}

#[server(endpoint = "instance/workspaces")]
pub async fn list_workspaces() -> Result<Vec<WorkspaceInfo>, AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_instance_owner()?;
    let rows = service::workspaces(ctx.db()).await?;
    Ok(rows
        .into_iter()
        .map(|w| WorkspaceInfo {
            is_yours: w.id == auth.user.workspace_id,
            name: w.name,
            slug: w.slug,
            members: w.member_count,
            created: crate::ui::time::local_datetime(w.created_at, &auth.user.timezone),
        })
        .collect())
}

/// A new workspace with its own admin. Its data is isolated from every other workspace.
#[server(endpoint = "instance/create-workspace")]
pub async fn create_workspace(
    name: String,
    slug: String,
    admin_email: String,
    admin_password: String,
) -> Result<String, AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_instance_owner()?;
    let account = NewAccount {
        email: admin_email,
        password: admin_password,
        display_name: None,
        timezone: auth.user.timezone.clone(),
    };
    let slug = Some(slug.trim()).filter(|s| !s.is_empty());
    provisioning::create_workspace_with_admin(ctx.db(), &name, slug, account, false)
        .await
        .map_err(|e| e.rename_field(&[("email", "admin_email"), ("password", "admin_password")]))?;
    Ok(name.trim().to_string())
}
