//! One set of queries, two databases. `Db` holds the pool of whichever backend `DATABASE_URL`
//! names; feature code writes each query once with `$1`-style parameters and runs it through
//! [`with_db!`], which expands the same body for each backend. Everything that differs between
//! the dialects lives in [`dialect`].

pub mod dialect;

use sqlx::{PgPool, SqlitePool};

pub use dialect::Backend;

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the concrete pool (`&SqlitePool` or `&PgPool`).
///
/// ```text
/// let n: i64 = with_db!(&state.db, pool => sqlx::query_scalar("SELECT count(*) FROM users")
///     .fetch_one(pool).await)?;
/// ```
#[macro_export]
macro_rules! with_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::platform::db::Db::Sqlite($pool) => $body,
            $crate::platform::db::Db::Postgres($pool) => $body,
        }
    };
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("DATABASE_URL: {0}")]
    Url(String),
    #[error("cannot connect to the database at {target}: {reason}")]
    Connect { target: String, reason: String },
    #[error("database migration failed: {0}")]
    Migrate(String),
}

impl Db {
    /// Connects to the backend named by the URL's scheme. Fails fast (seconds, not minutes)
    /// when the server is unreachable, so a misconfigured start-up says so at once.
    pub async fn connect(url: &str) -> Result<Db, DbError> {
        match Backend::from_url(url)? {
            Backend::Sqlite => dialect::connect_sqlite(url).await.map(Db::Sqlite),
            Backend::Postgres => dialect::connect_postgres(url).await.map(Db::Postgres),
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies the migrations of this backend's dialect (idempotent).
    pub async fn migrate(&self) -> Result<(), DbError> {
        let res = match self {
            Db::Sqlite(pool) => sqlx::migrate!("./migrations/sqlite").run(pool).await,
            Db::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await,
        };
        res.map_err(|e| DbError::Migrate(e.to_string()))
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        with_db!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|r| r.rows_affected())).is_ok()
    }

    /// Names of our own tables (migration bookkeeping and the session store excluded).
    pub async fn table_names(&self) -> Result<Vec<String>, sqlx::Error> {
        with_db!(self, pool => sqlx::query_scalar(dialect::list_tables_sql(self.backend()))
            .fetch_all(pool)
            .await)
    }

    /// Column names of `table`, in name order.
    pub async fn column_names(&self, table: &str) -> Result<Vec<String>, sqlx::Error> {
        with_db!(self, pool => sqlx::query_scalar(dialect::list_columns_sql(self.backend()))
            .bind(table)
            .fetch_all(pool)
            .await)
    }

    pub async fn close(&self) {
        with_db!(self, pool => pool.close().await)
    }
}
