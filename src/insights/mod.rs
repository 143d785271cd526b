//! Insights: what VitaSync works out from a person's data rather than just storing it —
//! personal baselines, daily scores with their contributors, anomalies against the baseline,
//! training load (fitness, fatigue, form) and correlations between daily series.
//!
//! The modules here are pure arithmetic over plain numbers and dates: no database, no clock, no
//! I/O, so every formula can be checked by a hand-worked test. Reading the data and storing the
//! results belongs to the callers.

pub mod anomaly;
pub mod load;
pub mod scores;
pub mod stats;
