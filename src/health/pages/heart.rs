use leptos::prelude::*;
use leptos_meta::Title;

use super::{query_param, ChartBox, RangeTabs};
use crate::health::server_fns::{get_heart, HeartView};
use crate::ui::{Access, EmptyState, ErrorPanel, Guarded};

#[component]
pub fn HeartPage() -> impl IntoView {
    view! {
        <Title text="Heart"/>
        <Guarded access=Access::Member page=|_| view! { <Heart/> }/>
    }
}

#[component]
fn Heart() -> impl IntoView {
    let (range, day) = (query_param("range"), query_param("day"));
    let data = Resource::new(move || (range.get(), day.get()), |(r, d)| get_heart(r, d));
    view! {
        <header class="page-header">
            <p class="breadcrumb"><a href="/trends">"Trends"</a></p>
            <h1>"Heart"</h1>
        </header>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => view! { <HeartBody v=v/> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn HeartBody(v: HeartView) -> impl IntoView {
    let keep = format!("&day={}", v.day);
    view! {
        <RangeTabs base="/heart" current=v.range.clone() options=&["30", "90", "365"] keep=keep/>
        <div class="card-grid two">
            <section class="card metric-card family-heart" aria-labelledby="rhr-title">
                <h2 id="rhr-title" class="card-title">"Resting heart rate"
                    {v.rhr_latest.clone().map(|l| view! { <span class="card-figure num">{l}</span> })}</h2>
                {if v.rhr_svg.is_empty() {
                    view! { <EmptyState title="No resting heart rate yet" message="Devices that track your heart overnight report it each morning."/> }.into_any()
                } else {
                    view! { <ChartBox svg=v.rhr_svg.clone()/> <a href="/trends/resting_heart_rate">"Details and table"</a> }.into_any()
                }}
            </section>
            <section class="card metric-card family-heart" aria-labelledby="hrv-title">
                <h2 id="hrv-title" class="card-title">"Heart rate variability"
                    {v.hrv_latest.clone().map(|l| view! { <span class="card-figure num">{l}</span> })}</h2>
                {if v.hrv_svg.is_empty() {
                    view! { <EmptyState title="No HRV yet" message="HRV is measured overnight by rings, straps and most watches."/> }.into_any()
                } else {
                    view! { <ChartBox svg=v.hrv_svg.clone()/> <a href="/trends/heart_rate_variability">"Details and table"</a> }.into_any()
                }}
            </section>
        </div>
        <section class="card metric-card family-heart" aria-labelledby="day-title">
            <div class="card-head">
                <h2 id="day-title" class="card-title">{format!("Heart rate · {}", v.day_label)}</h2>
                <nav class="day-nav" aria-label="Day">
                    <a class="btn btn-ghost" href=format!("/heart?range={}&day={}", v.range, v.prev_day)>"‹ Previous day"</a>
                    {v.next_day.clone().map(|n| view! { <a class="btn btn-ghost" href=format!("/heart?range={}&day={}", v.range, n)>"Next day ›"</a> })}
                </nav>
            </div>
            {if v.intraday_svg.is_empty() {
                view! { <EmptyState title="No heart-rate readings on this day" message="Pick another day, or sync a device that records heart rate through the day."/> }.into_any()
            } else {
                view! {
                    {v.intraday_stats.clone().map(|s| view! {
                        <dl class="stat-row">
                            <div><dt>"Lowest"</dt><dd class="num">{s.min}</dd></div>
                            <div><dt>"Average"</dt><dd class="num">{s.avg}</dd></div>
                            <div><dt>"Highest"</dt><dd class="num">{s.max}</dd></div>
                            <div><dt>"Readings"</dt><dd class="num">{s.days}</dd></div>
                        </dl>
                    })}
                    <ChartBox svg=v.intraday_svg.clone()/>
                    <table class="table zones">
                        <caption class="muted small">{format!("Zones assume a maximum heart rate of {} bpm{}.", v.max_hr, v.source.clone().map(|s| format!(" · readings from {s}")).unwrap_or_default())}</caption>
                        <thead><tr><th>"Zone"</th><th>"Heart rate"</th><th>"Time"</th></tr></thead>
                        <tbody>
                            {v.zones.clone().into_iter().map(|z| view! { <tr><td>{z.name}</td><td class="num">{z.bounds}</td><td class="num">{z.minutes}</td></tr> }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}
