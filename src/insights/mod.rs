//! Insights: what VitaSync works out from a person's data rather than just storing it —
//! personal baselines, daily scores with their contributors, anomalies against the baseline,
//! training load (fitness, fatigue, form) and correlations between daily series.
//!
//! The formula modules (`stats`, `baseline`, `anomaly`, `scores`, `load`) are pure arithmetic
//! over plain numbers and dates: no database, no clock, no I/O, so every formula can be checked
//! by a hand-worked test. Around them: `repo` (the derive queue and the stored baselines),
//! `derive` (one pass: read daily figures, compute, store), `worker` (the background task that
//! runs the coalesced per-person derive requests) and `service` (what other features call).

pub mod anomaly;
pub mod baseline;
pub mod derive;
pub mod load;
pub mod repo;
pub mod scores;
pub mod service;
pub mod stats;
pub mod worker;

/// The text with its first letter in upper case ("resting heart rate" → "Resting heart rate"),
/// for sentences that start with a metric's name.
fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
