//! Running one import: the file is read twice. The first pass only checks it is a complete,
//! readable export (a cut-off or damaged file fails here, before anything is written, so the
//! data of earlier imports stays exactly as it was). The second pass maps it and hands
//! batches of 2,000 items to the normal ingest path while it reads: the reader runs on a
//! blocking thread and the writer waits for it through a channel of two batches, so memory
//! stays bounded whatever the file's size. Progress (bytes of the file read) is written to the
//! import's row every second.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::mapping::{Mapper, PROVIDER};
use super::parse::{self, ParseError};
use crate::health::ingest::{ingest_lenient, Batch};
use crate::platform::db::Db;
use crate::platform::ids::new_id;
use crate::with_db;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ImportRow {
    pub id: String,
    pub user_id: String,
    pub provider_id: String,
    pub file_name: String,
    pub status: String,
    pub bytes_total: i64,
    pub bytes_done: i64,
    pub records_seen: i64,
    pub rows_written: i64,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// What is wrong with the file, in words for the person who uploaded it.
    #[error("{0}")]
    File(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// What an import did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Report {
    /// Records, correlations and workouts in the file.
    pub records: u64,
    /// Readings and sessions written (re-imports write the same rows in place).
    pub rows: u64,
    pub seconds: f64,
}

pub mod repo {
    use super::*;

    const COLUMNS: &str = "id, user_id, provider_id, file_name, status, \
        CAST(bytes_total AS BIGINT) AS bytes_total, CAST(bytes_done AS BIGINT) AS bytes_done, \
        CAST(records_seen AS BIGINT) AS records_seen, CAST(rows_written AS BIGINT) AS rows_written, \
        error, created_at, started_at, finished_at";

    pub async fn create(
        db: &Db,
        user_id: &str,
        file_name: &str,
        bytes_total: i64,
        now: DateTime<Utc>,
    ) -> Result<String, sqlx::Error> {
        let id = new_id();
        with_db!(db, pool => sqlx::query(
            "INSERT INTO health_imports (id, user_id, provider_id, file_name, status, bytes_total, created_at) \
             VALUES ($1, $2, $3, $4, 'queued', $5, $6)")
            .bind(&id)
            .bind(user_id)
            .bind(PROVIDER)
            .bind(file_name)
            .bind(bytes_total)
            .bind(now)
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(id)
    }

    pub async fn get(db: &Db, id: &str) -> Result<Option<ImportRow>, sqlx::Error> {
        let sql = format!("SELECT {COLUMNS} FROM health_imports WHERE id = $1");
        with_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
    }

    /// A person's imports, newest first.
    pub async fn for_user(
        db: &Db,
        user_id: &str,
        limit: i64,
    ) -> Result<Vec<ImportRow>, sqlx::Error> {
        let sql = format!(
            "SELECT {COLUMNS} FROM health_imports WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2"
        );
        with_db!(db, pool => sqlx::query_as(&sql).bind(user_id).bind(limit).fetch_all(pool).await)
    }

    pub async fn phase(
        db: &Db,
        id: &str,
        status: &str,
        now: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        with_db!(db, pool => sqlx::query(
            "UPDATE health_imports SET status = $1, bytes_done = 0, started_at = COALESCE(started_at, $2) WHERE id = $3")
            .bind(status)
            .bind(now)
            .bind(id)
            .execute(pool)
            .await
            .map(|_| ()))
    }

    pub async fn progress(
        db: &Db,
        id: &str,
        bytes: i64,
        records: i64,
        rows: i64,
    ) -> Result<(), sqlx::Error> {
        with_db!(db, pool => sqlx::query(
            "UPDATE health_imports SET bytes_done = $1, records_seen = $2, rows_written = $3 \
             WHERE id = $4 AND status IN ('checking', 'importing')")
            .bind(bytes)
            .bind(records)
            .bind(rows)
            .bind(id)
            .execute(pool)
            .await
            .map(|_| ()))
    }

    pub async fn complete(
        db: &Db,
        id: &str,
        r: &Report,
        now: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        with_db!(db, pool => sqlx::query(
            "UPDATE health_imports SET status = 'completed', bytes_done = bytes_total, records_seen = $1, \
             rows_written = $2, finished_at = $3 WHERE id = $4")
            .bind(r.records as i64)
            .bind(r.rows as i64)
            .bind(now)
            .bind(id)
            .execute(pool)
            .await
            .map(|_| ()))
    }

    pub async fn fail(
        db: &Db,
        id: &str,
        message: &str,
        now: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        with_db!(db, pool => sqlx::query(
            "UPDATE health_imports SET status = 'failed', error = $1, finished_at = $2 WHERE id = $3")
            .bind(message)
            .bind(now)
            .bind(id)
            .execute(pool)
            .await
            .map(|_| ()))
    }

    /// Imports a stopped server left unfinished (at start-up): they failed.
    pub async fn interrupted(db: &Db, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
        with_db!(db, pool => sqlx::query(
            "UPDATE health_imports SET status = 'failed', finished_at = $1, \
             error = 'The server stopped during the import. Upload the file again.' \
             WHERE status IN ('queued', 'checking', 'importing')")
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
    }
}

/// A reader that counts the bytes taken from the file (progress), seekable for zip.
struct Counted {
    inner: File,
    read: Arc<AtomicU64>,
}

impl Read for Counted {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl Seek for Counted {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        let at = self.inner.seek(pos)?;
        self.read.store(at, Ordering::Relaxed);
        Ok(at)
    }
}

const BUFFER: usize = 256 * 1024;

/// Opens `export.xml`, or the `export.xml` inside an `export.zip`, and hands it to `f`.
fn with_export<T>(
    path: &Path,
    read: Arc<AtomicU64>,
    f: impl FnOnce(&mut dyn BufRead) -> T,
) -> Result<T, String> {
    let file = File::open(path).map_err(|e| format!("The file could not be opened ({e})."))?;
    let mut counted = Counted { inner: file, read };
    let mut magic = [0u8; 4];
    let got = counted
        .read(&mut magic)
        .map_err(|e| format!("The file could not be read ({e})."))?;
    counted
        .seek(SeekFrom::Start(0))
        .map_err(|e| format!("The file could not be read ({e})."))?;
    if got == 4 && magic == *b"PK\x03\x04" {
        let mut zip = zip::ZipArchive::new(counted).map_err(|e| {
            format!("The zip file is damaged or incomplete ({e}). Upload export.zip again.")
        })?;
        let names: Vec<String> = zip
            .file_names()
            .filter_map(Result::ok)
            .map(|n| n.into_owned())
            .collect();
        let name = export_entry(names.iter().map(String::as_str)).ok_or_else(|| {
            "The zip file has no export.xml: is it the export from the Health app?".to_string()
        })?;
        let entry = zip
            .by_name(&name)
            .map_err(|e| format!("export.xml could not be opened in the zip file ({e})."))?;
        let mut r = BufReader::with_capacity(BUFFER, entry);
        Ok(f(&mut r))
    } else {
        let mut r = BufReader::with_capacity(BUFFER, counted);
        Ok(f(&mut r))
    }
}

/// The export inside the zip: `apple_health_export/export.xml`, whose name is translated on
/// phones in other languages (`exportar.xml`, `vienti.xml`, …). So: the XML file at the top of
/// the archive or of its one folder that is not the clinical `export_cda.xml`.
fn export_entry<'a>(names: impl Iterator<Item = &'a str>) -> Option<String> {
    let mut candidates: Vec<&str> = names
        .filter(|n| n.to_ascii_lowercase().ends_with(".xml"))
        .filter(|n| !n.ends_with("export_cda.xml") && !n.starts_with("__MACOSX"))
        .filter(|n| n.matches('/').count() <= 1)
        .collect();
    candidates.sort_by_key(|n| (!n.ends_with("export.xml"), n.len()));
    candidates.first().map(|n| n.to_string())
}

fn describe<E>(e: ParseError<E>) -> String {
    match e {
        ParseError::Io(detail) => format!(
            "The file could not be read to the end ({detail}). It may be damaged or incomplete: \
             export the data again from the Health app."
        ),
        other => other.to_string(),
    }
}

/// Writes `read` bytes (and the counters) to the row every second until `stop` is set.
fn watch(
    db: Db,
    id: String,
    read: Arc<AtomicU64>,
    records: Arc<AtomicU64>,
    rows: Arc<AtomicU64>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
        loop {
            tick.tick().await;
            let (b, r, w) = (
                read.load(Ordering::Relaxed) as i64,
                records.load(Ordering::Relaxed) as i64,
                rows.load(Ordering::Relaxed) as i64,
            );
            if let Err(e) = repo::progress(&db, &id, b, r, w).await {
                tracing::warn!(error = %e, "could not record import progress");
            }
        }
    })
}

