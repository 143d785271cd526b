//! The Trends index (every metric with its latest figure) and the metric detail page.

use chrono::{Duration, NaiveDate};

use super::{axis_label, day_label, resolve_range, when_label, RangeQuery};
use crate::error::AppError;
use crate::health::catalogue::{self, Aggregation, Category, MetricInfo, METRICS};
use crate::health::charts::{self, Chart, Kind, Series};
use crate::health::local_time;
use crate::health::series::{self, DayFigure};
use crate::health::server_fns::{DayRow, MetricDetail, Stats, TrendItem, TrendSection};
use crate::health::sources::source_name;
use crate::identity::SessionUser;
use crate::platform::db::Db;
use crate::units::Units;

pub async fn index(
    db: &Db,
    user_id: &str,
    timezone: &str,
    units: &Units,
) -> Result<Vec<TrendSection>, AppError> {
    let tz = local_time::zone(timezone);
    let today = local_time::today(tz);
    let all: Vec<&'static MetricInfo> = METRICS.iter().collect();
    let data = series::daily(db, user_id, &all, today - Duration::days(29), today).await?;
    Ok(Category::ALL
        .iter()
        .map(|cat| TrendSection {
            title: cat.label().to_string(),
            family: cat.family().to_string(),
            items: METRICS
                .iter()
                .filter(|m| m.category == *cat)
                .map(|m| {
                    let last = data.get(m.id).and_then(|d| d.last());
                    let (shown, conv) = units.shown(m);
                    TrendItem {
                        metric: m.id.to_string(),
                        label: m.label.to_string(),
                        latest: last.map(|d| display(&shown, &conv.day(d))),
                        when: last.map(|d| when_label(d.date, today)),
                    }
                })
                .collect(),
        })
        .collect())
}

/// A day's figure as people read it ("7 h 30 min", "118/76 mmHg", "8,412 steps").
pub fn display(m: &MetricInfo, d: &DayFigure) -> String {
    match m.id {
        "sleep" => super::hours_minutes(d.value),
        "blood_pressure" => format!("{:.0}/{:.0} mmHg", d.value, d.aux.unwrap_or(0.0)),
        "hrv_status" => catalogue::HRV_STATUSES
            .get((d.value.round() as usize).saturating_sub(1))
            .map(|s| s.to_string())
            .unwrap_or_default(),
        _ => m.format(d.value),
    }
}

/// Days per page of the day-by-day table.
pub const ROWS_PER_PAGE: usize = 31;

