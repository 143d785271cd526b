//! Who may sign in and what they may do: an admin invites a person who exists only through the
//! API (the link gives that same person a password, keeping their data), and makes people who
//! sign in members or admins. One rule guards switching off, deleting and re-roling people on
//! the admin pages and in the API.

use serde_json::json;
use vitasync::accounts::Role;
use vitasync::admin::users::PersonDetail;
use vitasync::error::AppError;
use vitasync::with_db;

use crate::both_backends;
use crate::harness::{Client, TestApp};

fn invalid(e: AppError) -> (String, String) {
    match e {
        AppError::Invalid { field, message } => (field.unwrap_or_default(), message),
        other => panic!("expected a field error, got {other:?}"),
    }
}

/// Invites the person from their admin page; returns the token shown after the redirect.
async fn invite(admin: &Client, id: &str, role: &str) -> Result<String, String> {
    let res = admin
        .post_form(
            "/api/admin/users/invite",
            &[("id", id), ("role", role), ("expires_in_days", "7")],
        )
        .await;
    if !res.status.is_success() {
        return Err(res.body);
    }
    let location = res.header("location").expect("redirect to the person page");
    assert!(
        location.starts_with(&format!("/admin/users/{id}?invited=")),
        "{location}"
    );
    Ok(crate::harness::shown_invitation(admin, &location).await)
}

async fn accept(app: &TestApp, token: &str, password: &str) -> Result<Client, AppError> {
    let c = app.client_from("10.0.0.3");
    c.call::<()>(
        "auth/accept-invitation",
        &[
            ("token", token),
            ("display_name", ""),
            ("password", password),
            ("timezone", "UTC"),
        ],
    )
    .await
    .map(|_| c)
}

both_backends!(
    an_invitation_gives_an_api_person_a_password_and_keeps_their_data,
    |app: TestApp| async move {
        let (ws, admin) = app.workspace("Clinic").await;
        let key = app.api_key(&ws, "read,write").await;
        let created = app
            .api(
                "POST",
                "/v1/users",
                Some(&key),
                Some(json!({"externalId": "crm-7", "email": "Kai@Example.com",
                    "displayName": "Kai", "timezone": "Asia/Tokyo"})),
            )
            .await;
        assert_eq!(created.status, 201, "{}", created.json);
        let kai = created.json["id"].as_str().unwrap().to_string();
        let drink = app
            .api(
                "POST",
                &format!("/v1/users/{kai}/water"),
                Some(&key),
                Some(json!({"amountMl": 250})),
            )
            .await;
        assert_eq!(drink.status, 201, "{}", drink.json);
        let nameless = app
            .api(
                "POST",
                "/v1/users",
                Some(&key),
                Some(json!({"externalId": "crm-8"})),
            )
            .await;
        let nameless = nameless.json["id"].as_str().unwrap().to_string();

        // No email, no invitation; a bad role or expiry is refused before anything is stored.
        let err = invite(&admin, &nameless, "member").await.unwrap_err();
        assert!(err.contains("email"), "{err}");
        assert!(invite(&admin, &kai, "root")
            .await
            .unwrap_err()
            .contains("Member or Admin"));

        let first = invite(&admin, &kai, "member").await.unwrap();
        let d: PersonDetail = admin
            .call("admin/users/detail", &[("id", kai.as_str())])
            .await
            .unwrap();
        assert!(!d.can_sign_in && d.invitation_expires.is_some());
        // The link is shown only at the address the invitation sent this admin to, and only
        // to this admin's session.
        let page = admin
            .get(&format!("/admin/users/{kai}?invited=guess"))
            .await;
        assert!(!page.body.contains(&format!("/join/{first}")));
        let page = admin.get(&format!("/admin/users/{kai}")).await;
        assert!(!page.body.contains(&format!("/join/{first}")));
        // A second link replaces the first.
        let second = invite(&admin, &kai, "member").await.unwrap();
        assert!(matches!(
            accept(&app, &first, "kai-password-1").await,
            Err(AppError::NotFound(_))
        ));
        let details: vitasync::auth::InvitationDetails = app
            .client()
            .call("auth/invitation", &[("token", &second)])
            .await
            .unwrap();
        assert_eq!(details.email, "kai@example.com");

        let client = accept(&app, &second, "kai-password-1").await.unwrap();
        let me = client.whoami().await.unwrap();
        assert_eq!(me.id, kai, "the same person, not a new account");
        assert_eq!(
            (me.role, me.timezone.as_str(), me.display_name.as_deref()),
            (Role::Member, "Asia/Tokyo", Some("Kai")),
            "their time zone and name are kept"
        );
        let drinks: i64 = with_db!(app.db(), pool => sqlx::query_scalar(
            "SELECT COUNT(*) FROM water_intake WHERE user_id = $1").bind(&kai).fetch_one(pool).await)
        .unwrap();
        assert_eq!(drinks, 1, "their data is theirs to see");
        let users: i64 = with_db!(app.db(), pool => sqlx::query_scalar(
            "SELECT COUNT(*) FROM users WHERE workspace_id = $1").bind(&ws).fetch_one(pool).await)
        .unwrap();
        assert_eq!(users, 3, "owner, Kai and the nameless person");
        let got = app
            .api("GET", &format!("/v1/users/{kai}"), Some(&key), None)
            .await;
        assert_eq!(got.json["externalId"], "crm-7");

        let d: PersonDetail = admin
            .call("admin/users/detail", &[("id", kai.as_str())])
            .await
            .unwrap();
        assert!(d.can_sign_in && d.invitation_expires.is_none());
        assert!(invite(&admin, &kai, "member")
            .await
            .unwrap_err()
            .contains("already sign in"));

        // A switched-off person is not invited; another workspace's admin does not see them.
        admin
            .call::<()>(
                "admin/users/set-disabled",
                &[("id", nameless.as_str()), ("disabled", "true")],
            )
            .await
            .unwrap();
        with_db!(app.db(), pool => sqlx::query("UPDATE users SET email = 'n@example.com' WHERE id = $1")
            .bind(&nameless).execute(pool).await.map(|r| r.rows_affected()))
        .unwrap();
        assert!(invite(&admin, &nameless, "member")
            .await
            .unwrap_err()
            .contains("switched off"));
        let (_, other) = app.workspace("Other").await;
        let res = other
            .call::<()>(
                "admin/users/invite",
                &[
                    ("id", kai.as_str()),
                    ("role", "member"),
                    ("expires_in_days", "7"),
                ],
            )
            .await;
        assert!(matches!(res, Err(AppError::NotFound(_))), "{res:?}");
    }
);

