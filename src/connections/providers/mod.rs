//! One module per provider: its declared facts, endpoints and payload mapping.

pub mod demo;
pub mod fields;
pub mod fitbit;
pub mod fitbit_map;
pub mod fitbit_push;
pub mod garmin;
pub mod garmin_map;
pub mod oura;
pub mod oura_push;
pub mod polar;
pub mod polar_map;
pub mod strava;
pub mod strava_push;
pub mod whoop;
pub mod whoop_push;
pub mod withings;
pub mod withings_map;
