//! The admin's sync-job monitor: filters, error details and retrying a failed job.

use chrono::{Duration, Utc};
use vitasync::admin::jobs::JobsOverview;
use vitasync::connections::repo::{self, Connected};
use vitasync::connections::tokens::TokenSet;
use vitasync::error::AppError;
use vitasync::with_db;

use crate::both_backends;
use crate::harness::TestApp;

both_backends!(
    failed_jobs_are_shown_with_their_error_and_retried,
    |app: TestApp| async move {
        let admin = app
            .setup_owner("owner@example.com", "owner-password-1")
            .await;
        let me = admin.whoami().await.unwrap();
        let tokens = TokenSet {
            access_token: "a".into(),
            refresh_token: Some("r".into()),
            expires_at: Some(Utc::now() + Duration::hours(1)),
        };
        let conn_id = repo::save_connected(
            app.db(),
            &app.state.config.keys,
            Connected {
                workspace_id: &me.workspace_id,
                user_id: &me.id,
                provider_id: "demo",
                tokens: &tokens,
                account_id: None,
                scopes: &[],
            },
            Utc::now(),
        )
        .await
        .unwrap();
        let conn = repo::get(app.db(), &conn_id).await.unwrap().unwrap();
        let job = app
            .state
            .engine()
            .request_sync(&conn, Utc::now())
            .await
            .unwrap()
            .unwrap();
        with_db!(app.db(), pool => sqlx::query("UPDATE sync_jobs SET status = 'failed', error = 'Demo answered 500 five times.' WHERE id = $1")
        .bind(&job).execute(pool).await.map(|r| r.rows_affected())).unwrap();

        let all: JobsOverview = admin.call("admin/jobs", &[]).await.unwrap();
        assert_eq!(all.jobs.len(), 1);
        let j = &all.jobs[0];
        assert_eq!(j.status, "Failed");
        assert_eq!(j.provider, "VitaSync Demo");
        assert_eq!(j.person, "Olive Owner");
        assert_eq!(j.error.as_deref(), Some("Demo answered 500 five times."));
        assert!(j.can_retry);
        assert!(all.people.iter().any(|(id, _)| *id == me.id));

        let none: JobsOverview = admin
            .call("admin/jobs", &[("provider", "whoop")])
            .await
            .unwrap();
        assert!(none.jobs.is_empty());
        let failed: JobsOverview = admin
            .call(
                "admin/jobs",
                &[("status", "failed"), ("since", "day"), ("person", &me.id)],
            )
            .await
            .unwrap();
        assert_eq!(failed.jobs.len(), 1);
        let pending: JobsOverview = admin
            .call("admin/jobs", &[("status", "pending")])
            .await
            .unwrap();
        assert!(pending.jobs.is_empty());

        admin
            .call::<()>("admin/jobs/retry", &[("id", &job)])
            .await
            .unwrap();
        let after: JobsOverview = admin.call("admin/jobs", &[]).await.unwrap();
        assert_eq!(after.jobs.len(), 2);
        assert_eq!(
            after.jobs[0].status, "Pending",
            "the new job is listed first"
        );
        // The new job is still open, so a second retry is refused; so is retrying a pending job.
        assert!(matches!(
            admin.call::<()>("admin/jobs/retry", &[("id", &job)]).await,
            Err(AppError::Conflict(_))
        ));
        let new_id = after.jobs[0].id.clone();
        assert!(matches!(
            admin
                .call::<()>("admin/jobs/retry", &[("id", &new_id)])
                .await,
            Err(AppError::Conflict(_))
        ));
        assert!(matches!(
            admin
                .call::<()>("admin/jobs/retry", &[("id", "nope")])
                .await,
            Err(AppError::NotFound(_))
        ));

        let member = app
            .add_member(&admin, "mia@example.com", "member-password-1")
            .await;
        assert_eq!(
            member
                .call::<JobsOverview>("admin/jobs", &[])
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            member
                .call::<()>("admin/jobs/retry", &[("id", &job)])
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
    }
);

both_backends!(
    the_job_monitor_pages_back_through_history,
    |app: TestApp| async move {
        let admin = app
            .setup_owner("owner@example.com", "owner-password-1")
            .await;
        let me = admin.whoami().await.unwrap();
        let tokens = TokenSet {
            access_token: "a".into(),
            refresh_token: None,
            expires_at: None,
        };
        let conn_id = repo::save_connected(
            app.db(),
            &app.state.config.keys,
            Connected {
                workspace_id: &me.workspace_id,
                user_id: &me.id,
                provider_id: "demo",
                tokens: &tokens,
                account_id: None,
                scopes: &[],
            },
            Utc::now(),
        )
        .await
        .unwrap();
        let conn = repo::get(app.db(), &conn_id).await.unwrap().unwrap();
        for _ in 0..27 {
            let id = app
                .state
                .engine()
                .request_sync(&conn, Utc::now())
                .await
                .unwrap()
                .unwrap();
            with_db!(app.db(), pool => sqlx::query("UPDATE sync_jobs SET status = 'completed' WHERE id = $1")
            .bind(&id).execute(pool).await.map(|r| r.rows_affected())).unwrap();
        }
        let first: JobsOverview = admin.call("admin/jobs", &[]).await.unwrap();
        assert_eq!(first.jobs.len(), 25);
        let before = first.older.clone().expect("an older page");
        let second: JobsOverview = admin
            .call("admin/jobs", &[("before", &before)])
            .await
            .unwrap();
        assert_eq!(second.jobs.len(), 2);
        assert!(second.older.is_none());
        let mut ids: Vec<_> = first
            .jobs
            .iter()
            .chain(&second.jobs)
            .map(|j| j.id.clone())
            .collect();
        ids.dedup();
        assert_eq!(ids.len(), 27);
    }
);
