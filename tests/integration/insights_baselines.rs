//! Insights baselines: queued by ingest as one coalesced derive request per person, computed on
//! the person's local days, always equal to a from-scratch recomputation, and never mixing
//! people.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use vitasync::health::catalogue;
use vitasync::health::ingest::{self, Batch, Source};
use vitasync::health::series;
use vitasync::insights::baseline::{self, Baseline, Trend, MIN_DAYS};
use vitasync::insights::derive::{self, BASELINE_METRICS};
use vitasync::insights::{repo, service, worker};
use vitasync::platform::db::Db;
use vitasync::with_db;

use crate::both_backends;
use crate::harness::{point, set_timezone, user_id, TestApp};

/// Stored (or expected) baselines by (metric, local day).
type Baselines = BTreeMap<(String, NaiveDate), (Baseline, Trend)>;

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// `hour`:00 on `day` in `tz`, as an instant.
fn local(tz: Tz, day: NaiveDate, hour: u32) -> DateTime<Utc> {
    tz.from_local_datetime(&day.and_hms_opt(hour, 0, 0).unwrap())
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

/// Resting heart rate on day `i`: a saw-tooth (7 steps of 11) on a slow upward drift.
fn rhr(i: i64) -> f64 {
    52.0 + ((i * 7) % 11) as f64 + (i / 10) as f64
}

/// `days` days of one resting heart rate reading at 07:00 local from `first` on.
fn rhr_batch(tz: Tz, first: NaiveDate, days: i64) -> Batch {
    let mut b = Batch::new("garmin", Source::User);
    for i in 0..days {
        let at = local(tz, first + Duration::days(i), 7);
        b.points.push(point("resting_heart_rate", rhr(i), at));
    }
    b
}

/// Every stored baseline of the person.
async fn stored(db: &Db, user: &str) -> Baselines {
    service::baselines(db, user, None, ymd(1970, 1, 1), ymd(2100, 1, 1))
        .await
        .unwrap()
        .into_iter()
        .map(|s| ((s.metric, s.date), (s.baseline, s.trend)))
        .collect()
}

async fn stored_count(db: &Db, user: &str) -> i64 {
    with_db!(db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM biometric_baselines WHERE user_id = $1")
        .bind(user)
        .fetch_one(pool)
        .await)
    .unwrap()
}

/// The baselines worked out from scratch: the daily figures as the dashboards read them, and
/// for every day from the first with data to today the window before it, where it counts.
async fn from_scratch(db: &Db, user: &str, tz: Tz) -> Baselines {
    let infos: Vec<_> = BASELINE_METRICS
        .iter()
        .filter_map(|m| catalogue::metric(m))
        .collect();
    let today = Utc::now().with_timezone(&tz).date_naive();
    let figures = series::daily(db, user, &infos, ymd(2000, 1, 1), today)
        .await
        .unwrap();
    let mut out = Baselines::new();
    for (metric, days) in figures {
        let series: BTreeMap<NaiveDate, f64> = days.iter().map(|f| (f.date, f.value)).collect();
        let Some(first) = series.keys().next().copied() else {
            continue;
        };
        for d in first.iter_days().take_while(|d| *d <= today) {
            if let Some(b) = baseline::before(&series, d).filter(|b| b.n >= MIN_DAYS) {
                out.insert((metric.to_string(), d), (b, b.trend()));
            }
        }
    }
    out
}

both_backends!(
    baselines_are_kept_on_the_local_day_at_utc_plus_13,
    |app: TestApp| async move {
        app.setup_owner("owner@example.com", "owner-password").await;
        let user = user_id(app.db(), "owner@example.com").await;
        set_timezone(app.db(), &user, "Pacific/Auckland").await;
        let tz: Tz = "Pacific/Auckland".parse().unwrap();
        // January is summer in New Zealand (UTC+13): 07:00 local is 18:00 UTC the day before.
        let first = ymd(2025, 1, 1);
        ingest::ingest(app.db(), &user, rhr_batch(tz, first, 40))
            .await
            .unwrap();
        let queued = repo::pending(app.db(), &user).await.unwrap();
        assert!(
            queued.is_some_and(|p| p.from_date <= first),
            "the ingest queued a derive from its first local day"
        );
        assert_eq!(worker::drain(app.db()).await.unwrap(), 1, "one pass");
        assert_eq!(repo::pending(app.db(), &user).await.unwrap(), None);

        // Read back as stored, without the repo.
        type Row = (NaiveDate, f64, f64, f64, f64, i64);
        let rows: Vec<Row> = with_db!(app.db(), pool => sqlx::query_as(
            "SELECT date, median, p25, p75, mad, CAST(sample_size AS BIGINT) FROM biometric_baselines \
             WHERE user_id = $1 AND metric_type = 'resting_heart_rate' ORDER BY date")
            .bind(&user)
            .fetch_all(pool)
            .await)
        .unwrap();
        // Local day 15 is the first with 14 days of data before it (on UTC days the data
        // would start on 31 December and the first baseline would fall on 14 January); the
        // last is day 57, whose window still holds 14 of the 40 days.
        assert_eq!(
            rows.first().map(|r| (r.0, r.5)),
            Some((ymd(2025, 1, 15), 14))
        );
        assert_eq!(
            rows.last().map(|r| (r.0, r.5)),
            Some((ymd(2025, 2, 26), 14))
        );
        assert_eq!(rows.len(), 43, "one row per day whose baseline counts");

        // Day 35 (4 February): the 30 days before it are days 5..=34, indices 4..34.
        let day = first + Duration::days(34);
        let window: Vec<f64> = (4..34).map(rhr).collect();
        let expected = Baseline::of(&window).unwrap();
        let got = rows
            .iter()
            .find(|r| r.0 == day)
            .expect("a baseline on day 35");
        assert_eq!(
            (got.1, got.2, got.3, got.4, got.5),
            (
                expected.median,
                expected.p25,
                expected.p75,
                expected.mad,
                30
            )
        );
        // The service reads back every figure of it.
        let read = service::baselines(app.db(), &user, Some("resting_heart_rate"), day, day)
            .await
            .unwrap();
        assert_eq!(read.len(), 1);
        assert_eq!(read[0].baseline, expected);
        assert_eq!(read[0].trend, expected.trend());
        assert!(
            service::baselines(app.db(), &user, Some("steps"), first, day)
                .await
                .unwrap()
                .is_empty(),
            "no steps, no steps baseline"
        );
    }
);

/// One random write: (provider index, metric index, day offset, minute of the UTC day, value).
type Op = (usize, usize, i64, u32, u32);

/// (metric, base value, step per unit of the random value).
const PROPERTY_METRICS: [(&str, f64, f64); 3] = [
    ("resting_heart_rate", 45.0, 0.3),
    ("steps", 2000.0, 90.0),
    ("spo2", 90.0, 0.09),
];

both_backends!(
    incremental_baselines_equal_a_from_scratch_rebuild,
    |app: TestApp| async move {
        use proptest::test_runner::{Config, TestRunner};
        app.setup_owner("owner@example.com", "owner-password").await;
        let user = user_id(app.db(), "owner@example.com").await;
        set_timezone(app.db(), &user, "Europe/Paris").await;
        let tz: Tz = "Europe/Paris".parse().unwrap();
        let providers = ["garmin", "fitbit"];
        // Fifty days across the start of summer time in Paris (30 March 2025).
        let base = ymd(2025, 3, 10);
        let strategy = proptest::collection::vec(
            proptest::collection::vec(
                (0..2usize, 0..3usize, 0..50i64, 0..1440u32, 0..100u32),
                1..60,
            ),
            1..5,
        );
        let mut runner = TestRunner::new(Config {
            cases: 8,
            failure_persistence: None,
            ..Config::default()
        });
        let handle = tokio::runtime::Handle::current();
        let result = runner.run(&strategy, |batches: Vec<Vec<Op>>| {
            let (app, user) = (app.clone(), user.clone());
            tokio::task::block_in_place(|| {
                handle.block_on(async {
                    for ops in batches {
                        for (pi, provider) in providers.iter().enumerate() {
                            let mut b = Batch::new(provider, Source::User);
                            for (p, mi, day, minute, v) in &ops {
                                if *p != pi {
                                    continue;
                                }
                                let (metric, offset, step) = PROPERTY_METRICS[*mi];
                                let t = (base + Duration::days(*day))
                                    .and_hms_opt(0, 0, 0)
                                    .unwrap()
                                    .and_utc()
                                    + Duration::minutes(i64::from(*minute));
                                b.points
                                    .push(point(metric, offset + f64::from(*v) * step, t));
                            }
                            ingest::ingest(app.db(), &user, b).await.unwrap();
                        }
                        worker::drain(app.db()).await.unwrap();
                    }
                    let incremental = stored(app.db(), &user).await;
                    let scratch = from_scratch(app.db(), &user, tz).await;
                    assert_eq!(
                        incremental.keys().collect::<Vec<_>>(),
                        scratch.keys().collect::<Vec<_>>(),
                        "baselines on the same days"
                    );
                    assert_eq!(incremental, scratch, "and the same figures");
                    derive::rebuild(app.db(), &user, "Europe/Paris", None)
                        .await
                        .unwrap();
                    assert_eq!(
                        stored(app.db(), &user).await,
                        incremental,
                        "a full rebuild changes nothing"
                    );
                })
            });
            Ok(())
        });
        result.expect("incremental baselines always equal a from-scratch recomputation");
    }
);

both_backends!(
    another_persons_data_never_enters_a_baseline,
    |app: TestApp| async move {
        let admin = app.setup_owner("owner@example.com", "owner-password").await;
        app.add_member(&admin, "mia@example.com", "member-password-1")
            .await;
        let owner = user_id(app.db(), "owner@example.com").await;
        let member = user_id(app.db(), "mia@example.com").await;
        let tz: Tz = "Europe/Paris".parse().unwrap();
        set_timezone(app.db(), &member, "Europe/Paris").await;
        let first = ymd(2025, 5, 1);
        ingest::ingest(app.db(), &owner, rhr_batch(tz, first, 30))
            .await
            .unwrap();
        assert_eq!(
            repo::pending(app.db(), &member).await.unwrap(),
            None,
            "only the owner's data changed"
        );
        // Even a request for the member (as if their data changed on the same days) derives
        // nothing from the owner's readings.
        repo::request(app.db(), &member, first).await.unwrap();
        assert_eq!(worker::drain(app.db()).await.unwrap(), 2);
        let owners = stored(app.db(), &owner).await;
        assert!(!owners.is_empty());
        assert_eq!(owners, from_scratch(app.db(), &owner, tz).await);
        assert_eq!(stored_count(app.db(), &member).await, 0);
        let report = derive::rebuild(app.db(), &member, "Europe/Paris", None)
            .await
            .unwrap();
        assert_eq!((report.stored, report.metrics), (0, 0));
        assert_eq!(stored_count(app.db(), &member).await, 0);
        assert_eq!(
            stored(app.db(), &owner).await,
            owners,
            "the owner's are untouched"
        );
    }
);

both_backends!(
    derive_requests_coalesce_and_none_is_lost,
    |app: TestApp| async move {
        app.setup_owner("owner@example.com", "owner-password").await;
        let user = user_id(app.db(), "owner@example.com").await;
        let tz: Tz = "Europe/Paris".parse().unwrap();
        let db = app.db();
        assert_eq!(
            worker::drain(db).await.unwrap(),
            0,
            "an empty queue: no pass"
        );

        let first = ymd(2025, 6, 1);
        ingest::ingest(db, &user, rhr_batch(tz, first, 20))
            .await
            .unwrap();
        assert_eq!(worker::drain(db).await.unwrap(), 1);
        let computed_at = |db: Db, user: String| async move {
            with_db!(&db, pool => sqlx::query_as::<_, (String, NaiveDate, DateTime<Utc>)>(
                "SELECT metric_type, date, created_at FROM biometric_baselines WHERE user_id = $1 \
                 ORDER BY metric_type, date")
                .bind(&user)
                .fetch_all(pool)
                .await)
            .unwrap()
        };
        let before = computed_at(db.clone(), user.clone()).await;
        assert!(!before.is_empty());
        assert_eq!(worker::drain(db).await.unwrap(), 0, "nothing requested");
        assert_eq!(
            computed_at(db.clone(), user.clone()).await,
            before,
            "a drain without requests writes nothing"
        );

        // Two requests before a pass: one row, the earlier day, one pass.
        repo::request(db, &user, ymd(2025, 6, 10)).await.unwrap();
        repo::request(db, &user, ymd(2025, 6, 5)).await.unwrap();
        repo::request(db, &user, ymd(2025, 6, 8)).await.unwrap();
        let pending = repo::pending(db, &user).await.unwrap().unwrap();
        assert_eq!(
            (pending.from_date, pending.generation),
            (ymd(2025, 6, 5), 3)
        );
        assert_eq!(
            repo::claim_due(
                db,
                "w1",
                Utc::now() - Duration::seconds(60),
                Utc::now() - Duration::minutes(10)
            )
            .await
            .unwrap(),
            None,
            "not due before the debounce"
        );
        assert_eq!(
            worker::drain(db).await.unwrap(),
            1,
            "coalesced into one pass"
        );
        assert_eq!(
            repo::pending(db, &user).await.unwrap(),
            None,
            "the row is gone"
        );

        // A request while a pass runs is not lost.
        repo::request(db, &user, ymd(2025, 6, 12)).await.unwrap();
        let stale_before = Utc::now() - Duration::minutes(10);
        let claim = repo::claim_due(db, "w1", Utc::now(), stale_before)
            .await
            .unwrap()
            .expect("due");
        assert_eq!((claim.from_date, claim.generation), (ymd(2025, 6, 12), 1));
        assert_eq!(
            repo::claim_due(db, "w2", Utc::now(), stale_before)
                .await
                .unwrap(),
            None,
            "a claimed request is not claimed twice"
        );
        repo::request(db, &user, ymd(2025, 6, 3)).await.unwrap();
        derive::run(db, &user, "Europe/Paris", claim.from_date)
            .await
            .unwrap();
        assert!(
            !repo::finish(db, &user, claim.generation, "w1")
                .await
                .unwrap(),
            "a newer request keeps the row"
        );
        let pending = repo::pending(db, &user).await.unwrap().unwrap();
        assert_eq!(
            (pending.from_date, pending.generation),
            (ymd(2025, 6, 3), 2)
        );
        assert_eq!(worker::drain(db).await.unwrap(), 1, "the kept request runs");
        assert_eq!(repo::pending(db, &user).await.unwrap(), None);

        // A claim whose worker died is taken over once it is stale.
        repo::request(db, &user, ymd(2025, 6, 15)).await.unwrap();
        let dead = repo::claim_due(db, "w1", Utc::now(), stale_before)
            .await
            .unwrap()
            .expect("due");
        let taken = repo::claim_due(db, "w2", Utc::now(), Utc::now() + Duration::seconds(1))
            .await
            .unwrap()
            .expect("a stale claim is taken over");
        assert_eq!(taken, dead);
        assert!(repo::finish(db, &user, taken.generation, "w2")
            .await
            .unwrap());
        assert!(!repo::finish(db, &user, dead.generation, "w1")
            .await
            .unwrap());
        assert_eq!(repo::pending(db, &user).await.unwrap(), None);
        assert_eq!(
            stored(db, &user).await,
            from_scratch(db, &user, tz).await,
            "and the baselines are right"
        );
    }
);
