//! Crash safety with the real binary: `kill -9` of the server mid-sync (`mid_sync`),
//! mid-import (`mid_import`) and mid-webhook-delivery (`mid_delivery`), then a restart on the
//! same database. Every job resumes or retries, no reading is lost or stored twice, and no
//! delivery is sent twice for one attempt.
//!
//! The server is the `vitasync` binary as a child process ([`ServerProcess`]); the test reaches
//! it over HTTP as clients would, and opens the same database with the library to seed what
//! only a browser could make (a provider connection) and to read the outcome. Leases (a sync
//! job's five minutes, a delivery's minute) would outlast a test, so their running out is
//! written to the database where a story needs it, with a comment saying so. This file holds
//! what the three share.

mod mid_delivery;
mod mid_import;
mod mid_sync;

use crate::harness::process::ServerProcess;

/// One story on both backends: `mod $name { fn sqlite; fn postgres }`, each running
/// `$story(backend)` (the story starts and finishes its own server).
macro_rules! crash_story {
    ($name:ident, $story:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$story($crate::harness::Backend::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$story($crate::harness::Backend::Postgres).await;
            }
        }
    };
}
use crash_story;

const OWNER: &str = "ana@example.com";
const PASSWORD: &str = "correct horse battery";

/// The workspace `acme` and its owner, made by the binary (`vitasync admin bootstrap`) before
/// the server first starts.
fn bootstrap_owner(server: &ServerProcess) {
    server.cli(&[
        "admin",
        "bootstrap",
        "--workspace",
        "Acme",
        "--slug",
        "acme",
        "--email",
        OWNER,
        "--password",
        PASSWORD,
    ]);
}

/// The owner's workspace and an admin API key for it (`vitasync api-key create`); the key.
fn workspace_with_key(server: &ServerProcess) -> String {
    bootstrap_owner(server);
    let out = server.cli(&[
        "api-key",
        "create",
        "--workspace",
        "acme",
        "--name",
        "Crash campaign",
        "--scopes",
        "admin",
    ]);
    out.lines()
        .map(str::trim)
        .find(|l| l.starts_with("vs_live_"))
        .unwrap_or_else(|| panic!("api-key create printed no key: {out:?}"))
        .to_string()
}
