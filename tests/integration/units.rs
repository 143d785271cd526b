//! Units: a person who picks imperial reads miles, pounds, °F and fl oz on every page and in
//! CSV downloads, types measurements and goals in them, and the API keeps answering in SI.

use axum::http::StatusCode;
use chrono::{Duration, Utc};
use serde_json::json;
use vitasync::goals::server_fns::GoalsView;
use vitasync::health::ingest::{self, Batch, EventInput, Source};
use vitasync::health::server_fns::MetricDetail;
use vitasync::hydration::server_fns::HydrationView;
use vitasync::measurements::server_fns::MeasurementList;
use vitasync::units::{Unit, Units};
use vitasync::with_db;
use vitasync::workouts::server_fns::WorkoutList;

use crate::both_backends;
use crate::harness::{point, user_id, TestApp};

fn latest(d: &MetricDetail) -> &str {
    d.rows.first().map(|r| r.value.as_str()).unwrap_or("")
}

both_backends!(
    imperial_reads_miles_pounds_and_fahrenheit_everywhere,
    |app: TestApp| async move {
        let owner = app.setup_owner("owner@example.com", "owner-password").await;
        let uid = user_id(app.db(), "owner@example.com").await;
        let at = Utc::now() - Duration::days(1);
        let mut b = Batch::new("withings", Source::User);
        b.points.push(point("distance", 5_000.0, at));
        b.points.push(point("weight", 70.0, at));
        b.points.push(point("temperature", 37.0, at));
        b.events.push(EventInput {
            provider_event_id: "run-1".into(),
            event_type: "workout".into(),
            activity_type: Some("running".into()),
            title: None,
            started_at: at,
            ended_at: None,
            duration_seconds: Some(3_000),
            distance_meters: Some(10_000.0),
            calories_kcal: None,
            avg_heart_rate: None,
            max_heart_rate: None,
            data: None,
        });
        ingest::ingest(app.db(), &uid, b).await.unwrap();
        let detail = |metric: &'static str| {
            let owner = owner.clone();
            async move {
                owner
                    .call::<MetricDetail>("health/metric", &[("metric", metric), ("range", "7")])
                    .await
                    .unwrap()
            }
        };

        // Metric by default, and distance in kilometres rather than metres.
        assert_eq!(latest(&detail("distance").await), "5.00 km");
        assert_eq!(latest(&detail("weight").await), "70.0 kg");
        let w: WorkoutList = owner.call("workouts/list", &[]).await.unwrap();
        assert_eq!(w.items[0].distance.as_deref(), Some("10.00 km"));
        assert_eq!(w.items[0].pace.as_deref(), Some("5:00 /km"));

        // Imperial in Settings.
        owner
            .call::<()>("settings/save-units", &[("system", "imperial")])
            .await
            .expect("units saved");
        assert_eq!(owner.whoami().await.unwrap().units, Units::IMPERIAL);
        assert_eq!(latest(&detail("distance").await), "3.11 mi");
        assert_eq!(latest(&detail("weight").await), "154.3 lb");
        assert_eq!(latest(&detail("temperature").await), "98.6 °F");
        let weight = owner.get("/trends/weight?range=7").await;
        assert!(weight.body.contains("154.3 lb"), "the page itself");
        assert!(!weight.body.contains("70.0 kg"));
        let today = owner.get("/").await;
        assert!(today.body.contains("154.3"), "Today's weight tile");
        let body = owner.get("/body").await;
        assert!(body.body.contains("98.6 °F") && body.body.contains("154.3 lb"));
        let w: WorkoutList = owner.call("workouts/list", &[]).await.unwrap();
        assert_eq!(w.items[0].distance.as_deref(), Some("6.21 mi"));
        assert_eq!(w.items[0].pace.as_deref(), Some("8:03 /mi"));
        let records = owner.get("/records").await;
        assert!(records.body.contains("6.21 mi"), "longest run in miles");

        // CSV: converted figures and the unit column saying which.
        let csv = owner.get("/export/health/weight.csv?range=7").await;
        assert_eq!(csv.status, StatusCode::OK);
        let row = csv.body.lines().nth(1).expect("a day").to_string();
        let cols: Vec<&str> = row.split(',').collect();
        assert_eq!(
            (cols[1], cols[2], cols[3]),
            ("weight", "154.324", "lb"),
            "{row}"
        );
        let csv = owner.get("/export/health/distance.csv?range=7").await;
        let cols: Vec<String> = csv
            .body
            .lines()
            .nth(1)
            .unwrap()
            .split(',')
            .map(String::from)
            .collect();
        assert_eq!((cols[2].as_str(), cols[3].as_str()), ("3.1069", "mi"));

        // Typed in pounds, stored in kilograms; limits told in pounds.
        owner
            .call::<()>(
                "measurements/add",
                &[
                    ("metric", "weight"),
                    ("value", "150"),
                    ("date", ""),
                    ("time", ""),
                ],
            )
            .await
            .expect("weight in lb");
        let stored: f64 = with_db!(app.db(), pool => sqlx::query_scalar(
            "SELECT value FROM health_metrics WHERE user_id = $1 AND metric_type = 'weight' AND provider_id = 'manual'")
            .bind(&uid).fetch_one(pool).await).unwrap();
        assert!((stored - 68.0389).abs() < 1e-6, "{stored}");
        let list: MeasurementList = owner.call("measurements/list", &[]).await.unwrap();
        assert_eq!(list.entries[0].value_text, "150.0 lb");
        assert_eq!(list.entries[0].value, "150");
        assert!(list
            .metrics
            .iter()
            .any(|(id, _, unit)| id == "weight" && unit == "lb"));
        let err = owner
            .call::<()>(
                "measurements/add",
                &[
                    ("metric", "weight"),
                    ("value", "1500"),
                    ("date", ""),
                    ("time", ""),
                ],
            )
            .await
            .unwrap_err();
        assert_eq!(
            err.for_field("value").as_deref(),
            Some("Enter a weight between 2.2 and 1,102.3 lb.")
        );

        // Goals: typed and read in pounds.
        owner
            .call::<String>(
                "goals/create",
                &[
                    ("metric", "weight"),
                    ("direction", "reach"),
                    ("target", "140"),
                ],
            )
            .await
            .expect("goal in lb");
        let target: f64 = with_db!(app.db(), pool => sqlx::query_scalar(
            "SELECT target_value FROM goals WHERE user_id = $1").bind(&uid).fetch_one(pool).await)
        .unwrap();
        assert!((target - 63.5029).abs() < 1e-6, "{target}");
        let goals: GoalsView = owner.call("goals/list", &[]).await.unwrap();
        let card = &goals.active[0];
        assert_eq!(card.rule, "Reach 140.0 lb");
        assert_eq!(card.value, "150.0 lb");
        assert_eq!(card.status, "10.0 lb to go");

        // Water follows the system (fl oz) until overridden here or on the Water page.
        let water: HydrationView = owner.call("water/view", &[]).await.unwrap();
        assert_eq!(water.today.unit, "fl_oz");
        owner
            .call::<()>(
                "settings/save-units",
                &[("system", "imperial"), ("volume", "ml"), ("distance", "km")],
            )
            .await
            .unwrap();
        let me = owner.whoami().await.unwrap().units;
        assert_eq!(
            (me.volume(), me.distance(), me.weight()),
            (Unit::Ml, Unit::Km, Unit::Lb)
        );
        assert_eq!(latest(&detail("distance").await), "5.00 km");

        // A unit of another quantity is refused on its field.
        let err = owner
            .call::<()>(
                "settings/save-units",
                &[("system", "imperial"), ("weight", "km")],
            )
            .await
            .unwrap_err();
        assert_eq!(
            err.for_field("weight").as_deref(),
            Some("Choose kg or lb or leave it to follow the system.")
        );
        let err = owner
            .call::<()>("settings/save-units", &[("system", "nautical")])
            .await
            .unwrap_err();
        assert!(err.for_field("system").is_some());
    }
);

