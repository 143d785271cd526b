//! Hydration: quick-add, custom amounts in ml or fl oz, undo, the goal snapshot on each row,
//! clear errors for bad input, and nobody touches another person's drinks.

use vitasync::error::AppError;
use vitasync::hydration::server_fns::HydrationView;
use vitasync::with_db;

use crate::both_backends;
use crate::harness::{user_id, Case, TestApp};

both_backends!(
    water_is_logged_undone_and_counted_against_the_goal,
    |app: TestApp| async move {
        let owner = app.setup_owner("owner@example.com", "owner-password").await;
        let empty: HydrationView = owner.call("water/view", &[]).await.unwrap();
        assert_eq!((empty.today.total_ml, empty.today.goal_ml), (0, 2500));
        assert!(empty.chart.is_empty() && empty.entries.is_empty());

        // Three ways: a quick-add button, a custom amount with a drink type and note, and fl oz.
        owner
            .call::<()>(
                "water/add",
                &[("amount", "250"), ("unit", "ml"), ("beverage", "water")],
            )
            .await
            .unwrap();
        owner
            .call::<()>(
                "water/add",
                &[
                    ("amount", "330"),
                    ("unit", "ml"),
                    ("beverage", "tea"),
                    ("note", "green"),
                ],
            )
            .await
            .unwrap();
        owner
            .call::<()>(
                "water/add",
                &[("amount", "8"), ("unit", "fl_oz"), ("beverage", "")],
            )
            .await
            .unwrap();
        let v: HydrationView = owner.call("water/view", &[("range", "30")]).await.unwrap();
        assert_eq!(v.today.total_ml, 250 + 330 + 237);
        assert_eq!(v.entries.len(), 3);
        assert_eq!(v.entries[1].note.as_deref(), Some("green"));
        assert!(
            v.chart.contains("<svg") && v.chart.contains("goal of 2500 ml"),
            "{}",
            v.chart
        );
        assert_eq!(v.table.len(), 30);
        assert_eq!(v.today.remaining, "1683 ml to go");

        // Undo removes the latest one only.
        owner.call::<()>("water/undo", &[]).await.unwrap();
        let v: HydrationView = owner.call("water/view", &[]).await.unwrap();
        assert_eq!(v.today.total_ml, 580);

        // A new goal becomes today's at once; a drink logged on an earlier day keeps its goal.
        let user = user_id(app.db(), "owner@example.com").await;
        with_db!(app.db(), pool => sqlx::query(
            "INSERT INTO water_intake (id, user_id, amount_ml, beverage_type, daily_goal_ml, logged_at, created_at) \
             VALUES ('earlier', $1, 3000, 'water', 2500, $2, $2)")
            .bind(&user)
            .bind(chrono::Utc::now() - chrono::Duration::days(3))
            .execute(pool).await.map(|r| r.rows_affected()))
        .unwrap();
        owner
            .call::<()>(
                "water/settings",
                &[("goal", "500"), ("sizes", "200, 750"), ("unit", "ml")],
            )
            .await
            .unwrap();
        let snapshots: Vec<i32> = with_db!(app.db(), pool => sqlx::query_scalar(
        "SELECT daily_goal_ml FROM water_intake ORDER BY logged_at").fetch_all(pool).await)
        .unwrap();
        assert_eq!(snapshots, vec![2500, 500, 500]);
        let v: HydrationView = owner.call("water/view", &[]).await.unwrap();
        assert_eq!(
            v.today.remaining, "Goal reached",
            "today's ring follows the new goal"
        );
        owner
            .call::<()>("water/add", &[("amount", "200"), ("unit", "ml")])
            .await
            .unwrap();
        let v: HydrationView = owner.call("water/view", &[]).await.unwrap();
        assert_eq!(
            v.today.goal_ml, 500,
            "the day's goal is the latest row's snapshot"
        );
        assert_eq!(v.today.remaining, "Goal reached");
        assert_eq!(v.streak.current, 1);
        assert_eq!(
            v.today.sizes.iter().map(|s| s.ml).collect::<Vec<_>>(),
            vec![200, 750]
        );

        // Shown in fl oz when preferred; amounts typed in fl oz from then on.
        owner
            .call::<()>(
                "water/settings",
                &[("goal", "500"), ("sizes", "200, 750"), ("unit", "fl_oz")],
            )
            .await
            .unwrap();
        let v: HydrationView = owner.call("water/view", &[]).await.unwrap();
        assert_eq!(v.today.total, "26.4 fl oz");
        assert_eq!(v.goal_input, "16.9");

        app.finish().await;
    }
);

