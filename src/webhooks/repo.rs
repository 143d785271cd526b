//! Queries for endpoints and their deliveries. Every query that an admin or API key reaches
//! names the workspace; the sender's claim/record queries work on the queue as a whole.

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::FromRow;

use super::events::EventType;
use super::status::DeliveryStatus;
use crate::platform::crypto::KeyRing;
use crate::platform::db::{dialect, Db};
use crate::platform::ids::new_id;
use crate::with_db;

#[derive(Debug, Clone, FromRow)]
pub struct WebhookRow {
    pub id: String,
    pub workspace_id: String,
    pub url: String,
    pub encrypted_secret: String,
    pub events: Json<Vec<String>>,
    pub is_active: bool,
    pub description: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: Option<DateTime<Utc>>,
    pub failing_since: Option<DateTime<Utc>>,
    pub disabled_reason: Option<String>,
}

impl WebhookRow {
    /// Test events and redeliveries need the endpoint switched on; `doing` names the action.
    pub fn ensure_active(&self, doing: &str) -> Result<(), crate::error::AppError> {
        if self.is_active {
            return Ok(());
        }
        Err(crate::error::AppError::Conflict(format!(
            "The endpoint is switched off; switch it on before {doing}."
        )))
    }
}

const WEBHOOK_COLUMNS: &str = "id, workspace_id, url, encrypted_secret, events, is_active, \
     description, created_at, updated_at, failing_since, disabled_reason";

/// The secret is bound to its endpoint: a sealed value copied to another row does not open.
fn secret_aad(workspace_id: &str, id: &str) -> Vec<u8> {
    format!("webhook|{workspace_id}|{id}").into_bytes()
}

impl WebhookRow {
    /// The signing secret (`whsec_…`).
    pub fn secret(&self, keys: &KeyRing) -> Option<String> {
        keys.decrypt(
            &self.encrypted_secret,
            &secret_aad(&self.workspace_id, &self.id),
        )
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
    }

    pub fn subscribes_to(&self, event: EventType) -> bool {
        event == EventType::WebhookTest || self.events.0.iter().any(|e| e == event.as_str())
    }
}

/// A new endpoint's fields (validated).
pub struct NewWebhook<'a> {
    pub url: &'a str,
    pub events: &'a [EventType],
    pub description: Option<&'a str>,
}

/// Stores an endpoint with its secret sealed; returns the row.
pub async fn create(
    db: &Db,
    keys: &KeyRing,
    workspace_id: &str,
    new: NewWebhook<'_>,
    secret: &str,
) -> Result<WebhookRow, sqlx::Error> {
    let id = new_id();
    let now = Utc::now();
    let sealed = keys.encrypt(secret.as_bytes(), &secret_aad(workspace_id, &id));
    let events: Vec<String> = new.events.iter().map(|e| e.as_str().to_string()).collect();
    with_db!(db, pool => sqlx::query(
        "INSERT INTO webhooks (id, workspace_id, url, encrypted_secret, events, is_active, description, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, true, $6, $7, $7)")
        .bind(&id)
        .bind(workspace_id)
        .bind(new.url)
        .bind(&sealed)
        .bind(Json(&events))
        .bind(new.description)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(get(db, workspace_id, &id)
        .await?
        .expect("the row just inserted"))
}

pub async fn get(db: &Db, workspace_id: &str, id: &str) -> Result<Option<WebhookRow>, sqlx::Error> {
    let sql = format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE id = $1 AND workspace_id = $2");
    with_db!(db, pool => sqlx::query_as(&sql).bind(id).bind(workspace_id).fetch_optional(pool).await)
}

/// A page of the workspace's endpoints in creation order after `after`.
pub async fn list(
    db: &Db,
    workspace_id: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<WebhookRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE workspace_id = $1 AND id > $2 ORDER BY id LIMIT $3"
    );
    with_db!(db, pool => sqlx::query_as(&sql)
        .bind(workspace_id)
        .bind(after.unwrap_or(""))
        .bind(limit)
        .fetch_all(pool)
        .await)
}

