//! Apple Health import: the `export.zip` (or `export.xml`) the iPhone's Health app produces,
//! read as a stream and written through the normal ingest path as provider `apple_health`.
//! Uploaded on the Connections page (progress shown while it runs) or imported with
//! `vitasync import apple-health FILE --user EMAIL`. Facts in `docs/providers/apple-health.md`.

pub mod panel;
pub mod server_fns;

#[cfg(feature = "ssr")]
pub mod activity;
#[cfg(feature = "ssr")]
pub mod import;
#[cfg(feature = "ssr")]
pub mod mapping;
#[cfg(feature = "ssr")]
pub mod nights;
#[cfg(feature = "ssr")]
pub mod parse;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod routes;
#[cfg(feature = "ssr")]
pub mod sample;
#[cfg(feature = "ssr")]
pub mod sleep;

pub use panel::AppleHealthImport;
