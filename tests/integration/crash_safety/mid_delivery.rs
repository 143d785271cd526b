//! Killed mid-delivery: a webhook's first attempt has reached the receiver, which has not
//! answered yet, when the server is killed. After the restart the delivery is retried once
//! (when its claim runs out): two requests for two attempts, the same `webhook-id`, each
//! validly signed, then delivered and nothing more.

use std::sync::{Arc, Mutex};
use std::time::{Duration as StdDuration, Instant};

use chrono::{Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use vitasync::with_db;

use super::workspace_with_key;
use crate::harness::process::{Deadline, ServerProcess};
use crate::harness::Backend;

/// One request the receiver got.
#[derive(Clone)]
struct Received {
    headers: http::HeaderMap,
    body: Vec<u8>,
}

/// A webhook endpoint on a loopback port that records every request. The first one is never
/// answered (its connection is held open, as by an endpoint slow to answer); every later one
/// gets 200.
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    async fn start() -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the receiver");
        let url = format!(
            "http://{}/hooks",
            listener.local_addr().expect("receiver address")
        );
        let got = Arc::new(Mutex::new(Vec::new()));
        let log = got.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(answer(socket, log.clone()));
            }
        });
        Receiver { url, got }
    }

    fn requests(&self) -> Vec<Received> {
        self.got.lock().expect("the receiver's log").clone()
    }
}

/// Reads one request from `socket`, records it, and answers it unless it is the first.
async fn answer(mut socket: TcpStream, log: Arc<Mutex<Vec<Received>>>) {
    let Some(request) = read_request(&mut socket).await else {
        return;
    };
    let first = {
        let mut log = log.lock().expect("the receiver's log");
        log.push(request);
        log.len() == 1
    };
    if first {
        // No answer: hold the connection until the other side goes away (the killed server).
        let mut sink = [0u8; 1024];
        while matches!(socket.read(&mut sink).await, Ok(n) if n > 0) {}
        return;
    }
    let _ = socket
        .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 6\r\nconnection: close\r\n\r\nthanks")
        .await;
    let _ = socket.shutdown().await;
}

/// One HTTP/1.1 request: its headers and its body (`Content-Length` long). `None` when the
/// connection ends first.
async fn read_request(socket: &mut TcpStream) -> Option<Received> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut headers = http::HeaderMap::new();
    for line in head.lines().skip(1) {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name.trim().as_bytes()),
            http::HeaderValue::from_str(value.trim()),
        ) {
            headers.append(name, value);
        }
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(length);
    Some(Received { headers, body })
}

/// The endpoint's one delivery: id, message id (`webhook-id`), attempts and status.
async fn delivery(server: &ServerProcess, hook: &str) -> (String, Option<String>, i64, String) {
    with_db!(server.db(), pool => sqlx::query_as(
        "SELECT id, message_id, CAST(attempt_count AS BIGINT), status FROM webhook_deliveries \
         WHERE webhook_id = $1")
        .bind(hook)
        .fetch_one(pool)
        .await)
    .expect("the endpoint's one delivery")
}

async fn killed_mid_delivery_retries_with_the_same_message(backend: Backend) {
    let receiver = Receiver::start().await;
    // Webhooks may go to loopback (the receiver) in development and tests only.
    let mut server =
        ServerProcess::new(backend, &[("VITASYNC_ALLOW_PRIVATE_WEBHOOKS", "true")]).await;
    let key = workspace_with_key(&server);
    server.start().await;
    let (status, hook) = server
        .api(
            Method::POST,
            "/v1/webhooks",
            &key,
            Some(json!({"url": receiver.url.as_str(), "events": ["user.created"]})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{hook}");
    let hook_id = hook["id"].as_str().expect("the endpoint's id").to_string();
    let secret = hook["secret"]
        .as_str()
        .expect("the signing secret")
        .to_string();

    // The event: a person added over the REST API (`user.created`).
    let (status, user) = server
        .api(
            Method::POST,
            "/v1/users",
            &key,
            Some(json!({"externalId": "cust_1"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");

    // Mid-delivery: attempt 1 has reached the receiver, which keeps it waiting.
    let deadline = Deadline::new("the first attempt to reach the receiver", 30);
    while receiver.requests().is_empty() {
        server.tick(&deadline).await;
    }
    let (delivery_id, message_id, attempts, status) = delivery(&server, &hook_id).await;
    assert_eq!((attempts, status.as_str()), (1, "pending"));
    let message_id = message_id.expect("the delivery's message id");

    server.kill9();

    // The dead sender's claim moved the next attempt a minute ahead (its lease), which would
    // outlast this test: it runs out now, as time would make it.
    let expired = Utc::now() - Duration::seconds(1);
    let n = with_db!(server.db(), pool => sqlx::query(
        "UPDATE webhook_deliveries SET next_attempt_at = $1 WHERE id = $2 AND status = 'pending'")
        .bind(expired)
        .bind(&delivery_id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
    .expect("claim expired");
    assert_eq!(n, 1, "the interrupted delivery was left pending");

    // The restarted sender retries it; the receiver answers 200 from now on.
    server.restart().await;
    let deadline = Deadline::new("the retried delivery to be delivered", 60);
    loop {
        let (_, _, _, status) = delivery(&server, &hook_id).await;
        assert_ne!(status, "failed");
        if status == "delivered" {
            break;
        }
        server.tick(&deadline).await;
    }
    let (_, _, attempts, _) = delivery(&server, &hook_id).await;
    assert_eq!(attempts, 2, "the interrupted attempt and its retry");

    // Two requests for two attempts: one message, signed each time.
    let requests = receiver.requests();
    assert_eq!(requests.len(), 2, "one request per attempt");
    let verifier = standardwebhooks::Webhook::new(&secret).expect("the secret's format");
    for r in &requests {
        let id = r.headers.get("webhook-id").and_then(|v| v.to_str().ok());
        assert_eq!(id, Some(message_id.as_str()), "the same webhook-id");
        verifier
            .verify(&r.body, &r.headers)
            .expect("a valid signature");
        let payload: serde_json::Value = serde_json::from_slice(&r.body).expect("a JSON body");
        assert_eq!(payload["type"], "user.created");
        assert_eq!(payload["data"]["id"], user["id"]);
    }
    assert_eq!(requests[0].body, requests[1].body, "the same message");

    // Delivered: nothing more is sent (watched for a few seconds; the sender looks every second).
    let quiet_until = Instant::now() + StdDuration::from_secs(3);
    while Instant::now() < quiet_until {
        assert_eq!(receiver.requests().len(), 2, "no request after delivery");
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }

    server.finish().await;
}

super::crash_story!(
    killed_mid_delivery,
    killed_mid_delivery_retries_with_the_same_message
);