both_backends!(
    an_invitation_is_refused_when_the_address_already_signs_in,
    |app: TestApp| async move {
        let (ws, admin) = app.workspace("Clinic").await;
        let key = app.api_key(&ws, "read,write").await;
        let _mia = app
            .add_member(&admin, "mia@example.com", "member-password-1")
            .await;
        let twin = app
            .api(
                "POST",
                "/v1/users",
                Some(&key),
                Some(json!({"externalId": "crm-9", "email": "mia@example.com"})),
            )
            .await;
        let twin = twin.json["id"].as_str().unwrap().to_string();
        let err = invite(&admin, &twin, "member").await.unwrap_err();
        assert!(err.contains("already signs in"), "{err}");
        let open: i64 = with_db!(app.db(), pool => sqlx::query_scalar(
            "SELECT COUNT(*) FROM invitations WHERE user_id = $1").bind(&twin).fetch_one(pool).await)
        .unwrap();
        assert_eq!(open, 0);
    }
);

both_backends!(
    admins_change_roles_with_one_rule_for_pages_and_api,
    |app: TestApp| async move {
        let owner = app
            .setup_owner("owner@example.com", "owner-password-1")
            .await;
        let owner_id = owner.whoami().await.unwrap().id;
        let member = app
            .add_member(&owner, "mia@example.com", "member-password-1")
            .await;
        let mia = member.whoami().await.unwrap().id;
        let ws = owner.whoami().await.unwrap().workspace_id;
        let key = app.api_key(&ws, "read,write,admin").await;

        let overview = |c: &Client| {
            let c = c.clone();
            async move {
                c.call::<vitasync::admin::AdminOverview>("admin/overview", &[])
                    .await
            }
        };
        assert_eq!(overview(&member).await.unwrap_err(), AppError::Forbidden);
        let (field, _) = invalid(
            owner
                .call::<()>(
                    "admin/users/set-role",
                    &[("id", mia.as_str()), ("role", "root")],
                )
                .await
                .unwrap_err(),
        );
        assert_eq!(field, "role");
        owner
            .call::<()>(
                "admin/users/set-role",
                &[("id", mia.as_str()), ("role", "admin")],
            )
            .await
            .unwrap();
        assert!(
            overview(&member).await.is_ok(),
            "promoted on her next request"
        );
        assert_eq!(member.whoami().await.unwrap().role, Role::Admin);

        // Nobody changes their own role or the instance owner's.
        for (target, who) in [(&owner_id, "the owner"), (&mia, "herself")] {
            let (field, message) = invalid(
                member
                    .call::<()>(
                        "admin/users/set-role",
                        &[("id", target.as_str()), ("role", "member")],
                    )
                    .await
                    .unwrap_err(),
            );
            assert_eq!(field, "role", "{who}: {message}");
        }
        // An API key cannot delete an admin who signs in; an admin can, on the Users page.
        let res = app
            .api("DELETE", &format!("/v1/users/{mia}"), Some(&key), None)
            .await;
        assert_eq!(res.status, 409, "{}", res.json);
        assert_eq!(res.json["error"]["code"], "conflict");
        let res = app
            .api("DELETE", &format!("/v1/users/{owner_id}"), Some(&key), None)
            .await;
        assert_eq!(res.status, 409);

        owner
            .call::<()>(
                "admin/users/set-role",
                &[("id", mia.as_str()), ("role", "member")],
            )
            .await
            .unwrap();
        assert_eq!(
            overview(&member).await.unwrap_err(),
            AppError::Forbidden,
            "demoted at once"
        );
        let res = app
            .api("DELETE", &format!("/v1/users/{mia}"), Some(&key), None)
            .await;
        assert_eq!(
            res.status, 204,
            "a member is removed through the API: {}",
            res.json
        );

        // Roles belong to people who sign in; an API-only person gets theirs with an invitation.
        let api_only = app
            .api(
                "POST",
                "/v1/users",
                Some(&key),
                Some(json!({"externalId": "crm-1"})),
            )
            .await;
        let api_only = api_only.json["id"].as_str().unwrap().to_string();
        let (_, message) = invalid(
            owner
                .call::<()>(
                    "admin/users/set-role",
                    &[("id", api_only.as_str()), ("role", "admin")],
                )
                .await
                .unwrap_err(),
        );
        assert!(message.contains("invite"), "{message}");
        let role: String = with_db!(app.db(), pool => sqlx::query_scalar(
            "SELECT role FROM users WHERE id = $1").bind(&api_only).fetch_one(pool).await)
        .unwrap();
        assert_eq!(role, "member");
    }
);

