//! Demo data: a year (or any span) of realistic, internally consistent readings for one person,
//! written through the normal ingest path as provider `demo`, so dashboards can be tried and
//! measured on a fresh install. The numbers are synthetic and labelled as "Demo data" wherever
//! they are shown.
//!
//! Consistency: workouts raise that day's steps, calories, active minutes and heart rate; a hard
//! day lowers the next night's HRV and raises resting heart rate; sleep stages add up to the
//! night's duration; the intraday heart rate follows sleep and workouts; BMI follows weight.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

use super::ingest::{self, Batch, EventInput, IngestError, IngestReport, PointInput, Source};
use super::local_time;
use crate::platform::db::Db;

pub const PROVIDER: &str = "demo";
const HEIGHT_M: f64 = 1.78;

#[derive(Clone, Copy, Debug)]
pub struct DemoOptions {
    pub days: u32,
    pub intraday: bool,
    pub seed: u64,
}

struct Rand(StdRng);

impl Rand {
    fn normal(&mut self, mean: f64, sd: f64) -> f64 {
        // Box–Muller.
        let u1: f64 = self.0.gen_range(f64::EPSILON..1.0);
        let u2: f64 = self.0.gen();
        mean + sd * (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
    fn chance(&mut self, p: f64) -> bool {
        self.0.gen_bool(p.clamp(0.0, 1.0))
    }
}

struct Workout {
    start: DateTime<Utc>,
    minutes: f64,
    sport: &'static str,
    avg_hr: f64,
}

/// Fills the user with `opts.days` days of demo data ending today, one month per batch.
pub async fn fill(
    db: &Db,
    user_id: &str,
    timezone: &str,
    opts: DemoOptions,
) -> Result<IngestReport, IngestError> {
    let mut total = IngestReport::default();
    for batch in generate(local_time::zone(timezone), Utc::now(), opts) {
        let r = ingest::ingest(db, user_id, batch).await?;
        total.points += r.points;
        total.events += r.events;
        total.days_refreshed += r.days_refreshed;
        total.records_changed += r.records_changed;
    }
    Ok(total)
}

/// The demo data as ingest batches of about a month each, oldest first, nothing after `now`.
pub fn generate(tz: Tz, now: DateTime<Utc>, opts: DemoOptions) -> Vec<Batch> {
    let today = local_time::local_date(now, tz);
    let first = today - Duration::days(opts.days.saturating_sub(1) as i64);
    let mut rng = Rand(StdRng::seed_from_u64(opts.seed));
    let mut state = State::new(&mut rng);
    // Settle the drifting state first (see `day_batch`): the first day is an ordinary one.
    let mut scratch = Batch::new(PROVIDER, Source::User);
    for back in (1..=WARM_UP_DAYS).rev() {
        state.day(
            &mut rng,
            &mut scratch,
            first - Duration::days(back),
            tz,
            now,
            false,
        );
        scratch.points.clear();
        scratch.events.clear();
    }
    let mut batches = Vec::new();
    let mut day = first;
    while day <= today {
        let mut batch = Batch::new(PROVIDER, Source::User);
        for _ in 0..31 {
            if day > today {
                break;
            }
            state.day(&mut rng, &mut batch, day, tz, now, opts.intraday);
            day += Duration::days(1);
        }
        batches.push(batch);
    }
    batches
}

/// One local day of demo data for the person `seed` stands for, the same whatever span is
/// asked for (the demo provider's data API pages through days with it). Baselines come from
/// the seed; the day's own variation from the seed and the date. Nothing after `now`.
pub fn day_batch(tz: Tz, now: DateTime<Utc>, day: NaiveDate, seed: u64, intraday: bool) -> Batch {
    let mut base = Rand(StdRng::seed_from_u64(seed));
    let mut state = State::new(&mut base);
    // Fatigue, HRV and resting heart rate carry over from day to day: the weeks before are
    // replayed (and thrown away) so the day starts from where they left it, not from the
    // baseline, which would make every first day look like a personal best.
    let mut scratch = Batch::new(PROVIDER, Source::User);
    for back in (1..=WARM_UP_DAYS).rev() {
        let d = day - Duration::days(back);
        state.day(&mut day_rng(seed, d), &mut scratch, d, tz, now, false);
        scratch.points.clear();
        scratch.events.clear();
    }
    let mut batch = Batch::new(PROVIDER, Source::User);
    state.day(&mut day_rng(seed, day), &mut batch, day, tz, now, intraday);
    batch
}

/// Days replayed before the first generated day so its state is a settled one.
const WARM_UP_DAYS: i64 = 21;

/// The day's own variation, from the person's seed and the date.
fn day_rng(seed: u64, day: NaiveDate) -> Rand {
    use chrono::Datelike;
    let day_seed = seed ^ (day.num_days_from_ce() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    Rand(StdRng::seed_from_u64(day_seed))
}

fn push(
    batch: &mut Batch,
    now: DateTime<Utc>,
    metric: &str,
    value: Option<f64>,
    data: Option<serde_json::Value>,
    when: Option<DateTime<Utc>>,
) {
    if let Some(when) = when.filter(|w| *w <= now) {
        batch.points.push(PointInput {
            metric_type: metric.to_string(),
            value,
            unit: None,
            data,
            recorded_at: when,
        });
    }
}

/// Slowly drifting baselines carried from day to day.
struct State {
    weight: f64,
    body_fat: f64,
    rhr: f64,
    hrv: f64,
    fatigue: f64,
    n: u64,
}

impl State {
    fn new(rng: &mut Rand) -> Self {
        State {
            weight: rng.normal(79.0, 3.0),
            body_fat: rng.normal(22.0, 2.0),
            rhr: rng.normal(58.0, 3.0),
            hrv: rng.normal(55.0, 6.0),
            fatigue: 0.0,
            n: 0,
        }
    }

    fn day(
        &mut self,
        rng: &mut Rand,
        batch: &mut Batch,
        day: NaiveDate,
        tz: Tz,
        now: DateTime<Utc>,
        intraday: bool,
    ) {
        use chrono::Datelike;
        let at = |h: u32, m: u32| -> Option<DateTime<Utc>> {
            let t = NaiveTime::from_hms_opt(h, m, 0)?;
            tz.from_local_datetime(&day.and_time(t))
                .earliest()
                .map(|d| d.with_timezone(&Utc))
        };

        // Last night's sleep, ending this morning (recovery follows yesterday's load).
        let bed = at(22, 30)
            .map(|b| b - Duration::days(1) + Duration::minutes(rng.normal(25.0, 35.0) as i64));
        let in_bed = rng.normal(7.6, 0.6).clamp(5.0, 10.0) - self.fatigue * 0.1;
        let awake_min = rng.normal(28.0, 8.0).clamp(5.0, 70.0);
        let asleep_min = in_bed * 60.0 - awake_min;
        let deep = asleep_min * rng.normal(0.19, 0.03).clamp(0.1, 0.3);
        let rem = asleep_min * rng.normal(0.23, 0.03).clamp(0.12, 0.32);
        let light = asleep_min - deep - rem;
        let efficiency = (asleep_min / (in_bed * 60.0) * 100.0).round();
        let score = (60.0
            + (asleep_min / 60.0 - 6.0) * 10.0
            + (efficiency - 85.0) * 0.8
            + rng.normal(0.0, 3.0))
        .clamp(35.0, 98.0)
        .round();
        self.hrv = (self.hrv * 0.85 + 0.15 * rng.normal(56.0, 6.0) - self.fatigue * 2.0)
            .clamp(20.0, 120.0);
        self.rhr =
            (self.rhr * 0.85 + 0.15 * rng.normal(57.5, 1.5) + self.fatigue * 0.6).clamp(42.0, 80.0);
        let wake = bed.map(|b| b + Duration::minutes((in_bed * 60.0) as i64));
        // A night still in progress is not written (its end lies in the future).
        if let (Some(b), Some(w)) = (bed, wake.filter(|w| *w <= now)) {
            push(
                batch,
                now,
                "sleep",
                None,
                Some(json!({
                    "stages": {"deep": deep.round(), "light": light.round(), "rem": rem.round(), "awake": awake_min.round()},
                    "efficiency": efficiency,
                    "startTime": b.to_rfc3339(),
                    "endTime": w.to_rfc3339(),
                    "score": score,
                })),
                Some(b),
            );
            push(batch, now, "sleep_score", Some(score), None, Some(w));
            push(
                batch,
                now,
                "resting_heart_rate",
                Some(self.rhr.round()),
                None,
                Some(w),
            );
            push(
                batch,
                now,
                "heart_rate_variability",
                Some(self.hrv.round()),
                None,
                Some(w),
            );
            push(
                batch,
                now,
                "respiratory_rate",
                Some(rng.normal(14.6, 0.5).clamp(10.0, 20.0)),
                None,
                Some(w),
            );
            push(
                batch,
                now,
                "spo2",
                Some(rng.normal(96.5, 1.0).clamp(91.0, 100.0).round()),
                None,
                Some(w),
            );
            let readiness = (70.0 + (self.hrv - 55.0) * 0.8 - (self.rhr - 58.0) * 1.5
                + (score - 75.0) * 0.3)
                .clamp(20.0, 99.0)
                .round();
            push(
                batch,
                now,
                "readiness_score",
                Some(readiness),
                None,
                Some(w),
            );
        }

        // Morning weigh-in, most days.
        self.weight += rng.normal(-0.008, 0.05);
        self.body_fat = (self.body_fat + rng.normal(-0.004, 0.03)).clamp(10.0, 35.0);
        if rng.chance(0.8) {
            let w = ((self.weight + rng.normal(0.0, 0.3)) * 10.0).round() / 10.0;
            push(batch, now, "weight", Some(w), None, at(7, 10));
            push(
                batch,
                now,
                "body_fat",
                Some((self.body_fat * 10.0).round() / 10.0),
                None,
                at(7, 10),
            );
            push(
                batch,
                now,
                "bmi",
                Some((w / (HEIGHT_M * HEIGHT_M) * 10.0).round() / 10.0),
                None,
                at(7, 10),
            );
        }
        if self.n.is_multiple_of(3) {
            let sys = rng.normal(119.0, 5.0).round();
            let dia = (sys - rng.normal(42.0, 4.0)).round();
            push(
                batch,
                now,
                "blood_pressure",
                None,
                Some(json!({"systolic": sys, "diastolic": dia, "pulse": (self.rhr + 6.0).round()})),
                at(8, 0),
            );
        }

        // Training: runs Mon/Wed/Sat, a ride on Thursday, strength on Tuesday.
        let weekday = day.weekday().num_days_from_monday();
        let mut workouts: Vec<Workout> = Vec::new();
        let plan: Option<(&'static str, f64, u32)> = match weekday {
            0 | 2 => Some(("running", rng.normal(42.0, 8.0), 18)),
            5 => Some(("running", rng.normal(75.0, 15.0), 9)),
            3 => Some(("cycling", rng.normal(70.0, 15.0), 17)),
            1 => Some(("strength_training", rng.normal(45.0, 6.0), 19)),
            _ => None,
        };
        if let Some((sport, minutes, hour)) = plan.filter(|_| rng.chance(0.85)) {
            if let Some(start) = at(hour, 10) {
                let avg_hr = match sport {
                    "running" => rng.normal(150.0, 5.0),
                    "cycling" => rng.normal(138.0, 6.0),
                    _ => rng.normal(118.0, 6.0),
                };
                workouts.push(Workout {
                    start,
                    minutes: minutes.clamp(20.0, 150.0),
                    sport,
                    avg_hr,
                });
            }
        }
        let workout_minutes: f64 = workouts.iter().map(|w| w.minutes).sum();
        self.fatigue = (self.fatigue * 0.6 + workout_minutes / 60.0).min(4.0);
        for (i, w) in workouts.iter().enumerate() {
            if w.start > now {
                continue;
            }
            let secs = (w.minutes * 60.0) as i64;
            let (distance, kcal) = match w.sport {
                "running" => (
                    w.minutes * 60.0 / rng.normal(330.0, 15.0) * 1000.0,
                    w.minutes * 11.0,
                ),
                "cycling" => (
                    w.minutes / 60.0 * rng.normal(26_000.0, 2_000.0),
                    w.minutes * 9.0,
                ),
                _ => (0.0, w.minutes * 6.0),
            };
            let max_hr = w.avg_hr + rng.normal(18.0, 3.0);
            let mut data = json!({ "sport": w.sport, "durationSeconds": secs });
            if distance > 0.0 {
                let pace_s = secs as f64 / (distance / 1000.0);
                let mut laps = Vec::new();
                let mut remaining = distance;
                let mut n = 1;
                while remaining > 1.0 && n <= 200 {
                    let d = remaining.min(1000.0);
                    laps.push(json!({"lapNumber": n, "distance": d.round(), "time": (pace_s * d / 1000.0 * rng.normal(1.0, 0.03)).round(), "avgHR": (w.avg_hr + rng.normal(0.0, 4.0)).round()}));
                    remaining -= d;
                    n += 1;
                }
                let gain = (distance / 1000.0 * rng.normal(9.0, 3.0)).max(0.0).round();
                data["laps"] = json!(laps);
                data["elevationGain"] = json!(gain);
                data["elevationLoss"] = json!((gain * rng.normal(0.97, 0.03)).round());
                data["avgPace"] = json!(format!(
                    "{}:{:02}",
                    (pace_s / 60.0) as u32,
                    (pace_s % 60.0) as u32
                ));
                data["avgCadence"] = json!(if w.sport == "running" {
                    rng.normal(168.0, 4.0).round()
                } else {
                    rng.normal(85.0, 5.0).round()
                });
            }
            let total = secs as f64;
            data["hrZones"] = json!({
                "zone1": (total * 0.08).round(), "zone2": (total * 0.22).round(), "zone3": (total * 0.38).round(),
                "zone4": (total * 0.26).round(), "zone5": (total * 0.06).round()
            });
            batch.events.push(EventInput {
                provider_event_id: format!("demo-{day}-{i}"),
                event_type: "workout".into(),
                activity_type: Some(w.sport.into()),
                title: Some(
                    match w.sport {
                        "running" => "Run",
                        "cycling" => "Ride",
                        _ => "Strength",
                    }
                    .into(),
                ),
                started_at: w.start,
                ended_at: Some(w.start + Duration::seconds(secs)),
                duration_seconds: Some(secs),
                distance_meters: (distance > 0.0).then(|| distance.round()),
                calories_kcal: Some(kcal.round()),
                avg_heart_rate: Some(w.avg_hr.round() as i64),
                max_heart_rate: Some(max_hr.round() as i64),
                data: Some(data.clone()),
            });
            push(batch, now, "workout", None, Some(data), Some(w.start));
        }

        // The day's activity totals (so far, for today).
        let weekend = weekday >= 5;
        let base_steps = if weekend {
            rng.normal(10_500.0, 3_500.0)
        } else {
            rng.normal(8_200.0, 2_200.0)
        };
        let run_steps: f64 = workouts
            .iter()
            .filter(|w| w.sport == "running")
            .map(|w| w.minutes * 165.0)
            .sum();
        let mut steps = base_steps.max(1_200.0) + run_steps;
        // One instant per day (its local midnight), so a later sync's running total for today
        // replaces the earlier one instead of adding to it; today counts the share elapsed.
        let stamp = at(0, 0);
        let share = match at(23, 59) {
            Some(e) if e > now => {
                let elapsed = (now - at(0, 0).unwrap_or(now)).num_minutes().max(0) as f64 / 1440.0;
                elapsed.clamp(0.0, 1.0)
            }
            _ => 1.0,
        };
        steps *= share;
        let active = (steps / 130.0 + workout_minutes * share).round();
        push(batch, now, "steps", Some(steps.round()), None, stamp);
        push(
            batch,
            now,
            "distance",
            Some((steps * 0.78).round()),
            None,
            stamp,
        );
        push(
            batch,
            now,
            "calories",
            Some((steps * 0.045 + workout_minutes * 9.5 * share).round()),
            None,
            stamp,
        );
        push(
            batch,
            now,
            "active_minutes",
            Some(active.min(1_440.0)),
            None,
            stamp,
        );
        push(
            batch,
            now,
            "floors",
            Some((rng.normal(9.0, 4.0).max(0.0) * share).round()),
            None,
            stamp,
        );
        push(
            batch,
            now,
            "stress",
            Some(rng.normal(32.0, 9.0).clamp(5.0, 95.0).round()),
            None,
            stamp,
        );

        if intraday {
            let start = at(0, 0);
            let sleep_end = wake;
            let bedtime_tonight = at(22, 45);
            if let Some(mut t) = start {
                let end = at(23, 59).unwrap_or(t).min(now);
                let mut hr = self.rhr + 5.0;
                while t <= end {
                    let asleep =
                        sleep_end.is_some_and(|w| t < w) || bedtime_tonight.is_some_and(|b| t >= b);
                    let in_workout = workouts.iter().find(|w| {
                        t >= w.start && t < w.start + Duration::minutes(w.minutes as i64)
                    });
                    let target = match in_workout {
                        Some(w) => w.avg_hr + rng.normal(0.0, 6.0),
                        None if asleep => self.rhr + rng.normal(2.0, 2.0),
                        None => {
                            let h = t.with_timezone(&tz).hour() as f64;
                            self.rhr
                                + 18.0
                                + 6.0 * ((h - 6.0) / 16.0 * std::f64::consts::PI).sin()
                                + rng.normal(0.0, 6.0)
                        }
                    };
                    hr = hr * 0.6 + target * 0.4;
                    batch.points.push(PointInput {
                        metric_type: "heart_rate".into(),
                        value: Some(hr.round().clamp(35.0, 210.0)),
                        unit: None,
                        data: None,
                        recorded_at: t,
                    });
                    t += Duration::minutes(1);
                }
            }
        }
        self.n += 1;
    }
}
