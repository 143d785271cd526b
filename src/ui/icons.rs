//! Inline SVG icons (decorative: the text label next to each carries the meaning).

use leptos::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Icon {
    Today,
    Settings,
    Admin,
    Instance,
    Theme,
    Trends,
    Workouts,
    Log,
    Water,
    Habits,
    Mood,
    Journal,
    Goals,
    More,
    Devices,
}

impl Icon {
    fn path(self) -> &'static str {
        match self {
            Icon::Devices => "M8 3h8v4H8zM8 17h8v4H8zM6 7h12a1 1 0 0 1 1 1v8a1 1 0 0 1-1 1H6a1 1 0 0 1-1-1V8a1 1 0 0 1 1-1zM12 10v2l1.5 1",
            Icon::Today => "M3 11l9-8 9 8v9a1 1 0 0 1-1 1h-5v-6H9v6H4a1 1 0 0 1-1-1z",
            Icon::Settings => "M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8zm8.5 4a8.4 8.4 0 0 0-.1-1.3l2-1.6-2-3.4-2.4 1a8 8 0 0 0-2.2-1.3L15.5 3h-4l-.4 2.4a8 8 0 0 0-2.2 1.3l-2.4-1-2 3.4 2 1.6a8.4 8.4 0 0 0 0 2.6l-2 1.6 2 3.4 2.4-1a8 8 0 0 0 2.2 1.3l.4 2.4h4l.4-2.4a8 8 0 0 0 2.2-1.3l2.4 1 2-3.4-2-1.6c.1-.4.1-.9.1-1.3z",
            Icon::Admin => "M12 2l8 3v6c0 5-3.4 9.4-8 11-4.6-1.6-8-6-8-11V5z",
            Icon::Instance => "M4 4h16v6H4zm0 10h16v6H4zm3-7h2m-2 10h2",
            Icon::Theme => "M12 3a9 9 0 1 0 0 18V3z M12 3a9 9 0 0 1 0 18",
            Icon::Trends => "M3 17l6-6 4 4 8-8M15 7h6v6",
            Icon::Workouts => "M13 4a2 2 0 1 0 0 .1M10 21l2-6 3 3v3M7 12l3-4 4 1 3 3M6 21l3-7",
            Icon::Log => "M12 5v14M5 12h14",
            Icon::Water => "M12 3c3 4 6 7.5 6 11a6 6 0 0 1-12 0c0-3.5 3-7 6-11z",
            Icon::Habits => "M4 12.5l5 5L20 6.5",
            Icon::Mood => "M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM8.5 14.5c1 1.3 2.2 2 3.5 2s2.5-.7 3.5-2M9 10h.01M15 10h.01",
            Icon::Journal => "M5 4h11a3 3 0 0 1 3 3v13H8a3 3 0 0 1-3-3zM5 17a3 3 0 0 1 3-3h11",
            Icon::Goals => "M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zm0 4a5 5 0 1 0 0 10 5 5 0 0 0 0-10zm0 4.2a.8.8 0 1 0 0 1.6.8.8 0 0 0 0-1.6z",
            Icon::More => "M4 12a1.5 1.5 0 1 0 3 0 1.5 1.5 0 1 0-3 0M10.5 12a1.5 1.5 0 1 0 3 0 1.5 1.5 0 1 0-3 0M17 12a1.5 1.5 0 1 0 3 0 1.5 1.5 0 1 0-3 0",
        }
    }
}

#[component]
pub fn IconSvg(icon: Icon) -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false">
            <path d=icon.path() fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"/>
        </svg>
    }
}
