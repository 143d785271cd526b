//! Delivering: signatures, the retry schedule, the receiver's answers, failing for days.

use super::*;

crate::both_backends!(
    signed_delivery,
    with private_targets,
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

crate::both_backends!(retry_schedule, with private_targets, |app: TestApp| async move {
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

crate::both_backends!(
    receiver_answers,
    with private_targets,
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

crate::both_backends!(
    failing_for_days,
    with private_targets,
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

/// A receiver that announces a 100 MB answer, sends 4 KB of it and then never finishes: the
/// sender keeps the first 2 KB for the log and moves on instead of reading the rest.
async fn endless_receiver() -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                let _ = socket.read(&mut buf).await;
                let head = "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 104857600\r\n\r\n";
                let _ = socket.write_all(head.as_bytes()).await;
                let _ = socket.write_all(&[b'a'; 4096]).await;
                tokio::time::sleep(std::time::Duration::from_secs(60)).await;
            });
        }
    });
    format!("http://{addr}/hooks")
}

crate::both_backends!(
    a_huge_answer_is_read_only_as_far_as_the_log_keeps,
    with private_targets,
    |app: TestApp| async move {
        let url = endless_receiver().await;
        let (key, hook, _) = endpoint(&app, &url, json!(["user.created"])).await;
        app.api("POST", &format!("/v1/webhooks/{hook}/test"), Some(&key), None)
            .await;
        let sent = sender(&app, true).run_due(Utc::now()).await.unwrap();
        assert_eq!(sent, vec![Sent::Delivered]);
        let log = app
            .api(
                "GET",
                &format!("/v1/webhooks/{hook}/deliveries"),
                Some(&key),
                None,
            )
            .await;
        use vitasync::webhooks::repo;
        let ws = repo::webhook_by_id(app.db(), &hook)
            .await
            .unwrap()
            .unwrap()
            .workspace_id;
        let id = log.json["data"][0]["id"].as_str().unwrap();
        let row = repo::get_delivery(app.db(), &ws, &hook, id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            row.response_body.as_deref(),
            Some(format!("{}…", "a".repeat(2048)).as_str())
        );
    }
);
