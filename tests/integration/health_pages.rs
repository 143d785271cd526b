//! The health pages and their server functions over demo data: overview tiles, metric detail
//! with ranges and CSV, sleep, heart, body, records, workouts, source priority, and that nobody
//! sees another person's data.

use axum::http::StatusCode;
use vitasync::error::AppError;
use vitasync::health::demo::{self, DemoOptions};
use vitasync::health::ingest::{self, Batch, Source};
use vitasync::health::local_time;
use vitasync::health::server_fns::{MetricDetail, SourcePriority};
use vitasync::workouts::server_fns::{WorkoutDetail, WorkoutList};

use crate::both_backends;
use crate::harness::{point, user_id, TestApp};

both_backends!(
    demo_data_fills_every_health_page,
    |app: TestApp| async move {
        let owner = app.setup_owner("owner@example.com", "owner-password").await;
        let uid = user_id(app.db(), "owner@example.com").await;
        let report = demo::fill(
            app.db(),
            &uid,
            "Europe/Paris",
            DemoOptions {
                days: 21,
                intraday: true,
                seed: 7,
            },
        )
        .await
        .expect("demo data");
        assert!(
            report.points > 20 * 1440,
            "minute heart rate included: {report:?}"
        );
        assert!(report.events >= 8, "workouts included: {report:?}");

        let today = owner.get("/").await;
        assert_eq!(today.status, StatusCode::OK);
        for metric in ["steps", "sleep", "resting_heart_rate", "weight"] {
            assert!(
                today.body.contains(&format!("data-metric=\"{metric}\"")),
                "tile for {metric}"
            );
        }
        assert!(today.body.contains("chart-svg"), "sparklines drawn");
        assert!(today.body.contains("Demo data"), "the source is named");

        let steps = owner.get("/trends/steps?range=7").await;
        assert_eq!(steps.status, StatusCode::OK);
        assert!(
            steps.body.contains("<svg") && steps.body.contains("<title>Steps, "),
            "chart with a title"
        );
        let detail: MetricDetail = owner
            .call("health/metric", &[("metric", "steps"), ("range", "30")])
            .await
            .unwrap();
        assert_eq!(detail.range, "30");
        assert!(detail.rows.len() >= 20 && detail.stats.is_some());
        let bad = owner
            .call::<MetricDetail>("health/metric", &[("metric", "steps"), ("range", "12")])
            .await
            .unwrap_err();
        assert_eq!(
            bad.for_field("range").as_deref(),
            Some("Choose 7, 30, 90 or 365 days.")
        );
        let unknown = owner
            .call::<MetricDetail>("health/metric", &[("metric", "mana")])
            .await
            .unwrap_err();
        assert_eq!(
            unknown,
            AppError::NotFound("There is no such metric.".into())
        );
        let custom = owner
            .get("/trends/weight?range=custom&from=2020-01-01&to=2020-01-31")
            .await;
        assert!(custom.body.contains("No data in this range"));

        let csv = owner
            .get(&format!(
                "/export/health/steps.csv?from={}&to={}",
                detail.from, detail.to
            ))
            .await;
        assert_eq!(csv.status, StatusCode::OK);
        assert_eq!(
            csv.header("content-type").as_deref(),
            Some("text/csv; charset=utf-8")
        );
        let lines: Vec<&str> = csv.body.lines().collect();
        assert_eq!(lines[0], "date,metric,value,unit,min,max,readings,source");
        assert_eq!(
            lines.len() - 1,
            detail.rows.len(),
            "one CSV row per day shown"
        );

        for (path, needle) in [
            ("/sleep?range=7", "Stages per night"),
            ("/heart", "Resting heart rate"),
            ("/body", "Weight"),
            ("/records", "Most steps in a day"),
            ("/workouts", "Training volume"),
            ("/trends", "Heart rate variability"),
        ] {
            let page = owner.get(path).await;
            assert_eq!(page.status, StatusCode::OK, "{path}");
            assert!(page.body.contains(needle), "{path} shows {needle}");
        }
        let heart = owner.get("/heart").await;
        assert!(
            heart.body.contains("Fat burn") && heart.body.contains("Heart rate on"),
            "intraday with zones"
        );

        let list: WorkoutList = owner.call("workouts/list", &[]).await.unwrap();
        assert!(!list.items.is_empty());
        let running: WorkoutList = owner
            .call("workouts/list", &[("activity", "running")])
            .await
            .unwrap();
        assert!(running.items.iter().all(|w| w.activity == "Running"));
        let first = &list.items[0];
        let detail: WorkoutDetail = owner
            .call("workouts/get", &[("id", &first.id)])
            .await
            .unwrap();
        assert!(detail.stats.iter().any(|(k, _)| k == "Duration"));
        assert_eq!(
            owner.get(&format!("/workouts/{}", first.id)).await.status,
            StatusCode::OK
        );
        let bad_dates = owner
            .call::<WorkoutList>(
                "workouts/list",
                &[("from", "2025-02-10"), ("to", "2025-02-01")],
            )
            .await
            .unwrap_err();
        assert!(bad_dates.for_field("to").is_some());

        // Another person in the same workspace sees none of it.
        let member = app
            .add_member(&owner, "mia@example.com", "member-password")
            .await;
        let theirs: MetricDetail = member
            .call("health/metric", &[("metric", "steps"), ("range", "30")])
            .await
            .unwrap();
        assert!(theirs.rows.is_empty());
        assert!(member.get("/").await.body.contains("No readings yet"));
        let not_theirs = member
            .call::<WorkoutDetail>("workouts/get", &[("id", &first.id)])
            .await
            .unwrap_err();
        assert_eq!(
            not_theirs,
            AppError::NotFound("This workout does not exist.".into())
        );
        let their_csv = member.get("/export/health/steps.csv?range=30").await;
        assert_eq!(their_csv.body.lines().count(), 1, "only the header");
        let anonymous = app.client().get("/export/health/steps.csv?range=30").await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    }
);

