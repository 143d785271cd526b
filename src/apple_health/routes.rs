//! `POST /imports/apple-health`: the upload. The person's one running import is reserved in
//! the database before the body is read (a second upload meanwhile is told `busy`, however
//! close together they come); the file is then streamed to the data directory (never held in
//! memory) within the upload size limit and the person's disk quota, checked to look like an
//! export, and imported in the background; the browser goes back to the Connections page,
//! which shows the progress. An upload that fails or is refused removes its file; the
//! reservation is dropped (no file, not an export) or marked failed with the reason (cut off,
//! too large, over the quota), also when the request is abandoned midway.

use std::path::PathBuf;

use axum::extract::{Multipart, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use chrono::Utc;
use tokio::io::AsyncWriteExt;

use super::import::{self, human_bytes, repo, Limits};
use crate::platform::config::{ImportSettings, IMPORT_UPLOAD_CEILING_BYTES};
use crate::platform::db::Db;
use crate::platform::ids::{new_id, random_token};
use crate::platform::request::Authenticated;
use crate::platform::state::AppState;

/// Room for the form around the file (boundaries, part headers).
const FORM_BYTES: u64 = 1024 * 1024;

/// The route's body limit: the largest upload `VITASYNC_IMPORT_MAX_UPLOAD_BYTES` may allow,
/// and the form around it. The configured limit is held while the file streams in.
pub const MAX_UPLOAD_BYTES: usize = (IMPORT_UPLOAD_CEILING_BYTES + FORM_BYTES) as usize;

/// The body limit for the configured upload size (for the route, in place of the ceiling).
pub fn body_limit(settings: &ImportSettings) -> usize {
    usize::try_from(settings.max_upload_bytes.saturating_add(FORM_BYTES)).unwrap_or(usize::MAX)
}

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

/// How much this upload may store: the upload limit, or what is left of the person's quota
/// when that is less.
#[derive(Clone, Copy, Debug)]
struct Allowance {
    max_upload: u64,
    quota_left: u64,
}

impl Allowance {
    fn bytes(&self) -> u64 {
        self.max_upload.min(self.quota_left)
    }

    /// The code for an upload of `bytes` over the allowance.
    fn refusal(&self, bytes: u64) -> &'static str {
        if bytes > self.max_upload {
            "too_large"
        } else {
            "quota"
        }
    }
}

/// What the import list says about an upload that failed with `code`.
fn failure_message(code: &str, settings: &ImportSettings) -> String {
    match code {
        "too_large" => format!(
            "The file is larger than the {} this server accepts. Upload export.zip rather than \
             export.xml; the server's administrator can raise VITASYNC_IMPORT_MAX_UPLOAD_BYTES.",
            human_bytes(settings.max_upload_bytes)
        ),
        "quota" => format!(
            "The file would take your uploads on this server over your {} quota. The server's \
             administrator can raise VITASYNC_IMPORT_USER_QUOTA_BYTES.",
            human_bytes(settings.user_quota_bytes)
        ),
        _ => "The upload did not complete; upload the file again.".to_string(),
    }
}

/// The reserved import while its upload is received. Dropped without an outcome (the request
/// abandoned midway), it removes the file and marks the import failed.
struct Pending {
    db: Db,
    id: String,
    path: PathBuf,
    open: bool,
}

impl Pending {
    /// No import after all (no file, not an export): the row goes too.
    async fn release(mut self) {
        self.open = false;
        tokio::fs::remove_file(&self.path).await.ok();
        if let Err(e) = repo::release(&self.db, &self.id).await {
            tracing::error!(error = %e, "could not drop an import reservation");
        }
    }

    async fn fail(mut self, message: &str) {
        self.open = false;
        tokio::fs::remove_file(&self.path).await.ok();
        if let Err(e) = repo::fail(&self.db, &self.id, message, Utc::now()).await {
            tracing::error!(error = %e, "could not record a failed upload");
        }
    }

    /// Not reserved after all (another import runs): nothing to undo.
    fn forget(mut self) {
        self.open = false;
    }

    /// The file is stored and recorded: the import takes it over.
    fn keep(mut self) -> PathBuf {
        self.open = false;
        self.path.clone()
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if !self.open {
            return;
        }
        let (db, id, path) = (self.db.clone(), self.id.clone(), self.path.clone());
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                tokio::fs::remove_file(&path).await.ok();
                let message = "The upload did not complete; upload the file again.";
                repo::fail(&db, &id, message, Utc::now()).await.ok();
            });
        }
    }
}

