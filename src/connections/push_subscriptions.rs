//! Keeps providers' app-level push subscriptions alive (Oura's expire and must be renewed).
//! Runs at start-up and every 12 hours, only when a public URL is configured: providers
//! deliver to the address people use, never to a loopback one.

use chrono::Utc;

use super::engine::Engine;

/// One round over every configured provider; returns (provider, outcome) for the log and tests.
pub async fn maintain(engine: &Engine, origin: &str) -> Vec<(String, Result<String, String>)> {
    let mut done = Vec::new();
    for p in engine.registry.all() {
        if p.endpoints().is_none() {
            continue;
        }
        let id = p.info().id;
        let push_url = format!("{}/push/{id}", origin.trim_end_matches('/'));
        match p.maintain_push(&engine.http, &push_url, Utc::now()).await {
            Ok(None) => {}
            Ok(Some(summary)) => {
                tracing::info!(provider = id, %summary, "push subscriptions checked");
                done.push((id.to_string(), Ok(summary)));
            }
            Err(e) => {
                tracing::warn!(provider = id, error = %e, "could not maintain push subscriptions");
                done.push((id.to_string(), Err(e)));
            }
        }
    }
    done
}

pub fn spawn(engine: Engine, origin: Option<String>) {
    let Some(origin) = origin else { return };
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(12 * 3600));
        loop {
            tick.tick().await;
            maintain(&engine, &origin).await;
        }
    });
}
