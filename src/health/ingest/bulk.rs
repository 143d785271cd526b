//! Writing many points at once, by the fastest correct path of each database: on PostgreSQL one
//! `INSERT … SELECT FROM UNNEST(arrays)` per chunk (constant SQL text, one parameter per
//! column); on SQLite multi-row `VALUES` statements inside the caller's transaction. Both upsert
//! on the unique key, so a re-sent point updates its row.

use sqlx::{PgConnection, SqliteConnection};

use super::ops::WriteCtx;
use super::validate::PointRow;
use crate::platform::db::{DbTx, Pick};
use crate::platform::ids::new_id;

/// Upserts `rows` inside the caller's transaction, by the path of its database.
pub async fn upsert_points(
    tx: &mut DbTx,
    ctx: &WriteCtx<'_>,
    rows: &[PointRow],
) -> Result<(), sqlx::Error> {
    match tx.pick() {
        Pick::Sqlite(conn) => sqlite_write(conn, ctx, rows, "health_metrics", true).await,
        Pick::Postgres(conn) => postgres_upsert_points(conn, ctx, rows).await,
    }
}

const ON_CONFLICT: &str =
    " ON CONFLICT (user_id, provider_id, metric_type, recorded_at) DO UPDATE SET \
    connection_id = excluded.connection_id, value = excluded.value, unit = excluded.unit, \
    data = excluded.data, derived = excluded.derived, derived2 = excluded.derived2, \
    source = excluded.source, local_date = excluded.local_date";

/// Rows per SQLite statement. Each chunk travels as one JSON text parameter that SQLite unpacks
/// with `json_each`: constant SQL text, one bound value, no per-row round trip through the
/// driver (measured: per-row statements reach ~30k rows/s through sqlx, multi-row VALUES with
/// thousands of parameters far less).
const SQLITE_CHUNK: usize = 20_000;

/// Inserts into `table` (an upsert on the unique key when `upsert`). The benchmark calls this
/// without the upsert on a copy of the table to measure the database's own ceiling.
pub async fn sqlite_write(
    conn: &mut SqliteConnection,
    ctx: &WriteCtx<'_>,
    rows: &[PointRow],
    table: &str,
    upsert: bool,
) -> Result<(), sqlx::Error> {
    let mut sql = format!(
        "INSERT INTO {table} (id, user_id, connection_id, provider_id, metric_type, value, unit, data, \
           derived, derived2, source, recorded_at, local_date, created_at) \
         SELECT j.value ->> 0, $1, $2, $3, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4, \
           j.value ->> 5, j.value ->> 6, $4, j.value ->> 7, j.value ->> 8, $5 \
         FROM json_each($6) AS j WHERE true"
    );
    if upsert {
        sql.push_str(ON_CONFLICT);
    }
    for chunk in rows.chunks(SQLITE_CHUNK) {
        sqlx::query(&sql)
            .bind(ctx.user_id)
            .bind(ctx.connection_id)
            .bind(ctx.provider_id)
            .bind(ctx.source)
            .bind(ctx.now)
            .bind(sqlite_json(chunk))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The rows as a JSON array of arrays, with instants and days written exactly as sqlx writes
/// them to SQLite (so text comparisons elsewhere keep working).
fn sqlite_json(rows: &[PointRow]) -> String {
    let tuples: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                new_id(),
                r.metric.id,
                r.value,
                r.metric.unit,
                r.data.as_deref(),
                r.derived,
                r.derived2,
                r.recorded_at
                    .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false),
                r.local_date.format("%F").to_string(),
            )
        })
        .collect();
    serde_json::to_string(&tuples).expect("plain values serialize")
}

/// Rows per PostgreSQL statement.
const PG_CHUNK: usize = 20_000;

async fn postgres_upsert_points(
    conn: &mut PgConnection,
    ctx: &WriteCtx<'_>,
    rows: &[PointRow],
) -> Result<(), sqlx::Error> {
    let sql = format!(
        "INSERT INTO health_metrics (id, user_id, connection_id, provider_id, metric_type, value, \
           unit, data, derived, derived2, source, recorded_at, local_date, created_at) \
         SELECT t.id, $1, $2, $3, t.metric_type, t.value, t.unit, t.data::jsonb, t.derived, \
           t.derived2, $4, t.recorded_at, t.local_date, $5 \
         FROM UNNEST($6::text[], $7::text[], $8::float8[], $9::text[], $10::text[], $11::float8[], \
           $12::float8[], $13::timestamptz[], $14::date[]) \
           AS t(id, metric_type, value, unit, data, derived, derived2, recorded_at, local_date){ON_CONFLICT}"
    );
    for chunk in rows.chunks(PG_CHUNK) {
        let ids: Vec<String> = chunk.iter().map(|_| new_id()).collect();
        let metrics: Vec<&str> = chunk.iter().map(|r| r.metric.id).collect();
        let values: Vec<Option<f64>> = chunk.iter().map(|r| r.value).collect();
        let units: Vec<&str> = chunk.iter().map(|r| r.metric.unit).collect();
        let data: Vec<Option<&str>> = chunk.iter().map(|r| r.data.as_deref()).collect();
        let derived: Vec<Option<f64>> = chunk.iter().map(|r| r.derived).collect();
        let derived2: Vec<Option<f64>> = chunk.iter().map(|r| r.derived2).collect();
        let at: Vec<chrono::DateTime<chrono::Utc>> = chunk.iter().map(|r| r.recorded_at).collect();
        let days: Vec<chrono::NaiveDate> = chunk.iter().map(|r| r.local_date).collect();
        sqlx::query(&sql)
            .bind(ctx.user_id)
            .bind(ctx.connection_id)
            .bind(ctx.provider_id)
            .bind(ctx.source)
            .bind(ctx.now)
            .bind(ids)
            .bind(metrics)
            .bind(values)
            .bind(units)
            .bind(data)
            .bind(derived)
            .bind(derived2)
            .bind(at)
            .bind(days)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
