//! Accounts end to end at the HTTP level: first-run setup, sign-in with and without
//! JavaScript, invitations, open sign-up.

use axum::http::StatusCode;
use vitasync::accounts::Role;
use vitasync::error::AppError;

use crate::both_backends;
use crate::harness::TestApp;

both_backends!(
    fresh_install_leads_to_setup_and_setup_happens_once,
    |app: TestApp| async move {
        let visitor = app.client();
        let res = visitor.get("/login").await;
        assert_eq!(res.status, StatusCode::FOUND);
        assert_eq!(res.header("location").as_deref(), Some("/setup"));
        assert_eq!(visitor.get("/setup").await.status, StatusCode::OK);

        let owner = app.setup_owner("Owner@Example.com", "owner-password").await;
        let me = owner.whoami().await.expect("signed in after setup");
        assert_eq!(me.email, "owner@example.com");
        assert_eq!(me.role, Role::Admin);
        assert!(me.is_instance_owner);
        assert_eq!(me.timezone, "Europe/Paris");

        let again = app
            .client()
            .call::<()>(
                "auth/setup",
                &[
                    ("workspace_name", "Second"),
                    ("display_name", ""),
                    ("email", "x@example.com"),
                    ("password", "xxxxxxxx"),
                    ("timezone", "UTC"),
                ],
            )
            .await;
        assert!(matches!(again, Err(AppError::Conflict(_))));
        let res = app.client().get("/setup").await;
        assert_eq!(res.header("location").as_deref(), Some("/login"));
    }
);

/// Submits first-run setup with one field replaced; returns the error it must produce.
async fn setup_error(app: &TestApp, field: &str, value: &str) -> AppError {
    let mut fields = vec![
        ("workspace_name", "Acme"),
        ("display_name", ""),
        ("email", "a@example.com"),
        ("password", "long-enough"),
        ("timezone", "UTC"),
    ];
    for f in fields.iter_mut().filter(|f| f.0 == field) {
        f.1 = value;
    }
    app.client()
        .call::<()>("auth/setup", &fields)
        .await
        .expect_err("setup must refuse this input")
}

both_backends!(
    setup_validates_with_field_messages,
    |app: TestApp| async move {
        let err = setup_error(&app, "email", "not-an-email").await;
        assert!(err.for_field("email").is_some(), "{err:?}");
        let err = setup_error(&app, "password", "short").await;
        assert_eq!(
            err.for_field("password").as_deref(),
            Some("Use at least 8 characters.")
        );
        let err = setup_error(&app, "workspace_name", "  ").await;
        assert!(err.for_field("workspace_name").is_some(), "{err:?}");
        let err = setup_error(&app, "timezone", "Mars/Base").await;
        assert!(err.for_field("timezone").is_some(), "{err:?}");
        assert_eq!(
            vitasync::accounts::repo::workspace_count(app.db())
                .await
                .unwrap(),
            0,
            "nothing half-created"
        );
    }
);

