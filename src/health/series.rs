//! Reading daily figures from the rollups: at most one row per metric, provider and day, with the
//! preferred source chosen per day.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::FromRow;

use super::catalogue::{self, Aggregation, MetricInfo};
use super::sources;
use crate::platform::db::Db;
use crate::with_db;

#[derive(Debug, Clone, FromRow)]
struct RollupRow {
    metric_type: String,
    local_date: NaiveDate,
    provider_id: String,
    sample_count: i32,
    value_sum: Option<f64>,
    value_min: Option<f64>,
    value_max: Option<f64>,
    value_last: Option<f64>,
    last_at: DateTime<Utc>,
    aux_sum: Option<f64>,
}

/// One day's figure from the winning source.
#[derive(Debug, Clone, PartialEq)]
pub struct DayFigure {
    pub date: NaiveDate,
    pub value: f64,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// Second figure (blood pressure: mean diastolic).
    pub aux: Option<f64>,
    pub count: i64,
    pub provider: String,
    pub last_at: DateTime<Utc>,
}

fn figure(metric: &MetricInfo, r: &RollupRow) -> Option<DayFigure> {
    let n = r.sample_count.max(1) as f64;
    let value = match metric.aggregation {
        Aggregation::Sum => r.value_sum,
        Aggregation::Mean => r.value_sum.map(|s| s / n),
        Aggregation::Last => r.value_last,
    }?;
    Some(DayFigure {
        date: r.local_date,
        value,
        min: r.value_min,
        max: r.value_max,
        aux: r.aux_sum.map(|s| s / n),
        count: r.sample_count as i64,
        provider: r.provider_id.clone(),
        last_at: r.last_at,
    })
}

/// The user's saved source orders, by metric id.
pub async fn user_orders(
    db: &Db,
    user_id: &str,
) -> Result<HashMap<String, Vec<String>>, sqlx::Error> {
    let rows: Vec<(String, sqlx::types::Json<Vec<String>>)> = with_db!(db, pool => sqlx::query_as(
        "SELECT metric_type, providers FROM source_priorities WHERE user_id = $1")
        .bind(user_id)
        .fetch_all(pool)
        .await)?;
    Ok(rows.into_iter().map(|(m, p)| (m, p.0)).collect())
}