/// Changes URL, events and description.
pub async fn update(
    db: &Db,
    workspace_id: &str,
    id: &str,
    changed: NewWebhook<'_>,
) -> Result<bool, sqlx::Error> {
    let events: Vec<String> = changed
        .events
        .iter()
        .map(|e| e.as_str().to_string())
        .collect();
    let n = with_db!(db, pool => sqlx::query(
        "UPDATE webhooks SET url = $3, events = $4, description = $5, updated_at = $6 WHERE id = $1 AND workspace_id = $2")
        .bind(id)
        .bind(workspace_id)
        .bind(changed.url)
        .bind(Json(&events))
        .bind(changed.description)
        .bind(Utc::now())
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Switches an endpoint on (clearing why it was off and its failure streak) or off with a
/// reason; switching off gives up its pending deliveries. False when there is no such endpoint.
pub async fn set_active(
    db: &Db,
    workspace_id: &str,
    id: &str,
    active: bool,
    reason: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let now = Utc::now();
    let n = with_db!(db, pool => async {
        let mut tx = pool.begin().await?;
        let n = sqlx::query(
            "UPDATE webhooks SET is_active = $3, disabled_reason = $4, failing_since = NULL, updated_at = $5 \
             WHERE id = $1 AND workspace_id = $2")
            .bind(id)
            .bind(workspace_id)
            .bind(active)
            .bind(if active { None } else { reason })
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n > 0 && !active {
            sqlx::query(
                "UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, \
                 last_error = COALESCE(last_error, 'The endpoint was switched off.') \
                 WHERE webhook_id = $1 AND status = 'pending'")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok::<u64, sqlx::Error>(n)
    }.await)?;
    Ok(n > 0)
}

pub async fn delete(db: &Db, workspace_id: &str, id: &str) -> Result<bool, sqlx::Error> {
    let n = with_db!(db, pool => sqlx::query("DELETE FROM webhooks WHERE id = $1 AND workspace_id = $2")
        .bind(id)
        .bind(workspace_id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

// ── Deliveries ───────────────────────────────────────────────────────────────────────────────

#[derive(Debug, Clone, FromRow)]
pub struct DeliveryRow {
    pub id: String,
    pub webhook_id: String,
    pub message_id: Option<String>,
    pub event: String,
    pub payload: Json<serde_json::Value>,
    pub status: DeliveryStatus,
    pub status_code: Option<i32>,
    pub attempt_count: i32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub response_ms: Option<i32>,
    pub response_body: Option<String>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl DeliveryRow {
    /// When the next attempt is due; only a pending delivery has one.
    pub fn next_retry(&self) -> Option<DateTime<Utc>> {
        (self.status == DeliveryStatus::Pending)
            .then_some(self.next_attempt_at)
            .flatten()
    }
}

const DELIVERY_COLUMNS: &str = "d.id, d.webhook_id, d.message_id, d.event, d.payload, d.status, \
     d.status_code, d.attempt_count, d.next_attempt_at, d.last_attempt_at, d.delivered_at, \
     d.response_ms, d.response_body, d.last_error, d.created_at";

/// Queues one message for every active endpoint of the workspace subscribed to `event` (or
/// only for `only`, a single endpoint, for test events). Returns how many were queued.
pub async fn queue_event(
    db: &Db,
    workspace_id: &str,
    only: Option<&str>,
    event: EventType,
    data: serde_json::Value,
) -> Result<usize, sqlx::Error> {
    let now = Utc::now();
    let hooks = {
        let sql = format!(
            "SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE workspace_id = $1 AND is_active = true"
        );
        let rows: Vec<WebhookRow> =
            with_db!(db, pool => sqlx::query_as(&sql).bind(workspace_id).fetch_all(pool).await)?;
        rows
    };
    let payload = serde_json::json!({
        "type": event.as_str(),
        "timestamp": now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "data": data,
    });
    let mut queued = 0;
    for hook in hooks
        .iter()
        .filter(|h| only.is_none_or(|o| o == h.id) && h.subscribes_to(event))
    {
        insert_delivery(
            db,
            &hook.id,
            &format!("msg_{}", new_id()),
            event.as_str(),
            &payload,
            now,
        )
        .await?;
        queued += 1;
    }
    Ok(queued)
}

async fn insert_delivery(
    db: &Db,
    webhook_id: &str,
    message_id: &str,
    event: &str,
    payload: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    with_db!(db, pool => sqlx::query(
        "INSERT INTO webhook_deliveries (id, webhook_id, message_id, event, payload, status, attempt_count, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6)")
        .bind(&id)
        .bind(webhook_id)
        .bind(message_id)
        .bind(event)
        .bind(Json(payload))
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(id)
}

/// Sends a delivered or failed message again, as a new delivery with the same `webhook-id`
/// (receivers that already processed it can tell). Returns the new delivery's id.
pub async fn redeliver(
    db: &Db,
    workspace_id: &str,
    webhook_id: &str,
    delivery_id: &str,
) -> Result<Option<String>, sqlx::Error> {
    let Some(d) = get_delivery(db, workspace_id, webhook_id, delivery_id).await? else {
        return Ok(None);
    };
    let message_id = d.message_id.unwrap_or_else(|| format!("msg_{}", d.id));
    let id = insert_delivery(
        db,
        webhook_id,
        &message_id,
        &d.event,
        &d.payload.0,
        Utc::now(),
    )
    .await?;
    Ok(Some(id))
}

pub async fn get_delivery(
    db: &Db,
    workspace_id: &str,
    webhook_id: &str,
    delivery_id: &str,
) -> Result<Option<DeliveryRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id \
         WHERE d.id = $1 AND d.webhook_id = $2 AND w.workspace_id = $3"
    );
    with_db!(db, pool => sqlx::query_as(&sql)
        .bind(delivery_id)
        .bind(webhook_id)
        .bind(workspace_id)
        .fetch_optional(pool)
        .await)
}

/// A page of an endpoint's deliveries, newest first, before the delivery `before`.
pub async fn list_deliveries(
    db: &Db,
    workspace_id: &str,
    webhook_id: &str,
    before: Option<&str>,
    limit: i64,
) -> Result<Vec<DeliveryRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id \
         WHERE d.webhook_id = $1 AND w.workspace_id = $2 AND ($3 = '' OR d.id < $3) \
         ORDER BY d.id DESC LIMIT $4"
    );
    with_db!(db, pool => sqlx::query_as(&sql)
        .bind(webhook_id)
        .bind(workspace_id)
        .bind(before.unwrap_or(""))
        .bind(limit)
        .fetch_all(pool)
        .await)
}

/// A claimed delivery.
#[derive(Debug, Clone, FromRow)]
pub struct Claimed {
    pub id: String,
    pub webhook_id: String,
    pub message_id: Option<String>,
    pub payload: Json<serde_json::Value>,
    pub attempt_count: i32,
}

/// Takes the next due delivery of an active endpoint: counts the attempt and moves its next
/// attempt `lease` ahead, so a sender that dies mid-send leaves it due again later.
pub async fn claim(
    db: &Db,
    now: DateTime<Utc>,
    lease: chrono::Duration,
) -> Result<Option<Claimed>, sqlx::Error> {
    let lock = dialect::skip_locked(db.backend(), Some("d"));
    let sql = format!(
        "UPDATE webhook_deliveries SET attempt_count = attempt_count + 1, next_attempt_at = $2, last_attempt_at = $1 \
         WHERE id = (SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id \
                     WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND w.is_active = true \
                     ORDER BY d.next_attempt_at, d.id LIMIT 1{lock}) \
         RETURNING id, webhook_id, message_id, payload, attempt_count"
    );
    with_db!(db, pool => sqlx::query_as(&sql)
        .bind(now)
        .bind(now + lease)
        .fetch_optional(pool)
        .await)
}

/// An endpoint by id alone (for the sender, which works across workspaces).
pub async fn webhook_by_id(db: &Db, id: &str) -> Result<Option<WebhookRow>, sqlx::Error> {
    let sql = format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE id = $1");
    with_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}

/// What one attempt brought back.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub status_code: Option<i32>,
    pub response_ms: i32,
    pub response_body: Option<String>,
    pub error: Option<String>,
}

/// Records a successful attempt; the endpoint's failure streak ends.
pub async fn record_delivered(
    db: &Db,
    d: &Claimed,
    a: &Attempt,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    with_db!(db, pool => async {
        let mut tx = pool.begin().await?;
        sqlx::query(
            "UPDATE webhook_deliveries SET status = 'delivered', status_code = $3, response_ms = $4, \
             response_body = $5, last_error = NULL, delivered_at = $6, next_attempt_at = NULL \
             WHERE id = $1 AND attempt_count = $2")
            .bind(&d.id)
            .bind(d.attempt_count)
            .bind(a.status_code)
            .bind(a.response_ms)
            .bind(&a.response_body)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE webhooks SET failing_since = NULL WHERE id = $1")
            .bind(&d.webhook_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }.await)
}

/// Records a failed attempt: retried at `retry_at`, or failed for good when `None`. Returns
/// since when the endpoint has been failing.
pub async fn record_failed(
    db: &Db,
    d: &Claimed,
    a: &Attempt,
    retry_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, sqlx::Error> {
    with_db!(db, pool => async {
        let mut tx = pool.begin().await?;
        sqlx::query(
            "UPDATE webhook_deliveries SET status = $3, status_code = $4, response_ms = $5, \
             response_body = $6, last_error = $7, next_attempt_at = $8 \
             WHERE id = $1 AND attempt_count = $2")
            .bind(&d.id)
            .bind(d.attempt_count)
            .bind(if retry_at.is_some() {
                DeliveryStatus::Pending
            } else {
                DeliveryStatus::Failed
            })
            .bind(a.status_code)
            .bind(a.response_ms)
            .bind(&a.response_body)
            .bind(&a.error)
            .bind(retry_at)
            .execute(&mut *tx)
            .await?;
        let since: DateTime<Utc> = sqlx::query_scalar(
            "UPDATE webhooks SET failing_since = COALESCE(failing_since, $2) WHERE id = $1 RETURNING failing_since")
            .bind(&d.webhook_id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok::<DateTime<Utc>, sqlx::Error>(since)
    }.await)
}

/// Endpoints switched off by the sender (not by an admin), for the admin's attention.
pub async fn count_disabled_by_failures(db: &Db, workspace_id: &str) -> Result<i64, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM webhooks WHERE workspace_id = $1 AND is_active = false AND disabled_reason IS NOT NULL \
         AND disabled_reason <> $2")
        .bind(workspace_id)
        .bind(DISABLED_BY_ADMIN)
        .fetch_one(pool)
        .await)
}

pub const DISABLED_BY_ADMIN: &str = "Switched off by an admin.";

/// Every sealed secret, for key rotation.
pub async fn all_secrets(db: &Db) -> Result<Vec<(String, String, String)>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as("SELECT id, workspace_id, encrypted_secret FROM webhooks")
        .fetch_all(pool)
        .await)
}

/// Re-seals one endpoint's secret under the primary key (unless it changed meanwhile).
pub async fn reseal(
    db: &Db,
    keys: &KeyRing,
    id: &str,
    workspace_id: &str,
    old: &str,
) -> Result<Option<bool>, sqlx::Error> {
    let Ok(plain) = keys.decrypt(old, &secret_aad(workspace_id, id)) else {
        return Ok(None);
    };
    let fresh = keys.encrypt(&plain, &secret_aad(workspace_id, id));
    let n = with_db!(db, pool => sqlx::query(
        "UPDATE webhooks SET encrypted_secret = $3 WHERE id = $1 AND encrypted_secret = $2")
        .bind(id)
        .bind(old)
        .bind(&fresh)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(Some(n > 0))
}