/// Imports the export at `path` for `user_id`, recording progress and the outcome on the
/// import row `import_id`.
/// `timezone` is the person's (which local day each sample belongs to).
pub async fn run(
    db: &Db,
    import_id: &str,
    user_id: &str,
    timezone: &str,
    path: &Path,
) -> Result<Report, ImportError> {
    let started = std::time::Instant::now();
    let tz = timezone.parse().unwrap_or(chrono_tz::UTC);
    let result = run_passes(db, import_id, user_id, tz, path.to_path_buf()).await;
    let now = Utc::now();
    match result {
        Ok((records, rows)) => {
            let report = Report {
                records,
                rows,
                seconds: started.elapsed().as_secs_f64(),
            };
            if let Err(e) = repo::complete(db, import_id, &report, now).await {
                repo::fail(
                    db,
                    import_id,
                    "The import could not be saved; try again later.",
                    now,
                )
                .await
                .ok();
                return Err(e.into());
            }
            tracing::info!(
                import = import_id,
                records,
                rows,
                seconds = report.seconds,
                "Apple Health import completed"
            );
            Ok(report)
        }
        Err(e) => {
            let message = match &e {
                ImportError::File(m) => m.clone(),
                ImportError::Db(_) => "The import could not be saved; try again later.".to_string(),
            };
            tracing::warn!(import = import_id, error = %e, "Apple Health import failed");
            repo::fail(db, import_id, &message, now).await?;
            Err(e)
        }
    }
}