both_backends!(
    an_invitation_gives_a_password_only_to_the_address_it_was_for,
    |app: TestApp| async move {
        let (ws, admin) = app.workspace("Clinic").await;
        let key = app.api_key(&ws, "read,write").await;
        let created = app
            .api(
                "POST",
                "/v1/users",
                Some(&key),
                Some(json!({"externalId": "crm-5", "email": "lea@example.com"})),
            )
            .await;
        let lea = created.json["id"].as_str().unwrap().to_string();
        let token = invite(&admin, &lea, "member").await.unwrap();
        // The platform changes her address before she accepts.
        let changed = app
            .api(
                "PATCH",
                &format!("/v1/users/{lea}"),
                Some(&key),
                Some(json!({"email": "lea@elsewhere.example"})),
            )
            .await;
        assert_eq!(changed.status, 200, "{}", changed.json);
        assert!(matches!(
            accept(&app, &token, "lea-password-1").await,
            Err(AppError::Conflict(_))
        ));
        let can_sign_in: bool = with_db!(app.db(), pool => sqlx::query_scalar(
            "SELECT password_hash IS NOT NULL FROM users WHERE id = $1").bind(&lea).fetch_one(pool).await)
        .unwrap();
        assert!(
            !can_sign_in,
            "no password on an address the link was not for"
        );
    }
);
