//! One module per provider: its declared facts, endpoints and payload mapping.

pub mod demo;
pub mod fields;
pub mod oura;
pub mod strava;
pub mod whoop;
