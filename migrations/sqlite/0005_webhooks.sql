-- Outgoing webhooks (Standard Webhooks): endpoint health and the delivery log's details.

-- Endpoint state: when it last changed, since when it has been failing (cleared by a success),
-- and why it was switched off (an admin, a 410 Gone answer, or days of failures).
ALTER TABLE webhooks ADD COLUMN updated_at TEXT;
ALTER TABLE webhooks ADD COLUMN failing_since TEXT;
ALTER TABLE webhooks ADD COLUMN disabled_reason TEXT;

-- A delivery is one message to one endpoint. `message_id` is the `webhook-id` header: stable
-- across retries and redeliveries, so receivers can deduplicate. A pending delivery is claimed
-- by moving `next_attempt_at` forward (a lease) and counting the attempt, so a crashed sender's
-- delivery becomes due again. The last attempt's answer is kept for the delivery log.
ALTER TABLE webhook_deliveries ADD COLUMN message_id TEXT;
ALTER TABLE webhook_deliveries ADD COLUMN last_attempt_at TEXT;
ALTER TABLE webhook_deliveries ADD COLUMN response_ms INTEGER;
ALTER TABLE webhook_deliveries ADD COLUMN response_body TEXT;
ALTER TABLE webhook_deliveries ADD COLUMN last_error TEXT;
CREATE INDEX webhook_deliveries_webhook_created_idx ON webhook_deliveries (webhook_id, created_at);