pub async fn upload(
    State(state): State<AppState>,
    auth: Option<Extension<Authenticated>>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Response {
    let Some(Extension(auth)) = auth else {
        return back(Some("session"));
    };
    let settings = state.config.imports;
    let db = &state.db;
    let dir = state.config.data_dir.join("imports");
    // Guarded from before the reservation, so a request abandoned at any point leaves no
    // running import behind.
    let pending = Pending {
        db: db.clone(),
        id: new_id(),
        path: dir.join(format!("{}.upload", random_token())),
        open: true,
    };
    // The reservation comes first: nothing of the body is read while another import runs.
    match repo::reserve(db, &pending.id, &auth.user.id, Utc::now()).await {
        Ok(true) => {}
        Ok(false) => {
            pending.forget();
            return back(Some("busy"));
        }
        Err(e) => {
            tracing::error!(error = %e, "could not reserve an import");
            pending.fail(&failure_message("upload", &settings)).await;
            return back(Some("upload"));
        }
    }
    if let Err(e) = tokio::fs::create_dir_all(&dir).await {
        tracing::error!(error = %e, "could not create the imports directory");
        pending.fail(&failure_message("upload", &settings)).await;
        return back(Some("upload"));
    }
    let stored = match repo::stored_bytes(db, &auth.user.id, &pending.id).await {
        Ok(n) => u64::try_from(n).unwrap_or(0),
        Err(e) => {
            tracing::error!(error = %e, "could not read the stored uploads");
            pending.fail(&failure_message("upload", &settings)).await;
            return back(Some("upload"));
        }
    };
    let allowance = Allowance {
        max_upload: settings.max_upload_bytes,
        quota_left: settings.user_quota_bytes.saturating_sub(stored),
    };
    // A body declared larger than the allowance is refused before it is read.
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if let Some(len) = declared.map(|l| l.saturating_sub(FORM_BYTES)) {
        if len > allowance.bytes() {
            let code = allowance.refusal(len);
            pending.fail(&failure_message(code, &settings)).await;
            return back(Some(code));
        }
    }
    let (file_name, bytes, head) = match save_file(&mut multipart, &pending.path, allowance).await {
        Ok(Some(s)) => s,
        Ok(None) => {
            pending.release().await;
            return back(Some("missing"));
        }
        Err(code) => {
            pending.fail(&failure_message(code, &settings)).await;
            return back(Some(code));
        }
    };
    if !looks_like_export(&head) {
        pending.release().await;
        return back(Some("type"));
    }
    match repo::received(db, &pending.id, &file_name, bytes as i64).await {
        Ok(true) => {}
        Ok(false) => {
            pending.fail(&failure_message("upload", &settings)).await;
            return back(Some("upload"));
        }
        Err(e) => {
            tracing::error!(error = %e, "could not record an import");
            pending.fail(&failure_message("upload", &settings)).await;
            return back(Some("upload"));
        }
    }
    let id = pending.id.clone();
    let path = pending.keep();
    let (db, user, tz) = (
        state.db.clone(),
        auth.user.id.clone(),
        auth.user.timezone.clone(),
    );
    let limits = Limits::from(&settings);
    tokio::spawn(async move {
        // The outcome is on the import's row either way; the file goes either way.
        let _ = import::run_with(&db, &id, &user, &tz, &path, limits).await;
        tokio::fs::remove_file(&path).await.ok();
    });
    back(None)
}

/// Streams the `file` field to `path`, refusing more than `allowance` bytes: its name, size
/// and first bytes; `None` when the form carried no file. An error is the code shown to the
/// person.
async fn save_file(
    multipart: &mut Multipart,
    path: &std::path::Path,
    allowance: Allowance,
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
            // Nothing past the allowance reaches the disk.
            if bytes > allowance.bytes() {
                return Err(allowance.refusal(bytes));
            }
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

    #[test]
    fn an_upload_over_the_allowance_is_told_which_limit() {
        let a = Allowance {
            max_upload: 100,
            quota_left: 40,
        };
        assert_eq!(a.bytes(), 40);
        assert_eq!(a.refusal(50), "quota");
        assert_eq!(a.refusal(101), "too_large");
        let s = ImportSettings::default();
        assert!(failure_message("quota", &s).contains("VITASYNC_IMPORT_USER_QUOTA_BYTES"));
        assert!(failure_message("too_large", &s).contains("2.1 GB"));
        assert_eq!(body_limit(&s), (2u64 << 30) as usize + FORM_BYTES as usize);
    }
}
