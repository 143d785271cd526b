//! Connecting a provider through the REST API: the platform gets a one-time consent URL for its
//! person, the browser that follows it needs no VitaSync session, and the callback returns it to
//! the platform's `redirectUrl` with the outcome; bad requests and replays store nothing.

use std::collections::HashMap;

use axum::http::StatusCode;
use serde_json::json;
use vitasync::with_db;

use crate::both_backends;
use crate::harness::{Client, TestApp};

fn query_of(location: &str) -> HashMap<String, String> {
    let q = location.split_once('?').map(|(_, q)| q).unwrap_or("");
    url::form_urlencoded::parse(q.as_bytes())
        .into_owned()
        .collect()
}

/// The consent page's decision (the demo provider's page asks its own signed-in person);
/// returns the callback path.
async fn decide(c: &Client, url: &str, decision: &str) -> String {
    let params = query_of(url);
    let mut fields: Vec<(&str, &str)> = params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    fields.push(("decision", decision));
    let res = c.post_form_html("/demo-provider/authorize", &fields).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let location = res.header("location").unwrap();
    location
        .strip_prefix("http://localhost")
        .unwrap()
        .to_string()
}

async fn connections(app: &TestApp) -> i64 {
    with_db!(app.db(), pool => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM provider_connections").fetch_one(pool).await).unwrap()
}

both_backends!(
    a_platform_connects_its_person_and_gets_them_back,
    listening,
    |app: TestApp| async move {
        let (ws, owner) = app.workspace("Acme").await;
        let user_id: String = with_db!(app.db(), pool => sqlx::query_scalar(
            "SELECT id FROM users WHERE email = 'owner@acme.test'").fetch_one(pool).await)
        .unwrap();
        let key = app.api_key(&ws, "read,write").await;
        let path = format!("/v1/users/{user_id}/connections");
        let back_to = "https://app.example/devices?tab=health";

        let start = app
            .api(
                "POST",
                &path,
                Some(&key),
                Some(json!({"providerId": "demo", "redirectUrl": back_to})),
            )
            .await;
        assert_eq!(start.status, StatusCode::CREATED, "{}", start.json);
        let url = start.json["url"].as_str().unwrap().to_string();
        assert!(
            url.starts_with("http://localhost/demo-provider/authorize?"),
            "{url}"
        );
        assert_eq!(query_of(&url)["code_challenge_method"], "S256");
        assert!(start.json["expiresAt"].is_string());

        // The person follows the link; the callback arrives in a browser with no VitaSync
        // session and no state cookie, and lands on the platform's page.
        let back = decide(&owner, &url, "allow").await;
        let anonymous = app.client();
        let res = anonymous.get(&back).await;
        assert_eq!(res.status, 303, "{}", res.body);
        let location = res.header("location").unwrap();
        assert!(location.starts_with("https://app.example/devices?tab=health&status=connected&provider=demo&connectionId="), "{location}");
        let list = app.api("GET", &path, Some(&key), None).await;
        assert_eq!(
            list.json["data"][0]["id"],
            query_of(&location)["connectionId"].as_str()
        );
        assert_eq!(list.json["data"][0]["status"], "active");

        // A replayed callback finds no state: nothing more is stored.
        let replay = anonymous.get(&back).await;
        assert_eq!(
            replay.header("location").unwrap(),
            "/connections?failed=state&provider=demo"
        );
        assert_eq!(connections(&app).await, 1);

        // Consent refused: back to the platform with the reason.
        let start = app
            .api(
                "POST",
                &path,
                Some(&key),
                Some(json!({"providerId": "demo", "redirectUrl": "https://app.example/x"})),
            )
            .await;
        let back = decide(&owner, start.json["url"].as_str().unwrap(), "deny").await;
        let res = anonymous.get(&back).await;
        assert_eq!(
            res.header("location").unwrap(),
            "https://app.example/x?status=error&error=denied&provider=demo"
        );
        assert_eq!(connections(&app).await, 1);
    }
);

both_backends!(
    bad_connection_requests_are_refused_and_store_nothing,
    listening,
    |app: TestApp| async move {
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
        let path = format!(
            "/v1/users/{}/connections",
            user.json["id"].as_str().unwrap()
        );
        for (body, fields) in [
            (
                json!({"providerId": "whoop", "redirectUrl": "https://a.example/"}),
                vec!["providerId"],
            ),
            (
                json!({"providerId": "nope", "redirectUrl": "javascript:alert(1)"}),
                vec!["providerId", "redirectUrl"],
            ),
            (
                json!({"providerId": "demo", "redirectUrl": "/relative"}),
                vec!["redirectUrl"],
            ),
            (
                json!({"providerId": "demo", "redirectUrl": "https://user:pw@a.example/"}),
                vec!["redirectUrl"],
            ),
        ] {
            let res = app.api("POST", &path, Some(&key), Some(body.clone())).await;
            assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(res.detail_fields(), fields, "{body}");
        }
        let missing = app
            .api(
                "POST",
                &path,
                Some(&key),
                Some(json!({"providerId": "demo"})),
            )
            .await;
        assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
        let states: i64 = with_db!(app.db(), pool => sqlx::query_scalar("SELECT COUNT(*) FROM oauth_states").fetch_one(pool).await).unwrap();
        assert_eq!(states, 0);

        let (other_ws, _) = app.workspace("Other").await;
        let other = app.api_key(&other_ws, "read,write").await;
        let foreign = app
            .api(
                "POST",
                &path,
                Some(&other),
                Some(json!({"providerId": "demo", "redirectUrl": "https://a.example/"})),
            )
            .await;
        assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    }
);
