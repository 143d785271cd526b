//! Habits: create, check and uncheck (today and past days), streaks that follow the schedule
//! and the user's own today, archive and delete; bad input and other people's habits refused.

use chrono::{Datelike, Duration, Utc};
use vitasync::error::AppError;
use vitasync::habits::server_fns::{HabitDetail, HabitsView};
use vitasync::with_db;

use crate::both_backends;
use crate::harness::{set_timezone, user_id, Case, Client, TestApp};

fn weekday_fields<'a>(
    name: &'a str,
    frequency: &'a str,
    days: &[&'a str],
) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("name", name),
        ("icon", "🏃"),
        ("color", "green"),
        ("frequency", frequency),
    ];
    for d in days {
        f.push((d, "on"));
    }
    f
}

async fn detail(c: &Client, id: &str) -> HabitDetail {
    c.call("habits/detail", &[("id", id)]).await.unwrap()
}

both_backends!(
    a_habit_is_checked_and_its_streak_kept,
    |app: TestApp| async move {
        let owner = app.setup_owner("owner@example.com", "owner-password").await;
        let user = user_id(app.db(), "owner@example.com").await;
        // A zone far east (UTC+13): "today" is the user's own date.
        set_timezone(app.db(), &user, "Pacific/Tongatapu").await;
        let today = Utc::now()
            .with_timezone(&chrono_tz::Pacific::Tongatapu)
            .date_naive();

        let empty: HabitsView = owner.call("habits/list", &[]).await.unwrap();
        assert!(empty.due.is_empty() && empty.other.is_empty());
        let id: String = owner
            .call("habits/create", &weekday_fields("Run", "daily", &[]))
            .await
            .unwrap();

        // Today and the two days before: a streak of three.
        for back in [0, 1, 2] {
            let date = (today - Duration::days(back)).to_string();
            owner
                .call::<()>(
                    "habits/check",
                    &[("id", &id), ("done", "true"), ("date", &date)],
                )
                .await
                .unwrap();
        }
        // Checking again changes nothing (one check-in per day).
        owner
            .call::<()>(
                "habits/check",
                &[("id", &id), ("done", "true"), ("date", "")],
            )
            .await
            .unwrap();
        let d = detail(&owner, &id).await;
        assert_eq!(
            (d.card.current_streak, d.card.longest_streak, d.total_done),
            (3, 3, 3)
        );
        assert!(d.card.done_today && d.card.strength > 0);
        let stored: (i32, i32) = with_db!(app.db(), pool => sqlx::query_as(
        "SELECT current_streak, longest_streak FROM habits WHERE id = $1").bind(&id).fetch_one(pool).await).unwrap();
        assert_eq!(stored, (3, 3));

        // Un-checking yesterday splits the run; today not done yet keeps yesterday's streak alive.
        let yesterday = (today - Duration::days(1)).to_string();
        owner
            .call::<()>(
                "habits/check",
                &[("id", &id), ("done", "false"), ("date", &yesterday)],
            )
            .await
            .unwrap();
        let d = detail(&owner, &id).await;
        assert_eq!((d.card.current_streak, d.card.longest_streak), (1, 1));
        owner
            .call::<()>(
                "habits/check",
                &[("id", &id), ("done", "false"), ("date", "")],
            )
            .await
            .unwrap();
        owner
            .call::<()>(
                "habits/check",
                &[("id", &id), ("done", "true"), ("date", &yesterday)],
            )
            .await
            .unwrap();
        let d = detail(&owner, &id).await;
        assert_eq!(
            (d.card.current_streak, d.card.longest_streak),
            (2, 2),
            "today is still open"
        );
        assert!(!d.card.done_today);
        assert_eq!(
            d.month
                .weeks
                .iter()
                .flatten()
                .filter(|c| c.in_month && c.level == 4)
                .count(),
            [1, 2]
                .iter()
                .filter(|b| (today - Duration::days(**b)).month() == today.month())
                .count()
        );

        // The user's tomorrow is in the future, even where UTC is still a day behind.
        let tomorrow = (today + Duration::days(1)).to_string();
        let err = owner
            .call::<()>(
                "habits/check",
                &[("id", &id), ("done", "true"), ("date", &tomorrow)],
            )
            .await
            .unwrap_err();
        assert_eq!(
            err.for_field("date").as_deref(),
            Some("That date is in the future.")
        );

        // A note on a completion.
        owner
            .call::<()>(
                "habits/check",
                &[
                    ("id", &id),
                    ("done", "true"),
                    ("date", ""),
                    ("note", "5 km easy"),
                ],
            )
            .await
            .unwrap();
        let d = detail(&owner, &id).await;
        assert_eq!(d.notes[0].1, "5 km easy");
        app.finish().await;
    }
);

