//! Connecting a provider through the REST API: the platform gets a one-time link to a VitaSync
//! page that names the workspace and the person before anything goes to the provider; the
//! browser that follows it needs no VitaSync session, and the callback returns it to the
//! platform's `redirectUrl` with the outcome; cancelling, bad requests and replays store nothing.

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

/// Opens a handoff link as the platform's user would (no VitaSync session), checks that the page
/// names the workspace, and continues; returns where the browser is sent (the consent page).
async fn follow_handoff(app: &TestApp, url: &str, workspace: &str) -> String {
    let path = url.strip_prefix("http://localhost").unwrap_or(url);
    assert!(path.starts_with("/connect/"), "{url}");
    let browser = app.client();
    let page = browser.get(path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(workspace), "{}", page.body);
    assert!(
        page.body.contains("Continue to VitaSync Demo"),
        "{}",
        page.body
    );
    assert!(page.body.contains("noindex"));
    let res = browser
        .post_form_html(path, &[("choice", "continue")])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    res.header("location").unwrap()
}

async fn oauth_states(app: &TestApp) -> i64 {
    with_db!(app.db(), pool => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM oauth_states").fetch_one(pool).await).unwrap()
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
        assert!(start.json["expiresAt"].is_string());
        let url = follow_handoff(&app, start.json["url"].as_str().unwrap(), "Acme").await;
        assert!(url.starts_with("/demo-provider/authorize?"), "{url}");
        assert_eq!(query_of(&url)["code_challenge_method"], "S256");

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
        let url = follow_handoff(&app, start.json["url"].as_str().unwrap(), "Acme").await;
        let back = decide(&owner, &url, "deny").await;
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

both_backends!(
    a_connect_link_names_workspace_and_person_before_the_provider,
    |app: TestApp| async move {
        let (ws, _) = app.workspace("Acme Health").await;
        let key = app.api_key(&ws, "read,write").await;
        let user = app
            .api(
                "POST",
                "/v1/users",
                Some(&key),
                Some(json!({"externalId": "p1", "displayName": "Robin Example"})),
            )
            .await;
        let path = format!(
            "/v1/users/{}/connections",
            user.json["id"].as_str().unwrap()
        );
        let start = |back: &'static str| {
            let (app, key, path) = (&app, &key, &path);
            async move {
                let res = app
                    .api(
                        "POST",
                        path,
                        Some(key),
                        Some(json!({"providerId": "demo", "redirectUrl": back})),
                    )
                    .await;
                assert_eq!(res.status, StatusCode::CREATED, "{}", res.json);
                let url = res.json["url"].as_str().unwrap().to_string();
                url.strip_prefix("http://localhost").unwrap().to_string()
            }
        };

        // The link is VitaSync's page, not the provider's: nothing is authorized yet.
        let link = start("https://app.example/back").await;
        assert!(link.starts_with("/connect/"), "{link}");
        assert_eq!(oauth_states(&app).await, 0);
        let browser = app.client();
        let page = browser.get(&link).await;
        assert_eq!(page.status, 200);
        for shown in ["Acme Health", "Robin Example", "Demo", "app.example"] {
            assert!(page.body.contains(shown), "{shown}: {}", page.body);
        }
        // Looking is not using: the page can be opened again.
        assert_eq!(browser.get(&link).await.status, 200);

        // Cancel: back to the platform as a refusal, nothing stored, the link used up.
        let res = browser.post_form_html(&link, &[("choice", "cancel")]).await;
        assert_eq!(res.status, 303);
        assert_eq!(
            res.header("location").unwrap(),
            "https://app.example/back?status=error&error=denied&provider=demo"
        );
        assert_eq!(oauth_states(&app).await, 0);
        let again = browser
            .post_form_html(&link, &[("choice", "continue")])
            .await;
        assert_eq!(again.header("location").as_deref(), Some(link.as_str()));
        let gone = browser.get(&link).await;
        assert!(
            gone.body.contains("expired or was already used"),
            "{}",
            gone.body
        );
        assert!(!gone.body.contains("Robin Example"));
        assert_eq!(oauth_states(&app).await, 0);

        // Continue works once; a second submission finds the link used.
        let link = start("https://app.example/back").await;
        let res = browser
            .post_form_html(&link, &[("choice", "continue")])
            .await;
        assert!(res
            .header("location")
            .unwrap()
            .starts_with("/demo-provider/authorize?"));
        assert_eq!(oauth_states(&app).await, 1);
        let twice = browser
            .post_form_html(&link, &[("choice", "continue")])
            .await;
        assert_eq!(twice.header("location").as_deref(), Some(link.as_str()));
        assert_eq!(oauth_states(&app).await, 1);

        // An expired link shows nothing of the person and authorizes nothing.
        let link = start("https://app.example/back").await;
        with_db!(app.db(), pool => sqlx::query("UPDATE connect_handoffs SET expires_at = $1")
            .bind(chrono::Utc::now() - chrono::Duration::minutes(1))
            .execute(pool).await.map(|r| r.rows_affected()))
        .unwrap();
        let page = browser.get(&link).await;
        assert!(!page.body.contains("Robin Example"), "{}", page.body);
        let res = browser
            .post_form_html(&link, &[("choice", "continue")])
            .await;
        assert_eq!(res.header("location").as_deref(), Some(link.as_str()));
        assert_eq!(oauth_states(&app).await, 1);

        // A form posted from another site is refused (the origin check covers this page).
        let link = start("https://app.example/back").await;
        let forged = browser
            .post_form_from(
                &link,
                &[("choice", "continue")],
                Some("https://evil.example"),
            )
            .await;
        assert_eq!(forged.status, 403, "{}", forged.body);
        assert_eq!(oauth_states(&app).await, 1);
    }
);
