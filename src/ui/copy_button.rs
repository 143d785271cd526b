//! "Copy" beside a value shown once (a new API key): an island, one of the few parts of a page
//! that runs in the browser. Without JavaScript the value stays selectable in its field.

use leptos::prelude::*;

#[island]
pub fn CopyButton(
    /// What goes to the clipboard (the field beside the button shows it too).
    text: String,
) -> impl IntoView {
    let copied = RwSignal::new(false);
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(w) = web_sys::window() {
            let _ = w.navigator().clipboard().write_text(&text);
            copied.set(true);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &text;
    };
    view! {
        <button type="button" class="btn btn-secondary" on:click=copy>
            {move || if copied.get() { "Copied" } else { "Copy" }}
        </button>
        <span class="sr-only" aria-live="polite">{move || copied.get().then_some("Copied to the clipboard")}</span>
    }
}
