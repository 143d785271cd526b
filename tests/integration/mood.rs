//! Mood: quick and detailed check-ins, several a day, the trend and the year in pixels; bad
//! input and other people's entries refused.

use chrono::{Datelike, Duration, Utc};
use vitasync::error::AppError;
use vitasync::mood::server_fns::MoodView;

use crate::both_backends;
use crate::harness::{set_timezone, user_id, Case, TestApp};

both_backends!(
    moods_are_logged_charted_and_deleted,
    |app: TestApp| async move {
        let owner = app.setup_owner("owner@example.com", "owner-password").await;
        let user = user_id(app.db(), "owner@example.com").await;
        set_timezone(app.db(), &user, "Pacific/Honolulu").await;
        let today = Utc::now()
            .with_timezone(&chrono_tz::Pacific::Honolulu)
            .date_naive();
        let empty: MoodView = owner.call("mood/view", &[]).await.unwrap();
        assert!(empty.average.is_none() && empty.entries.is_empty() && empty.chart.is_empty());

        // Today's date with no time is "now" (not noon, which may still be ahead).
        owner
            .call::<()>(
                "mood/add",
                &[("score", "3"), ("date", &today.to_string()), ("time", "")],
            )
            .await
            .unwrap();
        owner
            .call::<()>("mood/add", &[("score", "4")])
            .await
            .unwrap();
        owner
            .call::<()>(
                "mood/add",
                &[
                    ("score", "2"),
                    ("energy", "3"),
                    ("stress", "5"),
                    ("tags", "Work, deadline"),
                    ("note", "long day"),
                ],
            )
            .await
            .unwrap();
        let yesterday = (today - Duration::days(1)).to_string();
        owner
            .call::<()>(
                "mood/add",
                &[("score", "5"), ("date", &yesterday), ("time", "20:15")],
            )
            .await
            .unwrap();

        let v: MoodView = owner.call("mood/view", &[("range", "90")]).await.unwrap();
        assert_eq!(v.today.len(), 3, "several entries a day");
        assert_eq!(v.today[0].word, "bad");
        assert_eq!(v.today[0].levels, "Energy 3/5 · Stress 5/5");
        assert_eq!(v.today[0].tags, vec!["work", "deadline"]);
        assert_eq!(v.average.as_deref(), Some("3.5"));
        assert!(
            v.chart.contains("<svg") && v.chart.contains("4 entries on 2 days"),
            "{}",
            v.chart
        );
        assert_eq!(v.top_tags[0].1, 1);
        // Year in pixels: today is the mean of 4 and 2 → 3; yesterday (same year) 5.
        let cell = |d: chrono::NaiveDate| {
            v.pixels[d.month0() as usize].days[d.day0() as usize]
                .clone()
                .unwrap()
        };
        assert_eq!(cell(today).level, 3);
        if (today - Duration::days(1)).year() == today.year() {
            assert_eq!(cell(today - Duration::days(1)).level, 5);
        }
        assert_eq!(v.entries.len(), 4);
        assert!(
            v.entries[3].when.starts_with("Yesterday, 20:15"),
            "{}",
            v.entries[3].when
        );

        let id = v.entries[0].id.clone();
        owner
            .call::<()>("mood/delete", &[("id", &id)])
            .await
            .unwrap();
        let v: MoodView = owner.call("mood/view", &[]).await.unwrap();
        assert_eq!(v.entries.len(), 3);
        app.finish().await;
    }
);

both_backends!(
    bad_moods_are_refused_and_entries_stay_private,
    |app: TestApp| async move {
        let owner = app.setup_owner("owner@example.com", "owner-password").await;
        let member = app
            .add_member(&owner, "member@example.com", "member-password")
            .await;
        let cases: [Case; 6] = [
            (&[("score", "")], "score", "Choose how you feel."),
            (
                &[("score", "7")],
                "score",
                "Choose how you feel from 1 to 5.",
            ),
            (
                &[("score", "3"), ("energy", "0")],
                "energy",
                "Choose your energy from 1 to 5.",
            ),
            (
                &[("score", "3"), ("tags", "a<b")],
                "tags",
                "Tags use letters, digits, - and _; separate them with commas.",
            ),
            (
                &[("score", "3"), ("date", "2999-01-01")],
                "date",
                "That date is in the future.",
            ),
            (
                &[("score", "3"), ("date", "2024-01-01"), ("time", "25:00")],
                "time",
                "Use a time like 07:30.",
            ),
        ];
        for (fields, field, message) in cases {
            let err = owner.call::<()>("mood/add", fields).await.unwrap_err();
            assert_eq!(err.for_field(field).as_deref(), Some(message), "{fields:?}");
        }
        assert!(owner
            .call::<MoodView>("mood/view", &[("range", "7")])
            .await
            .is_err());
        owner
            .call::<()>("mood/add", &[("score", "3")])
            .await
            .unwrap();
        let v: MoodView = owner.call("mood/view", &[]).await.unwrap();
        assert_eq!(v.entries.len(), 1);
        let err = member
            .call::<()>("mood/delete", &[("id", &v.entries[0].id)])
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::NotFound(_)));
        let theirs: MoodView = member.call("mood/view", &[]).await.unwrap();
        assert!(theirs.entries.is_empty());
        app.finish().await;
    }
);
