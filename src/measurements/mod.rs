//! Measurements a person enters by hand (weight, blood pressure, glucose, temperature …):
//! written through the normal ingest path as provider `manual` with `source = manual`, and
//! editable and deletable by their owner only.

mod page;
#[cfg(feature = "ssr")]
pub mod repo;
pub mod server_fns;

pub use page::MeasurementsPage;