both_backends!(
    weekday_habits_skip_weekends_and_far_west_today,
    |app: TestApp| async move {
        let owner = app.setup_owner("owner@example.com", "owner-password").await;
        let user = user_id(app.db(), "owner@example.com").await;
        set_timezone(app.db(), &user, "Pacific/Honolulu").await;
        let today = Utc::now()
            .with_timezone(&chrono_tz::Pacific::Honolulu)
            .date_naive();
        let id: String = owner
            .call("habits/create", &weekday_fields("Stretch", "weekdays", &[]))
            .await
            .unwrap();
        // Check every weekday of the last two weeks (not today).
        let mut weekdays = 0;
        for back in 1..=14 {
            let d = today - Duration::days(back);
            if d.weekday().number_from_monday() <= 5 {
                weekdays += 1;
                owner
                    .call::<()>(
                        "habits/check",
                        &[("id", &id), ("done", "true"), ("date", &d.to_string())],
                    )
                    .await
                    .unwrap();
            }
        }
        let d = detail(&owner, &id).await;
        assert_eq!(
            d.card.current_streak, weekdays,
            "weekends neither break nor extend it"
        );
        assert_eq!(d.card.schedule, "Weekdays");
        let list: HabitsView = owner.call("habits/list", &[]).await.unwrap();
        let weekend = today.weekday().number_from_monday() > 5;
        assert_eq!(list.due.len(), usize::from(!weekend));
        assert_eq!(list.other.len(), usize::from(weekend));

        // Custom days: Monday and Thursday only.
        let id2: String = owner
            .call(
                "habits/create",
                &weekday_fields("Swim", "custom", &["d1", "d4"]),
            )
            .await
            .unwrap();
        assert_eq!(detail(&owner, &id2).await.card.schedule, "Mon, Thu");
        app.finish().await;
    }
);

both_backends!(
    habit_input_is_validated_and_kept_private,
    |app: TestApp| async move {
        let owner = app.setup_owner("owner@example.com", "owner-password").await;
        let member = app
            .add_member(&owner, "member@example.com", "member-password")
            .await;
        let (blank, no_days, hourly) = (
            weekday_fields("  ", "daily", &[]),
            weekday_fields("Swim", "custom", &[]),
            weekday_fields("Swim", "hourly", &[]),
        );
        let cases: [Case; 4] = [
            (&blank, "name", "Enter a name for the habit."),
            (&no_days, "frequency", "Pick at least one day of the week."),
            (
                &hourly,
                "frequency",
                "Choose every day, weekdays or custom days.",
            ),
            (
                &[("name", "Swim"), ("icon", "abc")],
                "icon",
                "Use one emoji as the icon.",
            ),
        ];
        for (fields, field, message) in cases {
            let err = owner
                .call::<String>("habits/create", fields)
                .await
                .unwrap_err();
            assert_eq!(err.for_field(field).as_deref(), Some(message), "{fields:?}");
        }
        let count: i64 = with_db!(app.db(), pool => sqlx::query_scalar("SELECT COUNT(*) FROM habits").fetch_one(pool).await).unwrap();
        assert_eq!(count, 0);

        let id: String = owner
            .call("habits/create", &[("name", "Read"), ("icon", "📖")])
            .await
            .unwrap();
        let not_found = |e: AppError| matches!(e, AppError::NotFound(_));
        assert!(not_found(
            member
                .call::<HabitDetail>("habits/detail", &[("id", &id)])
                .await
                .unwrap_err()
        ));
        assert!(not_found(
            member
                .call::<()>("habits/check", &[("id", &id), ("done", "true")])
                .await
                .unwrap_err()
        ));
        assert!(not_found(
            member
                .call::<()>("habits/update", &[("id", &id), ("name", "Mine")])
                .await
                .unwrap_err()
        ));
        assert!(not_found(
            member
                .call::<()>("habits/archive", &[("id", &id), ("archived", "true")])
                .await
                .unwrap_err()
        ));
        assert!(not_found(
            member
                .call::<()>("habits/delete", &[("id", &id), ("confirm", "delete")])
                .await
                .unwrap_err()
        ));
        let theirs: HabitsView = member.call("habits/list", &[]).await.unwrap();
        assert!(theirs.due.is_empty() && theirs.other.is_empty());

        // Archive, restore, edit and delete (with confirmation) by the owner.
        owner
            .call::<()>("habits/check", &[("id", &id), ("done", "true")])
            .await
            .unwrap();
        owner
            .call::<()>("habits/archive", &[("id", &id), ("archived", "true")])
            .await
            .unwrap();
        let v: HabitsView = owner.call("habits/list", &[]).await.unwrap();
        assert_eq!(v.archived.len(), 1);
        assert!(owner
            .call::<()>("habits/check", &[("id", &id), ("done", "false")])
            .await
            .is_err());
        owner
            .call::<()>("habits/archive", &[("id", &id), ("archived", "false")])
            .await
            .unwrap();
        owner
            .call::<()>(
                "habits/update",
                &[
                    ("id", &id),
                    ("name", "Read 20 pages"),
                    ("color", "purple"),
                    ("frequency", "daily"),
                ],
            )
            .await
            .unwrap();
        let d = detail(&owner, &id).await;
        assert_eq!(
            (d.card.name.as_str(), d.card.color.as_str(), d.total_done),
            ("Read 20 pages", "purple", 1)
        );
        let err = owner
            .call::<()>("habits/delete", &[("id", &id)])
            .await
            .unwrap_err();
        assert!(err.for_field("confirm").is_some());
        owner
            .call::<()>("habits/delete", &[("id", &id), ("confirm", "delete")])
            .await
            .unwrap();
        let logs: i64 = with_db!(app.db(), pool => sqlx::query_scalar("SELECT COUNT(*) FROM habit_logs").fetch_one(pool).await).unwrap();
        assert_eq!(logs, 0, "check-ins go with the habit");
        app.finish().await;
    }
);
