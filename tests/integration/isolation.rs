//! Roles and tenants: a member never reaches admin pages or another person's data; an admin never
//! another workspace's.

use axum::http::StatusCode;
use vitasync::error::AppError;

use crate::both_backends;
use crate::harness::TestApp;

both_backends!(
    members_cannot_reach_admin_pages_or_functions,
    |app: TestApp| async move {
        let admin = app.setup_owner("owner@example.com", "owner-password").await;
        let member = app
            .add_member(&admin, "mia@example.com", "member-password")
            .await;

        let page = member.get("/admin").await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        assert!(
            page.body.contains("have access to this page"),
            "the 403 page is shown"
        );
        assert_eq!(member.get("/instance").await.status, StatusCode::FORBIDDEN);
        assert_eq!(admin.get("/admin").await.status, StatusCode::OK);

        assert_eq!(
            member
                .call::<vitasync::admin::AdminOverview>("admin/overview", &[])
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        let invite = member
            .call::<()>(
                "admin/invite",
                &[
                    ("email", "x@example.com"),
                    ("role", "admin"),
                    ("expires_in_days", "7"),
                ],
            )
            .await;
        assert_eq!(invite.unwrap_err(), AppError::Forbidden);
        assert_eq!(
            member
                .call::<()>("admin/open-signup", &[("allow_signup", "on")])
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            member
                .call::<Vec<vitasync::instance::WorkspaceInfo>>("instance/workspaces", &[])
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
    }
);

both_backends!(
    signed_out_visitors_are_sent_to_sign_in,
    |app: TestApp| async move {
        app.setup_owner("owner@example.com", "owner-password").await;
        let visitor = app.client();
        for path in ["/", "/settings", "/admin"] {
            let res = visitor.get(path).await;
            assert_eq!(res.status, StatusCode::FOUND, "{path}");
            assert_eq!(res.header("location"), Some(format!("/login?next={path}")));
        }
        assert_eq!(
            visitor
                .call::<vitasync::settings::Profile>("settings/profile", &[])
                .await
                .unwrap_err(),
            AppError::Unauthenticated
        );
        assert_eq!(
            visitor.get("/no/such/page").await.status,
            StatusCode::NOT_FOUND
        );
    }
);

both_backends!(
    a_member_cannot_read_or_end_another_persons_sessions,
    |app: TestApp| async move {
        let admin = app.setup_owner("owner@example.com", "owner-password").await;
        let member = app
            .add_member(&admin, "mia@example.com", "member-password")
            .await;
        let admin_id = admin.whoami().await.unwrap().id;
        let admin_session: String = vitasync::with_db!(app.db(), pool => sqlx::query_scalar("SELECT id FROM auth_sessions WHERE user_id = $1")
        .bind(&admin_id).fetch_one(pool).await).unwrap();

        let mine: Vec<vitasync::settings::SessionInfo> =
            member.call("settings/sessions", &[]).await.unwrap();
        assert_eq!(mine.len(), 1);
        assert!(
            mine.iter().all(|s| s.id != admin_session),
            "only the member's own sessions are listed"
        );

        let res = member
            .call::<()>("settings/end-session", &[("id", &admin_session)])
            .await;
        assert!(matches!(res, Err(AppError::NotFound(_))), "{res:?}");
        assert!(
            admin.whoami().await.is_some(),
            "the admin is still signed in"
        );
    }
);

both_backends!(
    an_admin_never_sees_another_workspace,
    |app: TestApp| async move {
        let owner = app.setup_owner("owner@example.com", "owner-password").await;
        let pending = app.invite(&owner, "pending@example.com", "member").await;
        assert!(!pending.is_empty());
        owner
            .call::<String>(
                "instance/create-workspace",
                &[
                    ("name", "Beta Family"),
                    ("slug", ""),
                    ("admin_email", "bea@example.com"),
                    ("admin_password", "beta-password"),
                ],
            )
            .await
            .unwrap();

        let bea = app.client_from("10.0.0.4");
        bea.login("bea@example.com", "beta-password").await.unwrap();
        let me = bea.whoami().await.unwrap();
        assert!(me.is_admin() && !me.is_instance_owner);
        assert_eq!(me.workspace_name, "Beta Family");

        let overview: vitasync::admin::AdminOverview =
            bea.call("admin/overview", &[]).await.unwrap();
        assert_eq!(
            overview
                .members
                .iter()
                .map(|m| m.email.as_str())
                .collect::<Vec<_>>(),
            vec!["bea@example.com"]
        );
        assert!(
            overview.invitations.is_empty(),
            "Acme's invitation is not visible in Beta"
        );

        // Revoking Acme's invitation by id from Beta does nothing.
        let acme: vitasync::admin::AdminOverview = owner.call("admin/overview", &[]).await.unwrap();
        let acme_invite = acme.invitations[0].id.clone();
        assert!(matches!(
            bea.call::<()>("admin/revoke-invite", &[("id", &acme_invite)])
                .await,
            Err(AppError::NotFound(_))
        ));
        let acme_after: vitasync::admin::AdminOverview =
            owner.call("admin/overview", &[]).await.unwrap();
        assert_eq!(acme_after.invitations.len(), 1);

        // Only the instance owner manages workspaces.
        assert_eq!(
            bea.call::<Vec<vitasync::instance::WorkspaceInfo>>("instance/workspaces", &[])
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        let all: Vec<vitasync::instance::WorkspaceInfo> =
            owner.call("instance/workspaces", &[]).await.unwrap();
        assert_eq!(
            all.iter().map(|w| w.slug.as_str()).collect::<Vec<_>>(),
            vec!["acme-health", "beta-family"]
        );
    }
);
