//! Goals: progress from stored data (health metrics, water, habits, mood, workouts), weekly
//! sums, at-most and reach-a-target goals, streaks of periods met, archive and delete, the
//! Today section; bad input and other people's goals refused.

use chrono::{Duration, Utc};
use vitasync::dashboard::wellness::WellnessToday;
use vitasync::error::AppError;
use vitasync::goals::server_fns::{GoalDetail, GoalsView};
use vitasync::health::ingest::{self, Batch, Source};
use vitasync::with_db;

use crate::both_backends;
use crate::harness::{point, user_id, TestApp};

both_backends!(
    goal_progress_comes_from_the_stored_data,
    |app: TestApp| async move {
        let owner = app.setup_owner("owner@example.com", "owner-password").await;
        let user = user_id(app.db(), "owner@example.com").await;
        let paris = chrono_tz::Europe::Paris;
        let now = Utc::now();
        let today = now.with_timezone(&paris).date_naive();
        let noon = |d: chrono::NaiveDate| {
            vitasync::health::local_time::start_of_day(d, paris) + Duration::hours(12)
        };
        // Steps: 9,000 on each of the two days before today, 3,000 so far today.
        let mut batch = Batch::new("garmin", Source::User);
        for back in [1, 2] {
            batch
                .points
                .push(point("steps", 9_000.0, noon(today - Duration::days(back))));
        }
        batch.points.push(point(
            "steps",
            3_000.0,
            vitasync::health::local_time::start_of_day(today, paris) + Duration::minutes(1),
        ));
        ingest::ingest(app.db(), &user, batch).await.unwrap();

        let id: String = owner
            .call(
                "goals/create",
                &[
                    ("metric", "steps"),
                    ("direction", "at_least"),
                    ("target", "8000"),
                    ("cadence", "daily"),
                ],
            )
            .await
            .unwrap();
        // The streak counts from the goal's start: move it back three days.
        with_db!(app.db(), pool => sqlx::query("UPDATE goals SET start_date = $1 WHERE id = $2")
        .bind(today - Duration::days(3)).bind(&id).execute(pool).await.map(|r| r.rows_affected()))
        .unwrap();
        let d: GoalDetail = owner.call("goals/detail", &[("id", &id)]).await.unwrap();
        assert_eq!(d.card.value, "3,000 steps");
        assert_eq!(d.card.percent, 37.5);
        assert_eq!(d.card.status, "5,000 steps to go");
        assert_eq!(
            (d.card.current_streak, d.card.longest_streak),
            (2, 2),
            "today is still open"
        );
        assert_eq!(d.card.rule, "At least 8,000 steps a day");
        assert_eq!(d.history.len(), 14);
        assert!(d.chart.contains("<svg"));
        let stored: (Option<f64>, i32) = with_db!(app.db(), pool => sqlx::query_as(
        "SELECT current_value, current_streak FROM goals WHERE id = $1").bind(&id).fetch_one(pool).await).unwrap();
        assert_eq!(stored, (Some(3000.0), 2));

        // Weekly: the ISO week's total (Monday first).
        let weekly: String = owner
            .call(
                "goals/create",
                &[
                    ("metric", "steps"),
                    ("target", "1000000"),
                    ("cadence", "weekly"),
                ],
            )
            .await
            .unwrap();
        let d: GoalDetail = owner
            .call("goals/detail", &[("id", &weekly)])
            .await
            .unwrap();
        let week_start = vitasync::wellness::period::Cadence::Weekly.start(today);
        let expected: f64 = [0i64, 1, 2]
            .iter()
            .map(|b| today - Duration::days(*b))
            .filter(|d| *d >= week_start)
            .map(|d| if d == today { 3_000.0 } else { 9_000.0 })
            .sum();
        assert_eq!(
            d.card.value,
            format!(
                "{} steps",
                vitasync::health::catalogue::format_number(expected, 0)
            )
        );

        // Water, habits and mood feed their goals.
        owner
            .call::<()>("water/add", &[("amount", "1500")])
            .await
            .unwrap();
        let water: String = owner
            .call(
                "goals/create",
                &[
                    ("metric", "water_ml"),
                    ("direction", "at_least"),
                    ("target", "1000"),
                ],
            )
            .await
            .unwrap();
        let habit: String = owner
            .call("habits/create", &[("name", "Read")])
            .await
            .unwrap();
        owner
            .call::<()>("habits/check", &[("id", &habit), ("done", "true")])
            .await
            .unwrap();
        let checks: String = owner
            .call(
                "goals/create",
                &[
                    ("metric", "habit_completions"),
                    ("target", "1"),
                    ("habit", &habit),
                ],
            )
            .await
            .unwrap();
        owner
            .call::<()>("mood/add", &[("score", "2")])
            .await
            .unwrap();
        let mood: String = owner
            .call("goals/create", &[("metric", "mood_avg"), ("target", "3")])
            .await
            .unwrap();
        let at_most: String = owner
            .call(
                "goals/create",
                &[
                    ("metric", "water_ml"),
                    ("direction", "at_most"),
                    ("target", "1000"),
                ],
            )
            .await
            .unwrap();
        let card = |id: &str| {
            let owner = &owner;
            let id = id.to_string();
            async move {
                owner
                    .call::<GoalDetail>("goals/detail", &[("id", &id)])
                    .await
                    .unwrap()
                    .card
            }
        };
        assert!(card(&water).await.met);
        assert!(card(&checks).await.met);
        let m = card(&mood).await;
        assert!(!m.met && m.value == "2.0 / 5", "{m:?}");
        let over = card(&at_most).await;
        assert_eq!((over.met, over.status.as_str()), (false, "500 ml over"));

        // The Today section shows every active goal with the rest of the day.
        let w: WellnessToday = owner.call("dashboard/wellness", &[]).await.unwrap();
        assert_eq!(w.water.total_ml, 1500);
        assert_eq!(w.habits.len(), 1);
        assert_eq!(w.mood.latest.as_ref().map(|m| m.score), Some(2));
        assert_eq!(w.goals.len(), 6);

        // Archive moves a goal out of the active list and keeps it.
        owner
            .call::<()>("goals/archive", &[("id", &mood), ("archived", "true")])
            .await
            .unwrap();
        let v: GoalsView = owner.call("goals/list", &[]).await.unwrap();
        assert_eq!((v.active.len(), v.archived.len()), (5, 1));
        app.finish().await;
    }
);

