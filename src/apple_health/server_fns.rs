//! The imports a person has started, for the Connections page.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportView {
    pub id: String,
    pub file_name: String,
    /// `queued`, `checking`, `importing`, `completed` or `failed`.
    pub status: String,
    /// 0–100 within the current phase.
    pub percent: i64,
    pub megabytes: String,
    pub records: i64,
    pub rows: i64,
    pub error: Option<String>,
    pub when: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ImportsView {
    pub imports: Vec<ImportView>,
    /// Some import is still running (the page keeps itself up to date meanwhile).
    pub busy: bool,
}

#[server(prefix = "/api", endpoint = "imports/list")]
pub async fn list_imports() -> Result<ImportsView, AppError> {
    use crate::apple_health::import::repo;
    use crate::platform::request::RequestCtx;
    use crate::ui::time::local_datetime;

    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    let rows = repo::for_user(ctx.db(), &auth.user.id, 10).await?;
    let busy = rows
        .iter()
        .any(|r| matches!(r.status.as_str(), "queued" | "checking" | "importing"));
    let imports = rows
        .into_iter()
        .map(|r| ImportView {
            percent: if r.bytes_total > 0 {
                (r.bytes_done * 100 / r.bytes_total).clamp(0, 100)
            } else {
                0
            },
            megabytes: format!("{:.1} MB", r.bytes_total as f64 / 1_000_000.0),
            when: local_datetime(r.created_at, &auth.user.timezone),
            id: r.id,
            file_name: r.file_name,
            status: r.status,
            records: r.records_seen,
            rows: r.rows_written,
            error: r.error,
        })
        .collect();
    Ok(ImportsView { imports, busy })
}
