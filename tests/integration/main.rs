//! Integration tests: the whole router in-process, against SQLite and PostgreSQL. Each story
//! runs on both backends (see `both_backends!`).

mod harness;

mod accounts_cli;
mod admin_access;
mod admin_jobs;
mod admin_users;
mod api_auth;
mod api_connect;
mod api_data;
mod api_keys;
mod api_matrix;
mod api_paging;
mod api_users;
mod api_wellness;
mod api_wellness_paging;
mod apple_health;
mod auth_flow;
mod connections;
mod csrf;
mod dedup;
mod goals;
mod habits;
mod health_ingest;
mod health_pages;
mod http_basics;
mod hydration;
mod isolation;
mod journal;
mod measurements;
mod mood;
mod openapi;
mod provider_oura;
mod provider_polar;
mod provider_push;
mod provider_resilience;
mod provider_strava;
mod provider_whoop;
mod provider_withings;
mod readiness;
mod schema;
mod sessions;
mod sync_engine;
mod throttling;
mod webhooks;