both_backends!(
    a_weight_target_completes_when_reached,
    |app: TestApp| async move {
        let owner = app.setup_owner("owner@example.com", "owner-password").await;
        let err = owner
            .call::<String>(
                "goals/create",
                &[
                    ("metric", "weight"),
                    ("direction", "reach"),
                    ("target", "72"),
                ],
            )
            .await
            .unwrap_err();
        assert_eq!(
            err.for_field("target").as_deref(),
            Some("Log your weight first (under Log), so progress can be measured from it.")
        );
        let now = Utc::now().with_timezone(&chrono_tz::Europe::Paris);
        let earlier = (now - Duration::minutes(30)).format("%H:%M").to_string();
        let date = (now - Duration::minutes(30)).format("%Y-%m-%d").to_string();
        owner
            .call::<()>(
                "measurements/add",
                &[
                    ("metric", "weight"),
                    ("value", "80"),
                    ("date", &date),
                    ("time", &earlier),
                ],
            )
            .await
            .unwrap();
        let id: String = owner
            .call(
                "goals/create",
                &[
                    ("metric", "weight"),
                    ("direction", "reach"),
                    ("target", "72"),
                ],
            )
            .await
            .unwrap();
        let d: GoalDetail = owner.call("goals/detail", &[("id", &id)]).await.unwrap();
        assert_eq!(
            (d.card.percent, d.card.status.as_str(), d.card.completed),
            (0.0, "8.0 kg to go", false)
        );
        owner
            .call::<()>(
                "measurements/add",
                &[
                    ("metric", "weight"),
                    ("value", "71.8"),
                    ("date", ""),
                    ("time", ""),
                ],
            )
            .await
            .unwrap();
        let d: GoalDetail = owner.call("goals/detail", &[("id", &id)]).await.unwrap();
        assert!(d.card.completed && d.card.met, "{:?}", d.card);
        let v: GoalsView = owner.call("goals/list", &[]).await.unwrap();
        assert_eq!(
            (v.active.len(), v.completed.len()),
            (0, 1),
            "completed goals are kept"
        );
        app.finish().await;
    }
);

