//! The admin's Users screens: search and pages, creating a person (same rules as the API),
//! one person's page, switching a person off (their sessions stop at once) and on, and
//! deleting a person with all their data. Only admins, and only their own workspace.

use vitasync::admin::users::{PeopleOverview, PersonDetail};
use vitasync::error::AppError;
use vitasync::with_db;

use crate::both_backends;
use crate::harness::TestApp;

fn invalid_field(e: AppError) -> String {
    match e {
        AppError::Invalid { field, .. } => field.unwrap_or_default(),
        other => panic!("expected a field error, got {other:?}"),
    }
}

both_backends!(
    admins_find_create_and_inspect_people,
    |app: TestApp| async move {
        let admin = app
            .setup_owner("owner@example.com", "owner-password-1")
            .await;
        let id: String = admin
            .call(
                "admin/users/create",
                &[
                    ("external_id", "crm-42"),
                    ("email", "Ada@Example.com"),
                    ("display_name", "Ada"),
                    ("timezone", "Asia/Tokyo"),
                    ("metadata", r#"{"plan": "pro"}"#),
                ],
            )
            .await
            .unwrap();
        for (fields, bad) in [
            (vec![("external_id", "crm-42")], "external_id"),
            (vec![("timezone", "Mars/Olympus")], "timezone"),
            (vec![("metadata", "[1, 2]")], "metadata"),
            (vec![("metadata", "{not json")], "metadata"),
            (vec![("email", "not-an-email")], "email"),
        ] {
            let err = admin
                .call::<String>("admin/users/create", &fields)
                .await
                .unwrap_err();
            assert_eq!(invalid_field(err), bad, "{fields:?}");
        }
        // Enough people for a second page.
        for i in 0..26 {
            let ext = format!("bulk-{i:02}");
            admin
                .call::<String>("admin/users/create", &[("external_id", ext.as_str())])
                .await
                .unwrap();
        }
        let first: PeopleOverview = admin.call("admin/users", &[]).await.unwrap();
        assert_eq!(first.people.len(), 25);
        let after = first.next.clone().expect("a second page");
        let second: PeopleOverview = admin
            .call("admin/users", &[("after", after.as_str())])
            .await
            .unwrap();
        assert_eq!(second.people.len(), 28 - 25);
        assert!(second.next.is_none());
        let mut all: Vec<String> = first
            .people
            .iter()
            .chain(&second.people)
            .map(|p| p.id.clone())
            .collect();
        all.dedup();
        assert_eq!(all.len(), 28, "owner, Ada and 26 more, each once");

        for q in ["ada@", "CRM-4", "ada"] {
            let found: PeopleOverview = admin.call("admin/users", &[("q", q)]).await.unwrap();
            assert_eq!(
                found
                    .people
                    .iter()
                    .map(|p| p.id.clone())
                    .collect::<Vec<_>>(),
                vec![id.clone()],
                "{q}"
            );
        }
        let none: PeopleOverview = admin.call("admin/users", &[("q", "100%_")]).await.unwrap();
        assert!(none.people.is_empty(), "wildcards are literal");

        let d: PersonDetail = admin
            .call("admin/users/detail", &[("id", id.as_str())])
            .await
            .unwrap();
        assert_eq!(
            (
                d.person.name.as_str(),
                d.person.status.as_str(),
                d.timezone.as_str()
            ),
            ("Ada", "API only", "Asia/Tokyo")
        );
        assert_eq!(d.person.email.as_deref(), Some("ada@example.com"));
        assert!(d.metadata.contains("\"plan\": \"pro\""));
        assert!(d.counts.iter().all(|(_, n)| *n == 0) && d.connections.is_empty());
        assert!(d.can_change);
        let page = admin.get(&format!("/admin/users/{id}")).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Ada") && page.body.contains("Delete person"));
        let list = admin.get("/admin/users?q=crm").await;
        assert!(list.body.contains(&format!("/admin/users/{id}")));
    }
);

both_backends!(
    admins_switch_off_and_delete_people,
    |app: TestApp| async move {
        let admin = app
            .setup_owner("owner@example.com", "owner-password-1")
            .await;
        let me = admin.whoami().await.unwrap();
        let member = app
            .add_member(&admin, "mia@example.com", "member-password-1")
            .await;
        let mia = member.whoami().await.unwrap();
        admin
            .call::<String>("journal/save", &[("body", "Owner's own diary")])
            .await
            .unwrap();
        member
            .call::<String>("journal/save", &[("body", "Mia's diary")])
            .await
            .unwrap();

        // Members cannot reach any of it.
        assert_eq!(
            member
                .call::<PeopleOverview>("admin/users", &[])
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(member.get("/admin/users").await.status, 403);

        admin
            .call::<()>(
                "admin/users/set-disabled",
                &[("id", mia.id.as_str()), ("disabled", "true")],
            )
            .await
            .unwrap();
        assert!(
            member.whoami().await.is_none(),
            "her session stopped at once"
        );
        assert!(member
            .login("mia@example.com", "member-password-1")
            .await
            .is_err());
        let d: PersonDetail = admin
            .call("admin/users/detail", &[("id", mia.id.as_str())])
            .await
            .unwrap();
        assert!(d.disabled && d.person.status == "Disabled");
        assert_eq!(
            d.counts
                .iter()
                .find(|(l, _)| l == "Journal entries")
                .unwrap()
                .1,
            1
        );
        admin
            .call::<()>(
                "admin/users/set-disabled",
                &[("id", mia.id.as_str()), ("disabled", "false")],
            )
            .await
            .unwrap();
        member
            .login("mia@example.com", "member-password-1")
            .await
            .unwrap();

        let err = admin
            .call::<()>(
                "admin/users/set-disabled",
                &[("id", me.id.as_str()), ("disabled", "true")],
            )
            .await
            .unwrap_err();
        assert_eq!(invalid_field(err), "disabled", "not yourself");
        let err = admin
            .call::<()>("admin/users/delete", &[("id", mia.id.as_str())])
            .await
            .unwrap_err();
        assert_eq!(invalid_field(err), "confirm");
        admin
            .call::<()>(
                "admin/users/delete",
                &[("id", mia.id.as_str()), ("confirm", "delete")],
            )
            .await
            .unwrap();
        let left: i64 = with_db!(app.db(), pool => sqlx::query_scalar("SELECT COUNT(*) FROM journal_entries").fetch_one(pool).await).unwrap();
        assert_eq!(left, 1, "her data went with her; the owner's stayed");
        assert!(matches!(
            admin
                .call::<PersonDetail>("admin/users/detail", &[("id", mia.id.as_str())])
                .await,
            Err(AppError::NotFound(_))
        ));

        // Another workspace's admin sees none of this workspace's people.
        let (_, other) = app.workspace("Other").await;
        assert!(matches!(
            other
                .call::<PersonDetail>("admin/users/detail", &[("id", me.id.as_str())])
                .await,
            Err(AppError::NotFound(_))
        ));
        let err = other
            .call::<()>(
                "admin/users/delete",
                &[("id", me.id.as_str()), ("confirm", "delete")],
            )
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::NotFound(_)));
        let theirs: PeopleOverview = other.call("admin/users", &[]).await.unwrap();
        assert!(theirs.people.iter().all(|p| p.id != me.id));
    }
);
