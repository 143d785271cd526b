//! Journal: Markdown entries with mood, gratitude and tags; search, tag and date filters, a
//! calendar of writing days, "on this day" and writing stats.

mod editor;
mod entry_page;
#[cfg(feature = "ssr")]
pub mod markdown;
mod page;
#[cfg(feature = "ssr")]
pub mod repo;
pub mod server_fns;
#[cfg(feature = "ssr")]
pub mod service;

pub use editor::{EditEntryPage, NewEntryPage};
pub use entry_page::EntryPage;
pub use page::JournalPage;

/// The seed's mood labels for journal entries.
pub const MOOD_LABELS: [&str; 8] = [
    "happy",
    "calm",
    "anxious",
    "sad",
    "energized",
    "tired",
    "grateful",
    "reflective",
];
