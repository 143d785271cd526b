//! CSV download of what a metric page shows: one row per day from the preferred source.
//! `GET /export/health/{metric}.csv?from=YYYY-MM-DD&to=YYYY-MM-DD`, signed-in users only.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;

use super::views::{resolve_range, RangeQuery};
use super::{catalogue, local_time, series, sources};
use crate::platform::request::Authenticated;
use crate::platform::state::AppState;

pub async fn metric_csv(
    State(state): State<AppState>,
    auth: Option<Extension<Authenticated>>,
    Path(file): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some(Extension(auth)) = auth else {
        return (StatusCode::UNAUTHORIZED, "Sign in to download your data.").into_response();
    };
    let Some(metric) = file.strip_suffix(".csv").and_then(catalogue::metric) else {
        return (StatusCode::NOT_FOUND, "There is no such metric.").into_response();
    };
    let tz = local_time::zone(&auth.user.timezone);
    let query = RangeQuery {
        range: Some(q.get("range").cloned().unwrap_or_else(|| "custom".into())),
        from: q.get("from").cloned(),
        to: q.get("to").cloned(),
    };
    let (from, to, _) = match resolve_range(&query, local_time::today(tz), 30) {
        Ok(r) => r,
        Err(e) => return (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    };
    let data = match series::daily(&state.db, &auth.user.id, &[metric], from, to).await {
        Ok(d) => d,
        Err(e) => {
            tracing::error!(error = %e, "csv export failed");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side.",
            )
                .into_response();
        }
    };
    let mut out = String::from("date,metric,value,unit,min,max,readings,source\n");
    for d in data.get(metric.id).map(Vec::as_slice).unwrap_or(&[]) {
        let opt = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
        let value = if metric.id == "blood_pressure" {
            format!("{}/{}", d.value.round(), d.aux.unwrap_or(0.0).round())
        } else {
            d.value.to_string()
        };
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{}\n",
            d.date,
            metric.id,
            value,
            metric.unit,
            opt(d.min),
            opt(d.max),
            d.count,
            sources::source_name(&d.provider).replace(',', " ")
        ));
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"vitasync-{}-{from}-to-{to}.csv\"",
                    metric.id
                ),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        out,
    )
        .into_response()
}
