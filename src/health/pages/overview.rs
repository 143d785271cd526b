use leptos::prelude::*;

use crate::health::server_fns::{get_overview, Tile};
use crate::ui::{EmptyState, ErrorPanel};

/// Today's tiles: every headline metric with a reading in the last week.
#[component]
pub fn OverviewTiles() -> impl IntoView {
    let overview = Resource::new(|| (), |_| get_overview());
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading your readings…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(o) if o.tiles.is_empty() => view! {
                        <section class="card">
                            <EmptyState title="No readings yet"
                                message="Readings from your devices appear here once they sync. You can also add measurements such as weight or blood pressure yourself.">
                                <a class="btn btn-primary" href="/connections">"Connect a device"</a>
                                <a class="btn btn-secondary" href="/measurements">"Add a measurement"</a>
                            </EmptyState>
                        </section>
                    }.into_any(),
                    Ok(o) => view! {
                        <section class="tile-grid" aria-label="Today at a glance">
                            {o.tiles.into_iter().map(|t| view! { <TileCard tile=t/> }).collect_view()}
                        </section>
                    }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TileCard(tile: Tile) -> impl IntoView {
    let href = match tile.metric.as_str() {
        "sleep" => "/sleep".to_string(),
        "resting_heart_rate" | "heart_rate_variability" => "/heart".to_string(),
        "weight" => "/body".to_string(),
        m => format!("/trends/{m}"),
    };
    view! {
        <a class=format!("card tile family-{}", tile.family) href=href data-metric=tile.metric.clone()>
            <span class="tile-label">{tile.label.clone()}<span class="tile-when">{tile.when.clone()}</span></span>
            <span class="tile-value">
                <span class="num">{tile.value.clone()}</span>
                {(!tile.unit.is_empty()).then(|| view! { <span class="tile-unit">{tile.unit.clone()}</span> })}
            </span>
            {tile.extra.clone().map(|x| view! { <span class="tile-extra">{x}</span> })}
            <span class="tile-spark" inner_html=tile.sparkline.clone()></span>
            <span class="tile-foot">
                {tile.delta.clone().map(|d| view! { <span class=format!("delta delta-{}", tile.trend.as_str())>{d}</span> })}
                <span class="tile-source">{tile.source.clone()}</span>
            </span>
        </a>
    }
}
