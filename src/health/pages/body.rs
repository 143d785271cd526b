use leptos::prelude::*;
use leptos_meta::Title;

use super::{query_param, ChartBox, RangeTabs};
use crate::health::server_fns::get_body;
use crate::ui::{Access, EmptyState, ErrorPanel, Guarded};

#[component]
pub fn BodyPage() -> impl IntoView {
    view! {
        <Title text="Body"/>
        <Guarded access=Access::Member page=|_| view! { <Body/> }/>
    }
}

#[component]
fn Body() -> impl IntoView {
    let range = query_param("range");
    let data = Resource::new(move || range.get(), get_body);
    view! {
        <header class="page-header">
            <p class="breadcrumb"><a href="/trends">"Trends"</a></p>
            <h1>"Body"</h1>
            <p><a class="btn btn-primary" href="/measurements">"Add a measurement"</a></p>
        </header>
        {move || view! { <RangeTabs base="/body" current=range.get().unwrap_or_else(|| "90".into()) options=&["30", "90", "365"]/> }}
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(cards) => view! {
                        <div class="card-grid two">
                            {cards.into_iter().map(|c| view! {
                                <section class="card metric-card family-body" aria-label=c.label.clone()>
                                    <h2 class="card-title">
                                        <a href=format!("/trends/{}", c.metric)>{c.label.clone()}</a>
                                        {c.latest.clone().map(|l| view! { <span class="card-figure num">{l}</span> })}
                                    </h2>
                                    {c.when.clone().map(|w| view! { <p class="muted small">{format!("{w} · {}", c.source.clone().unwrap_or_default())}</p> })}
                                    {if c.svg.is_empty() {
                                        view! { <EmptyState title="Nothing recorded in this range" message="Add a reading by hand, or connect a scale or monitor."/> }.into_any()
                                    } else {
                                        view! { <ChartBox svg=c.svg.clone()/> }.into_any()
                                    }}
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
