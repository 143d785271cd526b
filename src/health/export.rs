//! CSV download of what a metric page shows: one row per day from the preferred source, in the
//! person's units (the `unit` column names them).
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
use crate::units::Conversion;

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
    // Figures in the person's unit (miles, pounds, °F …), the unit column saying which.
    let (shown, conv) = auth.user.units.shown(metric);
    let number = |v: f64| {
        if conv == Conversion::SAME {
            v.to_string()
        } else {
            // Converted figures keep two decimals more than the page shows, no float noise.
            let text = format!("{:.*}", shown.decimals as usize + 2, v);
            text.trim_end_matches('0').trim_end_matches('.').to_string()
        }
    };
    let mut out = String::from("date,metric,value,unit,min,max,readings,source\n");
    for stored in data.get(metric.id).map(Vec::as_slice).unwrap_or(&[]) {
        let d = &conv.day(stored);
        let opt = |v: Option<f64>| v.map(number).unwrap_or_default();
        let value = if metric.id == "blood_pressure" {
            format!("{}/{}", d.value.round(), d.aux.unwrap_or(0.0).round())
        } else {
            number(d.value)
        };
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{}\n",
            d.date,
            metric.id,
            value,
            shown.unit,
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
