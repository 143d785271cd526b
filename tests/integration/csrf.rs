//! State-changing requests from other sites are refused before they do anything.

use axum::http::StatusCode;
use vitasync::accounts::repo;

use crate::both_backends;
use crate::harness::TestApp;

const SETUP: &[(&str, &str)] = &[
    ("workspace_name", "Evil Corp"),
    ("display_name", "Mallory"),
    ("email", "mallory@evil.example"),
    ("password", "mallory-password"),
    ("timezone", "UTC"),
];

both_backends!(cross_site_post_is_refused, |app: TestApp| async move {
    let c = app.client();
    let res = c
        .post_form_from("/api/auth/setup", SETUP, Some("http://evil.example"))
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(
        repo::workspace_count(app.db()).await.unwrap(),
        0,
        "nothing was created"
    );

    // No Origin and no fetch metadata: refused too.
    let res = c.post_form_from("/api/auth/setup", SETUP, None).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);

    // An opaque origin (sandboxed frame, data: URL) is not ours.
    let res = c
        .post_form_from("/api/auth/setup", SETUP, Some("null"))
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(repo::workspace_count(app.db()).await.unwrap(), 0);
});

both_backends!(same_site_post_passes, |app: TestApp| async move {
    let c = app.client();
    let res = c
        .post_form_from("/api/auth/setup", SETUP, Some("http://localhost"))
        .await;
    assert!(res.status.is_success(), "{} {}", res.status, res.body);
    assert_eq!(repo::workspace_count(app.db()).await.unwrap(), 1);
});

both_backends!(
    cross_site_sign_out_cannot_end_a_session,
    |app: TestApp| async move {
        let owner = app.setup_owner("owner@example.com", "owner-password").await;
        let res = owner
            .post_form_from("/api/auth/logout", &[], Some("https://evil.example"))
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
        assert!(owner.whoami().await.is_some(), "still signed in");
    }
);
