//! Ingest: idempotent upserts, NULL values for structured metrics, local days, rollups that
//! always equal a from-scratch aggregation, source priority and personal records.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use serde_json::json;
use vitasync::health::ingest::{self, Batch, EventInput, IngestError, PointInput, Source};
use vitasync::platform::db::Db;
use vitasync::with_db;

use crate::both_backends;
use crate::harness::{point, set_timezone, user_id, TestApp};

async fn count(db: &Db, sql: &str, user: &str) -> i64 {
    with_db!(db, pool => sqlx::query_scalar(sql).bind(user).fetch_one(pool).await).expect("count")
}

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

both_backends!(
    reingesting_a_batch_updates_values_and_never_duplicates,
    |app: TestApp| async move {
        app.setup_owner("owner@example.com", "owner-password").await;
        let user = user_id(app.db(), "owner@example.com").await;
        let batch = |steps: f64, hr: f64| {
            let mut b = Batch::new("garmin", Source::User);
            b.points.push(point("steps", steps, at(2025, 6, 5, 10, 0)));
            b.points.push(point("steps", 1000.0, at(2025, 6, 5, 11, 0)));
            b.points
                .push(point("heart_rate", hr, at(2025, 6, 5, 10, 0)));
            b.events.push(EventInput {
                provider_event_id: "run-1".into(),
                event_type: "workout".into(),
                activity_type: Some("Running".into()),
                title: None,
                started_at: at(2025, 6, 5, 7, 0),
                ended_at: None,
                duration_seconds: Some(1800),
                distance_meters: Some(5000.0),
                calories_kcal: None,
                avg_heart_rate: Some(150),
                max_heart_rate: None,
                data: None,
            });
            b
        };
        let first = ingest::ingest(app.db(), &user, batch(500.0, 70.0))
            .await
            .expect("ingest");
        assert_eq!((first.points, first.events), (3, 1));
        let metrics = count(
            app.db(),
            "SELECT COUNT(*) FROM health_metrics WHERE user_id = $1",
            &user,
        )
        .await;
        let events = count(
            app.db(),
            "SELECT COUNT(*) FROM events WHERE user_id = $1",
            &user,
        )
        .await;
        assert_eq!((metrics, events), (3, 1));

        ingest::ingest(app.db(), &user, batch(700.0, 80.0))
            .await
            .expect("re-ingest");
        assert_eq!(
            count(
                app.db(),
                "SELECT COUNT(*) FROM health_metrics WHERE user_id = $1",
                &user
            )
            .await,
            3
        );
        assert_eq!(
            count(
                app.db(),
                "SELECT COUNT(*) FROM events WHERE user_id = $1",
                &user
            )
            .await,
            1
        );
        let steps: f64 = with_db!(app.db(), pool => sqlx::query_scalar(
        "SELECT value_sum FROM daily_rollups WHERE user_id = $1 AND metric_type = 'steps'")
        .bind(&user).fetch_one(pool).await)
        .unwrap();
        assert_eq!(
            steps, 1700.0,
            "the re-sent value replaced the old one in the day's total"
        );
        let activity: String = with_db!(app.db(), pool => sqlx::query_scalar(
        "SELECT activity_type FROM events WHERE user_id = $1").bind(&user).fetch_one(pool).await)
        .unwrap();
        assert_eq!(activity, "running");
    }
);