/// Daily figures of several metrics over `from..=to`, one per day (the preferred source's).
pub async fn daily(
    db: &Db,
    user_id: &str,
    metrics: &[&'static MetricInfo],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<HashMap<&'static str, Vec<DayFigure>>, sqlx::Error> {
    let orders = user_orders(db, user_id).await?;
    daily_with(db, user_id, metrics, from, to, &orders).await
}

/// [`daily`] with the user's source orders already loaded.
pub async fn daily_with(
    db: &Db,
    user_id: &str,
    metrics: &[&'static MetricInfo],
    from: NaiveDate,
    to: NaiveDate,
    orders: &HashMap<String, Vec<String>>,
) -> Result<HashMap<&'static str, Vec<DayFigure>>, sqlx::Error> {
    if metrics.is_empty() {
        return Ok(HashMap::new());
    }
    // Metric ids come from the catalogue (never from input), so they can be inlined.
    let list = metrics
        .iter()
        .map(|m| format!("'{}'", m.id))
        .collect::<Vec<_>>()
        .join(",");
    let sql = format!(
        "SELECT metric_type, local_date, provider_id, sample_count, value_sum, value_min, value_max, \
                value_last, last_at, aux_sum \
         FROM daily_rollups WHERE user_id = $1 AND metric_type IN ({list}) \
           AND local_date BETWEEN $2 AND $3 ORDER BY metric_type, local_date"
    );
    let rows: Vec<RollupRow> = with_db!(db, pool => sqlx::query_as(&sql)
        .bind(user_id)
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await)?;
    Ok(pick(metrics, rows, orders))
}

fn pick(
    metrics: &[&'static MetricInfo],
    rows: Vec<RollupRow>,
    orders: &HashMap<String, Vec<String>>,
) -> HashMap<&'static str, Vec<DayFigure>> {
    let mut out: HashMap<&'static str, Vec<DayFigure>> = HashMap::new();
    for metric in metrics {
        let order = sources::effective_order(metric, orders.get(metric.id).map(Vec::as_slice));
        let mut days: Vec<DayFigure> = Vec::new();
        let mut best_rank: Option<(usize, String)> = None;
        for r in rows.iter().filter(|r| r.metric_type == metric.id) {
            let Some(f) = figure(metric, r) else { continue };
            let rank = sources::rank(&order, &r.provider_id);
            match days.last() {
                Some(last) if last.date == f.date => {
                    if Some(&rank) < best_rank.as_ref() {
                        *days.last_mut().expect("last") = f;
                        best_rank = Some(rank);
                    }
                }
                _ => {
                    days.push(f);
                    best_rank = Some(rank);
                }
            }
        }
        out.insert(metric.id, days);
    }
    out
}

/// Lays daily figures on consecutive days `from..=to` (`None` where a day has no figure).
pub fn by_day(
    days: &[DayFigure],
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<(NaiveDate, Option<&DayFigure>)> {
    let map: HashMap<NaiveDate, &DayFigure> = days.iter().map(|d| (d.date, d)).collect();
    from.iter_days()
        .take_while(|d| *d <= to)
        .map(|d| (d, map.get(&d).copied()))
        .collect()
}

/// Metric ids for which the user has data from more than one source.
pub async fn multi_source_metrics(
    db: &Db,
    user_id: &str,
) -> Result<Vec<(String, Vec<String>)>, sqlx::Error> {
    let rows: Vec<(String, String)> = with_db!(db, pool => sqlx::query_as(
        "SELECT DISTINCT metric_type, provider_id FROM daily_rollups WHERE user_id = $1 \
         ORDER BY metric_type, provider_id")
        .bind(user_id)
        .fetch_all(pool)
        .await)?;
    let mut by_metric: Vec<(String, Vec<String>)> = Vec::new();
    for (m, p) in rows {
        if catalogue::metric(&m).is_none() {
            continue;
        }
        match by_metric.last_mut() {
            Some((last, ps)) if *last == m => ps.push(p),
            _ => by_metric.push((m, vec![p])),
        }
    }
    by_metric.retain(|(_, ps)| ps.len() > 1);
    Ok(by_metric)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn row(metric: &str, day: u32, provider: &str, sum: f64) -> RollupRow {
        RollupRow {
            metric_type: metric.into(),
            local_date: NaiveDate::from_ymd_opt(2025, 6, day).unwrap(),
            provider_id: provider.into(),
            sample_count: 2,
            value_sum: Some(sum),
            value_min: Some(sum / 4.0),
            value_max: Some(sum / 2.0),
            value_last: Some(sum / 2.0),
            last_at: Utc.with_ymd_and_hms(2025, 6, day, 12, 0, 0).unwrap(),
            aux_sum: None,
        }
    }

    #[test]
    fn preferred_source_wins_each_day() {
        let steps = catalogue::metric("steps").unwrap();
        let rows = vec![
            row("steps", 1, "demo", 100.0),
            row("steps", 1, "garmin", 200.0),
            row("steps", 2, "demo", 300.0),
        ];
        let picked = pick(&[steps], rows.clone(), &HashMap::new());
        let days = &picked["steps"];
        assert_eq!(days.len(), 2);
        assert_eq!(
            (days[0].provider.as_str(), days[0].value),
            ("garmin", 200.0)
        );
        assert_eq!((days[1].provider.as_str(), days[1].value), ("demo", 300.0));
        let mut mine = HashMap::new();
        mine.insert("steps".to_string(), vec!["demo".to_string()]);
        let picked = pick(&[steps], rows, &mine);
        assert_eq!(picked["steps"][0].provider, "demo");
    }

    #[test]
    fn mean_metrics_average_their_readings() {
        let hr = catalogue::metric("heart_rate").unwrap();
        let picked = pick(
            &[hr],
            vec![row("heart_rate", 1, "demo", 130.0)],
            &HashMap::new(),
        );
        assert_eq!(picked["heart_rate"][0].value, 65.0);
    }
}
