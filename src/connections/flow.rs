//! Starting a connection, once for both doors: the browser's `POST /connections/{provider}/connect`
//! (the signed-in person, bound to their session and a cookie) and the REST API's
//! `POST /v1/users/{userId}/connections` (a platform, sending its user back to its own page).
//! Both check the provider (and the API its return URL), build the authorization request,
//! save its OAuth state and hand back where the person consents.

use axum::http::{header, HeaderMap};
use chrono::{DateTime, Duration, Utc};
use url::Url;

use super::oauth;
use super::oauth_state::{self, NewState, Origin};
use crate::platform::ids::random_token;
use crate::platform::state::AppState;

/// The address the browser used to reach us: the public URL when configured, else its Host.
pub fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(origin) = state.config.public_origin() {
        return origin;
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1:3000");
    format!("http://{host}")
}

pub fn callback_url(base: &str, provider_id: &str) -> String {
    format!("{base}/connections/{provider_id}/callback")
}

/// Who starts a connection.
#[derive(Clone, Copy, Debug)]
pub enum Starter<'a> {
    /// The person, signed in, in this browser: the state belongs to this session and to the
    /// cookie value handed back in [`Started::browser_value`].
    Session { auth_session_id: &'a str },
    /// A platform through the REST API: `return_url`, as it was sent (checked here), is where
    /// its user goes back to afterwards.
    Api { return_url: &'a str },
}

/// Why nothing was started (and nothing stored). The API reports every problem found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// No provider of that id here.
    UnknownProvider,
    /// A provider this server knows, without client credentials.
    NotConfigured,
    /// The return URL is not an absolute http(s) URL of at most 2000 characters (API only).
    ReturnUrl,
}

#[derive(Debug)]
pub enum FlowError {
    /// Refused before anything was stored, in the order found: the provider, then the return URL.
    Refused(Vec<Problem>),
    /// The OAuth state could not be saved.
    Store(sqlx::Error),
}

/// A started authorization.
#[derive(Debug)]
pub struct Started {
    /// The authorization URL as built for the provider.
    authorization: Url,
    /// This server's address as the starter reached it.
    base: String,
    /// The consent page is on this server (the demo provider).
    here: bool,
    /// The authorization stops working after this moment.
    pub expires_at: DateTime<Utc>,
    /// A browser start: the value of the state cookie to set.
    pub browser_value: Option<String>,
}

impl Started {
    /// Where to send a browser that is on this server: the demo provider's consent page is
    /// on this server, wherever the browser reached it (a relative location).
    pub fn location(&self) -> String {
        if self.here {
            self.authorization[url::Position::BeforePath..].to_string()
        } else {
            self.authorization.to_string()
        }
    }

    /// The consent page as an absolute URL, to hand on: the demo provider's page at the
    /// address the starter used (as the callback is).
    pub fn url(&self) -> String {
        if self.here {
            format!(
                "{}{}",
                self.base,
                &self.authorization[url::Position::BeforePath..]
            )
        } else {
            self.authorization.to_string()
        }
    }
}

/// A return URL a platform may send its user back to.
fn return_url(raw: &str) -> Option<Url> {
    Url::parse(raw).ok().filter(|u| {
        matches!(u.scheme(), "http" | "https")
            && u.host().is_some()
            && u.username().is_empty()
            && u.password().is_none()
            && u.as_str().len() <= 2000
    })
}

/// Where the callback goes once its state is known, checked.
enum Back<'a> {
    Session {
        auth_session_id: &'a str,
        browser_value: String,
    },
    Api(Url),
}

/// Starts connecting `provider_id` for the person `user_id`: checks the provider (and an API
/// start's return URL), builds the authorization request with `base` (this server's address as
/// the starter reached it, see [`base_url`]) in its callback, and saves its OAuth state.
pub async fn start(
    state: &AppState,
    user_id: &str,
    provider_id: &str,
    base: &str,
    starter: Starter<'_>,
) -> Result<Started, FlowError> {
    let registry = &state.engine().registry;
    let mut problems = Vec::new();
    let provider = registry.get(provider_id);
    let endpoints = provider.as_ref().and_then(|p| p.endpoints());
    if endpoints.is_none() {
        let known = registry.all().iter().any(|p| p.info().id == provider_id);
        problems.push(if known {
            Problem::NotConfigured
        } else {
            Problem::UnknownProvider
        });
    }
    let back = match starter {
        Starter::Session { auth_session_id } => Some(Back::Session {
            auth_session_id,
            browser_value: random_token(),
        }),
        Starter::Api { return_url: raw } => {
            let url = return_url(raw);
            if url.is_none() {
                problems.push(Problem::ReturnUrl);
            }
            url.map(Back::Api)
        }
    };
    let (Some(provider), Some(ep), Some(back)) = (&provider, endpoints, back) else {
        return Err(FlowError::Refused(problems));
    };
    let redirect_uri = callback_url(base, provider_id);
    let req = oauth::authorization_request(provider.info(), ep, &redirect_uri);
    let origin = match &back {
        Back::Session {
            auth_session_id,
            browser_value,
        } => Origin::Session {
            auth_session_id,
            browser_value: browser_value.as_str(),
        },
        Back::Api(url) => Origin::Api {
            return_url: url.as_str(),
        },
    };
    let now = Utc::now();
    oauth_state::save(
        &state.db,
        &state.config.keys,
        NewState {
            state: &req.state,
            origin,
            user_id,
            provider_id,
            pkce_verifier: req.pkce_verifier.as_deref(),
            redirect_uri: &redirect_uri,
        },
        now,
    )
    .await
    .map_err(FlowError::Store)?;
    let browser_value = match back {
        Back::Session { browser_value, .. } => Some(browser_value),
        Back::Api(_) => None,
    };
    Ok(Started {
        authorization: req.url,
        base: base.to_string(),
        here: provider_id == super::providers::demo::ID,
        expires_at: now + Duration::minutes(oauth_state::LIFETIME_MINUTES),
        browser_value,
    })
}
