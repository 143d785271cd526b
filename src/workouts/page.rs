use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::server_fns::{get_workout, list_workouts, WorkoutDetail, WorkoutList};
use crate::health::pages::{query_param, ChartBox};
use crate::ui::{Access, EmptyState, ErrorPanel, Guarded};

#[component]
pub fn WorkoutsPage() -> impl IntoView {
    view! {
        <Title text="Workouts"/>
        <Guarded access=Access::Member page=|_| view! { <Workouts/> }/>
    }
}

#[component]
fn Workouts() -> impl IntoView {
    let (activity, from, to, before) = (
        query_param("activity"),
        query_param("from"),
        query_param("to"),
        query_param("before"),
    );
    let data = Resource::new(
        move || (activity.get(), from.get(), to.get(), before.get()),
        |(a, f, t, p)| list_workouts(a, f, t, p),
    );
    view! {
        <header class="page-header">
            <h1>"Workouts"</h1>
        </header>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(list) => view! { <WorkoutListView list=list/> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> <p><a href="/workouts">"Show all workouts"</a></p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn WorkoutListView(list: WorkoutList) -> impl IntoView {
    let filtered = !list.activity.is_empty() || !list.from.is_empty() || !list.to.is_empty();
    let query = format!(
        "activity={}&from={}&to={}",
        list.activity, list.from, list.to
    );
    let newest = list.paged.then(|| format!("/workouts?{query}"));
    let next = list
        .next
        .as_ref()
        .map(|c| format!("/workouts?{query}&before={c}"));
    let current = list.activity.clone();
    view! {
        {(!list.volume_svg.is_empty()).then(|| view! {
            <section class="card metric-card family-activity" aria-labelledby="volume-title">
                <h2 id="volume-title" class="card-title">"Training volume"</h2>
                <ChartBox svg=list.volume_svg.clone()/>
                <details class="chart-table">
                    <summary>"Show as table"</summary>
                    <table class="table">
                        <tbody>
                            {list.volume_weeks.clone().into_iter().map(|(w, h)| view! { <tr><td>{w}</td><td class="num">{h}</td></tr> }).collect_view()}
                        </tbody>
                    </table>
                </details>
            </section>
        })}
        <form class="filters card" method="get" action="/workouts">
            <label class="field">"Activity"
                <select name="activity">
                    <option value="" selected=current.is_empty()>"All activities"</option>
                    {list.activities.clone().into_iter().map(|(name, id)| {
                        let selected = id == current;
                        view! { <option value=id selected=selected>{name}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label class="field">"From"<input type="date" name="from" value=list.from.clone()/></label>
            <label class="field">"To"<input type="date" name="to" value=list.to.clone()/></label>
            <div class="filter-actions">
                <button type="submit" class="btn btn-secondary">"Filter"</button>
                {filtered.then(|| view! { <a class="btn btn-ghost" href="/workouts">"Clear"</a> })}
            </div>
        </form>
        {if list.items.is_empty() {
            view! {
                <section class="card">
                    {if filtered {
                        view! { <EmptyState title="No workouts match" message="Try another activity or a wider date range."><a class="btn btn-secondary" href="/workouts">"Show all workouts"</a></EmptyState> }.into_any()
                    } else {
                        view! { <EmptyState title="No workouts yet" message="Workouts appear here when a connected device or app records them."/> }.into_any()
                    }}
                </section>
            }.into_any()
        } else {
            view! {
                <p class="muted small">{format!("{} workout{}", list.total, if list.total == 1 { "" } else { "s" })}</p>
                <ul class="workout-list">
                    {list.items.into_iter().map(|w| view! {
                        <li>
                            <a class="card workout-row" href=format!("/workouts/{}", w.id)>
                                <span class="workout-title">{w.title}<span class="muted small">{format!(" · {}", w.activity)}</span></span>
                                <span class="muted small">{w.when}</span>
                                <span class="workout-figures num">
                                    <span>{w.duration}</span>
                                    {w.distance.map(|d| view! { <span>{d}</span> })}
                                    {w.pace.map(|p| view! { <span>{p}</span> })}
                                    {w.avg_hr.map(|h| view! { <span>{h}</span> })}
                                </span>
                            </a>
                        </li>
                    }).collect_view()}
                </ul>
                <nav class="pager" aria-label="Pages">
                    {newest.map(|p| view! { <a class="btn btn-ghost" href=p>"← Newest"</a> })}
                    {next.map(|n| view! { <a class="btn btn-secondary" href=n rel="next">"Older →"</a> })}
                </nav>
            }.into_any()
        }}
    }
}

#[component]
pub fn WorkoutPage() -> impl IntoView {
    view! {
        <Title text="Workout"/>
        <Guarded access=Access::Member page=|_| view! { <Workout/> }/>
    }
}

#[component]
fn Workout() -> impl IntoView {
    let params = use_params_map();
    let data = Resource::new(
        move || params.read().get("id").unwrap_or_default(),
        get_workout,
    );
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(w) => view! { <WorkoutView w=w/> }.into_any(),
                    Err(e) => view! {
                        <header class="page-header"><p class="breadcrumb"><a href="/workouts">"Workouts"</a></p><h1>"Workout"</h1></header>
                        <ErrorPanel error=e/>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn WorkoutView(w: WorkoutDetail) -> impl IntoView {
    view! {
        <header class="page-header">
            <p class="breadcrumb"><a href="/workouts">"Workouts"</a></p>
            <h1>{w.title.clone()}</h1>
            <p class="muted">{format!("{} · {} · {}", w.activity, w.when, w.source)}</p>
        </header>
        <dl class="stat-row card">
            {w.stats.into_iter().map(|(k, v)| view! { <div><dt>{k}</dt><dd class="num">{v}</dd></div> }).collect_view()}
        </dl>
        {(!w.zones_svg.is_empty()).then(|| view! {
            <section class="card metric-card family-heart" aria-labelledby="zones-title">
                <h2 id="zones-title" class="card-title">"Heart-rate zones"</h2>
                <ChartBox svg=w.zones_svg.clone()/>
                <p class="muted small">{w.zones.iter().map(|(z, m)| format!("{z}: {m}")).collect::<Vec<_>>().join(" · ")}</p>
            </section>
        })}
        {(!w.laps.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="laps-title">
                <h2 id="laps-title" class="card-title">"Laps"</h2>
                <div class="table-wrap" tabindex="0" role="region" aria-label="Scrollable table">
                    <table class="table">
                        <thead><tr><th>"Lap"</th><th>"Distance"</th><th>"Time"</th><th>"Pace"</th><th>"Avg HR"</th></tr></thead>
                        <tbody>
                            {w.laps.clone().into_iter().map(|l| view! {
                                <tr><td class="num">{l.number}</td><td class="num">{l.distance}</td><td class="num">{l.time}</td><td class="num">{l.pace}</td><td class="num">{l.avg_hr}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </section>
        })}
    }
}
