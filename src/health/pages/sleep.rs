use leptos::prelude::*;
use leptos_meta::Title;

use super::{query_param, ChartBox, RangeTabs};
use crate::health::server_fns::{get_sleep, SleepView};
use crate::ui::{Access, EmptyState, ErrorPanel, Guarded};

#[component]
pub fn SleepPage() -> impl IntoView {
    view! {
        <Title text="Sleep"/>
        <Guarded access=Access::Member page=|_| view! { <Sleep/> }/>
    }
}

#[component]
fn Sleep() -> impl IntoView {
    let (range, before) = (query_param("range"), query_param("before"));
    let data = Resource::new(
        move || (range.get(), before.get()),
        |(r, b)| get_sleep(r, b),
    );
    view! {
        <header class="page-header">
            <p class="breadcrumb"><a href="/trends">"Trends"</a></p>
            <h1>"Sleep"</h1>
            <p class="muted">"Each night counts for the day you woke up."</p>
        </header>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => view! { <SleepBody v=v/> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SleepBody(v: SleepView) -> impl IntoView {
    let empty = v.nights.is_empty() && !v.paged;
    let (range, older, paged) = (v.range.clone(), v.older.clone(), v.paged);
    view! {
        <RangeTabs base="/sleep" current=v.range.clone() options=&["7", "30", "90", "365"]/>
        {if empty {
            view! {
                <section class="card">
                    <EmptyState title="No sleep recorded in this range"
                        message="Connect a ring, watch or strap that tracks sleep, and your nights will appear here."/>
                </section>
            }.into_any()
        } else {
            view! {
                <dl class="stat-row card">
                    <div><dt>"Average sleep"</dt><dd class="num">{v.avg_asleep.clone().unwrap_or_default()}</dd></div>
                    <div><dt>"Efficiency"</dt><dd class="num">{v.avg_efficiency.clone().unwrap_or_else(|| "–".into())}</dd></div>
                    <div><dt>"Bedtime"</dt><dd class="num">{v.avg_bed.clone().unwrap_or_else(|| "–".into())}</dd></div>
                    <div><dt>"Wake-up"</dt><dd class="num">{v.avg_wake.clone().unwrap_or_else(|| "–".into())}</dd></div>
                    <div><dt>"Score"</dt><dd class="num">{v.avg_score.clone().unwrap_or_else(|| "–".into())}</dd></div>
                </dl>
                <section class="card metric-card family-sleep" aria-labelledby="stages-title">
                    <h2 id="stages-title" class="card-title">"Stages per night"</h2>
                    <ul class="legend" aria-hidden="true">
                        <li><span class="swatch stage-deep"></span>"Deep"</li>
                        <li><span class="swatch stage-light"></span>"Light"</li>
                        <li><span class="swatch stage-rem"></span>"REM"</li>
                        <li><span class="swatch stage-awake"></span>"Awake"</li>
                    </ul>
                    <ChartBox svg=v.stages_svg.clone()/>
                </section>
                {(!v.score_svg.is_empty()).then(|| view! {
                    <section class="card metric-card family-sleep" aria-labelledby="score-title">
                        <h2 id="score-title" class="card-title">"Sleep score"</h2>
                        <ChartBox svg=v.score_svg.clone()/>
                    </section>
                })}
                <section class="card" aria-labelledby="nights-title">
                    <h2 id="nights-title" class="card-title">"Nights"</h2>
                    <div class="table-wrap" tabindex="0" role="region" aria-label="Scrollable table">
                        <table class="table">
                            <thead><tr><th>"Night"</th><th>"Asleep"</th><th>"Deep · Light · REM · Awake (h:mm)"</th><th>"Bed – wake"</th><th>"Eff."</th><th>"Score"</th></tr></thead>
                            <tbody>
                                {v.nights.into_iter().map(|n| view! {
                                    <tr>
                                        <td>{n.label}<span class="cell-sub muted">{n.source}</span></td>
                                        <td class="num">{n.asleep}</td>
                                        <td class="num">{n.stages.map(|s| s.join(" · ")).unwrap_or_else(|| "–".into())}</td>
                                        <td class="num">{match (n.bed, n.wake) { (Some(b), Some(w)) => format!("{b} – {w}"), _ => "–".into() }}</td>
                                        <td class="num">{n.efficiency.unwrap_or_else(|| "–".into())}</td>
                                        <td class="num">{n.score.unwrap_or_else(|| "–".into())}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                    <NightPages range=range.clone() older=older paged=paged/>
                </section>
            }.into_any()
        }}
    }
}

/// "Older nights" / "Newest nights": the table's pages, keyed by date (`?before=`).
#[component]
fn NightPages(range: String, older: Option<String>, paged: bool) -> impl IntoView {
    (older.is_some() || paged).then(|| {
        view! {
            <nav class="pager" aria-label="Pages of nights">
                {paged.then(|| view! { <a class="btn btn-ghost" href=format!("/sleep?range={range}")>"← Newest nights"</a> })}
                {older.map(|b| view! { <a class="btn btn-secondary" href=format!("/sleep?range={range}&before={b}")>"Older nights →"</a> })}
            </nav>
        }
    })
}
