use leptos::prelude::*;
use leptos_meta::Title;

use crate::health::server_fns::get_records;
use crate::ui::{Access, EmptyState, ErrorPanel, Guarded};

#[component]
pub fn RecordsPage() -> impl IntoView {
    view! {
        <Title text="Records"/>
        <Guarded access=Access::Member page=|_| view! { <Records/> }/>
    }
}

#[component]
fn Records() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_records());
    view! {
        <header class="page-header">
            <p class="breadcrumb"><a href="/trends">"Trends"</a></p>
            <h1>"Personal records"</h1>
            <p class="muted">"Your bests, updated every time new data arrives."</p>
        </header>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(rows) if rows.is_empty() => view! {
                        <section class="card"><EmptyState title="No records yet" message="Records are set from your synced and logged data: most steps in a day, longest run, lowest resting heart rate and more."/></section>
                    }.into_any(),
                    Ok(rows) => view! {
                        <ul class="record-grid">
                            {rows.into_iter().map(|r| view! {
                                <li class=format!("card metric-card family-{}", r.family)>
                                    <p class="record-title">{r.title}</p>
                                    <p class="record-value num">{r.value}</p>
                                    <p class="muted small">{format!("{} · {}", r.date, r.source)}</p>
                                    {r.href.map(|h| view! { <a class="small" href=h>"See history"</a> })}
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
