//! Apple Health import: a Health-app-shaped export (`tests/fixtures/apple_health/export.xml`)
//! read as a stream, straight or inside export.zip, through the ingest path; phone and watch
//! steps not added together; the blood-pressure copies counted once; a night from the watch's
//! stages; importing again changes nothing; a cut-off or foreign file fails with a clear
//! message and leaves earlier data untouched; and the upload from the Connections page.
//! Limits: an export over the XML cap or the record cap fails clearly before anything is
//! written, an upload over the person's quota is refused, and two uploads at once make one
//! import.

use std::io::Write;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use vitasync::apple_health::import::{self, repo, ImportError, Limits};
use vitasync::apple_health::server_fns::ImportsView;
use vitasync::platform::config::Config;
use vitasync::with_db;

use crate::both_backends;
use crate::harness::TestApp;

/// Activity, distance, energy and average heart rate of a session.
type WorkoutFigures = (Option<String>, Option<f64>, Option<f64>, Option<i64>);

fn fixture() -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/apple_health/export.xml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// The export as the Health app zips it (with a translated file name).
fn zipped(xml: &[u8], name: &str) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("apple_health_export/export_cda.xml", opts)
        .unwrap();
    zip.write_all(b"<?xml version=\"1.0\"?><ClinicalDocument/>")
        .unwrap();
    zip.start_file(format!("apple_health_export/{name}"), opts)
        .unwrap();
    zip.write_all(xml).unwrap();
    zip.start_file(
        "apple_health_export/workout-routes/route_2026-11-20_6.31pm.gpx",
        opts,
    )
    .unwrap();
    zip.write_all(b"<gpx/>").unwrap();
    zip.finish().unwrap();
    out.into_inner()
}

async fn owner(app: &TestApp) -> (String, String) {
    app.setup_owner("ana@example.com", "correct horse battery")
        .await;
    with_db!(app.db(), pool => sqlx::query_as("SELECT id, timezone FROM users").fetch_one(pool).await)
        .unwrap()
}

async fn import_bytes(
    app: &TestApp,
    user: &(String, String),
    bytes: &[u8],
) -> Result<import::Report, ImportError> {
    import_within(app, user, bytes, Limits::default()).await
}

async fn import_within(
    app: &TestApp,
    user: &(String, String),
    bytes: &[u8],
    limits: Limits,
) -> Result<import::Report, ImportError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("upload");
    std::fs::write(&path, bytes).unwrap();
    let id = repo::create(
        app.db(),
        &user.0,
        "export.zip",
        bytes.len() as i64,
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    import::run_with(app.db(), &id, &user.0, &user.1, &path, limits).await
}

/// Every stored reading and session of the import, as text, in order.
async fn snapshot(app: &TestApp) -> (Vec<String>, Vec<String>) {
    let points: Vec<(String, Option<f64>, Option<String>, String)> = with_db!(app.db(), pool => sqlx::query_as(
        "SELECT metric_type, value, CAST(data AS TEXT), CAST(recorded_at AS TEXT) FROM health_metrics \
         WHERE provider_id = 'apple_health' ORDER BY metric_type, recorded_at")
        .fetch_all(pool).await).unwrap();
    let events: Vec<(String, String, Option<String>, Option<f64>)> =
        with_db!(app.db(), pool => sqlx::query_as(
        "SELECT provider_event_id, event_type, activity_type, distance_meters FROM events \
         WHERE provider_id = 'apple_health' ORDER BY started_at")
        .fetch_all(pool).await)
        .unwrap();
    (
        points.into_iter().map(|p| format!("{p:?}")).collect(),
        events.into_iter().map(|e| format!("{e:?}")).collect(),
    )
}

async fn value(app: &TestApp, metric: &str) -> Vec<f64> {
    with_db!(app.db(), pool => sqlx::query_scalar(
        "SELECT value FROM health_metrics WHERE provider_id = 'apple_health' AND metric_type = $1 ORDER BY recorded_at")
        .bind(metric).fetch_all(pool).await).unwrap()
}

