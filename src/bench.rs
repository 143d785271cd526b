//! `vitasync bench`: ingest throughput and page latency on each database, next to the database's
//! own write ceiling measured in the same run. Prints figures; asserts nothing (timings belong
//! here, not in tests).
//!
//! Per backend, in a throwaway database: one year of minute-level heart rate (525,600 points)
//! plus the daily metrics and workouts of the demo data, ingested month by month through
//! [`ingest`](crate::health::ingest::ingest); the same rows written raw into an identical table (COPY on
//! PostgreSQL; one transaction of plain inserts on SQLite, both as a per-row prepared loop and
//! as multi-row statements, the faster counting); then the overview and a 365-day metric page
//! requested repeatedly through the real router (session, SSR, queries, charts), p50/p95.

use std::time::{Duration as StdDuration, Instant};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request};
use chrono::{Duration, Utc};
use tower::ServiceExt;

use crate::accounts::provisioning::{self, NewAccount};
use crate::health::demo::{self, DemoOptions};
use crate::health::ingest::{self, bulk, ops::WriteCtx, validate, validate::PointRow};
use crate::health::local_time;
use crate::platform::config::Config;
use crate::platform::db::Db;
use crate::platform::ids::new_id;
use crate::server;

#[derive(clap::Args, Debug, Clone)]
pub struct BenchArgs {
    /// sqlite, postgres or both.
    #[arg(long, default_value = "both")]
    backend: String,
    /// A PostgreSQL server where a throwaway database may be created.
    #[arg(
        long,
        env = "VITASYNC_BENCH_PG_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/test"
    )]
    pg_url: String,
    /// Requests per page for the latency figures.
    #[arg(long, default_value_t = 200)]
    requests: usize,
}

const TZ: &str = "Europe/Berlin";
const EMAIL: &str = "bench@vitasync.local";
const PASSWORD: &str = "bench-password-1";

