//! The browser side of connecting: `POST /connections/{provider}/connect` sends the browser to
//! the provider's consent page; `GET /connections/{provider}/callback` (one exact URL per
//! provider, which defeats mix-up attacks) checks the state, exchanges the code, stores the
//! tokens sealed, queues the first sync and returns to the Connections page. Every failure
//! lands there too, with a reason, and stores nothing.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use chrono::Utc;

use super::flow::{self, FlowError, Problem, Starter};
use super::oauth_state::{self, StateError};
use super::repo;
use crate::platform::request::Authenticated;
use crate::platform::state::AppState;

fn see_other(location: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

fn failed(provider: &str, code: &str) -> Response {
    see_other(&format!("/connections?failed={code}&provider={provider}"))
}

/// Where a callback sends the browser once its state is known: the Connections page, or the
/// platform's own page for a connection started through the API (with the outcome in the
/// query: `status=connected&provider=…&connectionId=…` or `status=error&error=…&provider=…`).
enum Return {
    App,
    Platform(url::Url),
}

impl Return {
    fn to(&self, provider: &str, outcome: Result<&str, &str>) -> Response {
        match (self, outcome) {
            (Return::App, Ok(_)) => see_other(&format!("/connections?connected={provider}")),
            (Return::App, Err(code)) => failed(provider, code),
            (Return::Platform(url), outcome) => {
                let mut url = url.clone();
                {
                    let mut q = url.query_pairs_mut();
                    match outcome {
                        Ok(connection_id) => {
                            q.append_pair("status", "connected")
                                .append_pair("provider", provider)
                                .append_pair("connectionId", connection_id);
                        }
                        Err(code) => {
                            q.append_pair("status", "error")
                                .append_pair("error", code)
                                .append_pair("provider", provider);
                        }
                    }
                }
                see_other(url.as_str())
            }
        }
    }
}

/// (Kept here too: the demo provider's consent page builds the same callback URL.)
pub use super::flow::{base_url, callback_url};

fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The OAuth state cookie of a provider; `None` when the path segment cannot name a cookie (the
/// callback route answers any segment, such as `%0A`, before the provider is known).
fn state_cookie(
    state: &AppState,
    provider_id: &str,
    value: &str,
    max_age: i64,
) -> Option<HeaderValue> {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{}={value}; Path=/connections/{provider_id}; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}",
        oauth_state::cookie_name(provider_id)
    );
    HeaderValue::from_str(&cookie).ok()
}

pub async fn connect(
    State(state): State<AppState>,
    auth: Option<Extension<Authenticated>>,
    Path(provider_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(Extension(auth)) = auth else {
        return see_other("/login?next=/connections");
    };
    let started = flow::start(
        &state,
        &auth.user.id,
        &provider_id,
        &base_url(&state, &headers),
        Starter::Session {
            auth_session_id: &auth.auth_session_id,
        },
    )
    .await;
    let started = match started {
        Ok(started) => started,
        Err(FlowError::Refused(problems)) => {
            let unknown = problems.contains(&Problem::UnknownProvider);
            return failed(
                if unknown { "unknown" } else { &provider_id },
                "unavailable",
            );
        }
        Err(FlowError::Store(e)) => {
            tracing::error!(error = %e, "could not save OAuth state");
            return failed(&provider_id, "internal");
        }
    };
    let mut res = see_other(&started.location());
    if let Some(browser_value) = &started.browser_value {
        let max_age = oauth_state::LIFETIME_MINUTES * 60;
        if let Some(cookie) = state_cookie(&state, &provider_id, browser_value, max_age) {
            res.headers_mut().insert(header::SET_COOKIE, cookie);
        }
    }
    res
}

/// The form on a handoff page (`/connect/{token}`): `choice=continue` goes on to the provider's
/// consent page, anything else returns to the platform with `status=error&error=denied`. A
/// handoff that is gone sends the browser back to its page, which says so.
#[derive(serde::Deserialize)]
pub struct HandoffAnswer {
    #[serde(default)]
    choice: String,
}

pub async fn answer_handoff(
    State(state): State<AppState>,
    Path(token): Path<String>,
    axum::Form(form): axum::Form<HandoffAnswer>,
) -> Response {
    let proceed = form.choice == "continue";
    match flow::answer_handoff(&state, &token, proceed).await {
        Ok(flow::Answered::Consent { location }) => see_other(&location),
        Ok(flow::Answered::Back {
            return_url,
            provider_id,
            code,
        }) => match url::Url::parse(&return_url) {
            Ok(url) => Return::Platform(url).to(&provider_id, Err(code)),
            Err(_) => failed(&provider_id, "internal"),
        },
        Ok(flow::Answered::Gone) | Err(FlowError::Refused(_)) => {
            see_other(&super::handoff::path(&token))
        }
        Err(FlowError::Store(e)) => {
            tracing::error!(error = %e, "could not answer a connect handoff");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side. Please try again.",
            )
                .into_response()
        }
    }
}