async fn run_passes(
    db: &Db,
    import_id: &str,
    user_id: &str,
    tz: chrono_tz::Tz,
    path: PathBuf,
) -> Result<(u64, u64), ImportError> {
    let read = Arc::new(AtomicU64::new(0));
    let records = Arc::new(AtomicU64::new(0));
    let rows = Arc::new(AtomicU64::new(0));
    let watcher = watch(
        db.clone(),
        import_id.to_string(),
        read.clone(),
        records.clone(),
        rows.clone(),
    );
    let outcome = async {
        // Pass 1: is it whole?
        repo::phase(db, import_id, "checking", Utc::now()).await?;
        read.store(0, Ordering::Relaxed);
        let (p, r) = (path.clone(), read.clone());
        let checked = tokio::task::spawn_blocking(move || {
            with_export(&p, r, |input| {
                parse::read(input, |_, _| Ok::<(), ()>(())).map_err(describe)
            })
        })
        .await
        .map_err(|e| ImportError::File(format!("The import stopped unexpectedly ({e}).")))?;
        let scanned = checked.and_then(|r| r).map_err(ImportError::File)?;
        records.store(scanned.elements, Ordering::Relaxed);

        // Pass 2: map and write as it reads.
        repo::phase(db, import_id, "importing", Utc::now()).await?;
        read.store(0, Ordering::Relaxed);
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Batch>(2);
        let (p, r) = (path.clone(), read.clone());
        let reader = tokio::task::spawn_blocking(move || {
            with_export(&p, r, |input| {
                let mut mapper = Mapper::new(tz);
                let scanned = parse::read(input, |item, _| {
                    mapper.add(item);
                    match mapper.take_full() {
                        Some(b) => tx.blocking_send(b).map_err(|_| ()),
                        None => Ok(()),
                    }
                })
                .map_err(describe)?;
                for b in mapper.finish() {
                    tx.blocking_send(b)
                        .map_err(|_| "The import stopped.".to_string())?;
                }
                Ok::<_, String>(scanned)
            })
        });
        let mut written = 0u64;
        while let Some(batch) = rx.recv().await {
            written += ingest_lenient(db, user_id, batch).await? as u64;
            rows.store(written, Ordering::Relaxed);
        }
        let scanned = reader
            .await
            .map_err(|e| ImportError::File(format!("The import stopped unexpectedly ({e}).")))?
            .and_then(|r| r)
            .map_err(ImportError::File)?;
        Ok((scanned.elements, written))
    }
    .await;
    watcher.abort();
    let _ = watcher.await;
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_export_is_found_whatever_its_translated_name() {
        let pick = |names: &[&str]| export_entry(names.iter().copied());
        assert_eq!(
            pick(&[
                "apple_health_export/export_cda.xml",
                "apple_health_export/export.xml",
                "apple_health_export/workout-routes/r.gpx"
            ]),
            Some("apple_health_export/export.xml".into())
        );
        assert_eq!(
            pick(&[
                "apple_health_export/exportar.xml",
                "apple_health_export/export_cda.xml"
            ]),
            Some("apple_health_export/exportar.xml".into())
        );
        assert_eq!(pick(&["export.xml"]), Some("export.xml".into()));
        assert_eq!(
            pick(&[
                "apple_health_export/electrocardiograms/ecg.csv",
                "notes.txt"
            ]),
            None
        );
    }
}
