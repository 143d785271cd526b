//! Habits: create, check and uncheck (today and past days), streaks that follow the schedule
//! and the user's own today, weekly targets counted in weeks (pages and REST API), archive and
//! delete; bad input and other people's habits refused.

use axum::http::StatusCode;
use chrono::{Datelike, Duration, NaiveDate, Utc};
use serde_json::{json, Value};
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

async fn check_on(c: &Client, id: &str, date: NaiveDate) {
    let date = date.to_string();
    c.call::<()>(
        "habits/check",
        &[("id", id), ("done", "true"), ("date", &date)],
    )
    .await
    .unwrap_or_else(|e| panic!("{date}: {e:?}"));
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

both_backends!(weekly_targets_count_weeks, |app: TestApp| async move {
    let owner = app.setup_owner("owner@example.com", "owner-password").await;
    let user = user_id(app.db(), "owner@example.com").await;
    set_timezone(app.db(), &user, "Europe/Berlin").await;
    let today = Utc::now()
        .with_timezone(&chrono_tz::Europe::Berlin)
        .date_naive();
    let monday = today - Duration::days(today.weekday().num_days_from_monday().into());

    // Three times a week, from the form (a ticked day is ignored).
    let mut fields = weekday_fields("Gym", "weekly", &["d1"]);
    fields.push(("times_per_week", "3"));
    let id: String = owner.call("habits/create", &fields).await.unwrap();
    let stored: (String, Option<i32>) = with_db!(app.db(), pool => sqlx::query_as(
        "SELECT frequency, times_per_week FROM habits WHERE id = $1").bind(&id).fetch_one(pool).await).unwrap();
    assert_eq!(stored, ("custom".to_string(), Some(3)));
    let d = detail(&owner, &id).await;
    assert_eq!(d.target_days, vec![0, 1, 2, 3, 4, 5, 6]);
    assert_eq!(
        (d.frequency.as_str(), d.times_per_week),
        ("weekly", Some(3))
    );
    assert_eq!(d.card.schedule, "3× a week");
    assert!(d.card.due_today, "nothing checked this week yet");

    // The four weeks before this one: 3, 4, 1 and 3 check-ins (days after their Monday), then
    // this Monday: met, met, missed, met, open with 1 of 3.
    let weeks: [(i64, &[i64]); 4] = [
        (4, &[0, 2, 4]),
        (3, &[0, 1, 3, 5]),
        (2, &[6]),
        (1, &[0, 2, 6]),
    ];
    for (back, days) in weeks {
        for day in days {
            check_on(&owner, &id, monday - Duration::days(7 * back - day)).await;
        }
    }
    check_on(&owner, &id, monday).await;
    let d = detail(&owner, &id).await;
    assert_eq!(
        (d.card.current_streak, d.card.longest_streak),
        (1, 2),
        "weeks; the open week does not break the streak"
    );
    assert_eq!(d.card.week_progress().as_deref(), Some("1 of 3 this week"));
    assert_eq!(d.card.streak_label(), "1-week streak");
    assert!(d.card.due_today, "this week is short of its target");
    assert!(
        d.month.weeks.iter().flatten().all(|c| c.level != 1),
        "no single day is missed"
    );
    let stored: (i32, i32) = with_db!(app.db(), pool => sqlx::query_as(
        "SELECT current_streak, longest_streak FROM habits WHERE id = $1").bind(&id).fetch_one(pool).await).unwrap();
    assert_eq!(stored, (1, 2));
    let list: HabitsView = owner.call("habits/list", &[]).await.unwrap();
    assert_eq!(list.due.len(), 1);

    // Two more in the missed week: four weeks met in a row, the open one not yet.
    for day in [1, 3] {
        check_on(&owner, &id, monday - Duration::days(14 - day)).await;
    }
    let d = detail(&owner, &id).await;
    assert_eq!((d.card.current_streak, d.card.longest_streak), (4, 4));

    // Four a week: only the week with four met.
    owner
        .call::<()>(
            "habits/update",
            &[
                ("id", &id),
                ("name", "Gym"),
                ("frequency", "weekly"),
                ("times_per_week", "4"),
            ],
        )
        .await
        .unwrap();
    let d = detail(&owner, &id).await;
    assert_eq!((d.card.current_streak, d.card.longest_streak), (0, 1));
    assert_eq!(d.card.schedule, "4× a week");

    // Back to every day: the number field (always posted) is ignored.
    owner
        .call::<()>(
            "habits/update",
            &[
                ("id", &id),
                ("name", "Gym"),
                ("frequency", "daily"),
                ("times_per_week", "5"),
            ],
        )
        .await
        .unwrap();
    let d = detail(&owner, &id).await;
    assert_eq!(
        (
            d.card.weekly_target,
            d.times_per_week,
            d.card.schedule.as_str()
        ),
        (None, None, "Every day")
    );
    let stored: Option<i32> = with_db!(app.db(), pool => sqlx::query_scalar(
        "SELECT times_per_week FROM habits WHERE id = $1").bind(&id).fetch_one(pool).await)
    .unwrap();
    assert_eq!(stored, None);

    // Out of range or not a number: refused on the field.
    for times in ["9", "0", "", "three"] {
        let mut fields = weekday_fields("Swim", "weekly", &[]);
        fields.push(("times_per_week", times));
        let err = owner
            .call::<String>("habits/create", &fields)
            .await
            .unwrap_err();
        assert_eq!(
            err.for_field("times_per_week").as_deref(),
            Some("Choose between 1 and 6 times a week."),
            "{times:?}"
        );
    }

    // A plain form post (no JavaScript) comes back to an empty form that says it worked.
    let mut fields = weekday_fields("Swim", "weekly", &[]);
    fields.push(("times_per_week", "2"));
    let res = owner.post_form_html("/api/habits/create", &fields).await;
    assert!(res.status.is_redirection(), "{}", res.status);
    let page = owner.get("/habits?__done=%2Fapi%2Fhabits%2Fcreate").await;
    assert!(page.body.contains("Habit created."), "confirmed");
    assert!(page.body.contains("2× a week"), "listed");
    assert!(
        !page.body.contains(r#"value="Swim""#),
        "the form is empty again"
    );
});

both_backends!(weekly_targets_through_the_api, |app: TestApp| async move {
    let (ws, _) = app.workspace("Acme").await;
    let key = app.api_key(&ws, "read,write").await;
    let person = app
        .api(
            "POST",
            "/v1/users",
            Some(&key),
            Some(json!({"externalId": "p1", "timezone": "Pacific/Tongatapu"})),
        )
        .await;
    assert_eq!(person.status, StatusCode::CREATED, "{}", person.json);
    let user = person.json["id"].as_str().unwrap().to_string();
    let today = Utc::now()
        .with_timezone(&chrono_tz::Pacific::Tongatapu)
        .date_naive();
    let last_monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()) + 7);
    let path = format!("/v1/users/{user}/habits");

    // The target wins over a frequency.
    let made = app
        .api(
            "POST",
            &path,
            Some(&key),
            Some(json!({"name": "Swim", "frequency": "weekdays", "timesPerWeek": 2})),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.json);
    assert_eq!(made.json["timesPerWeek"], 2);
    assert_eq!(made.json["frequency"], "custom");
    assert_eq!(made.json["targetDays"], json!([0, 1, 2, 3, 4, 5, 6]));
    assert_eq!(made.json["dueToday"], true);
    let id = made.json["id"].as_str().unwrap().to_string();
    let checks = format!("{path}/{id}/check-ins");
    let first = app
        .api(
            "POST",
            &checks,
            Some(&key),
            Some(json!({"date": last_monday.to_string()})),
        )
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.json);
    assert_eq!(first.json["currentStreak"], 0, "1 of 2 last week");
    let sunday = (last_monday + Duration::days(6)).to_string();
    let second = app
        .api("POST", &checks, Some(&key), Some(json!({"date": sunday})))
        .await;
    assert_eq!(
        (
            second.json["currentStreak"].clone(),
            second.json["longestStreak"].clone()
        ),
        (json!(1), json!(1)),
        "last week met (Monday to Sunday); this week is still open"
    );
    let list = app.api("GET", &path, Some(&key), None).await;
    assert_eq!(list.json["data"][0]["timesPerWeek"], 2);
    assert_eq!(list.json["data"][0]["currentStreak"], 1);
    assert_eq!(list.json["data"][0]["dueToday"], true);

    // A habit with due days has no target.
    let daily = app
        .api("POST", &path, Some(&key), Some(json!({"name": "Read"})))
        .await;
    assert_eq!(daily.json["timesPerWeek"], Value::Null);

    // Out of range: 422 in the error envelope, on the field.
    for times in [9, 0, -1] {
        let bad = app
            .api(
                "POST",
                &path,
                Some(&key),
                Some(json!({"name": "Gym", "timesPerWeek": times})),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.json);
        assert_eq!(bad.code(), "validation_failed");
        assert_eq!(bad.detail_fields(), vec!["timesPerWeek"], "{times}");
    }
    // Weekdays are numbered from Sunday.
    let bad = app
        .api(
            "POST",
            &path,
            Some(&key),
            Some(json!({"name": "Gym", "frequency": "custom", "targetDays": [7]})),
        )
        .await;
    assert_eq!(bad.detail_fields(), vec!["targetDays"]);
    assert_eq!(
        bad.json["error"]["details"][0]["message"],
        "Weekdays are numbered 0 (Sunday) to 6 (Saturday)."
    );
});
