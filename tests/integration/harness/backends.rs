//! The story macro (`both_backends!`, one `#[tokio::test]` per backend) and the per-test databases: the [`Backend`]s, and creating
//! and dropping a fresh PostgreSQL database for each test.

use std::sync::OnceLock;

/// One story, one `#[tokio::test]` per backend:
/// - `both_backends!(name, |app: TestApp| async move { … })`: the app in-process;
/// - `both_backends!(name, listening, |app| …)`: also serving on a loopback port (see
///   `TestApp::spawn_listening`);
/// - `both_backends!(name, with adjust, |app| …)`: the configuration adjusted first by
///   `adjust: fn(&mut Config)` (see `TestApp::spawn_with`).
#[macro_export]
macro_rules! both_backends {
    ($name:ident, listening, $story:expr) => {
        $crate::both_backends!(@story $name, |backend| $crate::harness::TestApp::spawn_listening(backend), $story);
    };
    ($name:ident, with $adjust:expr, $story:expr) => {
        $crate::both_backends!(@story $name, |backend| $crate::harness::TestApp::spawn_with(backend, $adjust), $story);
    };
    ($name:ident, $story:expr) => {
        $crate::both_backends!(@story $name, |backend| $crate::harness::TestApp::spawn(backend), $story);
    };
    (@story $name:ident, $spawn:expr, $story:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = ($spawn)($crate::harness::Backend::Sqlite).await;
                ($story)(app.clone()).await;
                app.finish().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let app = ($spawn)($crate::harness::Backend::Postgres).await;
                ($story)(app.clone()).await;
                app.finish().await;
            }
        }
    };
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The server that hosts the per-test PostgreSQL databases.
pub fn pg_admin_url() -> String {
    std::env::var("VITASYNC_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// Replaces the database name of a PostgreSQL URL.
pub fn pg_url_for(db_name: &str) -> String {
    let mut url = url::Url::parse(&pg_admin_url()).expect("VITASYNC_TEST_PG_URL is a URL");
    url.set_path(&format!("/{db_name}"));
    url.to_string()
}

fn db_prefix() -> String {
    format!("vs_test_{}_", std::process::id())
}

/// Drops test databases left behind by earlier runs (other process ids) once per process.
async fn sweep_stale_databases(admin: &sqlx::PgPool) {
    static SWEPT: OnceLock<()> = OnceLock::new();
    if SWEPT.set(()).is_err() {
        return;
    }
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT datname::text FROM pg_database WHERE datname LIKE 'vs\\_test\\_%'",
    )
    .fetch_all(admin)
    .await
    .unwrap_or_default();
    for name in names.into_iter().filter(|n| !n.starts_with(&db_prefix())) {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .execute(admin)
            .await;
    }
}

/// Creates an empty PostgreSQL database for one test and returns its URL.
pub async fn fresh_pg_database() -> (String, String) {
    let admin = sqlx::PgPool::connect(&pg_admin_url())
        .await
        .expect("PostgreSQL for tests must run at VITASYNC_TEST_PG_URL (default 127.0.0.1:5432, user postgres)");
    sweep_stale_databases(&admin).await;
    let name = format!(
        "{}{}",
        db_prefix(),
        ulid::Ulid::new().to_string().to_lowercase()
    );
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(&admin)
        .await
        .expect("create test database");
    admin.close().await;
    (pg_url_for(&name), name)
}

pub async fn drop_pg_database(name: &str) {
    if let Ok(admin) = sqlx::PgPool::connect(&pg_admin_url()).await {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .execute(&admin)
            .await;
        admin.close().await;
    }
}
