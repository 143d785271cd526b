//! API keys: created on the admin page (shown once, stored as a hash), listed, revoked with
//! immediate effect; the same through `/v1/api-keys` and the command line.

use axum::http::StatusCode;
use serde_json::json;
use vitasync::api_keys::{ApiKeysOverview, CreatedKey};
use vitasync::error::AppError;

use crate::both_backends;
use crate::harness::TestApp;

both_backends!(
    an_admin_creates_uses_and_revokes_a_key,
    |app: TestApp| async move {
        let admin = app
            .setup_owner("owner@example.com", "owner-password-1")
            .await;
        let created: CreatedKey = admin
            .call(
                "api-keys/create",
                &[
                    ("name", "Billing sync"),
                    ("access", "write"),
                    ("expires_on", ""),
                ],
            )
            .await
            .expect("key created");
        assert!(created.raw.starts_with("vs_live_") && created.raw.len() == 48);

        // Only the hash and prefix are stored.
        let stored: (String, String) = vitasync::with_db!(app.db(), pool => sqlx::query_as(
        "SELECT key_hash, key_prefix FROM api_keys WHERE id = $1")
        .bind(&created.id)
        .fetch_one(pool)
        .await)
        .unwrap();
        assert_eq!(stored.0, vitasync::api_keys::token::hash(&created.raw));
        assert_eq!(stored.1, &created.raw[8..16]);
        assert!(!stored.0.contains(&created.raw[8..]));

        // The page shows the raw key once, then never again.
        let first: ApiKeysOverview = admin.call("api-keys/list", &[]).await.unwrap();
        assert_eq!(
            first.just_created.as_ref().map(|k| k.raw.as_str()),
            Some(created.raw.as_str())
        );
        let again: ApiKeysOverview = admin.call("api-keys/list", &[]).await.unwrap();
        assert_eq!(again.just_created, None);
        let info = &again.keys[0];
        assert_eq!(info.name, "Billing sync");
        assert_eq!(info.scopes, ["read", "write"]);
        assert_eq!(info.status, "Active");
        assert_eq!(info.last_used, "Never");
        assert!(info.shown_as.starts_with(&created.raw[..16]) && info.shown_as.ends_with('…'));

        // The key works, is marked used, then is revoked and fails at once.
        let ok = app.api("GET", "/v1/users", Some(&created.raw), None).await;
        assert_eq!(ok.status, StatusCode::OK);
        let used: ApiKeysOverview = admin.call("api-keys/list", &[]).await.unwrap();
        assert_ne!(used.keys[0].last_used, "Never");
        admin
            .call::<()>("api-keys/revoke", &[("id", &created.id)])
            .await
            .unwrap();
        let refused = app.api("GET", "/v1/users", Some(&created.raw), None).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
        assert!(refused.json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("revoked"));
        let after: ApiKeysOverview = admin.call("api-keys/list", &[]).await.unwrap();
        assert_eq!(after.keys[0].status, "Revoked");
        assert!(matches!(
            admin
                .call::<()>("api-keys/revoke", &[("id", &created.id)])
                .await,
            Err(AppError::NotFound(_))
        ));
    }
);

