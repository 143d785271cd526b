//! Endpoints belong to their workspace; the admin pages manage them.

use super::*;

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
