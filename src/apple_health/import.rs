//! Running one import: the file is read twice. The first pass only checks it is a complete,
//! readable export (a cut-off or damaged file fails here, before anything is written, so the
//! data of earlier imports stays exactly as it was). The second pass maps it and hands
//! batches of 2,000 items to the normal ingest path while it reads: the reader runs on a
//! blocking thread and the writer waits for it through a channel of two batches, so memory
//! stays bounded whatever the file's size. Progress (bytes of the file read) is written to the
//! import's row every second.
//!
//! What one import reads is capped ([`Limits`], from `VITASYNC_IMPORT_MAX_XML_BYTES` and
//! `VITASYNC_IMPORT_MAX_RECORDS`): the XML is counted as it is inflated, so a small zip that
//! inflates to far more than any export fails in the first pass, with a message saying which
//! limit it passed, before anything is written.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use chrono::Utc;

use super::mapping::Mapper;
use super::parse::{self, ParseError};
pub use super::repo::{self, ImportRow};
use crate::health::ingest::{ingest_lenient, Batch};
use crate::platform::config::ImportSettings;
use crate::platform::db::Db;

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

/// What one import may read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of XML (inflated, when the export is zipped).
    pub max_xml_bytes: u64,
    /// Records, correlations and workouts.
    pub max_records: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self::from(&ImportSettings::default())
    }
}

impl From<&ImportSettings> for Limits {
    fn from(s: &ImportSettings) -> Self {
        Limits {
            max_xml_bytes: s.max_xml_bytes,
            max_records: s.max_records,
        }
    }
}

/// A size for people: `512 bytes`, `64.0 KB`, `2.1 GB` (decimal units, as the import list).
pub fn human_bytes(n: u64) -> String {
    let f = n as f64;
    if n < 1_000 {
        format!("{n} bytes")
    } else if n < 1_000_000 {
        format!("{:.1} KB", f / 1e3)
    } else if n < 1_000_000_000 {
        format!("{:.1} MB", f / 1e6)
    } else {
        format!("{:.1} GB", f / 1e9)
    }
}

fn too_much_xml(max: u64) -> String {
    format!(
        "This export is too large to import here: its XML holds more than {}, the most this \
         server reads from one file (VITASYNC_IMPORT_MAX_XML_BYTES). Nothing was imported.",
        human_bytes(max)
    )
}

/// Hands over at most `max` bytes of the XML; reading past them is an error and sets `over`
/// (the error then reads as [`too_much_xml`], whatever the parser made of it).
struct Capped<R> {
    inner: R,
    left: u64,
    over: Arc<AtomicBool>,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            // At the cap: the file may end exactly here; one byte more is over it.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => {
                    self.over.store(true, Ordering::Relaxed);
                    Err(std::io::Error::other("the XML is larger than allowed"))
                }
            };
        }
        let room = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..room])?;
        self.left -= n as u64;
        Ok(n)
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

/// Opens `export.xml`, or the `export.xml` inside an `export.zip`, and hands it to `f`, at
/// most `max_xml_bytes` of it: more is an error saying so, whatever `f` made of it.
fn with_export<T>(
    path: &Path,
    read: Arc<AtomicU64>,
    max_xml_bytes: u64,
    f: impl FnOnce(&mut dyn BufRead) -> Result<T, String>,
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
    let over = Arc::new(AtomicBool::new(false));
    let result = if got == 4 && magic == *b"PK\x03\x04" {
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
        // The size the zip declares: refused at once when over (the count below holds
        // whatever it declares).
        if entry.size() > max_xml_bytes {
            return Err(too_much_xml(max_xml_bytes));
        }
        let capped = Capped {
            inner: entry,
            left: max_xml_bytes,
            over: over.clone(),
        };
        let mut input = BufReader::with_capacity(BUFFER, capped);
        f(&mut input)
    } else {
        let capped = Capped {
            inner: counted,
            left: max_xml_bytes,
            over: over.clone(),
        };
        let mut input = BufReader::with_capacity(BUFFER, capped);
        f(&mut input)
    };
    if over.load(Ordering::Relaxed) {
        return Err(too_much_xml(max_xml_bytes));
    }
    result
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

/// Imports the export at `path` for `user_id` within the default [`Limits`], recording
/// progress and the outcome on the import row `import_id`.
/// `timezone` is the person's (which local day each sample belongs to).
pub async fn run(
    db: &Db,
    import_id: &str,
    user_id: &str,
    timezone: &str,
    path: &Path,
) -> Result<Report, ImportError> {
    run_with(db, import_id, user_id, timezone, path, Limits::default()).await
}

/// [`run`] within `limits` (the server's configured ones for uploads).
pub async fn run_with(
    db: &Db,
    import_id: &str,
    user_id: &str,
    timezone: &str,
    path: &Path,
    limits: Limits,
) -> Result<Report, ImportError> {
    let started = std::time::Instant::now();
    let tz = timezone.parse().unwrap_or(chrono_tz::UTC);
    let result = run_passes(db, import_id, user_id, tz, path.to_path_buf(), limits).await;
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
    limits: Limits,
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
            with_export(&p, r, limits.max_xml_bytes, |input| {
                parse::read_limited(input, limits.max_records, |_, _| Ok::<(), ()>(()))
                    .map_err(describe)
            })
        })
        .await
        .map_err(|e| ImportError::File(format!("The import stopped unexpectedly ({e}).")))?;
        let scanned = checked.map_err(ImportError::File)?;
        records.store(scanned.elements, Ordering::Relaxed);

        // Pass 2: map and write as it reads.
        repo::phase(db, import_id, "importing", Utc::now()).await?;
        read.store(0, Ordering::Relaxed);
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Batch>(2);
        let (p, r) = (path.clone(), read.clone());
        let reader = tokio::task::spawn_blocking(move || {
            with_export(&p, r, limits.max_xml_bytes, |input| {
                let mut mapper = Mapper::new(tz);
                let scanned = parse::read_limited(input, limits.max_records, |item, _| {
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
    fn the_xml_is_read_up_to_its_cap_and_no_further() {
        let over = Arc::new(AtomicBool::new(false));
        let mut exact = Capped {
            inner: &b"12345"[..],
            left: 5,
            over: over.clone(),
        };
        let mut out = Vec::new();
        exact.read_to_end(&mut out).unwrap();
        assert_eq!(out, b"12345");
        assert!(!over.load(Ordering::Relaxed));
        let mut more = Capped {
            inner: &b"123456"[..],
            left: 5,
            over: over.clone(),
        };
        let mut out = Vec::new();
        assert!(more.read_to_end(&mut out).is_err());
        assert!(over.load(Ordering::Relaxed));
        assert_eq!(out, b"12345");
        assert!(too_much_xml(64 * 1024).contains("65.5 KB"));
        assert_eq!(human_bytes(2 << 30), "2.1 GB");
    }

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