both_backends!(
    apple_health_export_imports_once,
    |app: TestApp| async move {
        let user = owner(&app).await;
        let report = import_bytes(&app, &user, &fixture()).await.unwrap();
        assert_eq!(report.records, 35);
        assert_eq!(report.rows, 26, "23 readings and 3 sessions");
        let counts: Vec<(String, i64)> = with_db!(app.db(), pool => sqlx::query_as(
        "SELECT metric_type, COUNT(*) FROM health_metrics WHERE provider_id = 'apple_health' GROUP BY metric_type ORDER BY metric_type")
        .fetch_all(pool).await).unwrap();
        assert_eq!(
            counts,
            [
                ("active_minutes", 1),
                ("blood_glucose", 1),
                ("blood_pressure", 1),
                ("bmi", 1),
                ("body_fat", 1),
                ("calories", 1),
                ("distance", 1),
                ("floors", 1),
                ("heart_rate", 4),
                ("heart_rate_variability", 1),
                ("respiratory_rate", 1),
                ("resting_heart_rate", 1),
                ("sleep", 1),
                ("spo2", 1),
                ("steps", 2),
                ("temperature", 1),
                ("weight", 1),
                ("workout", 2),
            ]
            .map(|(m, n)| (m.to_string(), n))
        );
        // The watch counted more of the same walks than the phone: its total, not the sum.
        assert_eq!(value(&app, "steps").await, [4700.0, 5230.0]);
        assert_eq!(value(&app, "distance").await, [3550.0]);
        assert_eq!(value(&app, "weight").await, [65.0], "143.3 lb");
        assert_eq!(value(&app, "spo2").await, [96.0], "a fraction at Apple");
        assert_eq!(value(&app, "body_fat").await, [24.8]);
        assert_eq!(value(&app, "temperature").await, [36.78], "98.2 °F");
        assert_eq!(value(&app, "blood_glucose").await, [5.39], "97 mg/dL");
        let asleep: f64 = with_db!(app.db(), pool => sqlx::query_scalar(
        "SELECT value_sum FROM daily_rollups WHERE provider_id = 'apple_health' AND metric_type = 'sleep'")
        .fetch_one(pool).await).unwrap();
        assert!(
            (asleep - 440.0 / 60.0).abs() < 0.01,
            "core 290 + deep 60 + REM 90 minutes: {asleep}"
        );
        let workouts: Vec<WorkoutFigures> = with_db!(app.db(), pool => sqlx::query_as(
        "SELECT activity_type, distance_meters, calories_kcal, CAST(avg_heart_rate AS BIGINT) FROM events \
         WHERE provider_id = 'apple_health' AND event_type = 'workout' ORDER BY started_at")
        .fetch_all(pool).await).unwrap();
        assert_eq!(
            workouts,
            vec![
                (Some("running".into()), Some(5420.0), Some(342.5), Some(152)),
                (Some("strength".into()), Some(0.0), Some(210.0), None),
            ]
        );

        // The same export again, zipped under another language's file name: nothing new.
        let before = snapshot(&app).await;
        let again = import_bytes(&app, &user, &zipped(&fixture(), "exportar.xml"))
            .await
            .unwrap();
        assert_eq!(again.records, 35);
        assert_eq!(snapshot(&app).await, before);
        let imports: Vec<String> = with_db!(app.db(), pool => sqlx::query_scalar(
        "SELECT status FROM health_imports ORDER BY created_at").fetch_all(pool).await)
        .unwrap();
        assert_eq!(imports, ["completed", "completed"]);
    }
);

both_backends!(
    broken_files_fail_clearly_and_change_nothing,
    |app: TestApp| async move {
        let user = owner(&app).await;
        import_bytes(&app, &user, &fixture()).await.unwrap();
        let before = snapshot(&app).await;
        // A download cut off partway, as XML and as a zip; a PDF; a zip without an export.
        let xml = fixture();
        let cut = &xml[..xml.len() * 3 / 5];
        let zip = zipped(&xml, "export.xml");
        let mut edited = String::from_utf8(xml.clone())
            .unwrap()
            .replacen("5230", "9999", 1);
        edited.truncate(edited.len() - 30);
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (cut.to_vec(), "incomplete"),
            (edited.into_bytes(), "incomplete"),
            (
                zip[..zip.len() / 2].to_vec(),
                "zip file is damaged or incomplete",
            ),
            (
                b"%PDF-1.7 not an export".to_vec(),
                "not a Health app export",
            ),
            (zipped(b"", "notes.txt"), "no export.xml"),
        ];
        for (bytes, expected) in cases {
            let err = import_bytes(&app, &user, &bytes).await.unwrap_err();
            let ImportError::File(message) = err else {
                panic!("{err:?}")
            };
            assert!(message.contains(expected), "{message}");
            assert_eq!(
                snapshot(&app).await,
                before,
                "earlier data untouched after: {message}"
            );
        }
        let failed: Vec<(String, Option<String>)> = with_db!(app.db(), pool => sqlx::query_as(
            "SELECT status, error FROM health_imports WHERE status = 'failed'").fetch_all(pool).await).unwrap();
        assert_eq!(failed.len(), 5);
        assert!(failed
            .iter()
            .all(|(_, e)| e.as_deref().is_some_and(|e| !e.is_empty())));
    }
);

