//! The schema: every table of the seed's data model exists on both backends, the two migration
//! sets agree, and foreign keys cascade.

use crate::both_backends;
use crate::harness::{Backend, TestApp};

/// Every table named in shared/seed/data-model.md's entity diagram.
const SEED_TABLES: &[&str] = &[
    "workspaces",
    "users",
    "api_keys",
    "provider_connections",
    "sync_jobs",
    "health_metrics",
    "events",
    "personal_records",
    "webhooks",
    "webhook_deliveries",
    "notification_channels",
    "notification_rules",
    "notification_logs",
    "mood_logs",
    "journal_entries",
    "water_intake",
    "habits",
    "habit_logs",
    "nutrition_logs",
    "medications",
    "symptom_logs",
    "goals",
    "achievements",
    "training_plans",
    "health_scores",
    "health_reports",
    "health_snapshots",
    "biometric_baselines",
    "anomaly_alerts",
    "correlations",
    "training_load",
];

/// Seed columns of the fully specified tables (snake_case), spot-checking the translation.
const SEED_COLUMNS: &[(&str, &[&str])] = &[
    (
        "users",
        &[
            "id",
            "workspace_id",
            "external_id",
            "email",
            "display_name",
            "metadata",
            "timezone",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "api_keys",
        &[
            "id",
            "workspace_id",
            "name",
            "key_hash",
            "key_prefix",
            "scopes",
            "expires_at",
            "last_used_at",
            "created_at",
        ],
    ),
    (
        "health_metrics",
        &[
            "id",
            "user_id",
            "provider_id",
            "metric_type",
            "value",
            "unit",
            "data",
            "source",
            "recorded_at",
            "created_at",
        ],
    ),
    (
        "events",
        &[
            "provider_event_id",
            "event_type",
            "activity_type",
            "started_at",
            "ended_at",
            "duration_seconds",
            "distance_meters",
            "calories_kcal",
            "avg_heart_rate",
            "max_heart_rate",
            "data",
        ],
    ),
    (
        "habit_logs",
        &[
            "id",
            "habit_id",
            "user_id",
            "completed_date",
            "note",
            "created_at",
        ],
    ),
    (
        "water_intake",
        &[
            "amount_ml",
            "beverage_type",
            "note",
            "daily_goal_ml",
            "logged_at",
        ],
    ),
    (
        "journal_entries",
        &[
            "title",
            "body",
            "mood_score",
            "mood_label",
            "gratitude",
            "tags",
            "entry_date",
        ],
    ),
    (
        "webhook_deliveries",
        &[
            "webhook_id",
            "event",
            "payload",
            "status",
            "status_code",
            "attempt_count",
            "delivered_at",
        ],
    ),
    (
        "notification_rules",
        &[
            "name",
            "categories",
            "min_severity",
            "channel_ids",
            "enabled",
        ],
    ),
];

both_backends!(
    migrations_create_every_seed_table,
    |app: TestApp| async move {
        let tables = app.db().table_names().await.unwrap();
        for table in SEED_TABLES {
            assert!(
                tables.iter().any(|t| t == table),
                "{:?} lacks table {table}",
                app.backend
            );
        }
        for (table, columns) in SEED_COLUMNS {
            let have = app.db().column_names(table).await.unwrap();
            for column in *columns {
                assert!(
                    have.iter().any(|c| c == column),
                    "{:?}: {table}.{column} missing",
                    app.backend
                );
            }
        }
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_migration_sets_produce_the_same_tables_and_columns() {
    let sqlite = TestApp::spawn(Backend::Sqlite).await;
    let postgres = TestApp::spawn(Backend::Postgres).await;
    let mut lite_tables = sqlite.db().table_names().await.unwrap();
    let mut pg_tables = postgres.db().table_names().await.unwrap();
    lite_tables.sort();
    pg_tables.sort();
    assert_eq!(lite_tables, pg_tables, "table sets differ");
    for table in &lite_tables {
        let mut a = sqlite.db().column_names(table).await.unwrap();
        let mut b = postgres.db().column_names(table).await.unwrap();
        a.sort();
        b.sort();
        assert_eq!(
            a, b,
            "columns of {table} differ between SQLite and PostgreSQL"
        );
    }
    sqlite.finish().await;
    postgres.finish().await;
}

both_backends!(
    deleting_a_workspace_removes_all_of_its_data,
    |app: TestApp| async move {
        let owner = app.setup_owner("owner@example.com", "owner-password").await;
        let me = owner.whoami().await.unwrap();
        vitasync::with_db!(app.db(), pool => sqlx::query(
        "INSERT INTO water_intake (id, user_id, amount_ml, logged_at, created_at) VALUES ('01J0000000000000000000000W', $1, 250, $2, $2)")
        .bind(&me.id).bind(chrono::Utc::now()).execute(pool).await.map(|_| ())).unwrap();
        vitasync::with_db!(app.db(), pool => sqlx::query("DELETE FROM workspaces WHERE id = $1")
        .bind(&me.workspace_id).execute(pool).await.map(|_| ()))
        .unwrap();
        let left: i64 = vitasync::with_db!(app.db(), pool => sqlx::query_scalar("SELECT COUNT(*) FROM water_intake").fetch_one(pool).await).unwrap();
        let users: i64 = vitasync::with_db!(app.db(), pool => sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(pool).await).unwrap();
        assert_eq!(
            (left, users),
            (0, 0),
            "cascade must remove users and their rows"
        );
    }
);