both_backends!(
    the_api_reads_and_sets_units_and_keeps_answering_in_si,
    |app: TestApp| async move {
        let owner = app.setup_owner("owner@example.com", "owner-password").await;
        let me = owner.whoami().await.unwrap();
        let key = app.api_key(me.workspace_id.as_str(), "read,write").await;
        let uid = me.id.as_str().to_string();
        let path = format!("/v1/users/{uid}/units");
        let res = app.api("GET", &path, Some(&key), None).await;
        assert_eq!(res.status, StatusCode::OK);
        assert_eq!(res.json["system"], "metric");
        assert_eq!(res.json["effective"]["distance"], "km");

        let res = app
            .api(
                "PUT",
                &path,
                Some(&key),
                Some(json!({"system": "imperial", "temperature": "c"})),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.json);
        assert_eq!(res.json["effective"]["weight"], "lb");
        assert_eq!(res.json["effective"]["temperature"], "c");
        assert_eq!(res.json["temperature"], "c");
        assert_eq!(res.json["distance"], serde_json::Value::Null);
        let units = owner.whoami().await.unwrap().units;
        assert_eq!(units.weight(), Unit::Lb, "the pages follow");

        for bad in [
            json!({"system": "metric", "weight": "mi"}),
            json!({"system": "furlongs"}),
        ] {
            let res = app.api("PUT", &path, Some(&key), Some(bad)).await;
            assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.json);
        }
        assert_eq!(
            owner.whoami().await.unwrap().units,
            units,
            "nothing changed"
        );

        // Readings keep their SI values in the API whatever the person reads.
        let at = Utc::now() - Duration::hours(2);
        let mut b = Batch::new("withings", Source::User);
        b.points.push(point("weight", 70.0, at));
        ingest::ingest(app.db(), &uid, b).await.unwrap();
        let res = app
            .api(
                "GET",
                &format!("/v1/users/{uid}/health?metricType=weight"),
                Some(&key),
                None,
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.json);
        let day = &res.json["data"][0];
        assert_eq!(
            (day["last"].as_f64(), day["unit"].as_str()),
            (Some(70.0), Some("kg")),
            "{}",
            res.json
        );
    }
);
