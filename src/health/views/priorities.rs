//! Settings → preferred sources: per metric, which provider's daily figure wins when several
//! report it.

use chrono::Utc;
use sqlx::types::Json;

use crate::error::AppError;
use crate::health::series;
use crate::health::server_fns::SourcePriority;
use crate::health::{catalogue, sources};
use crate::platform::db::Db;
use crate::with_db;

/// The order shown for `metric`: the effective order restricted to the sources that reported it.
fn shown_order(
    metric: &catalogue::MetricInfo,
    saved: Option<&[String]>,
    present: &[String],
) -> Vec<String> {
    let order = sources::effective_order(metric, saved);
    let mut providers = present.to_vec();
    providers.sort_by_key(|p| sources::rank(&order, p));
    providers
}

pub async fn list(db: &Db, user_id: &str) -> Result<Vec<SourcePriority>, AppError> {
    let saved = series::user_orders(db, user_id).await?;
    let multi = series::multi_source_metrics(db, user_id).await?;
    Ok(multi
        .into_iter()
        .filter_map(|(m, present)| {
            let info = catalogue::metric(&m)?;
            let providers = shown_order(info, saved.get(&m).map(Vec::as_slice), &present);
            Some(SourcePriority {
                metric: info.id.to_string(),
                label: info.label.to_string(),
                providers: providers
                    .into_iter()
                    .map(|p| (sources::source_name(&p), p))
                    .map(|(n, p)| (p, n))
                    .collect(),
            })
        })
        .collect())
}

pub async fn move_source(
    db: &Db,
    user_id: &str,
    metric: &str,
    provider: &str,
    direction: &str,
) -> Result<(), AppError> {
    let info =
        catalogue::metric(metric).ok_or_else(|| AppError::invalid("metric", "Unknown metric."))?;
    let up = match direction {
        "up" => true,
        "down" => false,
        _ => return Err(AppError::invalid("direction", "Move a source up or down.")),
    };
    let saved = series::user_orders(db, user_id).await?;
    let present: Vec<String> = series::multi_source_metrics(db, user_id)
        .await?
        .into_iter()
        .find(|(m, _)| m == info.id)
        .map(|(_, p)| p)
        .unwrap_or_default();
    let mut order = shown_order(info, saved.get(info.id).map(Vec::as_slice), &present);
    let Some(i) = order.iter().position(|p| p == provider) else {
        return Err(AppError::NotFound(
            "That source has no data for this metric.".into(),
        ));
    };
    let j = if up {
        i.checked_sub(1)
    } else {
        (i + 1 < order.len()).then_some(i + 1)
    };
    if let Some(j) = j {
        order.swap(i, j);
    }
    with_db!(db, pool => sqlx::query(
        "INSERT INTO source_priorities (user_id, metric_type, providers, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (user_id, metric_type) DO UPDATE SET providers = excluded.providers, updated_at = excluded.updated_at")
        .bind(user_id)
        .bind(info.id)
        .bind(Json(&order))
        .bind(Utc::now())
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    // Which of two providers' copies of a session shows follows the order.
    if matches!(info.id, "workout" | "sleep") {
        crate::health::dedup::refresh_all(db, user_id).await?;
    }
    Ok(())
}
