//! The REST API's wellness resources (journal, water, mood, habits, goals): each written and
//! read back, refused with field-level details when a value breaks the app's rules, deleted,
//! and paged stably; days and streaks are counted in the person's own zone.

use axum::http::StatusCode;
use chrono::{Duration, Utc};
use serde_json::{json, Value};

use crate::both_backends;
use crate::harness::{ApiResponse, TestApp};

const ZONE: &str = "Pacific/Tongatapu";

/// A workspace with a read-and-write key and one API user in UTC+13.
async fn setup(app: &TestApp) -> (String, String) {
    let (ws, _) = app.workspace("Acme").await;
    let key = app.api_key(&ws, "read,write").await;
    let user = app
        .api(
            "POST",
            "/v1/users",
            Some(&key),
            Some(json!({"externalId": "p1", "timezone": ZONE})),
        )
        .await;
    assert_eq!(user.status, StatusCode::CREATED, "{}", user.json);
    (key, user.json["id"].as_str().unwrap().to_string())
}

fn today_there() -> chrono::NaiveDate {
    Utc::now()
        .with_timezone(&ZONE.parse::<chrono_tz::Tz>().unwrap())
        .date_naive()
}

async fn post(app: &TestApp, key: &str, path: &str, body: Value) -> ApiResponse {
    app.api("POST", path, Some(key), Some(body)).await
}

fn ids(page: &ApiResponse) -> Vec<String> {
    page.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect()
}

both_backends!(
    journal_entries_are_written_filtered_and_deleted,
    |app: TestApp| async move {
        let (key, user) = setup(&app).await;
        let path = format!("/v1/users/{user}/journal");
        let made = post(
        &app,
        &key,
        &path,
        json!({"title": "Long run", "body": "Felt **great**.", "moodScore": 5, "moodLabel": "energized",
               "gratitude": ["sun", " "], "tags": ["Running", "outdoors"]}),
    )
    .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.json);
        assert_eq!(
            made.json["entryDate"],
            today_there().to_string(),
            "today in the person's zone"
        );
        assert_eq!(made.json["tags"], json!(["running", "outdoors"]));
        assert_eq!(made.json["gratitude"], json!(["sun"]));
        let id = made.json["id"].as_str().unwrap().to_string();
        let older = post(
        &app,
        &key,
        &path,
        json!({"body": "Rest day", "entryDate": (today_there() - Duration::days(3)).to_string()}),
    )
    .await;
        assert_eq!(older.status, StatusCode::CREATED);

        let bad = post(&app, &key, &path, json!({"body": " ", "moodScore": 3})).await;
        assert_eq!(
            (bad.status, bad.detail_fields()),
            (StatusCode::UNPROCESSABLE_ENTITY, vec!["body".to_string()])
        );
        let bad = post(&app, &key, &path, json!({"body": "x", "moodScore": 9})).await;
        assert_eq!(bad.detail_fields(), vec!["moodScore"]);
        let bad = post(&app, &key, &path, json!({"body": "x", "moodLabel": "meh"})).await;
        assert_eq!(bad.detail_fields(), vec!["moodLabel"]);
        let tomorrow = (today_there() + Duration::days(1)).to_string();
        let bad = post(
            &app,
            &key,
            &path,
            json!({"body": "x", "entryDate": tomorrow}),
        )
        .await;
        assert_eq!(bad.detail_fields(), vec!["entryDate"]);
        let bad = post(&app, &key, &path, json!({"body": "x", "mood": 3})).await;
        assert_eq!(
            bad.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown fields are refused"
        );

        let all = app.api("GET", &path, Some(&key), None).await;
        assert_eq!(
            all.json["data"].as_array().unwrap().len(),
            2,
            "nothing bad was stored"
        );
        assert_eq!(all.json["data"][0]["id"], id.as_str(), "newest day first");
        let tagged = app
            .api("GET", &format!("{path}?tag=running"), Some(&key), None)
            .await;
        assert_eq!(ids(&tagged), vec![id.clone()]);
        let from = app
            .api(
                "GET",
                &format!("{path}?to={}", today_there() - Duration::days(1)),
                Some(&key),
                None,
            )
            .await;
        assert_eq!(from.json["data"][0]["body"], "Rest day");
        let bad = app
            .api("GET", &format!("{path}?from=yesterday"), Some(&key), None)
            .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);

        let one = app
            .api("GET", &format!("{path}/{id}"), Some(&key), None)
            .await;
        assert_eq!(one.json["moodScore"], 5);
        let gone = app
            .api("DELETE", &format!("{path}/{id}"), Some(&key), None)
            .await;
        assert_eq!(gone.status, StatusCode::NO_CONTENT);
        let again = app
            .api("DELETE", &format!("{path}/{id}"), Some(&key), None)
            .await;
        assert_eq!(again.status, StatusCode::NOT_FOUND);
        let missing = app
            .api("GET", &format!("{path}/{id}"), Some(&key), None)
            .await;
        assert_eq!(
            (missing.status, missing.code()),
            (StatusCode::NOT_FOUND, "not_found")
        );
    }
);

