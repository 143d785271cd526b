use leptos::prelude::*;
use leptos_meta::Title;

use crate::health::server_fns::get_trends;
use crate::ui::{Access, ErrorPanel, Guarded};

#[component]
pub fn TrendsPage() -> impl IntoView {
    view! {
        <Title text="Trends"/>
        <Guarded access=Access::Member page=|_| view! { <Trends/> }/>
    }
}

#[component]
fn Trends() -> impl IntoView {
    let sections = Resource::new(|| (), |_| get_trends());
    view! {
        <header class="page-header">
            <h1>"Trends"</h1>
            <p class="muted">"Every metric VitaSync keeps. Pick one to see its history."</p>
        </header>
        <nav class="quick-links" aria-label="Health pages">
            <a class="chip" href="/sleep">"Sleep"</a>
            <a class="chip" href="/heart">"Heart"</a>
            <a class="chip" href="/body">"Body"</a>
            <a class="chip" href="/workouts">"Workouts"</a>
            <a class="chip" href="/records">"Records"</a>
        </nav>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match sections.await {
                    Ok(list) => view! {
                        <div class="trend-sections">
                            {list.into_iter().map(|s| view! {
                                <section class=format!("card metric-card family-{}", s.family)>
                                    <h2 class="card-title">{s.title}</h2>
                                    <ul class="plain-list">
                                        {s.items.into_iter().map(|i| view! {
                                            <li>
                                                <a class="list-row link-row" href=format!("/trends/{}", i.metric)>
                                                    <span>{i.label}</span>
                                                    <span class="muted num">
                                                        {match (i.latest, i.when) {
                                                            (Some(v), Some(w)) => format!("{v} · {w}"),
                                                            _ => "No data in 30 days".to_string(),
                                                        }}
                                                    </span>
                                                </a>
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                </section>
                            }).collect_view()}
                        </div>
                    }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
