//! The health pages: Trends (every metric), a metric's detail, Sleep, Heart, Body and Records.
//! The overview tiles live on the Today page.

mod body;
mod heart;
mod metric;
mod overview;
mod records;
mod sleep;
mod sources;
mod trends;

pub use body::BodyPage;
pub use heart::HeartPage;
pub use metric::MetricPage;
pub use overview::OverviewTiles;
pub use records::RecordsPage;
pub use sleep::SleepPage;
pub use sources::SourcesSection;
pub use trends::TrendsPage;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The value of one query parameter, as a reactive signal.
pub fn query_param(name: &'static str) -> Signal<Option<String>> {
    let query = use_query_map();
    Signal::derive(move || query.read().get(name).filter(|v| !v.is_empty()))
}

/// Links that switch the time range (plain links: they work without JavaScript).
#[component]
pub fn RangeTabs(
    #[prop(into)] base: String,
    #[prop(into)] current: String,
    #[prop(default = &["7", "30", "90", "365"])] options: &'static [&'static str],
    #[prop(optional, into)] keep: String,
) -> impl IntoView {
    view! {
        <nav class="tabs" aria-label="Time range">
            {options.iter().map(|o| {
                let href = format!("{base}?range={o}{keep}");
                let here = current == *o;
                view! {
                    <a href=href class="tab" aria-current=here.then_some("page")>{format!("{o} days")}</a>
                }
            }).collect_view()}
        </nav>
    }
}

/// A server-rendered chart; an empty string means there was nothing to draw.
#[component]
pub fn ChartBox(#[prop(into)] svg: String, #[prop(optional, into)] class: String) -> impl IntoView {
    view! { <div class=format!("chart {class}") inner_html=svg></div> }
}
