//! Outgoing webhooks against a local receiver: Standard Webhooks signatures checked by an
//! independent implementation, the retry schedule, Retry-After, 410 Gone, endpoints failing
//! for days, no redirects, the SSRF guard, the admin pages and the API's tenant isolation.

use axum::http::StatusCode;
use chrono::{Duration, Utc};
use serde_json::json;
use vitasync::platform::egress::Policy;
use vitasync::webhooks::sender::{Sender, Sent};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::harness::{Backend, TestApp};

/// The development setting that lets webhooks reach the local receiver.
fn private_targets(c: &mut vitasync::platform::config::Config) {
    c.allow_private_webhooks = true;
}

async fn dev_app(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, private_targets).await
}

fn sender(app: &TestApp, allow_private: bool) -> Sender {
    Sender::new(
        app.db().clone(),
        app.state.config.keys.clone(),
        Policy { allow_private },
    )
}

/// A workspace with an admin key and one endpoint at `url` for `events`; returns the key, the
/// endpoint id and its secret.
async fn endpoint(app: &TestApp, url: &str, events: serde_json::Value) -> (String, String, String) {
    let (ws, _) = app.workspace("Acme").await;
    let key = app.api_key(&ws, "admin").await;
    let r = app
        .api(
            "POST",
            "/v1/webhooks",
            Some(&key),
            Some(json!({"url": url, "events": events, "description": "CRM"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    let secret = r.json["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"));
    (key, r.json["id"].as_str().unwrap().to_string(), secret)
}

async fn receiver(status: u16) -> MockServer {
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/hooks"))
        .respond_with(ResponseTemplate::new(status).set_body_string("thanks"))
        .mount(&mock)
        .await;
    mock
}

fn header_map(req: &wiremock::Request) -> http::HeaderMap {
    let mut h = http::HeaderMap::new();
    for (k, v) in req.headers.iter() {
        h.insert(
            http::HeaderName::from_bytes(k.as_str().as_bytes()).unwrap(),
            http::HeaderValue::from_bytes(v.as_bytes()).unwrap(),
        );
    }
    h
}

crate::both_backends_with!(
    signed_delivery,
    private_targets,
    |app: TestApp| async move {
        let mock = receiver(200).await;
        let (key, hook, secret) = endpoint(
            &app,
            &format!("{}/hooks", mock.uri()),
            json!(["user.created", "user.updated"]),
        )
        .await;

        let user = app
            .api(
                "POST",
                "/v1/users",
                Some(&key),
                Some(json!({"externalId": "cust_1"})),
            )
            .await;
        let user_id = user.json["id"].as_str().unwrap().to_string();
        // Not subscribed: nothing is queued for it.
        app.api("DELETE", &format!("/v1/users/{user_id}"), Some(&key), None)
            .await;

        let sent = sender(&app, true).run_due(Utc::now()).await.unwrap();
        assert_eq!(sent, vec![Sent::Delivered]);
        let reqs = mock.received_requests().await.unwrap();
        assert_eq!(reqs.len(), 1);
        let req = &reqs[0];
        let headers = header_map(req);
        // An independent Standard Webhooks implementation accepts the signature…
        let verifier = standardwebhooks::Webhook::new(&secret).expect("secret format");
        verifier
            .verify(&req.body, &headers)
            .expect("signature verifies");
        // …and refuses a tampered body or another secret.
        let mut tampered = req.body.clone();
        tampered.push(b' ');
        assert!(verifier.verify(&tampered, &headers).is_err());
        let other =
            standardwebhooks::Webhook::new(&vitasync::webhooks::signing::new_secret()).unwrap();
        assert!(other.verify(&req.body, &headers).is_err());

        assert!(headers["webhook-id"].to_str().unwrap().starts_with("msg_"));
        let ts: i64 = headers["webhook-timestamp"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((Utc::now().timestamp() - ts).abs() < 60);
        assert_eq!(headers["content-type"], "application/json");
        let payload: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
        assert_eq!(payload["type"], "user.created");
        assert_eq!(
            payload["data"],
            json!({"id": user_id, "externalId": "cust_1"})
        );
        assert!(payload["timestamp"].as_str().unwrap().ends_with('Z'));

        // The delivery log tells the story.
        let log = app
            .api(
                "GET",
                &format!("/v1/webhooks/{hook}/deliveries"),
                Some(&key),
                None,
            )
            .await;
        let d = &log.json["data"][0];
        assert_eq!(d["status"], "delivered");
        assert_eq!(d["statusCode"], 200);
        assert_eq!(d["attemptCount"], 1);
        assert!(d["responseMs"].is_number());
        assert_eq!(d["messageId"], headers["webhook-id"].to_str().unwrap());
        assert_eq!(log.json["data"].as_array().unwrap().len(), 1);

        // A test event on request, and a redelivery keeps the message id.
        let t = app
            .api(
                "POST",
                &format!("/v1/webhooks/{hook}/test"),
                Some(&key),
                None,
            )
            .await;
        assert_eq!(t.status, StatusCode::ACCEPTED);
        let first = d["id"].as_str().unwrap();
        let r = app
            .api(
                "POST",
                &format!("/v1/webhooks/{hook}/deliveries/{first}/redeliver"),
                Some(&key),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::ACCEPTED);
        let sent = sender(&app, true).run_due(Utc::now()).await.unwrap();
        assert_eq!(sent, vec![Sent::Delivered, Sent::Delivered]);
        let reqs = mock.received_requests().await.unwrap();
        let types: Vec<String> = reqs
            .iter()
            .map(|r| {
                serde_json::from_slice::<serde_json::Value>(&r.body).unwrap()["type"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert!(types.contains(&"webhook.test".to_string()));
        let ids: Vec<&str> = reqs
            .iter()
            .map(|r| r.headers.get("webhook-id").unwrap().to_str().unwrap())
            .collect();
        assert_eq!(
            ids.iter().filter(|i| **i == ids[0]).count(),
            2,
            "the redelivery reuses the webhook-id"
        );
    }
);

crate::both_backends_with!(retry_schedule, private_targets, |app: TestApp| async move {
    let mock = receiver(500).await;
    let (key, hook, _) = endpoint(
        &app,
        &format!("{}/hooks", mock.uri()),
        json!(["user.created"]),
    )
    .await;
    app.api(
        "POST",
        &format!("/v1/webhooks/{hook}/test"),
        Some(&key),
        None,
    )
    .await;
    let s = sender(&app, true);
    let mut now = Utc::now();
    let mut waits = Vec::new();
    loop {
        let sent = s.run_due(now).await.unwrap();
        assert_eq!(sent.len(), 1, "exactly the one delivery is due at {now}");
        match &sent[0] {
            Sent::RetryAt(at) => {
                waits.push((*at - now).num_seconds());
                // Not due a moment before its time.
                assert!(s
                    .run_due(*at - Duration::seconds(1))
                    .await
                    .unwrap()
                    .is_empty());
                now = *at;
            }
            Sent::GaveUp => break,
            other => panic!("unexpected {other:?}"),
        }
    }
    let schedule = vitasync::webhooks::schedule::RETRY_DELAYS_SECS;
    assert_eq!(waits.len(), schedule.len());
    for (w, base) in waits.iter().zip(schedule) {
        assert!(base <= *w && *w <= base + base / 10, "{w} vs {base}");
    }
    let reqs = mock.received_requests().await.unwrap();
    assert_eq!(reqs.len(), 10);
    let first_id = reqs[0].headers.get("webhook-id").unwrap().clone();
    assert!(reqs
        .iter()
        .all(|r| r.headers.get("webhook-id") == Some(&first_id)));
    let log = app
        .api(
            "GET",
            &format!("/v1/webhooks/{hook}/deliveries"),
            Some(&key),
            None,
        )
        .await;
    let d = &log.json["data"][0];
    assert_eq!(d["status"], "failed");
    assert_eq!(d["attemptCount"], 10);
    assert_eq!(d["statusCode"], 500);
    assert_eq!(d["nextAttemptAt"], serde_json::Value::Null);
    // Failing for ~3 days is not yet long enough to switch the endpoint off.
    let h = app
        .api("GET", &format!("/v1/webhooks/{hook}"), Some(&key), None)
        .await;
    assert_eq!(h.json["isActive"], true);
    assert!(h.json["failingSince"].is_string());
});

crate::both_backends_with!(
    receiver_answers,
    private_targets,
    |app: TestApp| async move {
        let mock = MockServer::start().await;
        Mock::given(path("/busy"))
            .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "120"))
            .mount(&mock)
            .await;
        Mock::given(path("/moved"))
            .respond_with(
                ResponseTemplate::new(302)
                    .insert_header("location", format!("{}/elsewhere", mock.uri())),
            )
            .mount(&mock)
            .await;
        Mock::given(path("/elsewhere"))
            .respond_with(ResponseTemplate::new(200))
            .mount(&mock)
            .await;
        Mock::given(path("/gone"))
            .respond_with(ResponseTemplate::new(410))
            .mount(&mock)
            .await;
        let (ws, _) = app.workspace("Acme").await;
        let key = app.api_key(&ws, "admin").await;
        let mut ids = Vec::new();
        for p in ["/busy", "/moved", "/gone"] {
            let r = app
                .api(
                    "POST",
                    "/v1/webhooks",
                    Some(&key),
                    Some(json!({"url": format!("{}{p}", mock.uri()), "events": ["user.created"]})),
                )
                .await;
            ids.push(r.json["id"].as_str().unwrap().to_string());
        }
        app.api(
            "POST",
            "/v1/users",
            Some(&key),
            Some(json!({"externalId": "x"})),
        )
        .await;
        let now = Utc::now();
        let mut sent = sender(&app, true).run_due(now).await.unwrap();
        sent.sort_by_key(|s| format!("{s:?}"));
        assert_eq!(sent.len(), 3);

        let delivery = |hook: String| {
            let app = app.clone();
            let key = key.clone();
            async move {
                app.api(
                    "GET",
                    &format!("/v1/webhooks/{hook}/deliveries"),
                    Some(&key),
                    None,
                )
                .await
                .json["data"][0]
                    .clone()
            }
        };
        // 429 with Retry-After: 120 s is waited, not the schedule's 5 s.
        let busy = delivery(ids[0].clone()).await;
        let next: chrono::DateTime<Utc> = busy["nextAttemptAt"].as_str().unwrap().parse().unwrap();
        // (PostgreSQL keeps microseconds, so allow for the truncated nanoseconds.)
        assert!(
            next - now >= Duration::seconds(120) - Duration::milliseconds(1),
            "{busy}"
        );
        assert_eq!(busy["statusCode"], 429);
        // A redirect is a failure and is not followed.
        let moved = delivery(ids[1].clone()).await;
        assert_eq!(moved["status"], "pending");
        assert!(moved["lastError"]
            .as_str()
            .unwrap()
            .contains("redirects are not followed"));
        let elsewhere = mock
            .received_requests()
            .await
            .unwrap()
            .iter()
            .filter(|r| r.url.path() == "/elsewhere")
            .count();
        assert_eq!(elsewhere, 0);
        // 410 Gone switches the endpoint off; later events are not queued for it.
        let gone = app
            .api("GET", &format!("/v1/webhooks/{}", ids[2]), Some(&key), None)
            .await;
        assert_eq!(gone.json["isActive"], false);
        assert!(gone.json["disabledReason"]
            .as_str()
            .unwrap()
            .contains("410"));
        assert_eq!(delivery(ids[2].clone()).await["status"], "failed");
        app.api(
            "POST",
            "/v1/users",
            Some(&key),
            Some(json!({"externalId": "y"})),
        )
        .await;
        let log = app
            .api(
                "GET",
                &format!("/v1/webhooks/{}/deliveries", ids[2]),
                Some(&key),
                None,
            )
            .await;
        assert_eq!(log.json["data"].as_array().unwrap().len(), 1);
    }
);

crate::both_backends_with!(
    failing_for_days,
    private_targets,
    |app: TestApp| async move {
        let mock = receiver(503).await;
        let (key, hook, _) = endpoint(
            &app,
            &format!("{}/hooks", mock.uri()),
            json!(["user.created"]),
        )
        .await;
        let s = sender(&app, true);
        app.api(
            "POST",
            &format!("/v1/webhooks/{hook}/test"),
            Some(&key),
            None,
        )
        .await;
        let t0 = Utc::now();
        assert!(matches!(
            s.run_due(t0).await.unwrap()[..],
            [Sent::RetryAt(_)]
        ));
        app.api(
            "POST",
            &format!("/v1/webhooks/{hook}/test"),
            Some(&key),
            None,
        )
        .await;
        // Six days later the next failure switches it off, and pending deliveries give up.
        let sent = s.run_due(t0 + Duration::days(6)).await.unwrap();
        assert_eq!(sent[0], Sent::EndpointDisabled);
        let h = app
            .api("GET", &format!("/v1/webhooks/{hook}"), Some(&key), None)
            .await;
        assert_eq!(h.json["isActive"], false);
        assert!(h.json["disabledReason"]
            .as_str()
            .unwrap()
            .contains("failed since"));
        let log = app
            .api(
                "GET",
                &format!("/v1/webhooks/{hook}/deliveries"),
                Some(&key),
                None,
            )
            .await;
        assert!(log.json["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["status"] == "failed"));
        // The admin sees why on the Webhooks page.
        let (_, owner) = (0, app.client_from("10.0.0.7"));
        owner
            .login("owner@acme.test", "owner-password-1")
            .await
            .unwrap();
        let page: vitasync::webhooks::WebhooksOverview =
            owner.call("webhooks/list", &[]).await.unwrap();
        assert!(page.webhooks[0]
            .disabled_reason
            .as_deref()
            .unwrap()
            .contains("failed since"));
        // Switching it back on starts afresh.
        let on = app
            .api(
                "PATCH",
                &format!("/v1/webhooks/{hook}"),
                Some(&key),
                Some(json!({"isActive": true})),
            )
            .await;
        assert_eq!(on.json["isActive"], true);
        assert_eq!(on.json["disabledReason"], serde_json::Value::Null);
        assert_eq!(on.json["failingSince"], serde_json::Value::Null);
    }
);

crate::both_backends!(
    the_ssrf_guard_refuses_private_targets,
    |app: TestApp| async move {
        let (ws, _) = app.workspace("Acme").await;
        let key = app.api_key(&ws, "admin").await;
        for url in [
            "https://127.0.0.1/hook",
            "https://localhost/hook",
            "https://10.1.2.3/hook",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/hook",
            "https://2130706433/hook",
            "https://0x7f000001/hook",
            "http://example.com/hook",
            "ftp://example.com/hook",
        ] {
            let r = app
                .api(
                    "POST",
                    "/v1/webhooks",
                    Some(&key),
                    Some(json!({"url": url, "events": ["user.created"]})),
                )
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{url}: {}",
                r.json
            );
            assert_eq!(r.detail_fields(), ["url"], "{url}");
        }
        let list = app.api("GET", "/v1/webhooks", Some(&key), None).await;
        assert!(
            list.json["data"].as_array().unwrap().is_empty(),
            "nothing stored"
        );

        // Bypassing validation (a row written directly), the sender still refuses at send time.
        let mock = receiver(200).await;
        let url = format!("https://localhost:{}/hooks", mock.address().port());
        let events = [vitasync::webhooks::EventType::UserCreated];
        vitasync::webhooks::repo::create(
            app.db(),
            &app.state.config.keys,
            &ws,
            vitasync::webhooks::repo::NewWebhook {
                url: &url,
                events: &events,
                description: None,
            },
            &vitasync::webhooks::signing::new_secret(),
        )
        .await
        .unwrap();
        app.api(
            "POST",
            "/v1/users",
            Some(&key),
            Some(json!({"externalId": "z"})),
        )
        .await;
        let sent = sender(&app, false).run_due(Utc::now()).await.unwrap();
        assert!(matches!(sent[..], [Sent::RetryAt(_)]), "{sent:?}");
        assert!(mock.received_requests().await.unwrap().is_empty());
        let hooks = app.api("GET", "/v1/webhooks", Some(&key), None).await;
        let id = hooks.json["data"][0]["id"].as_str().unwrap();
        let log = app
            .api(
                "GET",
                &format!("/v1/webhooks/{id}/deliveries"),
                Some(&key),
                None,
            )
            .await;
        assert!(
            log.json["data"][0]["lastError"]
                .as_str()
                .unwrap()
                .contains("private"),
            "{}",
            log.json
        );
    }
);

mod development_setting {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn loopback_is_allowed_but_metadata_never() {
        let app = dev_app(Backend::Sqlite).await;
        let (ws, _) = app.workspace("Acme").await;
        let key = app.api_key(&ws, "admin").await;
        let ok = app
            .api(
                "POST",
                "/v1/webhooks",
                Some(&key),
                Some(json!({"url": "http://127.0.0.1:9/hook", "events": ["sync.completed"]})),
            )
            .await;
        assert_eq!(ok.status, StatusCode::CREATED);
        for url in [
            "http://169.254.169.254/",
            "http://[fe80::1]/",
            "http://2852039166/",
        ] {
            let r = app
                .api(
                    "POST",
                    "/v1/webhooks",
                    Some(&key),
                    Some(json!({"url": url, "events": ["sync.completed"]})),
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{url}");
            assert!(r.json["error"]["details"][0]["message"]
                .as_str()
                .unwrap()
                .contains("link-local"));
        }
        app.finish().await;
    }
}

crate::both_backends!(webhooks_are_workspace_private, |app: TestApp| async move {
    let (a, _) = app.workspace("Acme").await;
    let (b, _) = app.workspace("Beta").await;
    let key_a = app.api_key(&a, "admin").await;
    let key_b = app.api_key(&b, "admin").await;
    let write_a = app.api_key(&a, "write").await;
    let created = app
        .api(
            "POST",
            "/v1/webhooks",
            Some(&key_a),
            Some(json!({"url": "https://93.184.216.34/a", "events": ["user.created"]})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    let hook = created.json["id"].as_str().unwrap().to_string();
    for (m, p, body) in [
        ("GET", format!("/v1/webhooks/{hook}"), None),
        (
            "PATCH",
            format!("/v1/webhooks/{hook}"),
            Some(json!({"isActive": false})),
        ),
        ("DELETE", format!("/v1/webhooks/{hook}"), None),
        ("POST", format!("/v1/webhooks/{hook}/test"), None),
        ("GET", format!("/v1/webhooks/{hook}/deliveries"), None),
        (
            "POST",
            format!("/v1/webhooks/{hook}/deliveries/x/redeliver"),
            None,
        ),
    ] {
        let r = app.api(m, &p, Some(&key_b), body.clone()).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{m} {p}");
        // A write key of the same workspace is not enough either.
        let r = app.api(m, &p, Some(&write_a), body).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{m} {p}");
    }
    let listed = app.api("GET", "/v1/webhooks", Some(&key_b), None).await;
    assert!(listed.json["data"].as_array().unwrap().is_empty());
    let still = app
        .api("GET", &format!("/v1/webhooks/{hook}"), Some(&key_a), None)
        .await;
    assert_eq!(still.json["isActive"], true);
    assert!(
        !still.json.to_string().contains("whsec_"),
        "secrets never listed"
    );
});

crate::both_backends!(
    the_admin_pages_manage_endpoints,
    |app: TestApp| async move {
        let admin = app
            .setup_owner("owner@example.com", "owner-password-1")
            .await;
        // Validation: address and at least one event.
        let err = admin
            .call::<vitasync::webhooks::CreatedWebhook>(
                "webhooks/create",
                &[
                    ("url", "https://127.0.0.1/x"),
                    ("description", ""),
                    ("e0", "on"),
                ],
            )
            .await
            .unwrap_err();
        assert!(err.for_field("url").unwrap().contains("private"));
        let err = admin
            .call::<vitasync::webhooks::CreatedWebhook>(
                "webhooks/create",
                &[("url", "https://93.184.216.34/x"), ("description", "")],
            )
            .await
            .unwrap_err();
        assert!(err.for_field("events").is_some());

        let created: vitasync::webhooks::CreatedWebhook = admin
            .call(
                "webhooks/create",
                &[
                    ("url", "https://93.184.216.34/hooks"),
                    ("description", "Warehouse"),
                    ("e0", "on"),
                    ("e6", "on"),
                ],
            )
            .await
            .unwrap();
        assert!(created.secret.starts_with("whsec_"));
        let first: vitasync::webhooks::WebhooksOverview =
            admin.call("webhooks/list", &[]).await.unwrap();
        assert_eq!(
            first.just_created.as_ref().map(|c| c.secret.as_str()),
            Some(created.secret.as_str())
        );
        assert_eq!(first.webhooks[0].events, ["user.created", "sync.completed"]);
        let again: vitasync::webhooks::WebhooksOverview =
            admin.call("webhooks/list", &[]).await.unwrap();
        assert_eq!(again.just_created, None);
        // The secret is stored encrypted, never in clear.
        let stored: String = vitasync::with_db!(app.db(), pool => sqlx::query_scalar("SELECT encrypted_secret FROM webhooks")
        .fetch_one(pool).await).unwrap();
        assert!(!stored.contains(&created.secret[6..]));

        admin
            .call::<()>("webhooks/test", &[("id", &created.id)])
            .await
            .unwrap();
        let detail: vitasync::webhooks::WebhookLog = admin
            .call("webhooks/detail", &[("id", &created.id)])
            .await
            .unwrap();
        assert_eq!(detail.deliveries.len(), 1);
        assert_eq!(detail.deliveries[0].event, "webhook.test");
        assert_eq!(detail.deliveries[0].status, "Pending");
        assert!(detail.deliveries[0].payload.contains("Hello from VitaSync"));

        admin
            .call::<()>(
                "webhooks/set-active",
                &[("id", &created.id), ("active", "false")],
            )
            .await
            .unwrap();
        let off: vitasync::webhooks::WebhooksOverview =
            admin.call("webhooks/list", &[]).await.unwrap();
        assert!(!off.webhooks[0].active);
        assert!(admin
            .call::<()>("webhooks/test", &[("id", &created.id)])
            .await
            .is_err());
        let detail: vitasync::webhooks::WebhookLog = admin
            .call("webhooks/detail", &[("id", &created.id)])
            .await
            .unwrap();
        assert_eq!(
            detail.deliveries[0].status, "Failed",
            "switching off gives up pending deliveries"
        );

        let member = app
            .add_member(&admin, "mia@example.com", "member-password-1")
            .await;
        assert_eq!(
            member
                .call::<vitasync::webhooks::WebhooksOverview>("webhooks/list", &[])
                .await
                .unwrap_err(),
            vitasync::error::AppError::Forbidden
        );
        assert_eq!(
            member
                .call::<vitasync::webhooks::WebhookLog>("webhooks/detail", &[("id", &created.id)])
                .await
                .unwrap_err(),
            vitasync::error::AppError::Forbidden
        );

        let refused = admin
            .call::<()>("webhooks/delete", &[("id", &created.id)])
            .await
            .unwrap_err();
        assert!(refused.for_field("confirm").is_some());
        admin
            .call::<()>(
                "webhooks/delete",
                &[("id", &created.id), ("confirm", "delete")],
            )
            .await
            .unwrap();
        let gone: vitasync::webhooks::WebhooksOverview =
            admin.call("webhooks/list", &[]).await.unwrap();
        assert!(gone.webhooks.is_empty());
    }
);