both_backends!(
    source_priority_picks_the_preferred_provider,
    |app: TestApp| async move {
        let owner = app.setup_owner("owner@example.com", "owner-password").await;
        let uid = user_id(app.db(), "owner@example.com").await;
        // Noon two days ago (Paris): inside the 7-day range whatever time the test runs.
        let tz = local_time::zone("Europe/Paris");
        let day = local_time::today(tz) - chrono::Duration::days(2);
        let noon = local_time::start_of_day(day, tz) + chrono::Duration::hours(12);
        for (provider, steps) in [("demo", 4_000.0), ("garmin", 6_000.0)] {
            let mut b = Batch::new(provider, Source::User);
            b.points.push(point("steps", steps, noon));
            ingest::ingest(app.db(), &uid, b).await.unwrap();
        }
        let day = day.to_string();
        let shown = |d: MetricDetail| {
            d.rows
                .into_iter()
                .find(|r| r.date == day)
                .map(|r| (r.value, r.source))
        };
        let d: MetricDetail = owner
            .call("health/metric", &[("metric", "steps"), ("range", "7")])
            .await
            .unwrap();
        assert_eq!(
            shown(d),
            Some(("6,000 steps".into(), "Garmin".into())),
            "a watch beats demo data by default"
        );

        let prefs: Vec<SourcePriority> = owner.call("health/source-priorities", &[]).await.unwrap();
        assert_eq!(prefs.len(), 1);
        assert_eq!(
            prefs[0]
                .providers
                .iter()
                .map(|p| p.0.as_str())
                .collect::<Vec<_>>(),
            vec!["garmin", "demo"]
        );
        owner
            .call::<()>(
                "health/move-source",
                &[
                    ("metric", "steps"),
                    ("provider", "demo"),
                    ("direction", "up"),
                ],
            )
            .await
            .unwrap();
        let d: MetricDetail = owner
            .call("health/metric", &[("metric", "steps"), ("range", "7")])
            .await
            .unwrap();
        assert_eq!(
            shown(d),
            Some(("4,000 steps".into(), "Demo data".into())),
            "the user's choice wins"
        );
        let bad = owner
            .call::<()>(
                "health/move-source",
                &[
                    ("metric", "steps"),
                    ("provider", "demo"),
                    ("direction", "sideways"),
                ],
            )
            .await
            .unwrap_err();
        assert!(bad.for_field("direction").is_some());
        let missing = owner
            .call::<()>(
                "health/move-source",
                &[
                    ("metric", "steps"),
                    ("provider", "oura"),
                    ("direction", "up"),
                ],
            )
            .await
            .unwrap_err();
        assert!(matches!(missing, AppError::NotFound(_)));
        assert!(owner
            .get("/settings")
            .await
            .body
            .contains("Preferred sources"));
    }
);