both_backends!(
    water_is_logged_against_the_goal_and_refused_when_wrong,
    |app: TestApp| async move {
        let (key, user) = setup(&app).await;
        let path = format!("/v1/users/{user}/water");
        let an_hour_ago = (Utc::now() - Duration::hours(1)).to_rfc3339();
        let made = post(
            &app,
            &key,
            &path,
            json!({"amountMl": 330, "beverageType": "tea", "loggedAt": an_hour_ago}),
        )
        .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.json);
        assert_eq!(
            (
                made.json["amountMl"].clone(),
                made.json["dailyGoalMl"].clone()
            ),
            (json!(330), json!(2500))
        );
        let plain = post(&app, &key, &path, json!({"amountMl": 250})).await;
        assert_eq!(plain.json["beverageType"], "water");

        for (body, field) in [
            (json!({"amountMl": 0}), "amountMl"),
            (json!({"amountMl": 5001}), "amountMl"),
            (
                json!({"amountMl": 200, "beverageType": "beer"}),
                "beverageType",
            ),
            (
                json!({"amountMl": 200, "loggedAt": (Utc::now() + Duration::hours(2)).to_rfc3339()}),
                "loggedAt",
            ),
            (json!({"amountMl": 200, "note": "n".repeat(201)}), "note"),
        ] {
            let bad = post(&app, &key, &path, body.clone()).await;
            assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(bad.detail_fields(), vec![field.to_string()], "{body}");
        }
        let bad = post(&app, &key, &path, json!({"amountMl": "a glass"})).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

        let list = app.api("GET", &path, Some(&key), None).await;
        assert_eq!(
            ids(&list),
            vec![
                plain.json["id"].as_str().unwrap(),
                made.json["id"].as_str().unwrap()
            ]
        );
        let since = (Utc::now() - Duration::minutes(30))
            .to_rfc3339()
            .replace('+', "%2B");
        let recent = app
            .api("GET", &format!("{path}?from={since}"), Some(&key), None)
            .await;
        assert_eq!(recent.json["data"].as_array().unwrap().len(), 1);
        let id = made.json["id"].as_str().unwrap();
        let gone = app
            .api("DELETE", &format!("{path}/{id}"), Some(&key), None)
            .await;
        assert_eq!(gone.status, StatusCode::NO_CONTENT);
        let again = app
            .api("DELETE", &format!("{path}/{id}"), Some(&key), None)
            .await;
        assert_eq!(again.status, StatusCode::NOT_FOUND);
    }
);

