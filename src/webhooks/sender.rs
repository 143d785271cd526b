//! The delivery worker: claims due deliveries, signs and sends them through the SSRF guard,
//! and records each attempt (retry schedule, 410 Gone, endpoints failing for days).

use std::sync::OnceLock;
use std::time::Instant;

use chrono::{DateTime, Utc};
use tokio::sync::Notify;

use super::repo::{self, Attempt, Claimed};
use super::schedule::{self, DISABLE_AFTER};
use super::signing;
use crate::platform::crypto::KeyRing;
use crate::platform::db::Db;
use crate::platform::egress::Policy;

/// How long a claimed delivery stays with its sender before it is due again.
const LEASE_SECONDS: i64 = 60;
/// Answer bodies are kept up to this size for the delivery log.
const KEEP_BODY: usize = 2048;

fn notify() -> &'static Notify {
    static N: OnceLock<Notify> = OnceLock::new();
    N.get_or_init(Notify::new)
}

/// Asks the running sender to look for work now.
pub fn wake() {
    notify().notify_one();
}

#[derive(Clone)]
pub struct Sender {
    db: Db,
    keys: KeyRing,
    policy: Policy,
    http: reqwest::Client,
}

/// What happened to one delivery.
#[derive(Debug, Clone, PartialEq)]
pub enum Sent {
    Delivered,
    RetryAt(DateTime<Utc>),
    GaveUp,
    /// The endpoint was switched off (410 Gone, or failing for days).
    EndpointDisabled,
}

impl Sender {
    pub fn new(db: Db, keys: KeyRing, policy: Policy) -> Self {
        Sender {
            http: policy.client(),
            db,
            keys,
            policy,
        }
    }

    /// Sends every delivery due at `now`; returns what happened to each.
    pub async fn run_due(&self, now: DateTime<Utc>) -> Result<Vec<Sent>, sqlx::Error> {
        let mut out = Vec::new();
        while let Some(d) =
            repo::claim(&self.db, now, chrono::Duration::seconds(LEASE_SECONDS)).await?
        {
            out.push(self.send(&d, now).await?);
        }
        Ok(out)
    }

    async fn send(&self, d: &Claimed, now: DateTime<Utc>) -> Result<Sent, sqlx::Error> {
        let Some(hook) = repo::webhook_by_id(&self.db, &d.webhook_id).await? else {
            return Ok(Sent::GaveUp);
        };
        let message_id = d
            .message_id
            .clone()
            .unwrap_or_else(|| format!("msg_{}", d.id));
        let body = serde_json::to_vec(&d.payload.0).expect("payloads serialize");
        let started = Instant::now();
        let result = match (
            hook.secret(&self.keys)
                .as_deref()
                .and_then(signing::secret_bytes),
            self.policy.check_url(&hook.url),
        ) {
            (None, _) => {
                Err("The signing secret cannot be read (encryption key missing).".to_string())
            }
            (_, Err(refused)) => Err(format!("Refused: {refused}")),
            (Some(key), Ok(url)) => {
                let timestamp = Utc::now().timestamp();
                let signature = signing::sign(&key, &message_id, timestamp, &body);
                self.http
                    .post(url)
                    .header("content-type", "application/json")
                    .header("webhook-id", &message_id)
                    .header("webhook-timestamp", timestamp.to_string())
                    .header("webhook-signature", signature)
                    .body(body)
                    .send()
                    .await
                    .map_err(describe_error)
            }
        };
        let response_ms = started.elapsed().as_millis().min(i32::MAX as u128) as i32;
        let (attempt, retry_after) = match result {
            Ok(res) => {
                let code = res.status();
                let retry_after = retry_after_secs(res.headers(), now);
                let text = read_prefix(res, KEEP_BODY).await;
                let body = (!text.is_empty()).then(|| truncate(&text, KEEP_BODY));
                let error = (!code.is_success()).then(|| {
                    if code.is_redirection() {
                        format!("Answered {code}; redirects are not followed.")
                    } else {
                        format!("Answered {code}.")
                    }
                });
                (
                    Attempt {
                        status_code: Some(i32::from(code.as_u16())),
                        response_ms,
                        response_body: body,
                        error,
                    },
                    retry_after,
                )
            }
            Err(error) => (
                Attempt {
                    status_code: None,
                    response_ms,
                    response_body: None,
                    error: Some(error),
                },
                None,
            ),
        };
        if attempt.error.is_none() {
            repo::record_delivered(&self.db, d, &attempt, now).await?;
            return Ok(Sent::Delivered);
        }
        if attempt.status_code == Some(410) {
            repo::record_failed(&self.db, d, &attempt, None, now).await?;
            self.disable(
                &hook.workspace_id,
                &hook.id,
                "The endpoint answered 410 Gone, so it was switched off.",
            )
            .await?;
            return Ok(Sent::EndpointDisabled);
        }
        let retry_at = schedule::next_attempt(d.attempt_count, now, retry_after);
        let failing_since = repo::record_failed(&self.db, d, &attempt, retry_at, now).await?;
        if now - failing_since >= DISABLE_AFTER {
            let reason = format!(
                "Every delivery failed since {}, so it was switched off.",
                failing_since.format("%Y-%m-%d %H:%M UTC")
            );
            self.disable(&hook.workspace_id, &hook.id, &reason).await?;
            return Ok(Sent::EndpointDisabled);
        }
        Ok(match retry_at {
            Some(at) => Sent::RetryAt(at),
            None => Sent::GaveUp,
        })
    }

