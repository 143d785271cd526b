//! A year of everyday logging for the benchmark: habits, water, mood, journal and goals,
//! written straight into the tables (seeding is not what is measured; the pages are).

use chrono::{Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use rand::{rngs::StdRng, Rng, SeedableRng};

use crate::health::local_time;
use crate::platform::{db::Db, ids::new_id};
use crate::with_db;

/// Rows written per table.
pub struct Seeded {
    pub habit_logs: usize,
    pub drinks: usize,
    pub moods: usize,
    pub entries: usize,
    pub goals: usize,
}

const WORDS: [&str; 16] = [
    "walked", "river", "coffee", "work", "friends", "slept", "tired", "ran", "read", "quiet",
    "rain", "sunny", "family", "cooked", "late", "early",
];

pub async fn seed_year(db: &Db, user_id: &str, tz: Tz) -> Result<Seeded, sqlx::Error> {
    let mut rng = StdRng::seed_from_u64(7);
    let today = local_time::today(tz);
    let days: Vec<NaiveDate> = (1..=365).rev().map(|b| today - Duration::days(b)).collect();
    let now = Utc::now();
    let habits: Vec<String> = (0..8).map(|_| new_id()).collect();
    let mut seeded = Seeded {
        habit_logs: 0,
        drinks: 0,
        moods: 0,
        entries: 0,
        goals: 0,
    };
    with_db!(db, pool => async {
        let mut tx = pool.begin().await?;
        for (i, id) in habits.iter().enumerate() {
            let (frequency, days_json) = if i % 3 == 1 { ("weekdays", "[1,2,3,4,5]") } else { ("daily", "[0,1,2,3,4,5,6]") };
            sqlx::query("INSERT INTO habits (id, user_id, name, icon, color, frequency, target_days, active, created_at, updated_at) \
                         VALUES ($1, $2, $3, '✅', 'blue', $4, $5, $6, $7, $7)")
                .bind(id).bind(user_id).bind(format!("Habit {i}")).bind(frequency)
                .bind(sqlx::types::Json(serde_json::from_str::<serde_json::Value>(days_json).expect("json")))
                .bind(true).bind(now - Duration::days(366))
                .execute(&mut *tx).await?;
        }
        for d in &days {
            for id in &habits {
                if rng.gen_bool(0.8) {
                    sqlx::query("INSERT INTO habit_logs (id, habit_id, user_id, completed_date, created_at) VALUES ($1, $2, $3, $4, $5)")
                        .bind(new_id()).bind(id).bind(user_id).bind(*d).bind(now)
                        .execute(&mut *tx).await?;
                    seeded.habit_logs += 1;
                }
            }
            let start = local_time::start_of_day(*d, tz);
            for k in 0..6 {
                sqlx::query("INSERT INTO water_intake (id, user_id, amount_ml, beverage_type, daily_goal_ml, logged_at, created_at) \
                             VALUES ($1, $2, $3, 'water', 2500, $4, $4)")
                    .bind(new_id()).bind(user_id).bind(rng.gen_range(150..600)).bind(start + Duration::hours(8 + 2 * k))
                    .execute(&mut *tx).await?;
                seeded.drinks += 1;
            }
            for k in 0..2 {
                let score = f64::from(rng.gen_range(1..=5i32));
                sqlx::query("INSERT INTO mood_logs (id, user_id, score, mood, tags, factors, recorded_at, created_at) \
                             VALUES ($1, $2, $3, 'okay', $4, $5, $6, $6)")
                    .bind(new_id()).bind(user_id).bind(score)
                    .bind(sqlx::types::Json(vec!["work"])).bind(sqlx::types::Json(Vec::<String>::new()))
                    .bind(start + Duration::hours(9 + 10 * k))
                    .execute(&mut *tx).await?;
                seeded.moods += 1;
            }
            let body: Vec<&str> = (0..120).map(|_| WORDS[rng.gen_range(0..WORDS.len())]).collect();
            sqlx::query("INSERT INTO journal_entries (id, user_id, title, body, gratitude, tags, entry_date, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)")
                .bind(new_id()).bind(user_id).bind(format!("Day {d}")).bind(body.join(" "))
                .bind(sqlx::types::Json(Vec::<String>::new())).bind(sqlx::types::Json(vec!["daily"]))
                .bind(*d).bind(start + Duration::hours(21))
                .execute(&mut *tx).await?;
            seeded.entries += 1;
        }
        for (metric, target, cadence) in [("steps", 8000.0, "daily"), ("steps", 60000.0, "weekly"), ("water_ml", 2000.0, "daily"),
                                          ("mood_avg", 3.0, "monthly"), ("habit_completions", 40.0, "weekly")] {
            sqlx::query("INSERT INTO goals (id, user_id, name, category, metric_type, target_value, cadence, direction, is_active, start_date, created_at, updated_at) \
                         VALUES ($1, $2, $3, 'custom', $4, $5, $6, 'at_least', $7, $8, $9, $9)")
                .bind(new_id()).bind(user_id).bind(format!("{cadence} {metric}")).bind(metric).bind(target).bind(cadence)
                .bind(true).bind(days[0]).bind(now)
                .execute(&mut *tx).await?;
            seeded.goals += 1;
        }
        tx.commit().await
    }.await)?;
    Ok(seeded)
}