both_backends!(
    bad_water_input_is_refused_with_a_message,
    |app: TestApp| async move {
        let owner = app.setup_owner("owner@example.com", "owner-password").await;
        let cases: [Case; 5] = [
            (
                &[("amount", "lots")],
                "amount",
                "Enter the amount as a number.",
            ),
            (
                &[("amount", "0")],
                "amount",
                "Enter between 1 ml and 5000 ml.",
            ),
            (
                &[("amount", "6000")],
                "amount",
                "Enter between 1 ml and 5000 ml.",
            ),
            (
                &[("amount", "250"), ("beverage", "beer")],
                "beverage",
                "Choose water, tea, coffee, juice or other.",
            ),
            (
                &[("amount", "250"), ("unit", "cups")],
                "amount",
                "Choose ml or fl oz.",
            ),
        ];
        for (fields, field, message) in cases {
            let err = owner.call::<()>("water/add", fields).await.unwrap_err();
            assert_eq!(err.for_field(field).as_deref(), Some(message), "{fields:?}");
        }
        let bad_settings: [(&[(&str, &str)], &str); 4] = [
            (&[("goal", "100"), ("sizes", "250"), ("unit", "ml")], "goal"),
            (
                &[("goal", "2000"), ("sizes", "big"), ("unit", "ml")],
                "sizes",
            ),
            (&[("goal", "2000"), ("sizes", ""), ("unit", "ml")], "sizes"),
            (
                &[("goal", "2000"), ("sizes", "250"), ("unit", "gallons")],
                "unit",
            ),
        ];
        for (fields, field) in bad_settings {
            let err = owner
                .call::<()>("water/settings", fields)
                .await
                .unwrap_err();
            assert!(err.for_field(field).is_some(), "{fields:?}: {err:?}");
        }
        assert_eq!(
            owner.call::<()>("water/undo", &[]).await.unwrap_err(),
            AppError::NotFound("Nothing logged today to undo.".into())
        );
        let count: i64 = with_db!(app.db(), pool => sqlx::query_scalar("SELECT COUNT(*) FROM water_intake").fetch_one(pool).await).unwrap();
        assert_eq!(count, 0, "nothing was stored");
        app.finish().await;
    }
);

both_backends!(
    another_persons_drinks_are_out_of_reach,
    |app: TestApp| async move {
        let owner = app.setup_owner("owner@example.com", "owner-password").await;
        let member = app
            .add_member(&owner, "member@example.com", "member-password")
            .await;
        owner
            .call::<()>("water/add", &[("amount", "500")])
            .await
            .unwrap();
        let v: HydrationView = owner.call("water/view", &[]).await.unwrap();
        let id = v.entries[0].id.clone();
        let err = member
            .call::<()>("water/delete", &[("id", &id)])
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::NotFound(_)), "{err:?}");
        // The member's undo sees only their own (empty) day.
        assert!(member.call::<()>("water/undo", &[]).await.is_err());
        let theirs: HydrationView = member.call("water/view", &[]).await.unwrap();
        assert_eq!(theirs.today.total_ml, 0);
        let mine: HydrationView = owner.call("water/view", &[]).await.unwrap();
        assert_eq!(mine.today.total_ml, 500);
        let _ = user_id(app.db(), "member@example.com").await;
        owner
            .call::<()>("water/delete", &[("id", &id)])
            .await
            .unwrap();
        app.finish().await;
    }
);
