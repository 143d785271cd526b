use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{query_param, ChartBox, RangeTabs};
use crate::health::catalogue;
use crate::health::server_fns::{get_metric_detail, MetricDetail};
use crate::ui::{Access, EmptyState, ErrorPanel, Guarded};

#[component]
pub fn MetricPage() -> impl IntoView {
    // A plain string: a title closure reading the route's params can run after the render's
    // owner is gone (leptos_axum reads the title last) and panic; the detail view sets the
    // title again when the metric changes in the browser.
    let title = use_params_map()
        .with_untracked(|p| {
            catalogue::metric(&p.get("metric").unwrap_or_default()).map(|m| m.label)
        })
        .unwrap_or("Metric")
        .to_string();
    view! {
        <Title text=title/>
        <Guarded access=Access::Member page=move |_| view! { <Detail/> }/>
    }
}

#[component]
fn Detail() -> impl IntoView {
    let params = use_params_map();
    let (range, from, to, chart, view_mode, before) = (
        query_param("range"),
        query_param("from"),
        query_param("to"),
        query_param("chart"),
        query_param("view"),
        query_param("before"),
    );
    // The table toggle is part of the key, so a client-side navigation re-renders the view.
    let detail = Resource::new(
        move || {
            (
                params.read().get("metric").unwrap_or_default(),
                range.get(),
                from.get(),
                to.get(),
                chart.get(),
                view_mode.get(),
                before.get(),
            )
        },
        |(m, r, f, t, c, v, b)| async move {
            let table = v.as_deref() == Some("table");
            get_metric_detail(m, r, f, t, c, b)
                .await
                .map(|d| (d, table))
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok((d, table)) => view! { <DetailView d=d table=table/> }.into_any(),
                    Err(e) => view! {
                        <header class="page-header"><h1>"Trends"</h1></header>
                        <ErrorPanel error=e/>
                        <p><a href="/trends">"All metrics"</a></p>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn DetailView(d: MetricDetail, table: bool) -> impl IntoView {
    let base = format!("/trends/{}", d.metric);
    let range_q = if d.range == "custom" {
        format!("range=custom&from={}&to={}", d.from, d.to)
    } else {
        format!("range={}", d.range)
    };
    let other_chart = if d.chart == "bar" { "line" } else { "bar" };
    let chart_link = format!("{base}?{range_q}&chart={other_chart}");
    let table_link = if table {
        format!("{base}?{range_q}&chart={}", d.chart)
    } else {
        format!("{base}?{range_q}&chart={}&view=table", d.chart)
    };
    let csv = format!(
        "/export/health/{}.csv?from={}&to={}",
        d.metric, d.from, d.to
    );
    let table_base = format!("{base}?{range_q}&chart={}&view=table", d.chart);
    let newest_days = d.paged.then(|| table_base.clone());
    let older_days = d.older.clone().map(|b| format!("{table_base}&before={b}"));
    let empty = d.rows.is_empty() && !d.paged;
    let has_range = d.rows.iter().any(|r| r.min.is_some());
    view! {
        <Title text=d.label.clone()/>
        <header class="page-header">
            <p class="breadcrumb"><a href="/trends">"Trends"</a></p>
            <h1>{d.label.clone()}</h1>
            <p class="muted">{format!("{} · {} to {}", d.aggregation, d.from, d.to)}
                {(!d.sources.is_empty()).then(|| format!(" · from {}", d.sources.join(", ")))}</p>
        </header>
        <RangeTabs base=base.clone() current=d.range.clone() keep=format!("&chart={}", d.chart)/>
        <form class="custom-range" method="get" action=base.clone()>
            <input type="hidden" name="range" value="custom"/>
            <input type="hidden" name="chart" value=d.chart.clone()/>
            <label>"From "<input type="date" name="from" value=d.from.clone() required/></label>
            <label>"to "<input type="date" name="to" value=d.to.clone() required/></label>
            <button type="submit" class="btn btn-secondary">"Show"</button>
        </form>
        <section class=format!("card metric-card family-{}", d.family)>
            {if empty {
                view! {
                    <EmptyState title="No data in this range" message="Try a longer range, or connect a device that records this metric.">
                        <a class="btn btn-secondary" href=format!("{base}?range=365")>"Show the last year"</a>
                    </EmptyState>
                }.into_any()
            } else {
                view! {
                    {d.stats.clone().map(|s| view! {
                        <dl class="stat-row">
                            <div><dt>"Min"</dt><dd class="num">{s.min}</dd></div>
                            <div><dt>"Average"</dt><dd class="num">{s.avg}</dd></div>
                            <div><dt>"Max"</dt><dd class="num">{s.max}</dd></div>
                            <div><dt>"Days"</dt><dd class="num">{s.days}</dd></div>
                        </dl>
                    })}
                    <ChartBox svg=d.svg.clone()/>
                    <p class="chart-actions">
                        <a class="btn btn-ghost" href=chart_link>{if other_chart == "bar" { "Bar chart" } else { "Line chart" }}</a>
                        <a class="btn btn-ghost" href=table_link>{if table { "Hide table" } else { "Show table" }}</a>
                        <a class="btn btn-ghost" href=csv download>"Download CSV"</a>
                    </p>
                }.into_any()
            }}
        </section>
        {(table && !empty).then(|| view! {
            <section class="card" aria-labelledby="table-title">
                <h2 id="table-title" class="card-title">"Day by day"</h2>
                <div class="table-wrap" tabindex="0" role="region" aria-label="Scrollable table">
                    <table class="table">
                        <thead><tr><th>"Day"</th><th>{d.label.clone()}</th>{has_range.then(|| view! { <th>"Range"</th> })}<th>"Source"</th></tr></thead>
                        <tbody>
                            {d.rows.into_iter().map(|r| view! {
                                <tr>
                                    <td>{r.label}</td>
                                    <td class="num">{r.value}</td>
                                    {has_range.then(|| view! { <td class="num muted">{match (r.min.clone(), r.max.clone()) { (Some(a), Some(b)) => format!("{a} – {b}"), _ => String::new() }}</td> })}
                                    <td class="muted">{r.source}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                {(newest_days.is_some() || older_days.is_some()).then(|| view! {
                    <nav class="pager" aria-label="Pages of the table">
                        {newest_days.map(|h| view! { <a class="btn btn-ghost" href=h>"← Newest days"</a> })}
                        {older_days.map(|h| view! { <a class="btn btn-secondary" href=h rel="next">"Older days →"</a> })}
                    </nav>
                })}
            </section>
        })}
    }
}
