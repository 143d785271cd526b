//! One set of queries, two databases. `Db` holds the pool of whichever backend `DATABASE_URL`
//! names and `DbTx` a transaction on it; feature code writes each query once with `$1`-style
//! parameters and runs it through [`with_db!`], which expands the same body for each backend,
//! on a pool or inside a transaction alike. Everything that differs between the dialects lives
//! in [`dialect`].

pub mod dialect;
pub mod seek;
pub mod text_enum;

use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction};

pub use dialect::Backend;

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` once per backend with `$c` bound to the concrete executor: on a [`Db`], the
/// pool (`&SqlitePool` or `&PgPool`); on a [`DbTx`], the transaction's connection
/// (`&mut SqliteConnection` or `&mut PgConnection`, reborrowed as `&mut *c` to run several
/// statements).
///
/// ```text
/// let n: i64 = with_db!(&state.db, pool => sqlx::query_scalar("SELECT count(*) FROM users")
///     .fetch_one(pool).await)?;
/// let mut tx = state.db.begin().await?;
/// with_db!(&mut tx, c => sqlx::query("DELETE FROM …").execute(&mut *c).await)?;
/// tx.commit().await?;
/// ```
#[macro_export]
macro_rules! with_db {
    ($db:expr, $c:ident => $body:expr) => {
        match $db.pick() {
            $crate::platform::db::Pick::Sqlite($c) => $body,
            $crate::platform::db::Pick::Postgres($c) => $body,
        }
    };
}

/// One of two things, by backend: what [`with_db!`] matches on.
pub enum Pick<S, P> {
    Sqlite(S),
    Postgres(P),
}

/// A transaction on either backend; dropped without [`DbTx::commit`], it rolls back.
pub enum DbTx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl DbTx {
    pub fn pick(&mut self) -> Pick<&mut SqliteConnection, &mut PgConnection> {
        match self {
            DbTx::Sqlite(tx) => Pick::Sqlite(&mut **tx),
            DbTx::Postgres(tx) => Pick::Postgres(&mut **tx),
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            DbTx::Sqlite(_) => Backend::Sqlite,
            DbTx::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            DbTx::Sqlite(tx) => tx.commit().await,
            DbTx::Postgres(tx) => tx.commit().await,
        }
    }
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

    pub fn pick(&self) -> Pick<&SqlitePool, &PgPool> {
        match self {
            Db::Sqlite(pool) => Pick::Sqlite(pool),
            Db::Postgres(pool) => Pick::Postgres(pool),
        }
    }

    /// Starts a transaction (see [`DbTx`]).
    pub async fn begin(&self) -> Result<DbTx, sqlx::Error> {
        Ok(match self {
            Db::Sqlite(pool) => DbTx::Sqlite(pool.begin().await?),
            Db::Postgres(pool) => DbTx::Postgres(pool.begin().await?),
        })
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
