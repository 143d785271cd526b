//! Sessions: the id rotates at sign-in, sessions end on request, on password change and after
//! the idle and absolute timeouts, and the cookie carries the right attributes.

use crate::both_backends;
use crate::harness::{Backend, Client, TestApp};

both_backends!(session_id_rotates_at_sign_in, |app: TestApp| async move {
    app.setup_owner("owner@example.com", "owner-password").await;
    let c = app.client();
    // A session id planted before sign-in (fixation) is not the one used after it.
    c.set_cookie(Some("vitasync_session=planted-by-an-attacker".into()));
    c.login("owner@example.com", "owner-password")
        .await
        .unwrap();
    let first = c.cookie().expect("signed-in cookie");
    assert!(!first.contains("planted"));
    // Signing in again rotates the id and the old one stops working.
    c.login("owner@example.com", "owner-password")
        .await
        .unwrap();
    let second = c.cookie().expect("signed-in cookie");
    assert_ne!(first, second);
    let replay = app.client();
    replay.set_cookie(Some(first));
    assert!(
        replay.whoami().await.is_none(),
        "the pre-rotation id must be dead"
    );
    assert!(c.whoami().await.is_some());
});

/// The owner, signed in on a laptop (through setup) and on a phone.
async fn owner_on_two_browsers(app: &TestApp) -> (Client, Client) {
    let laptop = app.setup_owner("owner@example.com", "owner-password").await;
    let phone = app.client_from("10.0.0.9");
    phone
        .login("owner@example.com", "owner-password")
        .await
        .unwrap();
    (laptop, phone)
}

both_backends!(
    sign_out_everywhere_else_keeps_only_this_browser,
    |app: TestApp| async move {
        let (laptop, phone) = owner_on_two_browsers(&app).await;
        let ended: u64 = laptop.call("settings/sign-out-others", &[]).await.unwrap();
        assert_eq!(ended, 1);
        assert!(laptop.whoami().await.is_some());
        assert!(phone.whoami().await.is_none());
    }
);

both_backends!(
    changing_the_password_ends_other_sessions,
    |app: TestApp| async move {
        let (laptop, phone) = owner_on_two_browsers(&app).await;
        let err = laptop
            .call::<u64>(
                "settings/change-password",
                &[
                    ("current_password", "not-it-at-all"),
                    ("new_password", "brand-new-pass"),
                    ("confirm_password", "brand-new-pass"),
                ],
            )
            .await
            .unwrap_err();
        assert_eq!(
            err.for_field("current_password").as_deref(),
            Some("That is not your current password.")
        );
        let ended: u64 = laptop
            .call(
                "settings/change-password",
                &[
                    ("current_password", "owner-password"),
                    ("new_password", "brand-new-pass"),
                    ("confirm_password", "brand-new-pass"),
                ],
            )
            .await
            .unwrap();
        assert_eq!(ended, 1);
        assert!(phone.whoami().await.is_none());
        assert!(laptop.whoami().await.is_some());
        let fresh = app.client();
        assert!(fresh
            .login("owner@example.com", "owner-password")
            .await
            .is_err());
        fresh
            .login("owner@example.com", "brand-new-pass")
            .await
            .unwrap();
    }
);

both_backends!(
    idle_and_absolute_timeouts_end_sessions,
    |app: TestApp| async move {
        let owner = app.setup_owner("owner@example.com", "owner-password").await;
        let long_ago = chrono::Utc::now() - chrono::Duration::days(4);
        vitasync::with_db!(app.db(), pool => sqlx::query("UPDATE auth_sessions SET last_seen_at = $1").bind(long_ago).execute(pool).await.map(|_| ())).unwrap();
        assert!(
            owner.whoami().await.is_none(),
            "idle for 4 days: signed out"
        );

        owner
            .login("owner@example.com", "owner-password")
            .await
            .unwrap();
        let created = chrono::Utc::now() - chrono::Duration::days(31);
        vitasync::with_db!(app.db(), pool => sqlx::query("UPDATE auth_sessions SET created_at = $1").bind(created).execute(pool).await.map(|_| ())).unwrap();
        assert!(
            owner.whoami().await.is_none(),
            "31 days after sign-in: signed out however active"
        );
    }
);

both_backends!(sign_out_ends_the_session, |app: TestApp| async move {
    let owner = app.setup_owner("owner@example.com", "owner-password").await;
    let cookie = owner.cookie();
    owner.call::<()>("auth/logout", &[]).await.unwrap();
    assert!(owner.whoami().await.is_none());
    let replay = app.client();
    replay.set_cookie(cookie);
    assert!(
        replay.whoami().await.is_none(),
        "the old cookie is dead after sign-out"
    );
});

/// The raw response to first-run setup (it signs the new owner in, so it sets the cookie).
async fn setup_response(app: &TestApp) -> crate::harness::TestResponse {
    app.client()
        .post_form(
            "/api/auth/setup",
            &[
                ("workspace_name", "Acme"),
                ("display_name", ""),
                ("email", "o@example.com"),
                ("password", "owner-password"),
                ("timezone", "UTC"),
            ],
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cookie_is_http_only_lax_and_host_prefixed_over_https() {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| c.secure_cookies = true).await;
    let res = setup_response(&app).await;
    let set = res.header("set-cookie").expect("session cookie");
    assert!(set.starts_with("__Host-vitasync_session="), "{set}");
    for attr in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(set.contains(attr), "{attr} missing in {set}");
    }
    assert!(!set.contains("Domain="), "__Host- cookies carry no Domain");
    app.finish().await;

    let plain = TestApp::spawn(Backend::Sqlite).await;
    let res = setup_response(&plain).await;
    let set = res.header("set-cookie").unwrap();
    assert!(
        set.starts_with("vitasync_session=")
            && set.contains("HttpOnly")
            && set.contains("SameSite=Lax")
    );
    plain.finish().await;
}

both_backends!(
    housekeeping_deletes_expired_cookie_sessions,
    |app: TestApp| async move {
        app.setup_owner("owner@example.com", "owner-password").await;
        let other = app.client_from("10.0.0.2");
        other
            .login("owner@example.com", "owner-password")
            .await
            .unwrap();
        let (expire, count) = match app.backend {
            Backend::Sqlite => (
                "UPDATE tower_sessions SET expiry_date = 1",
                "SELECT COUNT(*) FROM tower_sessions",
            ),
            Backend::Postgres => (
                "UPDATE tower_sessions.session SET expiry_date = '2000-01-01T00:00:00Z'",
                "SELECT COUNT(*) FROM tower_sessions.session",
            ),
        };
        let rows = || async {
            vitasync::with_db!(app.db(), pool => sqlx::query_scalar::<_, i64>(count).fetch_one(pool).await)
                .unwrap()
        };
        assert!(rows().await >= 2, "two people signed in");
        vitasync::with_db!(app.db(), pool => sqlx::query(expire).execute(pool).await.map(|_| ()))
            .unwrap();
        vitasync::server::housekeeping::sweep(app.db())
            .await
            .unwrap();
        assert_eq!(
            rows().await,
            0,
            "expired sessions are deleted, not kept forever"
        );
    }
);
