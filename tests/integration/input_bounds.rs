//! Dates and path segments at the edges of what the code can hold are answered in words, never
//! with a panic or a 5xx: days beyond chrono's range (`-262143-01-02`, `+262142-12-31`) on the
//! REST API (400/422 in the error envelope), calendars, charts, the heart and workout pages and
//! the forms; and a provider callback whose path segment is not a provider (`%0A`).

use axum::http::StatusCode;
use chrono::Utc;
use serde_json::json;
use vitasync::error::AppError;
use vitasync::habits::server_fns::HabitDetail;
use vitasync::health::server_fns::{HeartView, MetricDetail};
use vitasync::journal::server_fns::JournalView;
use vitasync::workouts::server_fns::WorkoutList;

use crate::both_backends;
use crate::harness::{ApiResponse, Client, TestApp};

const UNPROCESSABLE: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;

/// Days at (and just inside) chrono's own limits, and far outside 1900–2200.
const EXTREME_DAYS: [&str; 4] = [
    "-262143-01-02",
    "+262142-12-31",
    "-262143-01-01",
    "9999-12-31",
];

/// A workspace with a read-and-write key and one API user.
async fn api_user(app: &TestApp) -> (String, String) {
    let (ws, _) = app.workspace("Acme").await;
    let key = app.api_key(&ws, "read,write").await;
    let user = app
        .api(
            "POST",
            "/v1/users",
            Some(&key),
            Some(json!({"externalId": "p1", "timezone": "Pacific/Tongatapu"})),
        )
        .await;
    assert_eq!(user.status, StatusCode::CREATED, "{}", user.json);
    (key, user.json["id"].as_str().unwrap().to_string())
}

/// A 400 `invalid_query` envelope whose details say which dates are accepted.
fn assert_bad_query(r: &ApiResponse, what: &str) {
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{what}: {}", r.json);
    assert_eq!(r.code(), "invalid_query", "{what}: {}", r.json);
    let details = r.json["error"]["details"].to_string();
    assert!(
        details.contains("1900") && details.contains("2200"),
        "{what}: the bounds are named: {}",
        r.json
    );
}

/// Percent-encodes a query value (`+` would otherwise arrive as a space).
fn q(v: &str) -> String {
    v.replace('+', "%2B")
}

both_backends!(
    rest_dates_beyond_the_bounds_are_a_400_envelope,
    |app: TestApp| async move {
        let (key, user) = api_user(&app).await;
        let health = format!("/v1/users/{user}/health");
        for query in [
            "to=-262143-01-02".to_string(),
            format!("from={}", q("+262142-12-31")),
            format!("from={}&to={}", q("+262142-12-31"), q("+262142-12-31")),
            "from=-262143-01-01&to=-262143-01-02".to_string(),
            "to=1899-12-31".to_string(),
            "from=2201-01-01&to=2201-01-02".to_string(),
        ] {
            let r = app
                .api("GET", &format!("{health}?{query}"), Some(&key), None)
                .await;
            assert_bad_query(&r, &query);
        }
        // The edges of the bounds themselves are days like any other.
        let r = app
            .api(
                "GET",
                &format!("{health}?from=1900-01-01&to=1900-01-31"),
                Some(&key),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);
        let r = app
            .api(
                "GET",
                &format!("{health}?from=2200-12-01&to=2200-12-31"),
                Some(&key),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json);

        let journal = format!("/v1/users/{user}/journal");
        for day in EXTREME_DAYS {
            for field in ["from", "to"] {
                let query = format!("{field}={}", q(day));
                let r = app
                    .api("GET", &format!("{journal}?{query}"), Some(&key), None)
                    .await;
                assert_bad_query(&r, &query);
            }
        }
        // A forged cursor naming a day out of bounds is refused like any foreign cursor.
        let forged = vitasync::api::pagination::encode_cursor(&("-262143-01-01", "x"));
        let r = app
            .api(
                "GET",
                &format!("{journal}?cursor={forged}"),
                Some(&key),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.json);
        assert_eq!(r.detail_fields(), ["cursor"]);

        // Moments on the lists of sessions, mood and water: within the same years.
        for path in ["events", "mood", "water"] {
            let r = app
                .api(
                    "GET",
                    &format!("/v1/users/{user}/{path}?from=1000-01-01T00:00:00Z"),
                    Some(&key),
                    None,
                )
                .await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}: {}", r.json);
            assert_eq!(r.detail_fields(), ["from"], "{path}");
        }
    }
);