pub async fn run(config: &Config, args: BenchArgs) -> Result<(), String> {
    let backends: Vec<&str> = match args.backend.as_str() {
        "both" => vec!["sqlite", "postgres"],
        "sqlite" => vec!["sqlite"],
        "postgres" => vec!["postgres"],
        other => {
            return Err(format!(
                "--backend must be sqlite, postgres or both, not {other}"
            ))
        }
    };
    println!(
        "VitaSync benchmark · {} CPU cores · release build: {}",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        !cfg!(debug_assertions)
    );
    for backend in backends {
        let dir = tempfile_dir()?;
        let (url, pg_name) = match backend {
            "sqlite" => (format!("sqlite://{}/bench.db", dir.display()), None),
            _ => {
                let name = format!("vs_bench_{}", std::process::id());
                let admin = sqlx::PgPool::connect(&args.pg_url)
                    .await
                    .map_err(|e| format!("PostgreSQL at --pg-url: {e}"))?;
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .execute(&admin)
                    .await;
                sqlx::query(&format!("CREATE DATABASE \"{name}\""))
                    .execute(&admin)
                    .await
                    .map_err(|e| e.to_string())?;
                admin.close().await;
                let mut u = url::Url::parse(&args.pg_url).map_err(|e| e.to_string())?;
                u.set_path(&format!("/{name}"));
                (u.to_string(), Some(name))
            }
        };
        let result = run_one(config, backend, &url, &args).await;
        if let Some(name) = pg_name {
            if let Ok(admin) = sqlx::PgPool::connect(&args.pg_url).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .execute(&admin)
                    .await;
                admin.close().await;
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
        result?;
    }
    Ok(())
}

fn tempfile_dir() -> Result<std::path::PathBuf, String> {
    let dir = std::env::temp_dir().join(format!(
        "vitasync-bench-{}-{}",
        std::process::id(),
        new_id()
    ));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    Ok(dir)
}

async fn run_one(
    config: &Config,
    backend: &str,
    url: &str,
    args: &BenchArgs,
) -> Result<(), String> {
    let mut config = config.clone();
    config.database_url = url.to_string();
    let state = server::prepare(config, server::leptos_options()?).await?;
    let db = state.db.clone();
    let user_id = match provisioning::bootstrap(
        &db,
        "Bench",
        None,
        NewAccount {
            email: EMAIL.into(),
            password: PASSWORD.into(),
            display_name: Some("Bench".into()),
            timezone: TZ.into(),
        },
    )
    .await
    .map_err(|e| e.to_string())?
    {
        provisioning::Bootstrap::Created { user_id, .. } => user_id,
        provisioning::Bootstrap::AlreadyDone => return Err("bench database was not empty".into()),
    };

    // A year of full days ending last night: 365 × 1,440 heart-rate minutes.
    let tz = local_time::zone(TZ);
    let now = local_time::start_of_day(local_time::today(tz), tz) - Duration::seconds(1);
    let batches = demo::generate(
        tz,
        now,
        DemoOptions {
            days: 366,
            intraday: true,
            seed: 42,
        },
    );
    let total_points: usize = batches.iter().map(|b| b.points.len()).sum();
    let hr_points: usize = batches
        .iter()
        .flat_map(|b| &b.points)
        .filter(|p| p.metric_type == "heart_rate")
        .count();
    let events: usize = batches.iter().map(|b| b.events.len()).sum();

    // The raw rows the ceiling writes (validation is not part of the database's ceiling).
    let rows: Vec<PointRow> = batches
        .iter()
        .flat_map(|b| b.points.iter())
        .enumerate()
        .map(|(i, p)| validate::point(i, p, tz, Utc::now()).map_err(|e| e.message))
        .collect::<Result<_, _>>()?;

    let started = Instant::now();
    for batch in batches {
        ingest::ingest(&db, &user_id, batch)
            .await
            .map_err(|e| e.to_string())?;
    }
    let ingest_time = started.elapsed();
    let ingest_rate = total_points as f64 / ingest_time.as_secs_f64();

    let (ceiling_rate, ceiling_how) = ceiling(&db, &user_id, &rows)
        .await
        .map_err(|e| format!("ceiling: {e}"))?;

    println!();
    println!("== {backend} ==");
    println!("ingest   {total_points} points ({hr_points} minute heart-rate, the rest daily) + {events} workouts");
    println!(
        "         {:.2} s  →  {:.0} points/s (validation, upsert, rollups, records)",
        ingest_time.as_secs_f64(),
        ingest_rate
    );
    println!("ceiling  {:.0} rows/s ({ceiling_how})", ceiling_rate);
    println!(
        "ratio    {:.0}% of the raw ceiling",
        ingest_rate / ceiling_rate * 100.0
    );

    let seeded = crate::wellness::bench::seed_year(&db, &user_id, tz)
        .await
        .map_err(|e| format!("wellness seed: {e}"))?;
    println!(
        "wellness a year of logging: {} habit check-ins (8 habits), {} drinks, {} moods, {} journal entries, {} goals",
        seeded.habit_logs, seeded.drinks, seeded.moods, seeded.entries, seeded.goals
    );

    let router = server::router(state.clone());
    let cookie = sign_in(&router).await?;
    for (name, path) in [
        ("today", "/"),
        ("heart rate, 365 days", "/trends/heart_rate?range=365"),
        ("habits", "/habits"),
        ("water, 30 days", "/water?range=30"),
        ("mood, 90 days", "/mood?range=90"),
        ("journal search", "/journal?q=river+coffee"),
        ("goals", "/goals"),
    ] {
        let mut times = Vec::with_capacity(args.requests);
        for i in 0..(args.requests + 10) {
            let t = Instant::now();
            let (status, bytes) = get(&router, path, &cookie).await?;
            let took = t.elapsed();
            if status != 200 {
                return Err(format!("{path} answered {status}"));
            }
            if i == 0 && bytes < 2_000 {
                return Err(format!("{path} rendered only {bytes} bytes"));
            }
            if i >= 10 {
                times.push(took);
            }
        }
        times.sort();
        let pct = |p: f64| {
            times[((times.len() as f64 * p).ceil() as usize)
                .saturating_sub(1)
                .min(times.len() - 1)]
        };
        println!(
            "page     {name:<22} p50 {:>6.2} ms  p95 {:>6.2} ms  max {:>6.2} ms  ({} requests)",
            ms(pct(0.50)),
            ms(pct(0.95)),
            ms(*times.last().expect("some")),
            times.len()
        );
    }
    db.close().await;
    Ok(())
}

fn ms(d: StdDuration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn sign_in(router: &axum::Router) -> Result<String, String> {
    let body = format!("email={}&password={}", EMAIL.replace('@', "%40"), PASSWORD);
    let mut req = Request::post("/api/auth/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin")
        .header(header::HOST, "127.0.0.1:3000")
        .body(Body::from(body))
        .map_err(|e| e.to_string())?;
    req.extensions_mut()
        .insert(ConnectInfo(std::net::SocketAddr::from((
            [127, 0, 0, 1],
            40000,
        ))));
    let res = router
        .clone()
        .oneshot(req)
        .await
        .map_err(|e| e.to_string())?;
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").to_string())
        .find(|c| c.contains("session=") && !c.ends_with('='))
        .ok_or_else(|| format!("sign-in failed ({})", res.status()))
}

async fn get(router: &axum::Router, path: &str, cookie: &str) -> Result<(u16, usize), String> {
    let mut req = Request::get(path)
        .header(header::COOKIE, cookie)
        .header(header::HOST, "127.0.0.1:3000")
        .body(Body::empty())
        .map_err(|e| e.to_string())?;
    req.extensions_mut()
        .insert(ConnectInfo(std::net::SocketAddr::from((
            [127, 0, 0, 1],
            40000,
        ))));
    let res = router
        .clone()
        .oneshot(req)
        .await
        .map_err(|e| e.to_string())?;
    let status = res.status().as_u16();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .map_err(|e| e.to_string())?;
    Ok((status, bytes.len()))
}

/// Writes `rows` raw into an identical copy of `health_metrics` and returns rows/s.
async fn ceiling(db: &Db, user_id: &str, rows: &[PointRow]) -> Result<(f64, String), sqlx::Error> {
    let now = Utc::now();
    let ctx = WriteCtx {
        user_id,
        provider_id: "raw",
        connection_id: None,
        source: "user",
        now,
        events_removed: false,
    };
    match db {
        Db::Sqlite(pool) => {
            let create: String =
                sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE name = 'health_metrics'")
                    .fetch_one(pool)
                    .await?;
            sqlx::query(&create.replacen("health_metrics", "bench_raw_metrics", 1))
                .execute(pool)
                .await?;
            sqlx::query("CREATE INDEX bench_raw_day_idx ON bench_raw_metrics (user_id, metric_type, local_date)").execute(pool).await?;

            // (a) one prepared statement, row by row, one transaction.
            let t = Instant::now();
            let mut tx = pool.begin().await?;
            for r in rows {
                sqlx::query(
                    "INSERT INTO bench_raw_metrics (id, user_id, connection_id, provider_id, metric_type, value, unit, \
                     data, derived, derived2, source, recorded_at, local_date, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
                )
                .bind(new_id())
                .bind(user_id)
                .bind(None::<String>)
                .bind("raw")
                .bind(r.metric.id)
                .bind(r.value)
                .bind(r.metric.unit)
                .bind(r.data.as_deref())
                .bind(r.derived)
                .bind(r.derived2)
                .bind("user")
                .bind(r.recorded_at)
                .bind(r.local_date)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            let loop_rate = rows.len() as f64 / t.elapsed().as_secs_f64();

            // (b) the same JSON-array path ingest uses, as a plain insert, one transaction.
            sqlx::query("DELETE FROM bench_raw_metrics")
                .execute(pool)
                .await?;
            let t = Instant::now();
            let mut tx = pool.begin().await?;
            bulk::sqlite_write(&mut tx, &ctx, rows, "bench_raw_metrics", false).await?;
            tx.commit().await?;
            let multi_rate = rows.len() as f64 / t.elapsed().as_secs_f64();
            Ok(if multi_rate >= loop_rate {
                (multi_rate, format!("plain INSERT … SELECT FROM json_each, one transaction; per-row prepared loop {loop_rate:.0} rows/s"))
            } else {
                (loop_rate, format!("per-row prepared INSERT loop, one transaction; json_each {multi_rate:.0} rows/s"))
            })
        }
        Db::Postgres(pool) => {
            sqlx::query("CREATE TABLE bench_raw_metrics (LIKE health_metrics INCLUDING ALL)")
                .execute(pool)
                .await?;
            sqlx::query("ALTER TABLE bench_raw_metrics ADD FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE").execute(pool).await?;
            let t = Instant::now();
            let mut conn = pool.acquire().await?;
            let mut copy = conn
                .copy_in_raw(
                    "COPY bench_raw_metrics (id, user_id, connection_id, provider_id, metric_type, value, unit, data, \
                     derived, derived2, source, recorded_at, local_date, created_at) FROM STDIN WITH (FORMAT csv)",
                )
                .await?;
            let created = now.to_rfc3339();
            let opt = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
            let mut buf = String::with_capacity(4 << 20);
            for r in rows {
                let data = r
                    .data
                    .as_deref()
                    .map(|d| format!("\"{}\"", d.replace('"', "\"\"")))
                    .unwrap_or_default();
                buf.push_str(&format!(
                    "{},{},,raw,{},{},{},{},{},{},user,{},{},{}\n",
                    new_id(),
                    user_id,
                    r.metric.id,
                    opt(r.value),
                    r.metric.unit,
                    data,
                    opt(r.derived),
                    opt(r.derived2),
                    r.recorded_at.to_rfc3339(),
                    r.local_date,
                    created
                ));
                if buf.len() > (4 << 20) - 512 {
                    copy.send(buf.as_bytes()).await?;
                    buf.clear();
                }
            }
            copy.send(buf.as_bytes()).await?;
            copy.finish().await?;
            Ok((
                rows.len() as f64 / t.elapsed().as_secs_f64(),
                "COPY … FROM STDIN (csv) into an identical table".into(),
            ))
        }
    }
}
