//! Killed mid-import: an Apple Health export uploaded from a signed-in browser session, killed
//! while the import is writing readings. After the restart the import is marked failed (the
//! server stopped), its upload is gone, and the same file uploaded again imports completely:
//! every reading of the file exactly once, the ones written before the crash included.

use std::fmt::Write as _;
use std::io::Write as _;

use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use vitasync::apple_health::import::repo;
use vitasync::platform::db::Db;
use vitasync::with_db;

use super::{bootstrap_owner, OWNER, PASSWORD};
use crate::harness::process::{Deadline, ServerProcess};
use crate::harness::{user_id, Backend};

/// Heart-rate samples in the export: enough that importing takes a few seconds, so the kill
/// lands while readings are being written (far below the import caps).
const RECORDS: usize = 80_000;

/// The value of sample `i` (whole beats per minute, so stored exactly).
fn bpm(i: usize) -> usize {
    50 + i % 70
}

/// An export.zip as the Health app makes it, of [`RECORDS`] heart-rate samples 30 s apart
/// from 1 March 2025 (UTC): each becomes exactly one reading.
fn export_zip() -> Vec<u8> {
    let start: DateTime<Utc> = "2025-03-01T00:00:00Z".parse().expect("a time");
    let mut xml = String::with_capacity(RECORDS * 160);
    xml.push_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<HealthData locale=\"en_US\">\n \
         <ExportDate value=\"2025-06-30 09:00:00 +0000\"/>\n",
    );
    for i in 0..RECORDS {
        let at = (start + Duration::seconds(30 * i as i64)).format("%Y-%m-%d %H:%M:%S +0000");
        writeln!(
            xml,
            " <Record type=\"HKQuantityTypeIdentifierHeartRate\" sourceName=\"Apple Watch\" \
             unit=\"count/min\" startDate=\"{at}\" endDate=\"{at}\" value=\"{}\"/>",
            bpm(i)
        )
        .expect("write to a string");
    }
    xml.push_str("</HealthData>\n");
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("apple_health_export/export.xml", opts)
        .expect("zip entry");
    zip.write_all(xml.as_bytes()).expect("zip the export");
    zip.finish().expect("zip finished");
    out.into_inner()
}

/// The upload form (`multipart/form-data`) with the file in `file`: content type and body.
fn multipart(file_name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----vitasync-crash-boundary";
    let mut body = Vec::with_capacity(bytes.len() + 256);
    write!(
        body,
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
         Content-Type: application/zip\r\n\r\n"
    )
    .expect("write to a buffer");
    body.extend_from_slice(bytes);
    write!(body, "\r\n--{boundary}--\r\n").expect("write to a buffer");
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Signs the owner in as a browser on the server's page would (same-site `Origin`); the
/// session cookie (`name=value`).
async fn sign_in(server: &ServerProcess) -> String {
    let res = server
        .http()
        .post(server.url("/api/auth/login"))
        .header("origin", server.origin())
        .form(&[("email", OWNER), ("password", PASSWORD)])
        .send()
        .await
        .expect("sign in");
    let status = res.status();
    assert!(status.as_u16() < 400, "sign-in refused: {status}");
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or_default().trim().to_string())
        .find(|c| c.starts_with("vitasync_session=") && !c.ends_with('='))
        .unwrap_or_else(|| panic!("signing in set no session cookie ({status})"))
}

/// Uploads `zip` from the Connections page; the server stores it and imports in the background.
async fn upload(server: &ServerProcess, cookie: &str, zip: &[u8]) {
    let (content_type, body) = multipart("export.zip", zip);
    let res = server
        .http()
        .post(server.url("/imports/apple-health"))
        .header("origin", server.origin())
        .header("cookie", cookie)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("upload");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert_eq!(
        location, "/connections#apple-health",
        "the upload was refused"
    );
}

/// The person's imported readings: how many, at how many distinct times, and their sum.
async fn imported(db: &Db, user: &str) -> (i64, i64, Option<f64>) {
    with_db!(db, pool => sqlx::query_as(
        "SELECT COUNT(*), COUNT(DISTINCT recorded_at), SUM(value) FROM health_metrics \
         WHERE user_id = $1 AND provider_id = 'apple_health'")
        .bind(user)
        .fetch_one(pool)
        .await)
    .expect("imported readings")
}

/// The person's newest import.
async fn newest_import(db: &Db, user: &str) -> Option<repo::ImportRow> {
    repo::for_user(db, user, 1)
        .await
        .expect("the imports")
        .pop()
}

async fn killed_mid_import_fails_it_and_the_next_upload_imports_once(backend: Backend) {
    let mut server = ServerProcess::new(backend, &[]).await;
    bootstrap_owner(&server);
    let export = export_zip();
    server.start().await;
    let owner = user_id(server.db(), OWNER).await;
    let cookie = sign_in(&server).await;
    upload(&server, &cookie, &export).await;

    // Mid-import: the second pass (after the whole file was checked) is writing readings.
    let deadline = Deadline::new("the import writing readings", 60);
    let interrupted = loop {
        if let Some(row) = newest_import(server.db(), &owner).await {
            assert!(
                !matches!(row.status.as_str(), "completed" | "failed"),
                "the import ended ({}, {:?}) before it could be interrupted; raise RECORDS",
                row.status,
                row.error
            );
            if row.status == "importing" && imported(server.db(), &owner).await.0 > 0 {
                break row.id;
            }
        }
        server.tick(&deadline).await;
    };

    server.kill9();
    let (partial, _, _) = imported(server.db(), &owner).await;
    assert!(
        partial > 0,
        "the crash came after some readings were written"
    );

    // At start-up the server marks the interrupted import failed and removes its upload.
    server.restart().await;
    let row = repo::get(server.db(), &interrupted)
        .await
        .expect("the import's row")
        .expect("the import");
    assert_eq!(row.status, "failed");
    assert!(
        row.error
            .as_deref()
            .is_some_and(|e| e.contains("The server stopped during the import")),
        "{:?}",
        row.error
    );
    let uploads_left = std::fs::read_dir(server.data_dir().join("imports"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(uploads_left, 0, "the interrupted upload is removed");

    // The person uploads the same file again (their session survived the restart).
    upload(&server, &cookie, &export).await;
    let deadline = Deadline::new("the new import to complete", 120);
    let done = loop {
        let newest = newest_import(server.db(), &owner)
            .await
            .filter(|row| row.id != interrupted);
        if let Some(row) = newest {
            match row.status.as_str() {
                "completed" => break row,
                "failed" => panic!("the new import failed: {:?}", row.error),
                _ => {}
            }
        }
        server.tick(&deadline).await;
    };

    // Exactly what one clean import of the file yields: every sample once.
    assert_eq!(
        (done.records_seen, done.rows_written),
        (RECORDS as i64, RECORDS as i64)
    );
    let expected_sum = (0..RECORDS).map(bpm).sum::<usize>() as f64;
    assert_eq!(
        imported(server.db(), &owner).await,
        (RECORDS as i64, RECORDS as i64, Some(expected_sum)),
        "{partial} readings were written before the crash; none lost, none twice"
    );
    let imports: Vec<String> = with_db!(server.db(), pool => sqlx::query_scalar(
        "SELECT status FROM health_imports WHERE user_id = $1 ORDER BY created_at")
        .bind(&owner)
        .fetch_all(pool)
        .await)
    .expect("the imports");
    assert_eq!(imports, ["failed", "completed"]);

    server.finish().await;
}

super::crash_story!(
    killed_mid_import,
    killed_mid_import_fails_it_and_the_next_upload_imports_once
);