both_backends!(
    sign_in_works_as_a_plain_form_post,
    |app: TestApp| async move {
        app.setup_owner("owner@example.com", "owner-password").await;
        let browser = app.client();
        let res = browser
            .post_form_html(
                "/api/auth/login",
                &[
                    ("email", "owner@example.com"),
                    ("password", "owner-password"),
                    ("next", "/settings"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::FOUND);
        assert_eq!(res.header("location").as_deref(), Some("/settings"));
        assert!(browser.whoami().await.is_some());

        let other = app.client_from("10.3.3.3");
        let res = other
            .post_form_html(
                "/api/auth/login",
                &[
                    ("email", "owner@example.com"),
                    ("password", "wrong-password"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::FOUND);
        let back = res.header("location").unwrap();
        assert!(
            back.starts_with("http://localhost/login?") && back.contains("__err="),
            "{back}"
        );
        assert!(other.whoami().await.is_none());

        // Never redirected off-site after sign-in.
        let res = app
            .client()
            .post_form_html(
                "/api/auth/login",
                &[
                    ("email", "owner@example.com"),
                    ("password", "owner-password"),
                    ("next", "//evil.example/"),
                ],
            )
            .await;
        assert_eq!(res.header("location").as_deref(), Some("/"));
    }
);

both_backends!(
    an_invitation_creates_one_member_account,
    |app: TestApp| async move {
        let admin = app.setup_owner("owner@example.com", "owner-password").await;
        let token = app.invite(&admin, "Mia@Example.com", "member").await;
        let details: vitasync::auth::InvitationDetails = app
            .client()
            .call("auth/invitation", &[("token", &token)])
            .await
            .unwrap();
        assert_eq!(details.email, "mia@example.com");
        assert_eq!(details.workspace_name, "Acme Health");

        let mia = app.client_from("10.0.0.2");
        mia.call::<()>(
            "auth/accept-invitation",
            &[
                ("token", &token),
                ("display_name", ""),
                ("password", "member-password"),
                ("timezone", "Asia/Tokyo"),
            ],
        )
        .await
        .unwrap();
        let me = mia.whoami().await.unwrap();
        assert_eq!(
            (me.email.as_str(), me.role, me.is_instance_owner),
            ("mia@example.com", Role::Member, false)
        );
        assert_eq!(me.timezone, "Asia/Tokyo");
        assert_eq!(me.workspace_id, admin.whoami().await.unwrap().workspace_id);

        // The link is single-use.
        let again = app
            .client()
            .call::<()>(
                "auth/accept-invitation",
                &[
                    ("token", &token),
                    ("display_name", ""),
                    ("password", "another-password"),
                    ("timezone", "UTC"),
                ],
            )
            .await;
        assert!(matches!(again, Err(AppError::Conflict(_))), "{again:?}");
        let bogus = app
            .client()
            .call::<vitasync::auth::InvitationDetails>(
                "auth/invitation",
                &[("token", "not-a-real-token")],
            )
            .await;
        assert!(matches!(bogus, Err(AppError::NotFound(_))));
    }
);

both_backends!(
    expired_and_revoked_invitations_do_not_work,
    |app: TestApp| async move {
        let admin = app.setup_owner("owner@example.com", "owner-password").await;
        let expired = app.invite(&admin, "late@example.com", "member").await;
        vitasync::with_db!(app.db(), pool => sqlx::query("UPDATE invitations SET expires_at = $1 WHERE email = 'late@example.com'")
        .bind(chrono::Utc::now() - chrono::Duration::minutes(1)).execute(pool).await.map(|_| ())).unwrap();
        let res = app
            .client()
            .call::<()>(
                "auth/accept-invitation",
                &[
                    ("token", &expired),
                    ("display_name", ""),
                    ("password", "member-password"),
                    ("timezone", "UTC"),
                ],
            )
            .await;
        assert!(
            matches!(res, Err(AppError::Conflict(ref m)) if m.contains("expired")),
            "{res:?}"
        );

        let revoked = app.invite(&admin, "gone@example.com", "member").await;
        let overview: vitasync::admin::AdminOverview =
            admin.call("admin/overview", &[]).await.unwrap();
        let id = overview
            .invitations
            .iter()
            .find(|i| i.email == "gone@example.com")
            .unwrap()
            .id
            .clone();
        admin
            .call::<()>("admin/revoke-invite", &[("id", &id)])
            .await
            .unwrap();
        let res = app
            .client()
            .call::<()>(
                "auth/accept-invitation",
                &[
                    ("token", &revoked),
                    ("display_name", ""),
                    ("password", "member-password"),
                    ("timezone", "UTC"),
                ],
            )
            .await;
        assert!(matches!(res, Err(AppError::NotFound(_))), "{res:?}");
    }
);

both_backends!(
    open_sign_up_only_when_the_admin_allows_it,
    |app: TestApp| async move {
        let admin = app.setup_owner("owner@example.com", "owner-password").await;
        let signup = [
            ("slug", "acme-health"),
            ("display_name", "Sam"),
            ("email", "sam@example.com"),
            ("password", "sam-password"),
            ("timezone", "UTC"),
        ];
        let closed = app.client().call::<()>("auth/signup", &signup).await;
        assert!(matches!(closed, Err(AppError::NotFound(_))), "{closed:?}");

        admin
            .call::<()>("admin/open-signup", &[("allow_signup", "on")])
            .await
            .unwrap();
        let name: String = app
            .client()
            .call("auth/signup-details", &[("slug", "acme-health")])
            .await
            .unwrap();
        assert_eq!(name, "Acme Health");
        let sam = app.client_from("10.0.0.3");
        sam.call::<()>("auth/signup", &signup).await.unwrap();
        assert_eq!(sam.whoami().await.unwrap().role, Role::Member);

        let dup = app
            .client()
            .call::<()>("auth/signup", &signup)
            .await
            .unwrap_err();
        assert!(dup.for_field("email").is_some(), "{dup:?}");

        admin.call::<()>("admin/open-signup", &[]).await.unwrap();
        assert!(app
            .client()
            .call::<String>("auth/signup-details", &[("slug", "acme-health")])
            .await
            .is_err());
    }
);

both_backends!(
    profile_and_time_zone_are_editable,
    |app: TestApp| async move {
        let owner = app.setup_owner("owner@example.com", "owner-password").await;
        owner
            .call::<()>(
                "settings/update-profile",
                &[
                    ("display_name", "Olive O."),
                    ("timezone", "Pacific/Auckland"),
                ],
            )
            .await
            .unwrap();
        let me = owner.whoami().await.unwrap();
        assert_eq!(
            (me.display_name.as_deref(), me.timezone.as_str()),
            (Some("Olive O."), "Pacific/Auckland")
        );
        let err = owner
            .call::<()>(
                "settings/update-profile",
                &[("display_name", "x"), ("timezone", "Nowhere/Else")],
            )
            .await
            .unwrap_err();
        assert!(err.for_field("timezone").is_some());
        assert_eq!(
            owner.whoami().await.unwrap().timezone,
            "Pacific/Auckland",
            "bad input changes nothing"
        );
    }
);

both_backends!(
    racing_first_run_setups_make_one_owner,
    |app: TestApp| async move {
        let mut setups = tokio::task::JoinSet::new();
        for i in 0..4 {
            let c = app.client_from(&format!("10.0.0.{}", i + 10));
            setups.spawn(async move {
                let (name, email) = (format!("Clinic {i}"), format!("owner{i}@example.com"));
                c.call::<()>(
                    "auth/setup",
                    &[
                        ("workspace_name", name.as_str()),
                        ("display_name", "Owner"),
                        ("email", email.as_str()),
                        ("password", "owner-password"),
                        ("timezone", "UTC"),
                    ],
                )
                .await
            });
        }
        let results = setups.join_all().await;
        let won = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(won, 1, "{results:?}");
        for lost in results.iter().filter_map(|r| r.as_ref().err()) {
            assert_eq!(
                lost,
                &vitasync::error::AppError::Conflict(
                    "VitaSync is already set up. Sign in instead.".into()
                )
            );
        }
        let (owners, workspaces): (i64, i64) = vitasync::with_db!(app.db(), pool => async {
            let o: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE is_instance_owner = true")
                .fetch_one(pool).await?;
            let w: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM workspaces")
                .fetch_one(pool).await?;
            Ok::<_, sqlx::Error>((o, w))
        }.await)
        .unwrap();
        assert_eq!(
            (owners, workspaces),
            (1, 1),
            "the losers left nothing behind"
        );
    }
);