both_backends!(
    bad_goals_are_refused_and_goals_stay_private,
    |app: TestApp| async move {
        let owner = app.setup_owner("owner@example.com", "owner-password").await;
        let member = app
            .add_member(&owner, "member@example.com", "member-password")
            .await;
        let cases: [(&[(&str, &str)], &str); 6] = [
            (&[("metric", "happiness"), ("target", "1")], "metric"),
            (&[("metric", "steps"), ("target", "many")], "target"),
            (&[("metric", "steps"), ("target", "-5")], "target"),
            (&[("metric", "mood_avg"), ("target", "6")], "target"),
            (
                &[
                    ("metric", "steps"),
                    ("target", "100"),
                    ("cadence", "hourly"),
                ],
                "cadence",
            ),
            (
                &[
                    ("metric", "steps"),
                    ("target", "100"),
                    ("direction", "reach"),
                ],
                "direction",
            ),
        ];
        for (fields, field) in cases {
            let err = owner
                .call::<String>("goals/create", fields)
                .await
                .unwrap_err();
            assert!(err.for_field(field).is_some(), "{fields:?}: {err:?}");
        }
        let id: String = owner
            .call("goals/create", &[("metric", "steps"), ("target", "100")])
            .await
            .unwrap();
        let not_found = |e: AppError| matches!(e, AppError::NotFound(_));
        assert!(not_found(
            member
                .call::<GoalDetail>("goals/detail", &[("id", &id)])
                .await
                .unwrap_err()
        ));
        assert!(not_found(
            member
                .call::<()>("goals/archive", &[("id", &id), ("archived", "true")])
                .await
                .unwrap_err()
        ));
        assert!(not_found(
            member
                .call::<()>("goals/delete", &[("id", &id), ("confirm", "delete")])
                .await
                .unwrap_err()
        ));
        let theirs: GoalsView = member.call("goals/list", &[]).await.unwrap();
        assert!(theirs.active.is_empty());
        assert!(owner
            .call::<()>("goals/delete", &[("id", &id)])
            .await
            .unwrap_err()
            .for_field("confirm")
            .is_some());
        owner
            .call::<()>("goals/delete", &[("id", &id), ("confirm", "delete")])
            .await
            .unwrap();
        app.finish().await;
    }
);

both_backends!(
    a_streak_longer_than_the_first_window_is_counted_whole,
    |app: TestApp| async move {
        let owner = app.setup_owner("owner@example.com", "owner-password").await;
        let user = user_id(app.db(), "owner@example.com").await;
        let paris = chrono_tz::Europe::Paris;
        let today = Utc::now().with_timezone(&paris).date_naive();
        // 40 days in a row at 9,000 steps (the first look-back window is 32 days), none today.
        let mut batch = Batch::new("garmin", Source::User);
        for back in 1..=40 {
            let day = today - Duration::days(back);
            batch.points.push(point(
                "steps",
                9_000.0,
                vitasync::health::local_time::start_of_day(day, paris) + Duration::hours(12),
            ));
        }
        ingest::ingest(app.db(), &user, batch).await.unwrap();
        let id: String = owner
            .call("goals/create", &[("metric", "steps"), ("target", "8000")])
            .await
            .unwrap();
        with_db!(app.db(), pool => sqlx::query("UPDATE goals SET start_date = $1 WHERE id = $2")
        .bind(today - Duration::days(50)).bind(&id).execute(pool).await.map(|r| r.rows_affected()))
        .unwrap();
        let d: GoalDetail = owner.call("goals/detail", &[("id", &id)]).await.unwrap();
        assert_eq!((d.card.current_streak, d.card.longest_streak), (40, 40));
        app.finish().await;
    }
);
