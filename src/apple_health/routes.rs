//! `POST /imports/apple-health`: the upload. The file is streamed to the data directory (never
//! held in memory), checked to look like an export, recorded as an import and imported in the
//! background; the browser goes back to the Connections page, which shows the progress.

use axum::extract::{Multipart, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use chrono::Utc;
use tokio::io::AsyncWriteExt;

use super::import::{self, repo};
use crate::platform::ids::random_token;
use crate::platform::request::Authenticated;
use crate::platform::state::AppState;

/// The largest upload accepted (exports of many years reach a few gigabytes).
pub const MAX_UPLOAD_BYTES: usize = 8 * 1024 * 1024 * 1024;

fn back(error: Option<&str>) -> Response {
    let location = match error {
        Some(code) => format!("/connections?import_error={code}#apple-health"),
        None => "/connections#apple-health".to_string(),
    };
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

/// Whether the first bytes look like a zip archive or an XML document.
fn looks_like_export(head: &[u8]) -> bool {
    let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    head.starts_with(b"PK\x03\x04") || text.trim_ascii_start().starts_with(b"<")
}

pub async fn upload(
    State(state): State<AppState>,
    auth: Option<Extension<Authenticated>>,
    mut multipart: Multipart,
) -> Response {
    let Some(Extension(auth)) = auth else {
        return back(Some("session"));
    };
    let db = &state.db;
    match repo::for_user(db, &auth.user.id, 1).await {
        Ok(rows)
            if rows
                .iter()
                .any(|r| matches!(r.status.as_str(), "queued" | "checking" | "importing")) =>
        {
            return back(Some("busy"))
        }
        Ok(_) => {}
        Err(e) => {
            tracing::error!(error = %e, "could not read imports");
            return back(Some("upload"));
        }
    }
    let dir = state.config.data_dir.join("imports");
    if let Err(e) = tokio::fs::create_dir_all(&dir).await {
        tracing::error!(error = %e, "could not create the imports directory");
        return back(Some("upload"));
    }
    let path = dir.join(format!("{}.upload", random_token()));
    let saved = save_file(&mut multipart, &path).await;
    let (file_name, bytes, head) = match saved {
        Ok(Some(s)) => s,
        Ok(None) => {
            tokio::fs::remove_file(&path).await.ok();
            return back(Some("missing"));
        }
        Err(code) => {
            tokio::fs::remove_file(&path).await.ok();
            return back(Some(code));
        }
    };
    if !looks_like_export(&head) {
        tokio::fs::remove_file(&path).await.ok();
        return back(Some("type"));
    }
    let id = match repo::create(db, &auth.user.id, &file_name, bytes as i64, Utc::now()).await {
        Ok(id) => id,
        Err(e) => {
            tracing::error!(error = %e, "could not record an import");
            tokio::fs::remove_file(&path).await.ok();
            return back(Some("upload"));
        }
    };
    let (db, user, tz) = (
        state.db.clone(),
        auth.user.id.clone(),
        auth.user.timezone.clone(),
    );
    tokio::spawn(async move {
        // The outcome is on the import's row either way.
        let _ = import::run(&db, &id, &user, &tz, &path).await;
        tokio::fs::remove_file(&path).await.ok();
    });
    back(None)
}

/// Streams the `file` field to `path`: its name, size and first bytes; `None` when the form
/// carried no file. An error is the code shown to the person.
async fn save_file(
    multipart: &mut Multipart,
    path: &std::path::Path,
) -> Result<Option<(String, u64, Vec<u8>)>, &'static str> {
    while let Some(mut field) = multipart.next_field().await.map_err(|_| "upload")? {
        if field.name() != Some("file") {
            continue;
        }
        let name = field
            .file_name()
            .map(|n| {
                n.rsplit(['/', '\\'])
                    .next()
                    .unwrap_or(n)
                    .chars()
                    .take(200)
                    .collect::<String>()
            })
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| "export".to_string());
        let mut out = tokio::fs::File::create(path).await.map_err(|_| "upload")?;
        let (mut bytes, mut head) = (0u64, Vec::with_capacity(64));
        while let Some(chunk) = field.chunk().await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                "too_large"
            } else {
                "upload"
            }
        })? {
            if head.len() < 64 {
                head.extend_from_slice(&chunk[..chunk.len().min(64 - head.len())]);
            }
            bytes += chunk.len() as u64;
            out.write_all(&chunk).await.map_err(|_| "upload")?;
        }
        out.flush().await.map_err(|_| "upload")?;
        if bytes == 0 {
            return Ok(None);
        }
        return Ok(Some((name, bytes, head)));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_are_zip_or_xml() {
        assert!(looks_like_export(b"PK\x03\x04rest"));
        assert!(looks_like_export(b"<?xml version=\"1.0\"?>"));
        assert!(looks_like_export(b"\xEF\xBB\xBF  <HealthData>"));
        assert!(!looks_like_export(b"%PDF-1.7"));
        assert!(!looks_like_export(b"\x89PNG"));
    }
}
