//! Seek pages of the journal and water lists stay stable while rows arrive: a client paging
//! two at a time sees every row that existed when it started exactly once, in order, even when
//! new rows tie with the page it just read (same day or same instant; newer ids sort first).

use std::future::Future;

use axum::http::StatusCode;
use chrono::{Duration, Utc};
use serde_json::{json, Value};

use crate::both_backends;
use crate::harness::TestApp;

async fn setup(app: &TestApp) -> (String, String) {
    let (ws, _) = app.workspace("Acme").await;
    let key = app.api_key(&ws, "read,write").await;
    let user = app
        .api(
            "POST",
            "/v1/users",
            Some(&key),
            Some(json!({"externalId": "p1"})),
        )
        .await;
    (key, user.json["id"].as_str().unwrap().to_string())
}

fn ids(data: &Value) -> Vec<String> {
    data.as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect()
}

/// Pages through `path` two rows at a time; after each page `arrive` is given the page's last
/// row to add rows beside it. Returns the ids seen.
async fn page_through<F, Fut>(app: &TestApp, key: &str, path: &str, arrive: F) -> Vec<String>
where
    F: Fn(Value) -> Fut,
    Fut: Future<Output = ()>,
{
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = app
            .api(
                "GET",
                &format!("{path}?limit=2&cursor={cursor}"),
                Some(key),
                None,
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.json);
        seen.extend(ids(&page.json["data"]));
        arrive(
            page.json["data"]
                .as_array()
                .unwrap()
                .last()
                .unwrap()
                .clone(),
        )
        .await;
        match page.json["pagination"]["nextCursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => return seen,
        }
    }
}

async fn created(app: &TestApp, key: &str, path: &str, body: Value) {
    let res = app.api("POST", path, Some(key), Some(body)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.json);
}

both_backends!(
    journal_pages_stay_stable_while_entries_arrive,
    |app: TestApp| async move {
        let (key, user) = setup(&app).await;
        let path = format!("/v1/users/{user}/journal");
        let today = Utc::now().date_naive();
        // Seven entries over four days, several on the same day.
        for back in [4, 3, 3, 2, 2, 2, 1] {
            let day = (today - Duration::days(back)).to_string();
            created(
                &app,
                &key,
                &path,
                json!({"body": format!("day -{back}"), "entryDate": day}),
            )
            .await;
        }
        let before = app
            .api("GET", &format!("{path}?limit=500"), Some(&key), None)
            .await;
        let expected = ids(&before.json["data"]);
        assert_eq!(expected.len(), 7);
        let seen = page_through(&app, &key, &path, |last: Value| {
            let (app, key, path) = (&app, &key, &path);
            async move {
                // Same day as the cursor row (so it sorts before it) and a new entry today.
                created(
                    app,
                    key,
                    path,
                    json!({"body": "late", "entryDate": last["entryDate"]}),
                )
                .await;
                created(app, key, path, json!({"body": "today"})).await;
            }
        })
        .await;
        assert_eq!(seen, expected, "every entry once, newest day first");
        let after = app
            .api("GET", &format!("{path}?limit=500"), Some(&key), None)
            .await;
        assert_eq!(after.json["data"].as_array().unwrap().len(), 7 + 2 * 4);
    }
);

both_backends!(
    water_pages_stay_stable_while_drinks_arrive,
    |app: TestApp| async move {
        let (key, user) = setup(&app).await;
        let path = format!("/v1/users/{user}/water");
        let base = Utc::now() - Duration::hours(6);
        // Seven drinks, three of them logged at the very same instant.
        for minutes in [0, 30, 30, 30, 90, 120, 200] {
            let at = (base + Duration::minutes(minutes)).to_rfc3339();
            created(
                &app,
                &key,
                &path,
                json!({"amountMl": 200 + minutes, "loggedAt": at}),
            )
            .await;
        }
        let before = app
            .api("GET", &format!("{path}?limit=500"), Some(&key), None)
            .await;
        let expected = ids(&before.json["data"]);
        assert_eq!(expected.len(), 7);
        let seen = page_through(&app, &key, &path, |last: Value| {
            let (app, key, path) = (&app, &key, &path);
            async move {
                created(
                    app,
                    key,
                    path,
                    json!({"amountMl": 100, "loggedAt": last["loggedAt"]}),
                )
                .await;
                created(app, key, path, json!({"amountMl": 100})).await;
            }
        })
        .await;
        assert_eq!(seen, expected, "every drink once, newest first");
        let after = app
            .api("GET", &format!("{path}?limit=500"), Some(&key), None)
            .await;
        assert_eq!(after.json["data"].as_array().unwrap().len(), 7 + 2 * 4);
    }
);
