//! Components the wellness screens share: a month calendar, a year in pixels, a progress ring
//! and a progress bar.

use leptos::prelude::*;

use super::calendar::{DayCell, Month, YearRow};

/// Weekday initials for a Monday-first grid.
const WEEKDAYS: [&str; 7] = ["M", "T", "W", "T", "F", "S", "S"];

/// A month grid; `cell` draws each day (a link, a toggle form …). `nav` builds the link to
/// another month from its first day.
#[component]
pub fn MonthCalendar<F, N>(month: Month, cell: F, nav: N) -> impl IntoView
where
    F: Fn(DayCell) -> AnyView + 'static,
    N: Fn(&str) -> String + 'static,
{
    let prev = month.prev.as_deref().map(&nav);
    let next = month.next.as_deref().map(&nav);
    view! {
        <div class="month">
            <div class="month-head">
                {match prev {
                    Some(href) => view! { <a class="btn btn-ghost" href=href aria-label="Previous month">"‹"</a> }.into_any(),
                    None => view! { <span class="month-spacer"></span> }.into_any(),
                }}
                <h3 class="month-title">{month.title.clone()}</h3>
                {match next {
                    Some(href) => view! { <a class="btn btn-ghost" href=href aria-label="Next month">"›"</a> }.into_any(),
                    None => view! { <span class="month-spacer"></span> }.into_any(),
                }}
            </div>
            <div class="month-grid" role="group" aria-label=month.title.clone()>
                {WEEKDAYS.iter().map(|d| view! { <span class="month-dow" aria-hidden="true">{*d}</span> }).collect_view()}
                {month.weeks.into_iter().flatten().map(|c| {
                    if c.in_month { cell(c) } else { view! { <span class="month-cell outside" aria-hidden="true"></span> }.into_any() }
                }).collect_view()}
            </div>
        </div>
    }
}

/// A year in pixels: twelve rows of days, coloured by level (`px-0` … `px-5`).
#[component]
pub fn YearPixels(
    rows: Vec<YearRow>,
    #[prop(into)] caption: String,
    /// (level, meaning) for the legend.
    legend: Vec<(u8, String)>,
    #[prop(optional)] class: &'static str,
) -> impl IntoView {
    view! {
        <figure class=format!("pixels {class}")>
            <div class="pixels-grid" role="img" aria-label=caption.clone()>
                {rows.into_iter().map(|r| view! {
                    <span class="pixels-month" aria-hidden="true">{r.month}</span>
                    {r.days.into_iter().map(|p| match p {
                        Some(p) => view! { <span class=format!("px px-{}", p.level) title=p.label></span> }.into_any(),
                        None => view! { <span class="px px-none"></span> }.into_any(),
                    }).collect_view()}
                }).collect_view()}
            </div>
            <figcaption class="legend small">
                {legend.into_iter().map(|(level, text)| view! {
                    <span><span class=format!("swatch px px-{level}") aria-hidden="true"></span>{text}</span>
                }).collect_view()}
            </figcaption>
        </figure>
    }
}

/// A ring filled to `percent` (0–100+), with the figure inside.
#[component]
pub fn ProgressRing(
    percent: f64,
    #[prop(into)] value: String,
    #[prop(into)] caption: String,
    #[prop(into)] label: String,
) -> impl IntoView {
    // Circumference of r = 52 is 2πr ≈ 326.73.
    let circumference = 2.0 * std::f64::consts::PI * 52.0;
    let filled = circumference * percent.clamp(0.0, 100.0) / 100.0;
    let done = percent >= 100.0;
    view! {
        <div class="ring" class:ring-done=done role="img" aria-label=label>
            <svg viewBox="0 0 120 120" width="150" height="150" aria-hidden="true">
                <circle class="ring-track" cx="60" cy="60" r="52"/>
                // Nothing yet: no fill at all (a zero-length round cap would still draw a dot).
                {(filled > 0.0).then(|| view! {
                    <circle class="ring-fill" cx="60" cy="60" r="52"
                        stroke-dasharray=format!("{filled:.2} {circumference:.2}")
                        transform="rotate(-90 60 60)"/>
                })}
            </svg>
            <div class="ring-text" aria-hidden="true">
                <span class="ring-value num">{value}</span>
                <span class="ring-caption">{caption}</span>
            </div>
        </div>
    }
}

/// A horizontal bar filled to `percent`.
#[component]
pub fn ProgressBar(percent: f64, #[prop(into)] label: String) -> impl IntoView {
    let width = format!("width: {:.1}%", percent.clamp(0.0, 100.0));
    let done = percent >= 100.0;
    view! {
        <div class="bar" class:bar-done=done role="progressbar" aria-valuemin="0" aria-valuemax="100"
            aria-valuenow=format!("{:.0}", percent.clamp(0.0, 100.0)) aria-label=label>
            <span class="bar-fill" style=width></span>
        </div>
    }
}