both_backends!(
    rest_bodies_with_days_beyond_the_bounds_are_a_422_envelope,
    |app: TestApp| async move {
        let (key, user) = api_user(&app).await;
        for day in EXTREME_DAYS {
            let r = app
                .api(
                    "POST",
                    &format!("/v1/users/{user}/journal"),
                    Some(&key),
                    Some(json!({"body": "A day.", "entryDate": day})),
                )
                .await;
            assert_eq!(r.status, UNPROCESSABLE, "{day}: {}", r.json);
            assert_eq!(r.code(), "validation_failed");
            assert!(
                r.json["error"]["message"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("between 1900-01-01 and 2200-12-31"),
                "{day}: {}",
                r.json
            );
        }
        let habit = app
            .api(
                "POST",
                &format!("/v1/users/{user}/habits"),
                Some(&key),
                Some(json!({"name": "Run"})),
            )
            .await;
        assert_eq!(habit.status, StatusCode::CREATED, "{}", habit.json);
        let id = habit.json["id"].as_str().unwrap();
        for day in EXTREME_DAYS {
            let r = app
                .api(
                    "POST",
                    &format!("/v1/users/{user}/habits/{id}/check-ins"),
                    Some(&key),
                    Some(json!({"date": day})),
                )
                .await;
            assert_eq!(r.status, UNPROCESSABLE, "{day}: {}", r.json);
            let r = app
                .api(
                    "DELETE",
                    &format!("/v1/users/{user}/habits/{id}/check-ins/{}", q(day)),
                    Some(&key),
                    None,
                )
                .await;
            assert_eq!(r.status, UNPROCESSABLE, "{day}: {}", r.json);
        }
        // A moment long before 1900 is refused in words, not stored.
        let r = app
            .api(
                "POST",
                &format!("/v1/users/{user}/mood"),
                Some(&key),
                Some(json!({"score": 4, "recordedAt": "1000-01-01T00:00:00Z"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.json);
        assert_eq!(r.detail_fields(), ["recordedAt"]);
    }
);

/// Today's month in Paris (the owner's zone), as the calendars title it.
fn this_month_title() -> String {
    Utc::now()
        .with_timezone(&chrono_tz::Europe::Paris)
        .date_naive()
        .format("%B %Y")
        .to_string()
}

/// Far months: out of bounds, malformed or in the future; each shows this month.
const FAR_MONTHS: [&str; 7] = [
    "-262143-01",
    "-262143-01-01",
    "+262142-12",
    "+262142-12-01",
    "1899-12",
    "9999-12-01",
    "2200-12",
];

async fn owner_with_habit(app: &TestApp) -> (Client, String) {
    let owner = app.setup_owner("owner@example.com", "owner-password").await;
    let id: String = owner
        .call(
            "habits/create",
            &[
                ("name", "Run"),
                ("icon", "🏃"),
                ("color", "green"),
                ("frequency", "daily"),
            ],
        )
        .await
        .unwrap();
    (owner, id)
}

both_backends!(
    calendars_fall_back_to_this_month_for_far_months,
    |app: TestApp| async move {
        let (owner, id) = owner_with_habit(&app).await;
        let this_month = this_month_title();
        for month in FAR_MONTHS {
            let d: HabitDetail = owner
                .call("habits/detail", &[("id", &id), ("month", month)])
                .await
                .unwrap_or_else(|e| panic!("habit calendar for {month}: {e:?}"));
            assert_eq!(d.month.title, this_month, "{month}");
            let j: JournalView = owner
                .call("journal/list", &[("month", month)])
                .await
                .unwrap_or_else(|e| panic!("journal calendar for {month}: {e:?}"));
            assert_eq!(j.calendar.title, this_month, "{month}");
            let j: JournalView = owner
                .call("journal/list", &[("date", month)])
                .await
                .unwrap_or_else(|e| panic!("journal day filter {month}: {e:?}"));
            assert_eq!(j.calendar.title, this_month, "{month}");
            let url = format!("/habits/{id}?month={}", q(month));
            assert!(owner.get(&url).await.status.as_u16() < 500, "{url}");
            let url = format!("/journal?month={}&date={}", q(month), q(month));
            assert!(owner.get(&url).await.status.as_u16() < 500, "{url}");
        }
        // The first month there is: drawn whole, with nothing before it to go to.
        let d: HabitDetail = owner
            .call("habits/detail", &[("id", &id), ("month", "1900-01")])
            .await
            .unwrap();
        assert_eq!(d.month.title, "January 1900");
        assert_eq!(d.month.prev, None);
        assert_eq!(d.month.next.as_deref(), Some("1900-02-01"));
        // A month named by one of its days (the calendars' own links) still works.
        let d: HabitDetail = owner
            .call("habits/detail", &[("id", &id), ("month", "2024-02-01")])
            .await
            .unwrap();
        assert_eq!(d.month.title, "February 2024");
        assert_eq!(d.month.prev.as_deref(), Some("2024-01-01"));
        // Far years on the year in pixels fall back to this one.
        for year in ["-262143", "262142", "99999999999"] {
            let url = format!("/habits/{id}?year={year}");
            assert!(owner.get(&url).await.status.as_u16() < 500, "{url}");
            let url = format!("/mood?year={year}");
            assert!(owner.get(&url).await.status.as_u16() < 500, "{url}");
        }
        // Checking a far day from the calendar is refused in words.
        for day in EXTREME_DAYS {
            let err = owner
                .call::<()>(
                    "habits/check",
                    &[("id", &id), ("done", "true"), ("date", day)],
                )
                .await
                .unwrap_err();
            assert!(err.for_field("date").is_some(), "{day}: {err:?}");
        }
    }
);

both_backends!(
    charts_heart_and_workouts_refuse_far_days_in_words,
    |app: TestApp| async move {
        let owner = app.setup_owner("owner@example.com", "owner-password").await;
        for day in EXTREME_DAYS {
            for (from, to) in [(day, day), (day, "2025-06-01"), ("2025-06-01", day)] {
                let err = owner
                    .call::<MetricDetail>(
                        "health/metric",
                        &[
                            ("metric", "steps"),
                            ("range", "custom"),
                            ("from", from),
                            ("to", to),
                        ],
                    )
                    .await
                    .unwrap_err();
                assert!(
                    matches!(err, AppError::Invalid { .. }),
                    "{from}..{to}: {err:?}"
                );
                let url = format!("/trends/steps?range=custom&from={}&to={}", q(from), q(to));
                assert!(owner.get(&url).await.status.as_u16() < 500, "{url}");
                let csv = format!("/export/health/steps.csv?from={}&to={}", q(from), q(to));
                let status = owner.get(&csv).await.status;
                assert_eq!(status, StatusCode::BAD_REQUEST, "{csv}");

                let err = owner
                    .call::<WorkoutList>("workouts/list", &[("from", from), ("to", to)])
                    .await
                    .unwrap_err();
                let invalid = matches!(err, AppError::Invalid { .. });
                assert!(invalid, "{from}..{to}: {err:?}");
                let url = format!("/workouts?from={}&to={}", q(from), q(to));
                assert!(owner.get(&url).await.status.as_u16() < 500, "{url}");
            }
            let err = owner
                .call::<HeartView>("health/heart", &[("day", day)])
                .await
                .unwrap_err();
            assert!(err.for_field("day").is_some(), "{day}: {err:?}");
            let url = format!("/heart?day={}", q(day));
            assert!(owner.get(&url).await.status.as_u16() < 500, "{url}");

            let err = owner
                .call::<()>(
                    "measurements/add",
                    &[
                        ("metric", "weight"),
                        ("value", "70"),
                        ("date", day),
                        ("time", ""),
                    ],
                )
                .await
                .unwrap_err();
            assert!(err.for_field("date").is_some(), "{day}: {err:?}");
            let err = owner
                .call::<()>("mood/add", &[("score", "4"), ("date", day)])
                .await
                .unwrap_err();
            assert!(err.for_field("date").is_some(), "{day}: {err:?}");
        }
        // Custom ranges starting after today are refused rather than drawn backwards.
        let err = owner
            .call::<MetricDetail>(
                "health/metric",
                &[
                    ("metric", "steps"),
                    ("range", "custom"),
                    ("from", "2200-01-01"),
                    ("to", "2200-12-31"),
                ],
            )
            .await
            .unwrap_err();
        assert!(err.for_field("from").is_some(), "{err:?}");
        // The first day there is has a heart page, with a link to the day before it.
        let first: HeartView = owner
            .call("health/heart", &[("day", "1900-01-01")])
            .await
            .unwrap();
        assert_eq!(first.day, "1900-01-01");
        assert_eq!(first.next_day.as_deref(), Some("1900-01-02"));
    }
);

both_backends!(
    a_provider_callback_for_no_provider_answers_without_a_panic,
    |app: TestApp| async move {
        let signed_out = app.client();
        for path in [
            "/connections/%0A/callback",
            "/connections/%0A/callback?state=x&code=y",
            "/connections/%0D%0ASet-Cookie:%20x=1/callback",
            "/connections/a%20b/callback",
            "/connections/%E2%9C%93/callback",
            "/connections/nosuch/callback",
        ] {
            let r = signed_out.get(path).await;
            assert!(r.status.as_u16() < 500, "{path}: {}", r.status);
            assert!(
                r.status.is_redirection(),
                "{path}: answered like any unknown provider ({})",
                r.status
            );
            assert!(
                !r.header("set-cookie")
                    .is_some_and(|c| c.contains("vitasync_oauth")),
                "{path}: no state cookie"
            );
        }
        let owner = app.setup_owner("owner@example.com", "owner-password").await;
        let r = owner.get("/connections/%0A/callback").await;
        assert!(r.status.is_redirection(), "signed in: {}", r.status);
        assert_eq!(
            r.header("location").as_deref(),
            Some("/connections?failed=unavailable&provider=unknown")
        );
        let r = owner.post_form("/connections/%0A/connect", &[]).await;
        assert!(r.status.as_u16() < 500, "connect: {}", r.status);
    }
);
