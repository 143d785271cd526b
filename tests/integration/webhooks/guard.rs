//! The SSRF guard: private, loopback and metadata targets are refused in every spelling.

use super::*;

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
