//! Everything that differs between SQLite and PostgreSQL, in one place: connection options,
//! schema introspection, row locks for queue claims and planner statistics. Feature queries
//! are written once in the common subset of both dialects (`$n` parameters,
//! `ON CONFLICT … DO UPDATE`, ISO timestamps). The one other dialect-specific statement is the
//! bulk load of readings (`health/ingest/bulk.rs`: `json_each` on SQLite, `UNNEST` on
//! PostgreSQL), which is bound to that table's columns.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, PgConnection, PgPool, SqlitePool};

use super::{DbError, DbTx};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Self, DbError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(DbError::Url(
                "must start with sqlite:// or postgres://".into(),
            ))
        }
    }
}

/// Strips credentials from a URL before it is shown in an error.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if !u.username().is_empty() || u.password().is_some() => {
            let _ = u.set_password(None);
            let _ = u.set_username("");
            u.to_string()
        }
        _ => url.to_string(),
    }
}

pub async fn connect_sqlite(url: &str) -> Result<SqlitePool, DbError> {
    let opts = SqliteConnectOptions::from_str(url)
        .map_err(|e| DbError::Url(e.to_string()))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true);
    SqlitePoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(opts)
        .await
        .map_err(|e| DbError::Connect {
            target: redact(url),
            reason: e.to_string(),
        })
}

pub async fn connect_postgres(url: &str) -> Result<PgPool, DbError> {
    let opts = PgConnectOptions::from_str(url).map_err(|e| DbError::Url(e.to_string()))?;
    let unreachable = |reason: String| DbError::Connect {
        target: redact(url),
        reason,
    };
    // One direct connection first: its error says why ("connection refused", "password
    // authentication failed") where the pool would only report a timeout.
    let probe = tokio::time::timeout(Duration::from_secs(5), PgConnection::connect_with(&opts))
        .await
        .map_err(|_| unreachable("no answer within 5 seconds".into()))?
        .map_err(|e| unreachable(e.to_string()))?;
    let _ = probe.close().await;
    PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(opts)
        .await
        .map_err(|e| unreachable(e.to_string()))
}

/// The row lock a queue claim's inner `SELECT` ends with, so that several workers never take
/// the same row: `FOR UPDATE [OF alias] SKIP LOCKED` on PostgreSQL; nothing on SQLite, where a
/// write transaction already holds the whole database. `of` names the table alias to lock when
/// the `SELECT` joins others.
pub fn skip_locked(backend: Backend, of: Option<&str>) -> String {
    match (backend, of) {
        (Backend::Sqlite, _) => String::new(),
        (Backend::Postgres, None) => " FOR UPDATE SKIP LOCKED".into(),
        (Backend::Postgres, Some(alias)) => format!(" FOR UPDATE OF {alias} SKIP LOCKED"),
    }
}

/// Refreshes the planner's statistics of `table` after a large load (PostgreSQL; SQLite
/// plans from its indexes alone and needs nothing).
pub async fn refresh_statistics(tx: &mut DbTx, table: &str) -> Result<(), sqlx::Error> {
    if let DbTx::Postgres(tx) = tx {
        sqlx::query(&format!("ANALYZE {table}"))
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

pub fn list_tables_sql(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx_%' AND name <> 'tower_sessions' \
             ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
             AND table_name NOT LIKE '\\_sqlx\\_%' ORDER BY table_name"
        }
    }
}

pub fn list_columns_sql(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "SELECT name FROM pragma_table_info($1) ORDER BY name",
        Backend::Postgres => {
            "SELECT column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY column_name"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_postgres_locks_claimed_rows() {
        assert_eq!(skip_locked(Backend::Sqlite, Some("d")), "");
        assert_eq!(
            skip_locked(Backend::Postgres, None),
            " FOR UPDATE SKIP LOCKED"
        );
        assert_eq!(
            skip_locked(Backend::Postgres, Some("d")),
            " FOR UPDATE OF d SKIP LOCKED"
        );
    }

    #[test]
    fn credentials_never_appear_in_errors() {
        let shown = redact("postgres://admin:hunter2@db.internal:5432/vitasync");
        assert!(!shown.contains("hunter2"));
        assert!(shown.contains("db.internal"));
    }
}