pub async fn callback(
    State(state): State<AppState>,
    auth: Option<Extension<Authenticated>>,
    Path(provider_id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let mut res = finish_callback(&state, auth.map(|a| a.0), &provider_id, &q, &headers).await;
    // The state cookie has done its job either way. Only a known provider's path holds one: an
    // unknown or malformed segment (`%0A`) is answered without touching cookies.
    let known = state.engine().registry.get(&provider_id).is_some();
    let cleared = if known {
        state_cookie(&state, &provider_id, "", 0)
    } else {
        None
    };
    if let Some(cookie) = cleared {
        res.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    res
}

async fn finish_callback(
    state: &AppState,
    auth: Option<Authenticated>,
    provider_id: &str,
    q: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Response {
    let Some(provider) = state.engine().registry.get(provider_id) else {
        return failed("unknown", "unavailable");
    };
    if provider.endpoints().is_none() {
        return failed(provider_id, "unavailable");
    }
    let Some(state_value) = q.get("state").filter(|s| !s.is_empty()) else {
        return failed(provider_id, StateError::Unknown.code());
    };
    let now = Utc::now();
    let browser = cookie_value(headers, &oauth_state::cookie_name(provider_id));
    let verified = match oauth_state::consume(
        &state.db,
        &state.config.keys,
        state_value,
        provider_id,
        auth.as_ref().map(|a| a.auth_session_id.as_str()),
        browser.as_deref(),
        now,
    )
    .await
    {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => {
            tracing::warn!(provider = provider_id, reason = ?e, "OAuth callback refused");
            return failed(provider_id, e.code());
        }
        Err(e) => {
            tracing::error!(error = %e, "could not read OAuth state");
            return failed(provider_id, "internal");
        }
    };
    let (ret, workspace_id) = match verified.return_url.as_deref() {
        None => match auth.filter(|a| a.user.id == verified.user_id) {
            Some(auth) => (Return::App, auth.user.workspace_id.into()),
            None => return failed(provider_id, StateError::Mismatch.code()),
        },
        Some(url) => {
            let Ok(url) = url::Url::parse(url) else {
                return failed(provider_id, "internal");
            };
            match crate::accounts::directory::workspace_of(&state.db, &verified.user_id).await {
                Ok(Some(ws)) => (Return::Platform(url), ws),
                Ok(None) => return failed(provider_id, StateError::Unknown.code()),
                Err(e) => {
                    tracing::error!(error = %e, "could not read the person of an OAuth state");
                    return failed(provider_id, "internal");
                }
            }
        }
    };
    let user_id = verified.user_id.as_str();
    if let Some(err) = q.get("error") {
        let code = if err == "access_denied" {
            "denied"
        } else {
            "provider"
        };
        return ret.to(provider_id, Err(code));
    }
    let Some(code) = q.get("code").filter(|c| !c.is_empty()) else {
        return ret.to(provider_id, Err("provider"));
    };
    let http = &state.engine().http;
    let grant = match provider
        .exchange_code(http, &verified.redirect_uri, code, verified.pkce_verifier)
        .await
    {
        Ok(g) => g,
        Err(e) => {
            tracing::warn!(provider = provider_id, error = %e, "code exchange failed");
            return ret.to(provider_id, Err("exchange"));
        }
    };
    let tokens = grant.tokens;
    let account = match grant.account_id {
        Some(id) => Some(id),
        None => provider
            .account_id(http, &tokens.access_token)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(provider = provider_id, error = %e, "could not read the account id");
                None
            }),
    };
    if account.is_none() && provider.needs_account_id() {
        // Its data arrives only by push, routed by this id: without it nothing would arrive.
        return ret.to(provider_id, Err("account"));
    }
    let push_url = format!(
        "{}/push/{provider_id}",
        base_url(state, headers).trim_end_matches('/')
    );
    if let Err(e) = provider.after_connect(http, &tokens, &push_url).await {
        tracing::warn!(provider = provider_id, error = %e, "could not subscribe to the provider's notifications");
    }
    let saved = repo::save_connected(
        &state.db,
        &state.config.keys,
        repo::Connected {
            workspace_id: &workspace_id,
            user_id,
            provider_id,
            tokens: &tokens,
            account_id: account.as_deref(),
            scopes: provider.info().scopes,
        },
        now,
    )
    .await;
    let conn = match saved {
        Ok(id) => repo::get(&state.db, &id).await.ok().flatten(),
        Err(e) => {
            tracing::error!(error = %e, "could not store the connection");
            None
        }
    };
    let Some(conn) = conn else {
        return ret.to(provider_id, Err("internal"));
    };
    if let Err(e) = state.engine().request_sync(&conn, now).await {
        tracing::error!(error = %e, "could not queue the first sync");
    }
    tracing::info!(user = %user_id, provider = provider_id, "provider connected");
    super::hooks::emit(
        &state.db,
        &conn,
        crate::webhooks::EventType::ConnectionCreated,
        super::hooks::connection_data(&conn, "active", None),
    )
    .await;
    ret.to(provider_id, Ok(&conn.id))
}
