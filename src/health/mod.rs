//! Health data: the metric catalogue, the one ingest path, daily rollups, source priority,
//! personal records, and the dashboards that read them.

pub mod catalogue;

#[cfg(feature = "ssr")]
pub mod ingest;
#[cfg(feature = "ssr")]
pub mod local_time;
pub mod sources;
pub mod trend;

#[cfg(feature = "ssr")]
pub mod charts;
#[cfg(feature = "ssr")]
pub mod dedup;
#[cfg(feature = "ssr")]
pub mod demo;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod series;
#[cfg(feature = "ssr")]
pub mod views;

#[cfg(feature = "ssr")]
pub mod export;
pub mod pages;
pub mod server_fns;
