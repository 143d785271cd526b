//! Mood: a quick 5-point check-in (several a day if you like) with optional energy, stress,
//! activity tags and a note; a 30/90-day trend and a year in pixels.

mod page;
#[cfg(feature = "ssr")]
pub mod repo;
pub mod server_fns;
#[cfg(feature = "ssr")]
pub mod service;

pub use page::{MoodPage, MoodPicker};

/// The longest note a mood check-in keeps.
pub const NOTE_MAX: usize = 1000;

/// (score, word, emoji) of the five moods.
pub const MOODS: [(u8, &str, &str); 5] = [
    (1, "awful", "😞"),
    (2, "bad", "🙁"),
    (3, "okay", "😐"),
    (4, "good", "🙂"),
    (5, "great", "😄"),
];

pub fn mood_word(score: u8) -> &'static str {
    MOODS
        .iter()
        .find(|(s, ..)| *s == score)
        .map(|(_, w, _)| *w)
        .unwrap_or("okay")
}

pub fn mood_emoji(score: u8) -> &'static str {
    MOODS
        .iter()
        .find(|(s, ..)| *s == score)
        .map(|(.., e)| *e)
        .unwrap_or("😐")
}
