//! Cross-source deduplication: the same night recorded by WHOOP and Garmin and the same run by
//! Strava and Garmin appear once on the dashboards (the preferred source's), every provider's
//! rows stay stored, the person's source order decides, and removing the shown copy brings
//! back the other.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use vitasync::health::ingest::{self, Batch, EventInput, PointInput, Source};
use vitasync::with_db;

use crate::both_backends;
use crate::harness::TestApp;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn session(kind: &str, id: &str, activity: &str, start: &str, minutes: i64) -> EventInput {
    let start = at(start);
    EventInput {
        provider_event_id: id.into(),
        event_type: kind.into(),
        activity_type: Some(activity.into()),
        title: None,
        started_at: start,
        ended_at: Some(start + Duration::minutes(minutes)),
        duration_seconds: Some(minutes * 60),
        distance_meters: (kind == "workout").then_some(8000.0),
        calories_kcal: None,
        avg_heart_rate: None,
        max_heart_rate: None,
        data: None,
    }
}

/// A provider's night: the session and the night's sleep reading.
fn night(provider: &str, start: &str, minutes: i64, deep: f64) -> Batch {
    let mut b = Batch::new(provider, Source::User);
    b.events.push(session(
        "sleep",
        &format!("{provider}-night"),
        "sleep",
        start,
        minutes,
    ));
    let s = at(start);
    b.points.push(PointInput {
        metric_type: "sleep".into(),
        value: None,
        unit: None,
        data: Some(json!({
            "stages": {"deep": deep, "light": 240.0, "rem": 90.0, "awake": 20.0},
            "startTime": s.to_rfc3339(),
            "endTime": (s + Duration::minutes(minutes)).to_rfc3339(),
        })),
        recorded_at: s,
    });
    b
}

fn run(provider: &str, start: &str, minutes: i64) -> Batch {
    let mut b = Batch::new(provider, Source::User);
    b.events.push(session(
        "workout",
        &format!("{provider}-run"),
        "running",
        start,
        minutes,
    ));
    b.points.push(PointInput {
        metric_type: "workout".into(),
        value: None,
        unit: None,
        data: Some(json!({"durationSeconds": minutes * 60, "sport": "running"})),
        recorded_at: at(start),
    });
    b
}

both_backends!(one_session_per_night_and_run, |app: TestApp| async move {
    let client = app
        .setup_owner("dee@example.com", "correct horse battery")
        .await;
    let user: String = with_db!(app.db(), pool => sqlx::query_scalar("SELECT id FROM users").fetch_one(pool).await).unwrap();
    let yesterday = (Utc::now() - Duration::days(1)).date_naive();
    let t = |h: u32, m: u32| {
        yesterday
            .and_hms_opt(h, m, 0)
            .unwrap()
            .and_utc()
            .to_rfc3339()
    };
    for batch in [
        night("whoop", &t(0, 30), 420, 95.0),
        night("garmin", &t(0, 45), 410, 70.0),
        run("strava", &t(17, 0), 45),
        run("garmin", &t(16, 59), 47),
        // A walk only Garmin recorded, the same evening.
        {
            let mut b = Batch::new("garmin", Source::User);
            b.events
                .push(session("workout", "garmin-walk", "walking", &t(20, 0), 30));
            b
        },
    ] {
        ingest::ingest(app.db(), &user, batch).await.unwrap();
    }
    // Every provider's rows are kept.
    let stored: i64 = with_db!(app.db(), pool => sqlx::query_scalar("SELECT COUNT(*) FROM events").fetch_one(pool).await).unwrap();
    assert_eq!(stored, 5);

    // Workouts: Garmin leads the default order for workouts, so its run shows; the walk too.
    let list = |c: crate::harness::Client| async move {
        let l: vitasync::workouts::server_fns::WorkoutList =
            c.call("workouts/list", &[]).await.unwrap();
        let mut rows: Vec<(String, String)> = l
            .items
            .into_iter()
            .map(|w| (w.activity, w.source))
            .collect();
        rows.sort();
        (rows, l.total)
    };
    assert_eq!(
        list(client.clone()).await,
        (
            vec![
                ("Running".to_string(), "Garmin".to_string()),
                ("Walking".to_string(), "Garmin".to_string())
            ],
            2
        )
    );
    // Sleep: WHOOP leads for sleep; one night, WHOOP's.
    let sleep: vitasync::health::server_fns::SleepView =
        client.call("health/sleep", &[]).await.unwrap();
    assert_eq!(sleep.nights.len(), 1);
    assert_eq!(sleep.nights[0].source, "WHOOP");
    let hidden: Vec<(String, String)> = with_db!(app.db(), pool => sqlx::query_as(
        "SELECT e.provider_id, w.provider_id FROM events e JOIN events w ON w.id = e.duplicate_of ORDER BY e.provider_id")
        .fetch_all(pool).await).unwrap();
    assert_eq!(
        hidden,
        vec![
            ("garmin".to_string(), "whoop".to_string()),
            ("strava".to_string(), "garmin".to_string())
        ]
    );

    // The person prefers Strava for workouts: its run shows instead.
    client
        .call::<()>(
            "health/move-source",
            &[
                ("metric", "workout"),
                ("provider", "strava"),
                ("direction", "up"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(
        list(client.clone()).await.0,
        vec![
            ("Running".to_string(), "Strava".to_string()),
            ("Walking".to_string(), "Garmin".to_string())
        ]
    );

    // Strava's data is removed: Garmin's run shows again.
    let strava_run: String = with_db!(app.db(), pool => sqlx::query_scalar(
        "SELECT id FROM events WHERE provider_id = 'strava'").fetch_one(pool).await)
    .unwrap();
    with_db!(app.db(), pool => sqlx::query("DELETE FROM events WHERE id = $1").bind(&strava_run).execute(pool).await.map(|_| ()))
        .unwrap();
    assert_eq!(
        list(client.clone()).await.0,
        vec![
            ("Running".to_string(), "Garmin".to_string()),
            ("Walking".to_string(), "Garmin".to_string())
        ]
    );
});