    async fn disable(&self, workspace_id: &str, id: &str, reason: &str) -> Result<(), sqlx::Error> {
        repo::set_active(&self.db, workspace_id, id, false, Some(reason)).await?;
        // The admin sees the reason on the Webhooks page; operators see it here.
        tracing::warn!(webhook = %id, workspace = %workspace_id, reason, "webhook endpoint switched off");
        Ok(())
    }
}

/// Runs the sender inside the server: woken by new events, and every second for retries.
pub fn spawn(sender: Sender) {
    tokio::spawn(async move {
        loop {
            if let Err(e) = sender.run_due(Utc::now()).await {
                tracing::error!(error = %e, "webhook sender could not read its queue");
            }
            tokio::select! {
                _ = notify().notified() => {}
                _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
            }
        }
    });
}

fn describe_error(e: reqwest::Error) -> String {
    let mut chain = Vec::new();
    let mut source: Option<&dyn std::error::Error> = Some(&e);
    while let Some(s) = source {
        chain.push(s.to_string());
        source = s.source();
    }
    if e.is_timeout() {
        return "No answer within 15 seconds.".into();
    }
    // The guard's reason is the most useful part of a refused connection.
    chain
        .iter()
        .rev()
        .find(|m| m.contains("address"))
        .cloned()
        .unwrap_or_else(|| chain.join(": "))
}

/// `Retry-After` as seconds: either a number or an HTTP date.
fn retry_after_secs(headers: &reqwest::header::HeaderMap, now: DateTime<Utc>) -> Option<i64> {
    let raw = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = raw.parse::<i64>() {
        return Some(secs.max(0));
    }
    let at = DateTime::parse_from_rfc2822(raw).ok()?.with_timezone(&Utc);
    Some((at - now).num_seconds().max(0))
}

/// The first `max` bytes of an answer (and one more, so a longer one reads as cut), read chunk
/// by chunk: a receiver that answers with megabytes or never ends costs no more than this.
async fn read_prefix(mut res: reqwest::Response, max: usize) -> String {
    let mut kept: Vec<u8> = Vec::new();
    while kept.len() <= max {
        match res.chunk().await {
            Ok(Some(chunk)) => {
                kept.extend_from_slice(&chunk[..chunk.len().min(max + 1 - kept.len())])
            }
            _ => break,
        }
    }
    String::from_utf8_lossy(&kept).into_owned()
}

fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_read_as_seconds_or_a_date() {
        let now = DateTime::parse_from_rfc3339("2026-11-29T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let mut h = reqwest::header::HeaderMap::new();
        h.insert("retry-after", "120".parse().unwrap());
        assert_eq!(retry_after_secs(&h, now), Some(120));
        h.insert(
            "retry-after",
            "Sun, 29 Nov 2026 12:05:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after_secs(&h, now), Some(300));
        h.insert("retry-after", "soon".parse().unwrap());
        assert_eq!(retry_after_secs(&h, now), None);
    }

    #[test]
    fn long_bodies_are_cut_on_a_character_boundary() {
        assert_eq!(truncate("abc", 5), "abc");
        assert_eq!(truncate("ééé", 3), "é…");
    }
}