pub async fn detail(
    db: &Db,
    user: &SessionUser,
    metric_id: &str,
    q: &RangeQuery,
    chart: Option<&str>,
    before: Option<&str>,
) -> Result<MetricDetail, AppError> {
    // The day table is paged by date (`before` = the oldest day shown so far, exclusive).
    let before = match before.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(b) => Some(
            crate::dates::Day::parse(b)
                .map_err(|e| AppError::invalid("before", e.form_message()))?
                .date(),
        ),
    };
    let (user_id, timezone, units) = (user.id.as_str(), user.timezone.as_str(), &user.units);
    let stored = catalogue::metric(metric_id)
        .ok_or_else(|| AppError::NotFound("There is no such metric.".into()))?;
    // Figures from here on are in the person's unit (miles, pounds, °F …).
    let (shown, conv) = units.shown(stored);
    let metric = &shown;
    let tz = local_time::zone(timezone);
    let today = local_time::today(tz);
    let (from, to, range) = resolve_range(q, today, 30)?;
    let data = series::daily(db, user_id, &[stored], from, to).await?;
    let days: Vec<DayFigure> = data
        .get(metric.id)
        .map(|days| days.iter().map(|d| conv.day(d)).collect())
        .unwrap_or_default();
    let chart_kind = match chart {
        Some("line") => "line",
        Some("bar") => "bar",
        _ if metric.aggregation == Aggregation::Sum => "bar",
        _ => "line",
    };
    let svg = if days.is_empty() {
        String::new()
    } else {
        chart_for(metric, &days, from, to, chart_kind)
    };
    let stats = (!days.is_empty()).then(|| {
        let values: Vec<f64> = days.iter().map(|d| d.value).collect();
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let avg = values.iter().sum::<f64>() / values.len() as f64;
        let f = |v: f64| {
            if metric.id == "sleep" {
                super::hours_minutes(v)
            } else {
                metric.format(v)
            }
        };
        Stats {
            min: f(min),
            avg: f(avg),
            max: f(max),
            days: values.len(),
        }
    });
    let mut sources: Vec<String> = days.iter().map(|d| source_name(&d.provider)).collect();
    sources.sort();
    sources.dedup();
    let show_range = metric.aggregation == Aggregation::Mean;
    let mut page: Vec<&DayFigure> = days
        .iter()
        .rev()
        .filter(|d| before.is_none_or(|b| d.date < b))
        .take(ROWS_PER_PAGE + 1)
        .collect();
    let older = (page.len() > ROWS_PER_PAGE).then(|| {
        page.truncate(ROWS_PER_PAGE);
        page[ROWS_PER_PAGE - 1].date.to_string()
    });
    let rows = page
        .into_iter()
        .map(|d| DayRow {
            date: d.date.to_string(),
            label: day_label(d.date, today),
            value: display(metric, d),
            min: show_range
                .then(|| d.min.map(|v| metric.format(v)))
                .flatten(),
            max: show_range
                .then(|| d.max.map(|v| metric.format(v)))
                .flatten(),
            source: source_name(&d.provider),
        })
        .collect();
    Ok(MetricDetail {
        metric: metric.id.to_string(),
        label: metric.label.to_string(),
        family: metric.category.family().to_string(),
        aggregation: match metric.aggregation {
            Aggregation::Sum => "Daily total",
            Aggregation::Mean => "Daily average",
            Aggregation::Last => "Latest reading of the day",
        }
        .to_string(),
        range,
        from: from.to_string(),
        to: to.to_string(),
        chart: chart_kind.to_string(),
        svg,
        rows,
        paged: before.is_some(),
        older,
        stats,
        sources,
    })
}

/// One metric's daily chart over `from..=to`; blood pressure draws both figures.
pub fn chart_for(
    metric: &MetricInfo,
    days: &[DayFigure],
    from: NaiveDate,
    to: NaiveDate,
    kind: &str,
) -> String {
    let laid = series::by_day(days, from, to);
    let span = (to - from).num_days();
    let labels: Vec<String> = laid.iter().map(|(d, _)| axis_label(*d, span)).collect();
    let mut chart = Chart::new(
        format!(
            "{}, {} to {}",
            metric.label,
            from.format("%-d %b %Y"),
            to.format("%-d %b %Y")
        ),
        if kind == "bar" {
            Kind::Bars
        } else {
            Kind::Line
        },
        labels,
    );
    chart.desc = format!(
        "{} per day in {}. {} days with data. Days without data are left blank.",
        metric.label,
        metric.unit,
        days.len()
    );
    chart.y_decimals = metric.decimals as usize;
    chart.y_unit = if metric.symbol.is_empty() {
        metric.unit
    } else {
        metric.symbol
    }
    .to_string();
    let color = charts::family_color(metric.category.family());
    chart.series.push(Series {
        name: if metric.id == "blood_pressure" {
            "Systolic".into()
        } else {
            metric.label.into()
        },
        color,
        values: laid.iter().map(|(_, d)| d.map(|d| d.value)).collect(),
    });
    if metric.id == "blood_pressure" {
        chart.series.push(Series {
            name: "Diastolic".into(),
            color: charts::family_color("heart"),
            values: laid.iter().map(|(_, d)| d.and_then(|d| d.aux)).collect(),
        });
    }
    let dates: Vec<NaiveDate> = laid.iter().map(|(d, _)| *d).collect();
    if chart.summarise(&dates) == charts::Summary::Weekly {
        chart.desc = format!(
            "Weekly average of the daily {} in {}, {} days with data; the day-by-day table lists every day.",
            metric.label.to_lowercase(),
            metric.unit,
            days.len()
        );
    }
    chart.render()
}