both_backends!(
    the_create_form_explains_its_mistakes,
    |app: TestApp| async move {
        let admin = app
            .setup_owner("owner@example.com", "owner-password-1")
            .await;
        let cases: [(&[(&str, &str)], &str); 4] = [
            (
                &[("name", " "), ("access", "read"), ("expires_on", "")],
                "name",
            ),
            (
                &[("name", "CI"), ("access", "root"), ("expires_on", "")],
                "access",
            ),
            (
                &[
                    ("name", "CI"),
                    ("access", "read"),
                    ("expires_on", "2020-01-01"),
                ],
                "expires_on",
            ),
            (
                &[
                    ("name", "CI"),
                    ("access", "read"),
                    ("expires_on", "tomorrow"),
                ],
                "expires_on",
            ),
        ];
        for (fields, field) in cases {
            let err = admin
                .call::<CreatedKey>("api-keys/create", fields)
                .await
                .unwrap_err();
            assert!(err.for_field(field).is_some(), "{field}: {err:?}");
        }
        let list: ApiKeysOverview = admin.call("api-keys/list", &[]).await.unwrap();
        assert!(list.keys.is_empty(), "nothing stored");

        // A key with an expiry shows it; members cannot manage keys at all.
        let tomorrow = (chrono::Utc::now() + chrono::Duration::days(3))
            .format("%Y-%m-%d")
            .to_string();
        admin
            .call::<CreatedKey>(
                "api-keys/create",
                &[
                    ("name", "Short-lived"),
                    ("access", "admin"),
                    ("expires_on", &tomorrow),
                ],
            )
            .await
            .unwrap();
        let list: ApiKeysOverview = admin.call("api-keys/list", &[]).await.unwrap();
        assert_ne!(list.keys[0].expires, "Never");
        assert_eq!(list.keys[0].scopes, ["read", "write", "admin"]);
        let member = app
            .add_member(&admin, "mia@example.com", "member-password-1")
            .await;
        assert_eq!(
            member
                .call::<ApiKeysOverview>("api-keys/list", &[])
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            member
                .call::<CreatedKey>(
                    "api-keys/create",
                    &[("name", "x"), ("access", "admin"), ("expires_on", "")]
                )
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        let id = list.keys[0].id.clone();
        assert_eq!(
            member
                .call::<()>("api-keys/revoke", &[("id", &id)])
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
    }
);

both_backends!(
    keys_are_managed_through_the_api,
    |app: TestApp| async move {
        let (ws, _) = app.workspace("Acme").await;
        let admin = app.api_key(&ws, "admin").await;
        let r = app
            .api(
                "POST",
                "/v1/api-keys",
                Some(&admin),
                Some(json!({"name": "Reporting", "scopes": ["read"]})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
        let secret = r.json["secret"].as_str().unwrap().to_string();
        let id = r.json["id"].as_str().unwrap().to_string();
        assert_eq!(r.json["scopes"], json!(["read"]));
        assert_eq!(r.json["prefix"], &secret[8..16]);

        // The list never shows secrets or hashes.
        let list = app.api("GET", "/v1/api-keys", Some(&admin), None).await;
        let text = list.json.to_string();
        assert!(!text.contains(&secret[8..]) && !text.contains("hash") && !text.contains("secret"));
        assert_eq!(list.json["data"].as_array().unwrap().len(), 2);

        let bad = app
            .api(
                "POST",
                "/v1/api-keys",
                Some(&admin),
                Some(json!({"name": "", "scopes": [], "expiresAt": "2001-01-01T00:00:00Z"})),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad.detail_fields(), ["name", "scopes", "expiresAt"]);
        let unknown_scope = app
            .api(
                "POST",
                "/v1/api-keys",
                Some(&admin),
                Some(json!({"name": "x", "scopes": ["owner"]})),
            )
            .await;
        assert_eq!(unknown_scope.status, StatusCode::UNPROCESSABLE_ENTITY);

        assert_eq!(
            app.api("GET", "/v1/users", Some(&secret), None)
                .await
                .status,
            StatusCode::OK
        );
        assert_eq!(
            app.api("DELETE", &format!("/v1/api-keys/{id}"), Some(&admin), None)
                .await
                .status,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            app.api("GET", "/v1/users", Some(&secret), None)
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
        let got = app
            .api("GET", &format!("/v1/api-keys/{id}"), Some(&admin), None)
            .await;
        assert!(got.json["revokedAt"].is_string());
    }
);

/// The command line creates a key that works and revokes it by prefix.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_line_creates_and_revokes_keys() {
    use std::process::Command;
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_vitasync"))
            .current_dir(dir.path())
            .env_remove("DATABASE_URL")
            .env("VITASYNC_DATA_DIR", dir.path().join("data"))
            .env("RUST_LOG", "error")
            .args(args)
            .output()
            .expect("run vitasync")
    };
    let boot = run(&[
        "workspace",
        "create",
        "--name",
        "Acme",
        "--admin-email",
        "a@example.com",
        "--admin-password",
        "admin-password-1",
    ]);
    assert!(
        boot.status.success(),
        "{}",
        String::from_utf8_lossy(&boot.stderr)
    );
    let out = run(&[
        "api-key",
        "create",
        "--workspace",
        "acme",
        "--name",
        "CI",
        "--scopes",
        "read,write",
        "--expires",
        "2099-01-01",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let raw = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(vitasync::api_keys::token::well_formed(&raw), "{raw:?}");

    let db = vitasync::platform::db::Db::connect(&format!(
        "sqlite://{}/data/vitasync.db",
        dir.path().display()
    ))
    .await
    .unwrap();
    let key = vitasync::api_keys::repo::by_hash(&db, &vitasync::api_keys::token::hash(&raw))
        .await
        .unwrap()
        .expect("stored by hash");
    assert_eq!(key.scopes.0.len(), 2);
    assert!(key.expires_at.is_some());
    db.close().await;

    for bad in [
        vec!["api-key", "create", "--workspace", "nope", "--name", "CI"],
        vec![
            "api-key",
            "create",
            "--workspace",
            "acme",
            "--name",
            "CI",
            "--scopes",
            "root",
        ],
        vec![
            "api-key",
            "create",
            "--workspace",
            "acme",
            "--name",
            "CI",
            "--expires",
            "2001-01-01",
        ],
        vec!["api-key", "revoke", "vs_live_ZZZZZZZZ"],
    ] {
        let out = run(&bad);
        assert!(!out.status.success(), "{bad:?} should fail");
        assert!(
            String::from_utf8_lossy(&out.stderr).starts_with("error: "),
            "{bad:?}"
        );
    }
    let revoked = run(&["api-key", "revoke", &raw[..16]]);
    assert!(
        revoked.status.success(),
        "{}",
        String::from_utf8_lossy(&revoked.stderr)
    );
    let twice = run(&["api-key", "revoke", &raw[..16]]);
    assert!(String::from_utf8_lossy(&twice.stderr).contains("already revoked"));
}

both_backends!(
    an_expiring_key_cannot_mint_keys_that_outlive_it,
    |app: TestApp| async move {
        let (ws, _) = app.workspace("Acme").await;
        let limit = chrono::Utc::now() + chrono::Duration::days(7);
        let scopes = vitasync::api_keys::Scope::parse_list("admin").unwrap();
        let (_, admin) =
            vitasync::api_keys::repo::create(app.db(), &ws, "contractor", &scopes, Some(limit))
                .await
                .unwrap();
        let later = (limit + chrono::Duration::days(1)).to_rfc3339();
        for body in [
            json!({"name": "forever", "scopes": ["admin"]}),
            json!({"name": "longer", "scopes": ["admin"], "expiresAt": later}),
        ] {
            let r = app
                .api("POST", "/v1/api-keys", Some(&admin), Some(body))
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.json);
            assert_eq!(r.detail_fields(), ["expiresAt"]);
        }
        let sooner = (limit - chrono::Duration::days(1)).to_rfc3339();
        let r = app
            .api(
                "POST",
                "/v1/api-keys",
                Some(&admin),
                Some(json!({"name": "shorter", "scopes": ["read"], "expiresAt": sooner})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.json);
    }
);