fn multipart(file_name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----vitasync-test-boundary";
    let mut body = Vec::new();
    write!(
        body,
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/zip\r\n\r\n"
    )
    .unwrap();
    body.extend_from_slice(bytes);
    write!(body, "\r\n--{boundary}--\r\n").unwrap();
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn upload_request(file_name: &str, bytes: &[u8]) -> Request<Body> {
    let (content_type, body) = multipart(file_name, bytes);
    Request::post("/imports/apple-health")
        .header(header::HOST, "localhost")
        .header(header::ORIGIN, "http://localhost")
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .unwrap()
}

async fn upload(client: &crate::harness::Client, file_name: &str, bytes: &[u8]) -> String {
    let res = client.send(upload_request(file_name, bytes)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    res.header("location").unwrap()
}

/// The Connections page's import list once nothing runs.
async fn settled(client: &crate::harness::Client) -> ImportsView {
    for _ in 0..100 {
        let v: ImportsView = client.call("imports/list", &[]).await.unwrap();
        if !v.busy {
            return v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the import did not finish");
}

/// Uploaded files still in the data directory (each is removed once its import ends).
async fn uploads_left(app: &TestApp) -> usize {
    let dir = app.state.config.data_dir.join("imports");
    let mut left = usize::MAX;
    for _ in 0..50 {
        left = std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0);
        if left == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    left
}

both_backends!(
    the_connections_page_uploads_an_export,
    |app: TestApp| async move {
        let client = app
            .setup_owner("ana@example.com", "correct horse battery")
            .await;
        assert_eq!(
            upload(&client, "export.zip", &zipped(&fixture(), "export.xml")).await,
            "/connections#apple-health"
        );
        // The import runs in the background; the Connections page follows it.
        let mut view = None;
        for _ in 0..100 {
            let v: vitasync::apple_health::server_fns::ImportsView =
                client.call("imports/list", &[]).await.unwrap();
            if !v.busy {
                view = Some(v);
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let view = view.expect("the import finished");
        assert_eq!(view.imports.len(), 1);
        let i = &view.imports[0];
        assert_eq!(
            (i.status.as_str(), i.records, i.rows),
            ("completed", 35, 26)
        );
        assert_eq!(i.file_name, "export.zip");
        // The uploaded file is removed once imported.
        let dir = app.state.config.data_dir.join("imports");
        let mut left = usize::MAX;
        for _ in 0..50 {
            left = std::fs::read_dir(&dir).unwrap().count();
            if left == 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(left, 0);
        // Not an export, and no file at all.
        assert_eq!(
            upload(&client, "photo.png", b"\x89PNG\r\n").await,
            "/connections?import_error=type#apple-health"
        );
        assert_eq!(
            upload(&client, "empty.zip", b"").await,
            "/connections?import_error=missing#apple-health"
        );
        // Someone signed out cannot upload.
        let stranger = app.client();
        let (content_type, body) = multipart("export.zip", b"PK\x03\x04");
        let res = stranger
            .send(
                Request::post("/imports/apple-health")
                    .header(header::HOST, "localhost")
                    .header(header::ORIGIN, "http://localhost")
                    .header(header::CONTENT_TYPE, content_type)
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        assert!(res
            .header("location")
            .unwrap()
            .contains("import_error=session"));
        let imports: i64 = with_db!(app.db(), pool => sqlx::query_scalar("SELECT COUNT(*) FROM health_imports").fetch_one(pool).await).unwrap();
        assert_eq!(imports, 1);
    }
);

/// The fixture padded to `size` bytes of XML with elements the importer skips (a zip of it
/// stays a few kilobytes).
fn padded(size: usize) -> Vec<u8> {
    let xml = String::from_utf8(fixture()).unwrap();
    let end = xml.rfind("</HealthData>").unwrap();
    let mut out = String::with_capacity(size + xml.len());
    out.push_str(&xml[..end]);
    while out.len() < size {
        out.push_str(
            " <ActivitySummary dateComponents=\"2026-11-20\" activeEnergyBurned=\"512\"/>\n",
        );
    }
    out.push_str(&xml[end..]);
    out.into_bytes()
}

const SMALL_XML_CAP: u64 = 64 * 1024;

fn small_xml_cap(c: &mut Config) {
    c.imports.max_xml_bytes = SMALL_XML_CAP;
}

both_backends!(
    an_export_over_the_xml_cap_fails_clearly_and_writes_nothing,
    with small_xml_cap,
    |app: TestApp| async move {
        let client = app
            .setup_owner("ana@example.com", "correct horse battery")
            .await;
        let xml = padded(2 * 1024 * 1024);
        let zip = zipped(&xml, "export.xml");
        assert!(zip.len() < 64 * 1024, "a small zip: {} bytes", zip.len());
        // Zipped (the size the zip declares is over the cap) and as plain XML (counted as read).
        for (name, bytes) in [("export.zip", zip), ("export.xml", xml)] {
            assert_eq!(
                upload(&client, name, &bytes).await,
                "/connections#apple-health"
            );
            let view = settled(&client).await;
            let i = &view.imports[0];
            assert_eq!((i.file_name.as_str(), i.status.as_str()), (name, "failed"));
            let error = i.error.as_deref().unwrap_or_default();
            assert!(
                error.contains("too large to import")
                    && error.contains("65.5 KB")
                    && error.contains("VITASYNC_IMPORT_MAX_XML_BYTES"),
                "{error}"
            );
            assert_eq!(snapshot(&app).await, (vec![], vec![]), "nothing written");
            assert_eq!(uploads_left(&app).await, 0, "the upload is removed");
        }
    }
);

fn few_records(c: &mut Config) {
    c.imports.max_records = 10;
}

both_backends!(
    an_export_over_the_record_cap_fails_clearly_and_writes_nothing,
    with few_records,
    |app: TestApp| async move {
        let user = owner(&app).await;
        let limits = Limits::from(&app.state.config.imports);
        let err = import_within(&app, &user, &fixture(), limits)
            .await
            .unwrap_err();
        let ImportError::File(message) = err else {
            panic!("{err:?}")
        };
        assert!(
            message.contains("more than 10 records")
                && message.contains("VITASYNC_IMPORT_MAX_RECORDS"),
            "{message}"
        );
        assert_eq!(snapshot(&app).await, (vec![], vec![]), "nothing written");
        let failed: Vec<Option<String>> = with_db!(app.db(), pool => sqlx::query_scalar(
            "SELECT error FROM health_imports WHERE status = 'failed'").fetch_all(pool).await)
        .unwrap();
        assert_eq!(failed, [Some(message)]);
        // Within the cap the same file imports.
        let limits = Limits {
            max_records: 35,
            ..limits
        };
        let report = import_within(&app, &user, &fixture(), limits).await.unwrap();
        assert_eq!(report.records, 35);
    }
);

fn small_quota(c: &mut Config) {
    c.imports.user_quota_bytes = 4 * 1024;
}

both_backends!(
    an_upload_over_the_quota_is_refused_and_removed,
    with small_quota,
    |app: TestApp| async move {
        let client = app
            .setup_owner("ana@example.com", "correct horse battery")
            .await;
        let xml = fixture();
        assert!(xml.len() > 4 * 1024);
        assert_eq!(
            upload(&client, "export.xml", &xml).await,
            "/connections?import_error=quota#apple-health"
        );
        assert_eq!(uploads_left(&app).await, 0, "the partial file is removed");
        let view = settled(&client).await;
        assert_eq!(view.imports.len(), 1);
        let error = view.imports[0].error.as_deref().unwrap_or_default();
        assert!(
            error.contains("quota") && error.contains("VITASYNC_IMPORT_USER_QUOTA_BYTES"),
            "{error}"
        );
        assert_eq!(snapshot(&app).await, (vec![], vec![]));
        // The refused upload holds nothing: a small export goes through at once.
        let small = b"<?xml version=\"1.0\"?>\n<HealthData locale=\"en_US\"></HealthData>\n";
        assert_eq!(
            upload(&client, "export.xml", small).await,
            "/connections#apple-health"
        );
        assert_eq!(settled(&client).await.imports[0].status, "completed");
    }
);

both_backends!(
    two_uploads_at_once_make_one_import,
    |app: TestApp| async move {
        let client = app
            .setup_owner("ana@example.com", "correct horse battery")
            .await;
        let zip = zipped(&fixture(), "export.xml");
        let (a, b) = tokio::join!(
            client.send(upload_request("export.zip", &zip)),
            client.send(upload_request("export.zip", &zip)),
        );
        let mut answers = vec![a.header("location").unwrap(), b.header("location").unwrap()];
        answers.sort();
        assert_eq!(
            answers,
            [
                "/connections#apple-health",
                "/connections?import_error=busy#apple-health"
            ]
        );
        let view = settled(&client).await;
        assert_eq!(view.imports.len(), 1);
        assert_eq!(
            (view.imports[0].status.as_str(), view.imports[0].rows),
            ("completed", 26)
        );
        let imports: i64 = with_db!(app.db(), pool => sqlx::query_scalar(
            "SELECT COUNT(*) FROM health_imports").fetch_one(pool).await)
        .unwrap();
        assert_eq!(imports, 1);
        assert_eq!(uploads_left(&app).await, 0);
    }
);
