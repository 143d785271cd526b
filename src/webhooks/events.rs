//! The events VitaSync announces, and (server side) turning one into deliveries.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum EventType {
    #[serde(rename = "user.created")]
    UserCreated,
    #[serde(rename = "user.updated")]
    UserUpdated,
    #[serde(rename = "user.deleted")]
    UserDeleted,
    #[serde(rename = "connection.created")]
    ConnectionCreated,
    #[serde(rename = "connection.disconnected")]
    ConnectionDisconnected,
    #[serde(rename = "connection.error")]
    ConnectionError,
    #[serde(rename = "sync.completed")]
    SyncCompleted,
    #[serde(rename = "sync.failed")]
    SyncFailed,
    /// Sent on request from the admin page or the API; endpoints need not subscribe to it.
    #[serde(rename = "webhook.test")]
    WebhookTest,
}

impl EventType {
    /// The events an endpoint can subscribe to.
    pub const SUBSCRIBABLE: [EventType; 8] = [
        EventType::UserCreated,
        EventType::UserUpdated,
        EventType::UserDeleted,
        EventType::ConnectionCreated,
        EventType::ConnectionDisconnected,
        EventType::ConnectionError,
        EventType::SyncCompleted,
        EventType::SyncFailed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventType::UserCreated => "user.created",
            EventType::UserUpdated => "user.updated",
            EventType::UserDeleted => "user.deleted",
            EventType::ConnectionCreated => "connection.created",
            EventType::ConnectionDisconnected => "connection.disconnected",
            EventType::ConnectionError => "connection.error",
            EventType::SyncCompleted => "sync.completed",
            EventType::SyncFailed => "sync.failed",
            EventType::WebhookTest => "webhook.test",
        }
    }

    pub fn parse(s: &str) -> Option<EventType> {
        Self::SUBSCRIBABLE
            .into_iter()
            .chain([EventType::WebhookTest])
            .find(|e| e.as_str() == s.trim())
    }

    pub fn describe(self) -> &'static str {
        match self {
            EventType::UserCreated => "A person was added to the workspace",
            EventType::UserUpdated => "A person's details changed",
            EventType::UserDeleted => "A person and their data were deleted",
            EventType::ConnectionCreated => "A device or app was connected",
            EventType::ConnectionDisconnected => "A device or app was disconnected",
            EventType::ConnectionError => "A connection needs attention (sync failed for good)",
            EventType::SyncCompleted => "A sync finished and new data is in",
            EventType::SyncFailed => "A sync gave up",
            EventType::WebhookTest => "A test event sent on request",
        }
    }
}

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use super::EventType;
    use crate::platform::db::Db;

    /// Wakes the sender when new deliveries are queued (it also polls on its own).
    pub fn wake_sender() {
        super::super::sender::wake();
    }

    /// Queues `event` with `data` for every active endpoint of the workspace subscribed to it.
    /// Best effort: a failure is logged and never fails the change that caused the event.
    pub async fn emit(db: &Db, workspace_id: &str, event: EventType, data: serde_json::Value) {
        match super::super::repo::queue_event(db, workspace_id, None, event, data).await {
            Ok(0) => {}
            Ok(n) => {
                tracing::debug!(
                    event = event.as_str(),
                    deliveries = n,
                    "webhook event queued"
                );
                wake_sender();
            }
            Err(e) => {
                tracing::error!(error = %e, event = event.as_str(), "could not queue webhook event")
            }
        }
    }

    /// The thin payload of a user event.
    pub fn user_data(id: &str, external_id: Option<&str>) -> serde_json::Value {
        serde_json::json!({ "id": id, "externalId": external_id })
    }
}

#[cfg(test)]
mod tests {
    use super::EventType;

    #[test]
    fn names_round_trip_and_follow_the_spec_alphabet() {
        for e in EventType::SUBSCRIBABLE
            .into_iter()
            .chain([EventType::WebhookTest])
        {
            assert_eq!(EventType::parse(e.as_str()), Some(e));
            assert!(e
                .as_str()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.'));
            assert_eq!(
                serde_json::to_value(e).unwrap(),
                serde_json::json!(e.as_str())
            );
        }
        assert_eq!(EventType::parse("user.exploded"), None);
    }
}
