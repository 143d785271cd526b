//! Journal: write, edit, search, filter by tag and day, Markdown rendered safely, stats and
//! "on this day"; bad input and other people's entries refused.

use chrono::{Datelike, Duration, Utc};
use vitasync::error::AppError;
use vitasync::journal::server_fns::{JournalEntry, JournalView};
use vitasync::with_db;

use crate::both_backends;
use crate::harness::TestApp;

both_backends!(
    entries_are_written_found_and_rendered_safely,
    |app: TestApp| async move {
        let owner = app.setup_owner("owner@example.com", "owner-password").await;
        let paris = chrono_tz::Europe::Paris;
        let today = Utc::now().with_timezone(&paris).date_naive();
        let empty: JournalView = owner.call("journal/list", &[]).await.unwrap();
        assert_eq!((empty.total, empty.streak), (0, 0));

        let id: String = owner
            .call(
                "journal/save",
                &[
                    ("title", "Long run"),
                    (
                        "body",
                        "**Great** run by the river.\n\n<script>alert(1)</script>",
                    ),
                    ("mood_score", "5"),
                    ("mood_label", "energized"),
                    ("gratitude", "sunshine\n\nfriends"),
                    ("tags", "Running, outdoors"),
                    ("entry_date", ""),
                ],
            )
            .await
            .unwrap();
        let yesterday = (today - Duration::days(1)).to_string();
        owner
            .call::<String>(
                "journal/save",
                &[
                    ("body", "Quiet day at home."),
                    ("tags", "home"),
                    ("entry_date", &yesterday),
                ],
            )
            .await
            .unwrap();
        // A year ago today (when that date exists) shows under "on this day".
        let last_year = today.with_year(today.year() - 1);
        if let Some(d) = last_year {
            owner
                .call::<String>(
                    "journal/save",
                    &[
                        ("title", "Last year"),
                        ("body", "Snow."),
                        ("entry_date", &d.to_string()),
                    ],
                )
                .await
                .unwrap();
        }

        let e: JournalEntry = owner.call("journal/get", &[("id", &id)]).await.unwrap();
        assert!(
            e.body_html.contains("<strong>Great</strong>"),
            "{}",
            e.body_html
        );
        assert!(!e.body_html.contains("<script"), "{}", e.body_html);
        assert_eq!(e.gratitude, vec!["sunshine", "friends"]);
        assert_eq!(e.tags, vec!["running", "outdoors"]);
        assert_eq!(
            (e.mood_score, e.mood_label.as_deref(), e.entry_date.clone()),
            (Some(5), Some("energized"), today.to_string())
        );

        // Search (case-insensitive, every word), tag and date filters.
        let found: JournalView = owner
            .call("journal/list", &[("q", "RIVER great")])
            .await
            .unwrap();
        assert_eq!(
            found
                .entries
                .iter()
                .map(|e| e.id.as_str())
                .collect::<Vec<_>>(),
            vec![id.as_str()]
        );
        let none: JournalView = owner
            .call("journal/list", &[("q", "river 100%")])
            .await
            .unwrap();
        assert!(none.entries.is_empty());
        let tagged: JournalView = owner
            .call("journal/list", &[("tag", "home")])
            .await
            .unwrap();
        assert_eq!(tagged.entries.len(), 1);
        assert_eq!(
            tagged.entries[0].title,
            vitasync::health::views::day_label(today - Duration::days(1), today)
        );
        let by_day: JournalView = owner
            .call("journal/list", &[("date", &today.to_string())])
            .await
            .unwrap();
        assert_eq!(by_day.matching, 1);

        let all: JournalView = owner.call("journal/list", &[]).await.unwrap();
        assert_eq!(all.entries[0].id, id, "newest first");
        assert_eq!(all.streak, 2);
        assert_eq!(all.moods, vec![("energized".to_string(), 1)]);
        assert_eq!(all.on_this_day.len(), usize::from(last_year.is_some()));

        // Edit keeps the id; the list reflects it.
        owner
            .call::<String>(
                "journal/save",
                &[
                    ("id", &id),
                    ("title", "Long run, edited"),
                    ("body", "Still great."),
                    ("entry_date", &today.to_string()),
                ],
            )
            .await
            .unwrap();
        let e: JournalEntry = owner.call("journal/get", &[("id", &id)]).await.unwrap();
        assert_eq!(e.title, "Long run, edited");
        assert!(e.tags.is_empty());

        // Delete needs the confirmation.
        let err = owner
            .call::<()>("journal/delete", &[("id", &id)])
            .await
            .unwrap_err();
        assert!(err.for_field("confirm").is_some());
        owner
            .call::<()>("journal/delete", &[("id", &id), ("confirm", "delete")])
            .await
            .unwrap();
        assert!(matches!(
            owner
                .call::<JournalEntry>("journal/get", &[("id", &id)])
                .await
                .unwrap_err(),
            AppError::NotFound(_)
        ));
        app.finish().await;
    }
);

both_backends!(
    journal_input_is_validated_and_kept_private,
    |app: TestApp| async move {
        let owner = app.setup_owner("owner@example.com", "owner-password").await;
        let member = app
            .add_member(&owner, "member@example.com", "member-password")
            .await;
        let long = "x".repeat(201);
        let cases: [(Vec<(&str, &str)>, &str); 6] = [
            (vec![("body", "  ")], "body"),
            (vec![("body", "ok"), ("title", &long)], "title"),
            (vec![("body", "ok"), ("mood_score", "9")], "mood_score"),
            (
                vec![("body", "ok"), ("mood_label", "ecstatic")],
                "mood_label",
            ),
            (
                vec![("body", "ok"), ("entry_date", "2999-12-31")],
                "entry_date",
            ),
            (
                vec![("body", "ok"), ("tags", "no spaces? ok, but <this>")],
                "tags",
            ),
        ];
        for (fields, field) in cases {
            let err = owner
                .call::<String>("journal/save", &fields)
                .await
                .unwrap_err();
            assert!(err.for_field(field).is_some(), "{fields:?}: {err:?}");
        }
        let n: i64 = with_db!(app.db(), pool => sqlx::query_scalar("SELECT COUNT(*) FROM journal_entries").fetch_one(pool).await).unwrap();
        assert_eq!(n, 0, "nothing partial was saved");

        let id: String = owner
            .call("journal/save", &[("body", "Private thoughts")])
            .await
            .unwrap();
        let not_found = |e: AppError| matches!(e, AppError::NotFound(_));
        assert!(not_found(
            member
                .call::<JournalEntry>("journal/get", &[("id", &id)])
                .await
                .unwrap_err()
        ));
        assert!(not_found(
            member
                .call::<String>("journal/save", &[("id", &id), ("body", "mine now")])
                .await
                .unwrap_err()
        ));
        assert!(not_found(
            member
                .call::<()>("journal/delete", &[("id", &id), ("confirm", "delete")])
                .await
                .unwrap_err()
        ));
        let theirs: JournalView = member
            .call("journal/list", &[("q", "private")])
            .await
            .unwrap();
        assert_eq!(theirs.total, 0);
        // A plain form post (no JavaScript) lands on the new entry.
        let res = owner
            .post_form_html(
                "/api/journal/save",
                &[("body", "Written without JavaScript")],
            )
            .await;
        assert_eq!(res.status.as_u16(), 302);
        assert!(res.header("location").unwrap().starts_with("/journal/"));
        app.finish().await;
    }
);