both_backends!(
    structured_metrics_store_null_values_and_bad_items_store_nothing,
    |app: TestApp| async move {
        app.setup_owner("owner@example.com", "owner-password").await;
        let user = user_id(app.db(), "owner@example.com").await;
        let mut b = Batch::new("oura", Source::User);
        b.points.push(PointInput {
        metric_type: "sleep".into(),
        value: None,
        unit: None,
        data: Some(json!({"stages": {"deep": 90, "light": 240, "rem": 100, "awake": 20},
            "startTime": "2025-06-04T22:00:00Z", "endTime": "2025-06-05T05:30:00Z", "efficiency": 94})),
        recorded_at: at(2025, 6, 4, 22, 0),
    });
        b.points.push(PointInput {
            metric_type: "blood_oxygen".into(),
            value: Some(97.0),
            unit: Some("%".into()),
            data: None,
            recorded_at: at(2025, 6, 5, 5, 0),
        });
        ingest::ingest(app.db(), &user, b).await.expect("ingest");
        let rows: Vec<(String, Option<f64>, Option<f64>)> = with_db!(app.db(), pool => sqlx::query_as(
        "SELECT metric_type, value, derived FROM health_metrics WHERE user_id = $1 ORDER BY metric_type")
        .bind(&user).fetch_all(pool).await).unwrap();
        assert_eq!(rows[0].0, "sleep");
        assert_eq!(
            rows[0].1, None,
            "structured metrics keep value NULL, never 0"
        );
        assert!(
            (rows[0].2.unwrap() - 430.0 / 60.0).abs() < 1e-9,
            "hours asleep derived from the stages"
        );
        assert_eq!(
            (rows[1].0.as_str(), rows[1].1),
            ("spo2", Some(97.0)),
            "blood_oxygen is stored as spo2"
        );

        // One bad item among good ones: the whole batch is refused, each problem named by index.
        let mut bad = Batch::new("oura", Source::User);
        bad.points.push(point("steps", 10.0, at(2025, 6, 6, 9, 0)));
        bad.points.push(point("mana", 1.0, at(2025, 6, 6, 9, 0)));
        bad.points.push(PointInput {
            unit: Some("bpm".into()),
            ..point("weight", 70.0, at(2025, 6, 6, 9, 0))
        });
        bad.points.push(PointInput {
            value: Some(5.0),
            ..point("sleep", 0.0, at(2025, 6, 6, 9, 0))
        });
        bad.points
            .push(point("heart_rate", 900.0, at(2025, 6, 6, 9, 0)));
        bad.points
            .push(point("steps", 10.0, Utc::now() + Duration::days(3)));
        match ingest::ingest(app.db(), &user, bad).await {
            Err(IngestError::Invalid { points, .. }) => {
                let idx: Vec<usize> = points.iter().map(|e| e.index).collect();
                assert_eq!(idx, vec![1, 2, 3, 4, 5], "{points:?}");
                assert_eq!(points[0].field, "metricType");
                assert_eq!(points[1].field, "unit");
                assert!(points[1].message.contains("kg"), "{}", points[1].message);
                assert_eq!(
                    points[3].message,
                    "heart_rate must be between 20 and 250 bpm."
                );
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
        assert_eq!(
            count(
                app.db(),
                "SELECT COUNT(*) FROM health_metrics WHERE user_id = $1",
                &user
            )
            .await,
            2,
            "nothing partial"
        );
        let sleep_day: NaiveDate = with_db!(app.db(), pool => sqlx::query_scalar(
        "SELECT local_date FROM daily_rollups WHERE user_id = $1 AND metric_type = 'sleep'")
        .bind(&user).fetch_one(pool).await)
        .unwrap();
        assert_eq!(
            sleep_day,
            NaiveDate::from_ymd_opt(2025, 6, 5).unwrap(),
            "a night counts for the wake-up day (Paris)"
        );
    }
);

both_backends!(
    late_evening_points_land_on_the_users_local_day,
    |app: TestApp| async move {
        app.setup_owner("owner@example.com", "owner-password").await;
        let user = user_id(app.db(), "owner@example.com").await;
        set_timezone(app.db(), &user, "Australia/Brisbane").await; // UTC+10 all year
        let mut b = Batch::new("garmin", Source::User);
        // 23:30 local on 5 June = 13:30 UTC; 00:30 local on 6 June = 14:30 UTC.
        b.points.push(point("steps", 100.0, at(2025, 6, 5, 13, 30)));
        b.points.push(point("steps", 50.0, at(2025, 6, 5, 14, 30)));
        ingest::ingest(app.db(), &user, b).await.expect("ingest");
        let days: Vec<(NaiveDate, f64)> = with_db!(app.db(), pool => sqlx::query_as(
        "SELECT local_date, value_sum FROM daily_rollups WHERE user_id = $1 ORDER BY local_date")
        .bind(&user).fetch_all(pool).await)
        .unwrap();
        assert_eq!(
            days,
            vec![
                (NaiveDate::from_ymd_opt(2025, 6, 5).unwrap(), 100.0),
                (NaiveDate::from_ymd_opt(2025, 6, 6).unwrap(), 50.0),
            ]
        );
    }
);

both_backends!(
    personal_records_follow_the_data,
    |app: TestApp| async move {
        app.setup_owner("owner@example.com", "owner-password").await;
        let user = user_id(app.db(), "owner@example.com").await;
        let record = |db: Db, user: String, metric: &'static str, category: &'static str| async move {
            with_db!(&db, pool => sqlx::query_as::<_, (f64, String)>(
            "SELECT value, provider_id FROM personal_records WHERE user_id = $1 AND metric_type = $2 AND category = $3")
            .bind(&user).bind(metric).bind(category).fetch_optional(pool).await).unwrap()
        };
        let mut b = Batch::new("garmin", Source::User);
        b.points
            .push(point("steps", 10_000.0, at(2025, 6, 1, 18, 0)));
        b.points
            .push(point("resting_heart_rate", 55.0, at(2025, 6, 1, 6, 0)));
        ingest::ingest(app.db(), &user, b).await.unwrap();
        assert_eq!(
            record(app.db().clone(), user.clone(), "steps", "daily_max").await,
            Some((10_000.0, "garmin".into()))
        );

        // Beaten by another source on another day.
        let mut b = Batch::new("fitbit", Source::User);
        b.points
            .push(point("steps", 12_500.0, at(2025, 6, 2, 18, 0)));
        b.points
            .push(point("resting_heart_rate", 51.0, at(2025, 6, 2, 6, 0)));
        ingest::ingest(app.db(), &user, b).await.unwrap();
        assert_eq!(
            record(app.db().clone(), user.clone(), "steps", "daily_max").await,
            Some((12_500.0, "fitbit".into()))
        );
        assert_eq!(
            record(
                app.db().clone(),
                user.clone(),
                "resting_heart_rate",
                "daily_min"
            )
            .await,
            Some((51.0, "fitbit".into()))
        );

        // The provider revises that day down: the record follows the truth.
        let mut b = Batch::new("fitbit", Source::User);
        b.points
            .push(point("steps", 9_000.0, at(2025, 6, 2, 18, 0)));
        ingest::ingest(app.db(), &user, b).await.unwrap();
        assert_eq!(
            record(app.db().clone(), user.clone(), "steps", "daily_max").await,
            Some((10_000.0, "garmin".into()))
        );

        // Workout bests come from events.
        let mut b = Batch::new("strava", Source::User);
        for (i, km) in [5.0, 21.1].into_iter().enumerate() {
            b.events.push(EventInput {
                provider_event_id: format!("r{i}"),
                event_type: "workout".into(),
                activity_type: Some("running".into()),
                title: None,
                started_at: at(2025, 6, 3 + i as u32, 7, 0),
                ended_at: None,
                duration_seconds: Some((km * 330.0) as i64),
                distance_meters: Some(km * 1000.0),
                calories_kcal: None,
                avg_heart_rate: None,
                max_heart_rate: None,
                data: None,
            });
        }
        ingest::ingest(app.db(), &user, b).await.unwrap();
        assert_eq!(
            record(app.db().clone(), user.clone(), "workout", "longest_run").await,
            Some((21_100.0, "strava".into()))
        );
    }
);

/// One random write: (provider index, metric index, day offset, minute of day, value).
type Op = (usize, usize, i64, u32, u32);

/// (metric, provider, local day).
type DayKey = (String, String, NaiveDate);
/// (metric, provider, day, value, derived, recorded at) as stored.
type StoredPoint = (
    String,
    String,
    NaiveDate,
    Option<f64>,
    Option<f64>,
    DateTime<Utc>,
);
/// (metric, provider, day, count, sum, min, max, last) as stored.
type StoredRollup = (String, String, NaiveDate, i64, f64, f64, f64, f64);
/// Count, sum, min, max and the (instant, value) of the latest reading.
type Expected = (i64, f64, f64, f64, (DateTime<Utc>, f64));

async fn check_rollups_equal_scratch(app: &TestApp, user: &str) {
    // From scratch: aggregate the stored points per (metric, provider, day).
    let points: Vec<StoredPoint> = with_db!(app.db(), pool => sqlx::query_as(
        "SELECT metric_type, provider_id, local_date, value, derived, recorded_at FROM health_metrics WHERE user_id = $1")
        .bind(user).fetch_all(pool).await).unwrap();
    let mut expected: BTreeMap<DayKey, Expected> = BTreeMap::new();
    for (m, p, d, v, dv, t) in points {
        let x = v.or(dv).unwrap();
        let e =
            expected
                .entry((m, p, d))
                .or_insert((0, 0.0, f64::INFINITY, f64::NEG_INFINITY, (t, x)));
        e.0 += 1;
        e.1 += x;
        e.2 = e.2.min(x);
        e.3 = e.3.max(x);
        if t >= e.4 .0 {
            e.4 = (t, x);
        }
    }
    let rollups: Vec<StoredRollup> = with_db!(app.db(), pool => sqlx::query_as(
        "SELECT metric_type, provider_id, local_date, CAST(sample_count AS BIGINT), value_sum, value_min, value_max, value_last \
         FROM daily_rollups WHERE user_id = $1")
        .bind(user).fetch_all(pool).await).unwrap();
    let got: BTreeMap<DayKey, (i64, f64, f64, f64, f64)> = rollups
        .into_iter()
        .map(|r| ((r.0, r.1, r.2), (r.3, r.4, r.5, r.6, r.7)))
        .collect();
    assert_eq!(
        got.len(),
        expected.len(),
        "one rollup row per (metric, provider, day) with data"
    );
    for (k, e) in expected {
        let g = got
            .get(&k)
            .unwrap_or_else(|| panic!("missing rollup {k:?}"));
        assert_eq!(g.0, e.0, "{k:?} count");
        assert!(
            (g.1 - e.1).abs() < 1e-6 && g.2 == e.2 && g.3 == e.3 && g.4 == e.4 .1,
            "{k:?}: {g:?} vs {e:?}"
        );
    }
}

both_backends!(
    rollups_equal_a_from_scratch_aggregation_after_random_ingests,
    |app: TestApp| async move {
        use proptest::test_runner::{Config, TestRunner};
        app.setup_owner("owner@example.com", "owner-password").await;
        let user = user_id(app.db(), "owner@example.com").await;
        set_timezone(app.db(), &user, "America/New_York").await; // includes a DST change below
        let providers = ["garmin", "fitbit"];
        let metrics = [("steps", 1.0), ("heart_rate", 40.0), ("weight", 60.0)];
        let base = NaiveDate::from_ymd_opt(2025, 3, 6).unwrap(); // DST starts 9 March
        let strategy = proptest::collection::vec(
            proptest::collection::vec(
                (0..2usize, 0..3usize, 0..8i64, 0..1440u32, 0..100u32),
                1..40,
            ),
            1..6,
        );
        let mut runner = TestRunner::new(Config {
            cases: 8,
            failure_persistence: None,
            ..Config::default()
        });
        let handle = tokio::runtime::Handle::current();
        let result = runner.run(&strategy, |batches: Vec<Vec<Op>>| {
            let (app, user) = (app.clone(), user.clone());
            tokio::task::block_in_place(|| {
                handle.block_on(async {
                    for ops in batches {
                        for p in providers {
                            let mut b = Batch::new(p, Source::User);
                            for (pi, mi, day, minute, v) in &ops {
                                if providers[*pi] != p {
                                    continue;
                                }
                                let (metric, offset) = metrics[*mi];
                                let t = Utc.from_utc_datetime(
                                    &(base + Duration::days(*day)).and_hms_opt(0, 0, 0).unwrap(),
                                ) + Duration::minutes(*minute as i64);
                                b.points.push(point(metric, offset + *v as f64, t));
                            }
                            ingest::ingest(app.db(), &user, b).await.unwrap();
                        }
                    }
                    check_rollups_equal_scratch(&app, &user).await;
                })
            });
            Ok(())
        });
        result.expect("rollups always equal a from-scratch aggregation");
    }
);

both_backends!(
    another_apps_batch_may_not_use_a_built_in_source_id,
    |app: TestApp| async move {
        app.setup_owner("owner@example.com", "owner-password").await;
        let user = user_id(app.db(), "owner@example.com").await;
        let batch = |provider: &str| {
            let mut b = Batch::new(provider, Source::User);
            b.points.push(point("steps", 500.0, at(2025, 6, 5, 10, 0)));
            b
        };
        // The rule lives in ingest itself, so every edge that takes a client's batch keeps it.
        for reserved in ["manual", "computed", "demo", "whoop"] {
            let refused =
                ingest::ingest_from_client(app.db(), &user, batch(reserved), &["whoop"]).await;
            assert!(
                matches!(refused, Err(IngestError::ReservedProvider)),
                "{reserved} was accepted"
            );
        }
        let stored = count(
            app.db(),
            "SELECT COUNT(*) FROM health_metrics WHERE user_id = $1",
            &user,
        )
        .await;
        assert_eq!(stored, 0, "nothing of a refused batch is stored");
        let report = ingest::ingest_from_client(app.db(), &user, batch("acme_scale"), &["whoop"])
            .await
            .expect("a client's own id is accepted");
        assert_eq!(report.points, 1);
    }
);
