//! Measurements a person enters by hand (weight, blood pressure, glucose, temperature …):
//! written through the normal ingest path as provider `manual` with `source = manual`, and
//! editable and deletable by their owner only.

pub mod api;
mod page;

pub use page::MeasurementsPage;