both_backends!(
    mood_pages_stay_stable_while_check_ins_arrive,
    |app: TestApp| async move {
        let (key, user) = setup(&app).await;
        let path = format!("/v1/users/{user}/mood");
        let mut made = Vec::new();
        for i in 0..5 {
            let at = (Utc::now() - Duration::hours(10 - i)).to_rfc3339();
            let m = post(
                &app,
                &key,
                &path,
                json!({"score": 1 + i % 5, "energyLevel": 3, "tags": ["work"], "recordedAt": at}),
            )
            .await;
            assert_eq!(m.status, StatusCode::CREATED, "{}", m.json);
            made.push(m.json["id"].as_str().unwrap().to_string());
        }
        assert_eq!(
            app.api("GET", &format!("{path}?limit=1"), Some(&key), None)
                .await
                .json["data"][0]["mood"],
            "great"
        );
        let mut seen = Vec::new();
        let mut cursor = String::new();
        loop {
            let page = app
                .api(
                    "GET",
                    &format!("{path}?limit=2&cursor={cursor}"),
                    Some(&key),
                    None,
                )
                .await;
            assert_eq!(page.status, StatusCode::OK, "{}", page.json);
            seen.extend(ids(&page));
            // A newer check-in arrives between pages: it belongs before the first page, so it
            // neither shifts nor repeats what the client already has.
            post(&app, &key, &path, json!({"score": 3})).await;
            match page.json["pagination"]["nextCursor"].as_str() {
                Some(c) => cursor = c.to_string(),
                None => break,
            }
        }
        made.reverse();
        assert_eq!(seen, made, "every original check-in once, newest first");

        for (body, field) in [
            (json!({"score": 0}), "score"),
            (json!({"score": 3, "stressLevel": 6}), "stressLevel"),
            (json!({"score": 3, "notes": "n".repeat(1001)}), "notes"),
            (
                json!({"score": 3, "recordedAt": (Utc::now() + Duration::days(1)).to_rfc3339()}),
                "recordedAt",
            ),
        ] {
            let bad = post(&app, &key, &path, body.clone()).await;
            assert_eq!(bad.detail_fields(), vec![field.to_string()], "{body}");
        }
        let gone = app
            .api("DELETE", &format!("{path}/{}", made[0]), Some(&key), None)
            .await;
        assert_eq!(gone.status, StatusCode::NO_CONTENT);
    }
);

both_backends!(
    habit_check_ins_count_streaks_in_the_persons_zone,
    |app: TestApp| async move {
        let (key, user) = setup(&app).await;
        let path = format!("/v1/users/{user}/habits");
        let habit = post(&app, &key, &path, json!({"name": "Stretch", "icon": "🧘"})).await;
        assert_eq!(habit.status, StatusCode::CREATED, "{}", habit.json);
        assert_eq!(habit.json["targetDays"], json!([0, 1, 2, 3, 4, 5, 6]));
        let id = habit.json["id"].as_str().unwrap().to_string();
        let checks = format!("{path}/{id}/check-ins");

        let today = post(&app, &key, &checks, json!({})).await;
        assert_eq!(today.status, StatusCode::OK, "{}", today.json);
        assert_eq!(
            today.json["date"],
            today_there().to_string(),
            "today in the person's zone"
        );
        assert_eq!(today.json["currentStreak"], 1);
        let yesterday = (today_there() - Duration::days(1)).to_string();
        let two = post(
            &app,
            &key,
            &checks,
            json!({"date": yesterday, "note": "late"}),
        )
        .await;
        assert_eq!(two.json["currentStreak"], 2);
        let repeat = post(&app, &key, &checks, json!({"date": yesterday})).await;
        assert_eq!(
            (
                repeat.json["currentStreak"].clone(),
                repeat.json["longestStreak"].clone()
            ),
            (json!(2), json!(2)),
            "idempotent"
        );
        let undo = app
            .api(
                "DELETE",
                &format!("{checks}/{}", today_there()),
                Some(&key),
                None,
            )
            .await;
        assert_eq!(
            (
                undo.json["done"].clone(),
                undo.json["currentStreak"].clone(),
                undo.json["longestStreak"].clone()
            ),
            (json!(false), json!(1), json!(1)),
            "yesterday still counts while today is open"
        );

        let tomorrow = (today_there() + Duration::days(1)).to_string();
        let bad = post(&app, &key, &checks, json!({"date": tomorrow})).await;
        assert_eq!(bad.detail_fields(), vec!["date"]);
        let bad = app
            .api("DELETE", &format!("{checks}/someday"), Some(&key), None)
            .await;
        assert_eq!(bad.detail_fields(), vec!["date"]);
        let bad = post(
            &app,
            &key,
            &path,
            json!({"name": "Gym", "frequency": "custom", "targetDays": [9]}),
        )
        .await;
        assert_eq!(bad.detail_fields(), vec!["targetDays"]);
        let bad = post(
            &app,
            &key,
            &path,
            json!({"name": "Gym", "frequency": "custom"}),
        )
        .await;
        assert_eq!(bad.detail_fields(), vec!["frequency"]);
        let custom = post(
            &app,
            &key,
            &path,
            json!({"name": "Gym", "frequency": "custom", "targetDays": [4, 0, 2]}),
        )
        .await;
        assert_eq!(custom.json["targetDays"], json!([0, 2, 4]));

        let list = app
            .api("GET", &format!("{path}?limit=1"), Some(&key), None)
            .await;
        assert_eq!(ids(&list), vec![id.clone()]);
        assert_eq!(list.json["data"][0]["currentStreak"], 1);
        let next = list.json["pagination"]["nextCursor"].as_str().unwrap();
        let rest = app
            .api(
                "GET",
                &format!("{path}?limit=1&cursor={next}"),
                Some(&key),
                None,
            )
            .await;
        assert_eq!(rest.json["data"][0]["name"], "Gym");
        let gone = app
            .api("DELETE", &format!("{path}/{id}"), Some(&key), None)
            .await;
        assert_eq!(gone.status, StatusCode::NO_CONTENT);
        let after = post(&app, &key, &checks, json!({})).await;
        assert_eq!(after.status, StatusCode::NOT_FOUND);
    }
);

both_backends!(
    goals_report_progress_from_the_persons_data,
    |app: TestApp| async move {
        let (key, user) = setup(&app).await;
        let path = format!("/v1/users/{user}/goals");
        post(
            &app,
            &key,
            &format!("/v1/users/{user}/water"),
            json!({"amountMl": 1500}),
        )
        .await;
        let goal = post(
            &app,
            &key,
            &path,
            json!({"metricType": "water_ml", "targetValue": 2000}),
        )
        .await;
        assert_eq!(goal.status, StatusCode::CREATED, "{}", goal.json);
        assert_eq!(
            (goal.json["cadence"].clone(), goal.json["direction"].clone()),
            (json!("daily"), json!("at_least"))
        );
        assert_eq!(
            (goal.json["currentValue"].clone(), goal.json["met"].clone()),
            (json!(1500.0), json!(false))
        );
        assert_eq!(goal.json["percent"], 75.0);
        post(
            &app,
            &key,
            &format!("/v1/users/{user}/water"),
            json!({"amountMl": 600}),
        )
        .await;
        let list = app.api("GET", &path, Some(&key), None).await;
        assert_eq!(list.json["data"][0]["met"], true);
        assert_eq!(list.json["data"][0]["currentValue"], 2100.0);

        for (body, field) in [
            (
                json!({"metricType": "karma", "targetValue": 1}),
                "metricType",
            ),
            (
                json!({"metricType": "steps", "targetValue": -5}),
                "targetValue",
            ),
            (
                json!({"metricType": "steps", "targetValue": 100, "cadence": "hourly"}),
                "cadence",
            ),
            (
                json!({"metricType": "steps", "targetValue": 100, "direction": "reach"}),
                "direction",
            ),
        ] {
            let bad = post(&app, &key, &path, body.clone()).await;
            assert_eq!(bad.detail_fields(), vec![field.to_string()], "{body}");
        }
        let id = goal.json["id"].as_str().unwrap();
        let gone = app
            .api("DELETE", &format!("{path}/{id}"), Some(&key), None)
            .await;
        assert_eq!(gone.status, StatusCode::NO_CONTENT);
        let list = app.api("GET", &path, Some(&key), None).await;
        assert_eq!(list.json["data"], json!([]));
    }
);
